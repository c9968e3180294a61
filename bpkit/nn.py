"""Neural-network layers with an explicit forward and backward pass.

Every layer has ``forward(x)``, which keeps exactly what its backward needs, and
``backward(dout) -> dx``, which turns ∂L/∂out into ∂L/∂x and fills ``grads`` (one array
per entry of ``params``; activations have none). Batches are row-major: ``x`` is
``(batch, n_in)``. The backward lines are lesson 05's equations, written as it writes them:

    Linear:      dW = xᵀ δ      db = Σ_n δ_n      dx = δ Wᵀ       (δ = ∂L/∂z arriving from above)
    activation:  δ = dout ⊙ f′(z), with f′(z) kept by the forward pass (lesson 05's step 1)

``backward`` *replaces* ``grads`` with the new gradients; it never adds to the old ones.
PyTorch accumulates instead, which is why it needs ``zero_grad``; ours is kept for the
same habit.

    model = MLP([2, 8, 2], activation="tanh")
    loss = SoftmaxCrossEntropy()
    history = fit(model, loss, x, y, epochs=50, batch_size=32, lr=0.5)
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

INITS = ("xavier", "he", "normal", "zeros")


def sigmoid(z: Any) -> np.ndarray:
    """Return σ(z) = 1 / (1 + e^(−z)) elementwise, for any real z, without overflow.

    The one sigmoid of bpkit (``Sigmoid``, ``scalar.Value.sigmoid``, the plots use it).
    For z ≥ 0 it is 1 / (1 + e^(−z)); for z < 0 the same number written as e^z / (1 + e^z).
    Either way only e^(−|z|) ≤ 1 is computed, so nothing overflows, and the result keeps
    its relative accuracy far into the tails (σ(−40) ≈ 4.2e-18, not 0).
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # e^(−|z|), in (0, 1]
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


class Parameters:
    """``parameters()`` for anything with ``params`` and ``grads`` dicts of the same keys."""

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Yield ``(name, param, grad)`` for every parameter, e.g. ("W", W, dW)."""
        grads = self.grads  # a model builds this dict from its layers: once per call
        for name, param in self.params.items():
            yield name, param, grads[name]


def init_weights(n_in: int, n_out: int, init: str, rng: Any, scale: float = 0.01) -> np.ndarray:
    """Return a ``(n_in, n_out)`` weight matrix drawn by the named scheme.

    ``"xavier"`` (Glorot): std √(2 / (n_in + n_out)), for tanh and sigmoid;
    ``"he"`` (Kaiming): std √(2 / n_in), for ReLU; ``"normal"``: std ``scale``;
    ``"zeros"``: all zero (to see why symmetry must be broken).
    """
    if init not in INITS:
        raise ValueError(f"init_weights: unknown init {init!r}; choose one of {', '.join(INITS)}.")
    std = {
        "xavier": np.sqrt(2.0 / (n_in + n_out)),
        "he": np.sqrt(2.0 / n_in),
        "normal": scale,
        "zeros": 0.0,
    }[init]
    return std * rng.standard_normal((n_in, n_out))


class Layer(Parameters):
    """Base class: ``params``/``grads`` dicts, ``layer(x)`` calls ``forward``."""

    params: dict[str, np.ndarray]
    grads: dict[str, np.ndarray]

    def __init__(self) -> None:
        self.params, self.grads = {}, {}

    def __call__(self, x: Any) -> np.ndarray:
        return self.forward(x)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def forward(self, x: Any) -> np.ndarray:  # pragma: no cover - every layer overrides
        raise NotImplementedError

    def backward(self, dout: Any) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _cached(self, cache: Any, dout: Any) -> np.ndarray:
        """Check that forward ran and that dout matches its output; return dout as float64."""
        if cache is None:
            raise RuntimeError(
                f"{self!r}.backward: called before forward. Run forward(x) on the batch first; "
                "backward needs what forward remembers."
            )
        dout = np.asarray(dout, dtype=np.float64)
        if dout.shape != self._out_shape:
            raise ValueError(
                f"{self!r}.backward: expected dout of shape {self._out_shape} (the shape forward "
                f"returned), got {dout.shape}. dout must be shaped like this layer's output."
            )
        return dout


class Linear(Layer):
    """Affine map ``z = x @ W + b`` (PyTorch's ``nn.Linear`` stores W transposed).

    Shapes: x: (batch, n_in), W: (n_in, n_out), b: (n_out,), z: (batch, n_out).
    """

    def __init__(
        self, n_in: int, n_out: int, init: str = "xavier", seed: Any = 0, scale: float = 0.01
    ) -> None:
        super().__init__()
        self.n_in, self.n_out = int(n_in), int(n_out)
        W = init_weights(self.n_in, self.n_out, init, np.random.default_rng(seed), scale)
        self.params = {"W": W, "b": np.zeros(self.n_out)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.n_out)}
        self._x: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"Linear({self.n_in}→{self.n_out})"

    def forward(self, x: Any) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(self._shape_message(x.shape))
        self._x, self._out_shape = x, (x.shape[0], self.n_out)
        return x @ self.params["W"] + self.params["b"]  # z = x W + b, (batch, n_out)

    def backward(self, dout: Any, input_grad: bool = True) -> np.ndarray | None:
        """Fill grads["W"], grads["b"] and return dL/dx (None if ``input_grad`` is False).

        ``dout`` is δ = ∂L/∂z, the upstream gradient, shaped like z: (batch, n_out).
        """
        delta = self._cached(self._x, dout)  # δ = ∂L/∂z, (batch, n_out)
        self.grads["W"] = self._x.T @ delta  # dW = xᵀ δ, (n_in, n_out)
        self.grads["b"] = delta.sum(axis=0)  # db = Σ_n δ_n, (n_out,)
        if not input_grad:  # the gradient w.r.t. the data itself is rarely needed
            return None
        return delta @ self.params["W"].T  # dx = δ Wᵀ, (batch, n_in)

    def _shape_message(self, shape: tuple[int, ...]) -> str:
        message = f"{self!r}.forward: expected x of shape (batch, {self.n_in}), got {shape}."
        if len(shape) == 1 and shape[0] == self.n_in:
            return message + " A single sample needs a batch axis: pass x.reshape(1, -1)."
        if len(shape) == 2 and shape[0] == self.n_in:
            return message + " Did you pass x transposed? Try x.T."
        return message + (
            f" The previous layer must output {self.n_in} features per sample"
            f" (or build this layer with n_in={shape[-1] if shape else 1})."
        )


class _Activation(Layer):
    """An elementwise function a = f(z); forward keeps f′(z), backward multiplies by it."""

    def __init__(self) -> None:
        super().__init__()
        self._fprime: np.ndarray | None = None

    def forward(self, x: Any) -> np.ndarray:
        """Return a = f(z) and keep f′(z) for backward (lesson 05's step 1). Any shape."""
        z = np.asarray(x, dtype=np.float64)
        a = self.f(z)
        self._fprime = self.df_from_output(a)  # f′(z), from the output a = f(z)
        self._out_shape = z.shape
        return a

    def backward(self, dout: Any) -> np.ndarray:
        """Return δ = ∂L/∂z = dout ⊙ f′(z), shaped like z."""
        dout = self._cached(self._fprime, dout)
        return dout * self._fprime  # δ = dout ⊙ f′(z)

    @staticmethod
    def f(z: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def df_from_output(a: np.ndarray) -> np.ndarray:  # pragma: no cover
        """Return f′(z) from a = f(z)."""
        raise NotImplementedError


class Sigmoid(_Activation):
    """σ(z) = 1 / (1 + e^(−z)), with σ'(z) = σ(z)(1 − σ(z)). Any shape."""

    f = staticmethod(sigmoid)

    @staticmethod
    def df_from_output(a: np.ndarray) -> np.ndarray:
        return a * (1.0 - a)


class Tanh(_Activation):
    """tanh(z), with tanh'(z) = 1 − tanh(z)². Any shape."""

    @staticmethod
    def f(z: np.ndarray) -> np.ndarray:
        return np.tanh(z)

    @staticmethod
    def df_from_output(a: np.ndarray) -> np.ndarray:
        return 1.0 - a * a


class ReLU(_Activation):
    """max(0, z), with derivative 1 where z > 0 and 0 elsewhere (we pick 0 at z = 0)."""

    @staticmethod
    def f(z: np.ndarray) -> np.ndarray:
        return np.maximum(z, 0.0)

    @staticmethod
    def df_from_output(a: np.ndarray) -> np.ndarray:
        return (a > 0.0).astype(np.float64)  # a > 0 exactly where z > 0


ACTIVATIONS: dict[str, type[_Activation]] = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}


class HalfMSE:
    """Half the squared error, averaged over the batch: L = (1/N) Σ_n ½‖y_pred_n − y_n‖².

    So dL/dy_pred = (y_pred − y) / N. The ½ makes the gradient clean, as in the classic
    backprop papers and lesson 05. Other conventions in the course: PyTorch's ``MSELoss``
    has no ½ and also averages over the outputs; ``bpkit.rnn.SequenceMSE`` is a plain mean.
    ``MSE`` is another name for this class.
    Shapes: y_pred: (batch, n_out), y: (batch, n_out) (or (batch,) when n_out is 1).
    """

    def __init__(self) -> None:
        self._diff: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def forward(self, y_pred: Any, y: Any) -> float:
        y_pred = np.asarray(y_pred, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1 and y_pred.ndim == 2 and y_pred.shape[1] == 1:
            y = y[:, None]
        if y.shape != y_pred.shape or y_pred.ndim != 2:
            raise ValueError(
                f"{self!r}.forward: expected y_pred of shape (batch, n_out) and y of the same "
                f"shape, got y_pred {y_pred.shape} and y {y.shape}. Reshape y to match the "
                "predictions."
            )
        self._diff = y_pred - y
        return 0.5 * float(np.vdot(self._diff, self._diff)) / len(y)

    def backward(self) -> np.ndarray:
        """Return dL/dy_pred = (y_pred − y) / N, shaped like y_pred."""
        if self._diff is None:
            raise RuntimeError(
                f"{self!r}.backward: called before forward; call forward(y_pred, y)."
            )
        return self._diff / len(self._diff)


MSE = HalfMSE  # the name lessons 04-07 use: half the squared error, batch mean


def softmax(z: Any) -> np.ndarray:
    """Return softmax over the last axis, stable for any finite z (subtracts the row max)."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class SoftmaxCrossEntropy:
    """Softmax then cross-entropy with integer labels, averaged over the batch.

    L = (1/batch) Σ −log softmax(z)[y], and dL/dz = (softmax(z) − onehot(y)) / batch.
    PyTorch calls this ``CrossEntropyLoss``. Shapes: z: (batch, n_classes), y: (batch,) ints.
    """

    def __init__(self) -> None:
        self._p: np.ndarray | None = None

    def __repr__(self) -> str:
        return "SoftmaxCrossEntropy()"

    def forward(self, z: Any, y: Any) -> float:
        z = np.asarray(z, dtype=np.float64)
        y = _labels("SoftmaxCrossEntropy.forward", y, z)
        shifted = z - z.max(axis=1, keepdims=True)  # largest entry 0: exp cannot overflow
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        loss = np.log(total[:, 0]) - shifted[rows, y]  # −log p[y] = log Σ e^s − s[y]
        exp /= total  # now the softmax probabilities, (batch, n_classes)
        self._p, self._y, self._rows = exp, y, rows
        return float(loss.mean())

    def backward(self) -> np.ndarray:
        """Return dL/dz, shaped like z."""
        if self._p is None:
            raise RuntimeError(
                "SoftmaxCrossEntropy.backward: called before forward; call forward(z, y)."
            )
        dz = self._p.copy()
        dz[self._rows, self._y] -= 1.0
        dz /= len(self._y)
        return dz


def _labels(who: str, y: Any, z: np.ndarray) -> np.ndarray:
    """Validate integer class labels for scores z of shape (batch, n_classes)."""
    y = np.asarray(y)
    if z.ndim != 2 or y.shape != (z.shape[0],):
        hint = (
            " Pass class labels, not one-hot rows: y.argmax(axis=1)."
            if y.ndim == 2
            else " Scores are (batch, n_classes) and labels (batch,)."
        )
        raise ValueError(
            f"{who}: expected scores of shape (batch, n_classes) and labels of shape (batch,), "
            f"got scores {z.shape} and labels {y.shape}.{hint}"
        )
    if y.dtype.kind not in "iu":
        if y.dtype.kind != "f" or not np.array_equal(y, np.round(y)):
            raise ValueError(
                f"{who}: labels must be integers 0..{z.shape[1] - 1}, got dtype {y.dtype}."
            )
        y = y.astype(np.intp)
    if y.size and (y.min() < 0 or y.max() >= z.shape[1]):
        bad = int(np.flatnonzero((y < 0) | (y >= z.shape[1]))[0])
        raise ValueError(
            f"{who}: labels must be in 0..{z.shape[1] - 1} for {z.shape[1]} classes, "
            f"got {y[bad]} at index {bad}. Does the last layer have one output per class?"
        )
    return y


class Sequential(Parameters):
    """Layers applied in order; backward runs them in reverse. ``params`` keys read "i.W".

    Shapes: x: (batch, n_in) → output of the last layer.
    """

    def __init__(self, *layers: Any) -> None:
        self.layers = list(layers)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(repr, self.layers))})"

    def __call__(self, x: Any) -> np.ndarray:
        return self.forward(x)

    def forward(self, x: Any) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout: Any, input_grad: bool = False) -> np.ndarray | None:
        """Backpropagate dout = ∂L/∂output through every layer, filling their grads.

        Like PyTorch for data that does not require grad, a model skips ∂L/∂x of its
        input unless asked: training never uses it, and for a first ``Linear`` it is the
        largest matrix product of the backward pass. So ``backward(dout)`` returns None;
        ``backward(dout, input_grad=True)`` also returns ∂L/∂x, shaped like x. (A single
        layer's ``backward(dout)`` always returns its dx: the next layer down needs it.)
        """
        if input_grad:
            for layer in reversed(self.layers):
                dout = layer.backward(dout)
            return np.asarray(dout, dtype=np.float64)
        # Layers before the first one with parameters only pass ∂L/∂x down: skip them.
        first = next((i for i, layer in enumerate(self.layers) if layer.params), None)
        if first is None:
            return None
        for layer in reversed(self.layers[first + 1 :]):
            dout = layer.backward(dout)
        if isinstance(self.layers[first], Linear):
            self.layers[first].backward(dout, input_grad=False)
        else:
            self.layers[first].backward(dout)
        return None

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Every layer's parameters, named "i.W", "i.b" (i: the layer's index)."""
        return {
            f"{i}.{k}": p for i, layer in enumerate(self.layers) for k, p in layer.params.items()
        }

    @property
    def grads(self) -> dict[str, np.ndarray]:
        """Every layer's current gradients, with the names of ``params``."""
        return {
            f"{i}.{k}": g for i, layer in enumerate(self.layers) for k, g in layer.grads.items()
        }


class MLP(Sequential):
    """Linear layers with an activation between them; the last layer stays linear.

    ``MLP([2, 8, 1])`` is Linear(2→8), Tanh, Linear(8→1). ``init`` defaults to "he" for
    ReLU and "xavier" otherwise.
    """

    def __init__(
        self, sizes: list[int], activation: str = "tanh", seed: int = 0, init: str | None = None
    ) -> None:
        if len(sizes) < 2:
            raise ValueError(f"MLP: sizes needs at least [n_in, n_out], got {sizes!r}.")
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"MLP: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}."
            )
        init = init or ("he" if activation == "relu" else "xavier")
        seeds = np.random.SeedSequence(seed).spawn(len(sizes) - 1)
        layers: list[Any] = []
        for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(Linear(n_in, n_out, init=init, seed=seeds[i]))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
        super().__init__(*layers)
        self.sizes = list(sizes)


def grad_norms(model: Any) -> dict[str, float]:
    """Return the Euclidean norm of every parameter gradient, keyed by name ("0.W", ...)."""
    return {name: float(np.sqrt(np.vdot(grad, grad))) for name, _, grad in model.parameters()}


def tiny_network(seed: int = 0, lr: float = 1.0, digits: int | None = 4) -> dict[str, Any]:
    """Compute one forward and backward pass of a 2-2-1 sigmoid network on one sample, by hand.

    Input and weights are drawn from ``seed`` and rounded to one decimal. Every number
    computed from them is rounded to ``digits`` decimals as soon as it exists, as on paper,
    so each printed product can be redone by hand from its printed factors (``digits=None``
    keeps full precision). The target y is the class (0 or 1) that the network currently
    gets wrong; the loss is L = ½ (ŷ − y)². The result holds ``x (2,), y, W1 (2, 2),
    b1 (2,), W2 (2, 1), b2 (1,)``, the forward values ``z1, a1, fp1`` (= f′(z1)), ``z2, a2,
    fp2, loss``, the deltas ``delta2 (1,), delta1 (2,)`` (δ = ∂L/∂z), the gradients
    ``dW1, db1, dW2, db2``, and after one step of size ``lr`` the weights ``new`` (a dict),
    ``a1_after``, ``a2_after`` and ``loss_after``. ``bpkit.plot.network`` draws it.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, 2).round(1)
    W1, b1 = rng.normal(0, 1, (2, 2)).round(1), rng.normal(0, 0.5, 2).round(1)
    W2, b2 = rng.normal(0, 1.5, (2, 1)).round(1), rng.normal(0, 0.5, 1).round(1)

    def r(v: Any) -> Any:
        return v if digits is None else np.round(v, digits)

    def forward(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> tuple:
        z1 = r(x @ W1 + b1)  # (2,)
        a1 = r(sigmoid(z1))
        z2 = r(a1 @ W2 + b2)  # (1,)
        return z1, a1, z2, r(sigmoid(z2))

    z1, a1, z2, a2 = forward(W1, b1, W2, b2)
    y = 0.0 if a2[0] >= 0.5 else 1.0
    fp1, fp2 = r(a1 * (1 - a1)), r(a2 * (1 - a2))  # f′(z) = σ(z)(1 − σ(z)), kept (step 1)
    delta2 = r(fp2 * (a2 - y))  # step 2: δ_out = f′(z) ⊙ ∂L/∂ŷ
    delta1 = r(fp1 * (delta2 @ W2.T))  # step 3: δ = f′(z) ⊙ (δ_next Wᵀ)
    dW2, db2 = r(np.outer(a1, delta2)), delta2  # step 4: dW = aᵀ δ, db = δ
    dW1, db1 = r(np.outer(x, delta1)), delta1
    new = {"W1": W1 - lr * dW1, "b1": b1 - lr * db1, "W2": W2 - lr * dW2, "b2": b2 - lr * db2}
    new = {name: r(value) for name, value in new.items()}
    _, a1_after, _, a2_after = forward(new["W1"], new["b1"], new["W2"], new["b2"])
    return {
        "x": x, "y": y, "W1": W1, "b1": b1, "W2": W2, "b2": b2,
        "z1": z1, "a1": a1, "fp1": fp1, "z2": z2, "a2": a2, "fp2": fp2,
        "loss": float(r(0.5 * (a2[0] - y) ** 2)),
        "delta2": delta2, "delta1": delta1, "dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2,
        "lr": lr, "new": new, "a1_after": a1_after, "a2_after": a2_after,
        "loss_after": float(r(0.5 * (a2_after[0] - y) ** 2)),
    }  # fmt: skip


class SGD:
    """Stochastic gradient descent, optionally with momentum, updating parameters in place.

    With momentum μ: v ← μ v + grad, then param ← param − lr · v (PyTorch's form).
    """

    def __init__(self, model: Any, lr: float, momentum: float = 0.0) -> None:
        if not lr > 0:
            raise ValueError(f"SGD: lr must be a positive number such as 0.1, got {lr!r}.")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum!r}.")
        self.model, self.lr, self.momentum = model, float(lr), float(momentum)
        self.velocity: dict[str, np.ndarray] = {}

    def step(self) -> None:
        """Move every parameter one step against its gradient."""
        for name, param, grad in self.model.parameters():
            if self.momentum:
                v = self.velocity.get(name)
                if v is None:
                    v = self.velocity[name] = np.zeros_like(param)
                v *= self.momentum
                v += grad
                grad = v
            param -= self.lr * grad

    def zero_grad(self) -> None:
        """Set every gradient to zero, in place."""
        for _, _, grad in self.model.parameters():
            grad.fill(0.0)


def accuracy(scores: Any, y: Any) -> float:
    """Return the fraction of rows whose largest score is at the true label."""
    return float(np.mean(np.argmax(scores, axis=1) == np.asarray(y)))


def fit(
    model: Any,
    loss: Any,
    x: Any,
    y: Any,
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 0.1,
    optimizer: Any = None,
    seed: int = 0,
    x_val: Any = None,
    y_val: Any = None,
    progress: bool = True,
) -> dict[str, list[float]]:
    """Train ``model`` on (x, y) by mini-batch gradient descent; return the history.

    Each epoch shuffles the samples with ``np.random.default_rng(seed)`` and takes one
    optimizer step per mini-batch (``SGD(model, lr)`` unless ``optimizer`` is given).
    The history holds ``"loss"`` (mean training loss per epoch) and, for
    ``SoftmaxCrossEntropy``, ``"accuracy"``; with validation data also ``"val_loss"`` and
    ``"val_accuracy"``. Shapes: x: (n, n_in), y: (n,) labels or (n, n_out) targets.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}; they must match.")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size >= 1):
        raise ValueError(f"fit: batch_size must be a positive integer, got {batch_size!r}.")
    optimizer = optimizer or SGD(model, lr)
    classify = isinstance(loss, SoftmaxCrossEntropy)
    history: dict[str, list[float]] = {"loss": []}
    if classify:
        history["accuracy"] = []
    if x_val is not None:
        history.update(val_loss=[], **({"val_accuracy": []} if classify else {}))
    rng = np.random.default_rng(seed)
    bar = _Progress(epochs) if progress else None
    for _ in range(epochs):
        order = rng.permutation(len(x))
        xs, ys = x[order], y[order]  # one copy per epoch; batches below are views
        total, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            xb, yb = xs[start : start + batch_size], ys[start : start + batch_size]
            scores = model.forward(xb)
            total += loss.forward(scores, yb) * len(xb)
            if classify:
                correct += int(np.count_nonzero(scores.argmax(axis=1) == yb))
            model.backward(loss.backward())  # fills the grads; a model skips dL/dx of xb
            optimizer.step()
        history["loss"].append(total / len(x))
        if classify:
            history["accuracy"].append(correct / len(x))
        if x_val is not None:
            scores = model.forward(x_val)
            history["val_loss"].append(loss.forward(scores, y_val))
            if classify:
                history["val_accuracy"].append(accuracy(scores, y_val))
        if bar:
            bar.update(history)
    if bar:
        bar.close(history)
    return history


class _Progress:
    """A one-line progress bar: an updating display in a notebook, a \\r line in a terminal."""

    def __init__(self, epochs: int) -> None:
        self.epochs, self.epoch, self.start, self.shown = epochs, 0, time.perf_counter(), 0.0
        self.handle = None
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython else None
        if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
            from IPython.display import display

            self.handle = display({"text/plain": self.line({})}, raw=True, display_id=True)

    def line(self, history: dict[str, list[float]]) -> str:
        done = int(20 * self.epoch / max(self.epochs, 1))
        text = f"epoch {self.epoch:>{len(str(self.epochs))}}/{self.epochs} "
        text += "█" * done + "·" * (20 - done)
        for key, values in history.items():
            text += f"  {key} {values[-1]:.4f}"
        return text + f"  ({time.perf_counter() - self.start:.1f} s)"

    def update(self, history: dict[str, list[float]]) -> None:
        self.epoch += 1
        now = time.perf_counter()
        if now - self.shown >= 0.1:  # redraw at most ten times a second
            self.shown = now
            self.show(history, end="")

    def show(self, history: dict[str, list[float]], end: str) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": self.line(history)}, raw=True)
        elif sys.stderr.isatty():
            sys.stderr.write("\r" + self.line(history) + end)
            sys.stderr.flush()
        elif end:
            sys.stderr.write(self.line(history) + end)

    def close(self, history: dict[str, list[float]]) -> None:
        self.show(history, end="\n")
