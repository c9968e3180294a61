"""A vanilla recurrent network and backpropagation through time (BPTT).

The step is ``h_t = tanh(x_t @ Wxh + h_{t-1} @ Whh + bh)``. :class:`RNN` keeps every
state in its forward pass and sends the gradient back through all of them (full BPTT)
or through chunks of ``k`` steps (truncated BPTT); :func:`fit_truncated` trains by chunks
that carry the state on, so memory is O(k). Around it: gradient diagnostics
through time (:func:`gradient_norms_through_time`, :func:`jacobian_product_norms`),
gradient clipping, a linear readout (:class:`SequenceModel`), two per-step losses and a
small training loop (:func:`fit_sequence`). numpy only.

PyTorch calls this ``nn.RNN`` (its weights are stored transposed: ``weight_ih_l0 = Wxh.T``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

ACTIVATIONS = ("tanh", "linear")


def check_sequence(layer: Any, xs: Any, n_in: int) -> np.ndarray:
    """Return ``xs`` as a float64 array of shape (T, batch, n_in), or say what is wrong.

    Shared by every recurrent layer (``RNN`` here, ``LSTM`` and ``GRU`` in ``bpkit.gated``).
    """
    xs = np.asarray(xs, dtype=np.float64)
    if xs.ndim != 3 or xs.shape[2] != n_in:
        hint = " For one sequence use xs[:, None, :]." if xs.ndim == 2 else ""
        raise ValueError(
            f"{layer}.forward: expected xs of shape (T, batch, {n_in}), got {xs.shape}.{hint}"
        )
    if xs.shape[0] == 0:
        raise ValueError(f"{layer}.forward: xs has T = 0 steps; a sequence needs ≥ 1 step.")
    return xs


def _check_truncate(who: str, truncate: Any) -> int | None:
    if truncate is None:
        return None
    if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate < 1:
        raise ValueError(
            f"{who}: truncate must be None (full BPTT) or a whole number of steps ≥ 1, "
            f"got {truncate!r}. Try truncate=10."
        )
    return int(truncate)


class RNN:
    """A tanh recurrent layer that keeps every hidden state for BPTT.

    Shapes: xs: (T, batch, n_in) → hs: (T, batch, n_hidden); Wxh: (n_in, n_hidden),
    Whh: (n_hidden, n_hidden), bh: (n_hidden,). ``activation="linear"`` drops the tanh
    (useful to see pure Jacobian products).
    """

    def __init__(self, n_in: int, n_hidden: int, seed: int = 0, activation: str = "tanh"):
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"RNN: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}."
            )
        rng = np.random.default_rng(seed)
        self.n_in, self.n_hidden, self.activation = n_in, n_hidden, activation
        self.params = {
            "Wxh": rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in),
            "Whh": rng.standard_normal((n_hidden, n_hidden)) / np.sqrt(n_hidden),
            "bh": np.zeros(n_hidden),
        }
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.dh0: np.ndarray | None = None
        self._cache: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __repr__(self) -> str:
        return f"RNN({self.n_in}→{self.n_hidden})"

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Yield ``(name, param, grad)`` triples, like ``bpkit.nn`` models."""
        for name, param in self.params.items():
            yield name, param, self.grads[name]

    def _check_xs(self, xs: Any, h0: Any) -> tuple[np.ndarray, np.ndarray]:
        xs = check_sequence(self, xs, self.n_in)
        batch = xs.shape[1]
        if h0 is None:
            return xs, np.zeros((batch, self.n_hidden))
        h0 = np.asarray(h0, dtype=np.float64)
        if h0.shape != (batch, self.n_hidden):
            raise ValueError(
                f"{self}.forward: expected h0 of shape (batch, {self.n_hidden}) = "
                f"({batch}, {self.n_hidden}), got {h0.shape}. Pass the last state hs[-1]."
            )
        return xs, h0

    def forward(self, xs: Any, h0: Any = None) -> np.ndarray:
        """Run the sequence and return every hidden state.

        Shapes: xs: (T, batch, n_in), h0: (batch, n_hidden) or None (zeros) →
        hs: (T, batch, n_hidden).
        """
        xs, h0 = self._check_xs(xs, h0)
        T, batch, _ = xs.shape
        Wxh, Whh, bh = self.params["Wxh"], self.params["Whh"], self.params["bh"]
        hs = np.empty((T, batch, self.n_hidden))
        h = h0
        # Small matmuls step by step (not one big one over all T): OpenBLAS runs these on
        # one thread, which stays fast when other processes share the cores.
        for t in range(T):
            z = hs[t]  # (batch, n_hidden): becomes h_t in place
            np.dot(xs[t], Wxh, out=z)
            z += bh
            z += h @ Whh  # z_t = x_t Wxh + bh + h_{t-1} Whh
            if self.activation == "tanh":
                np.tanh(z, out=z)
            h = z
        self._cache = (xs, h0, hs)
        return hs

    def backward(self, dhs: Any, truncate: int | None = None) -> np.ndarray:
        """Backpropagate ``dhs = dL/dhs`` through time; fill ``grads``, return ``dxs``.

        With ``truncate=k`` the steps are cut into chunks [0, k), [k, 2k), …: the state
        still flows forward across a boundary, but no gradient flows back across it.
        ``self.dh0`` receives dL/dh0 (through the first chunk only when truncated).

        Shapes: dhs: (T, batch, n_hidden) → dxs: (T, batch, n_in).
        """
        if self._cache is None:
            raise RuntimeError(f"{self}.backward: call forward(xs) first; there is nothing cached.")
        k = _check_truncate(f"{self}.backward", truncate)
        xs, h0, hs = self._cache
        dhs = np.asarray(dhs, dtype=np.float64)
        if dhs.shape != hs.shape:
            raise ValueError(
                f"{self}.backward: expected dhs shaped like hs {hs.shape}, got {dhs.shape}. "
                "dhs[t] is dL/dh_t for every step."
            )
        Wxh, Whh = self.params["Wxh"], self.params["Whh"]
        dWxh, dWhh, dbh = self.grads["Wxh"], self.grads["Whh"], self.grads["bh"]
        dWxh[...] = 0.0
        dWhh[...] = 0.0
        dbh[...] = 0.0
        # tanh'(z_t) = 1 - h_t², for every step at once (a linear RNN's slope is 1)
        slopes = 1 - hs**2 if self.activation == "tanh" else np.ones_like(hs)
        dxs = np.empty_like(xs)
        dh_next = np.zeros_like(h0)  # dL/dh_t arriving from step t + 1
        for t in reversed(range(len(xs))):
            if k is not None and (t + 1) % k == 0:
                dh_next = np.zeros_like(h0)  # a chunk boundary: nothing flows back across it
            dh = dhs[t] + dh_next  # dL/dh_t: own loss + what flows back from t + 1
            delta = dh * slopes[t]  # delta_t = dL/dz_t
            h_prev = hs[t - 1] if t > 0 else h0
            dWhh += h_prev.T @ delta  # dL/dWhh = Σ_t h_{t-1}ᵀ delta_t
            dWxh += xs[t].T @ delta  # dL/dWxh = Σ_t x_tᵀ delta_t
            dbh += delta.sum(axis=0)  # dL/dbh = Σ_t Σ_batch delta_t
            dxs[t] = delta @ Wxh.T  # dL/dx_t = delta_t Wxhᵀ
            dh_next = delta @ Whh.T  # dL/dh_{t-1} through this step
        self.dh0 = dh_next
        return dxs


def spectral_radius(W: np.ndarray) -> float:
    """Return the largest |eigenvalue| of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def set_spectral_radius(rnn: RNN, radius: float) -> RNN:
    """Rescale ``rnn.params["Whh"]`` in place so its spectral radius is ``radius``."""
    Whh = rnn.params["Whh"]
    Whh *= radius / spectral_radius(Whh)
    return rnn


def gradient_norms_through_time(
    rnn: RNN,
    xs: Any,
    t: int | None = None,
    h0: Any = None,
    truncate: int | None = None,
    seed: int = 0,
) -> np.ndarray:
    """Return ‖dL_t/dh_{t-τ}‖ for τ = 0 … t, for a loss L_t at step t only.

    The loss is L_t = Σ h_t ⊙ R for a fixed random unit-norm R (``seed``), so τ = 0 gives
    1. Entries that a truncated backward never reaches are 0. Runs ``rnn.forward``.

    Shapes: xs: (T, batch, n_in) → norms: (t + 1,), with t = T − 1 by default.
    """
    hs = rnn.forward(xs, h0)
    T = hs.shape[0]
    t = T - 1 if t is None else int(t)
    if not 0 <= t < T:
        raise ValueError(f"gradient_norms_through_time: step t must be in 0 … {T - 1}, got {t}.")
    k = _check_truncate("gradient_norms_through_time", truncate)
    dh = np.random.default_rng(seed).standard_normal(hs.shape[1:])
    dh /= np.linalg.norm(dh)
    norms = np.zeros(t + 1)
    first = 0 if k is None else (t // k) * k  # the first step of t's chunk
    for tau in range(t - first + 1):
        s = t - tau
        norms[tau] = np.linalg.norm(dh)  # dL_t/dh_s
        if s > first:
            delta = dh * (1 - hs[s] ** 2) if rnn.activation == "tanh" else dh
            dh = delta @ rnn.params["Whh"].T
    return norms


def step_jacobians(rnn: RNN, hs: np.ndarray, b: int = 0) -> np.ndarray:
    """Return J_s = dh_s/dh_{s-1} = diag(1 − h_s²) Whhᵀ for every step of sequence b.

    Shapes: hs: (T, batch, n_hidden) → J: (T, n_hidden, n_hidden).
    """
    WhhT = rnn.params["Whh"].T
    slope = 1 - hs[:, b] ** 2 if rnn.activation == "tanh" else np.ones(hs[:, b].shape)
    return slope[:, :, None] * WhhT[None]


def jacobian_product_norms(
    rnn: RNN, hs: np.ndarray, t: int | None = None, b: int = 0
) -> np.ndarray:
    """Return the spectral norm ‖J_t J_{t-1} ⋯ J_{t-τ+1}‖₂ = ‖dh_t/dh_{t-τ}‖₂ for τ = 0 … t.

    This is the largest factor by which a gradient at step t can grow on its way back τ
    steps. Shapes: hs: (T, batch, n_hidden) → norms: (t + 1,).
    """
    J = step_jacobians(rnn, hs, b)
    t = J.shape[0] - 1 if t is None else int(t)
    product = np.eye(rnn.n_hidden)
    norms = np.empty(t + 1)
    for tau in range(t + 1):
        norms[tau] = np.linalg.norm(product, 2)
        product = product @ J[t - tau]
    return norms


def grad_norm(grads: dict[str, np.ndarray]) -> float:
    """Return the norm of all gradients taken together as one long vector."""
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_grad_norm(grads: dict[str, np.ndarray], max_norm: float) -> float:
    """Scale every gradient in place so their joint norm is at most ``max_norm``.

    The direction is kept. Returns the norm before clipping (log it: spikes show
    exploding gradients). PyTorch calls this ``clip_grad_norm_``.
    """
    if not max_norm > 0:
        raise ValueError(f"clip_grad_norm: max_norm must be > 0, got {max_norm!r}.")
    norm = grad_norm(grads)
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


def clip_grad_value(grads: dict[str, np.ndarray], clip: float) -> float:
    """Clip every gradient entry in place into [−clip, clip]; return the largest |entry| before.

    Unlike :func:`clip_grad_norm` this can turn the gradient's direction.
    """
    if not clip > 0:
        raise ValueError(f"clip_grad_value: clip must be > 0, got {clip!r}.")
    largest = max((float(np.max(np.abs(g))) for g in grads.values() if g.size), default=0.0)
    for g in grads.values():
        np.clip(g, -clip, clip, out=g)
    return largest


class SequenceModel:
    """An :class:`RNN` with a linear readout at every step: ``y_t = h_t @ Why + by``.

    Shapes: xs: (T, batch, n_in) → ys: (T, batch, n_out); Why: (n_hidden, n_out),
    by: (n_out,). ``params``/``grads`` hold the RNN's entries and the readout's.
    """

    def __init__(
        self, n_in: int, n_hidden: int, n_out: int, seed: int = 0, activation: str = "tanh"
    ):
        self.rnn = RNN(n_in, n_hidden, seed=seed, activation=activation)
        rng = np.random.default_rng([seed, 1])
        self.params = {
            **self.rnn.params,
            "Why": rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden),
            "by": np.zeros(n_out),
        }
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.rnn.grads = {name: self.grads[name] for name in self.rnn.params}  # shared arrays
        self.n_out = n_out
        self.hs: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"SequenceModel({self.rnn.n_in}→{self.rnn.n_hidden}→{self.n_out})"

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Yield ``(name, param, grad)`` triples, like ``bpkit.nn`` models."""
        for name, param in self.params.items():
            yield name, param, self.grads[name]

    def forward(self, xs: Any, h0: Any = None) -> np.ndarray:
        """Return the readout at every step. Shapes: (T, batch, n_in) → (T, batch, n_out)."""
        self.hs = self.rnn.forward(xs, h0)
        ys = np.empty((*self.hs.shape[:2], self.n_out))
        for t, h in enumerate(self.hs):  # step by step: small matmuls stay single-threaded
            np.dot(h, self.params["Why"], out=ys[t])
        ys += self.params["by"]
        return ys

    def backward(self, dys: Any, truncate: int | None = None) -> np.ndarray:
        """Backpropagate ``dys = dL/dys`` through the readout and through time; return dxs."""
        if self.hs is None:
            raise RuntimeError(f"{self}.backward: call forward(xs) first.")
        dys = np.asarray(dys, dtype=np.float64)
        T, batch, _ = self.hs.shape
        if dys.shape != (T, batch, self.n_out):
            raise ValueError(
                f"{self}.backward: expected dys of shape (T, batch, n_out) = "
                f"{(T, batch, self.n_out)}, got {dys.shape}."
            )
        dWhy, Why = self.grads["Why"], self.params["Why"]
        dWhy[...] = 0.0
        dhs = np.empty_like(self.hs)
        for t in range(T):
            dWhy += self.hs[t].T @ dys[t]  # dL/dWhy = Σ_t h_tᵀ dy_t
            np.dot(dys[t], Why.T, out=dhs[t])  # dL/dh_t from the readout
        np.sum(dys, axis=(0, 1), out=self.grads["by"])
        return self.rnn.backward(dhs, truncate=truncate)


class SequenceMSE:
    """Mean squared error over every step, sequence and output: mean((y − target)²).

    A plain mean over every entry, as PyTorch's ``MSELoss``: dL/dpred = 2 (pred − target) / size.
    ``bpkit.nn.MSE`` differs on purpose: (1/batch) Σ ½‖y_pred − y‖², half a squared norm
    per example, averaged over the batch only. Same minimum, other scale.
    """

    def forward(self, pred: Any, target: Any) -> float:
        pred, target = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
        if pred.shape != target.shape:
            raise ValueError(
                f"SequenceMSE.forward: pred has shape {pred.shape} but target has "
                f"{target.shape}; they must match (T, batch, n_out)."
            )
        self._diff = pred - target
        return float(np.mean(self._diff**2))

    def backward(self) -> np.ndarray:
        """Return dL/dpred = 2 (pred − target) / size."""
        return 2 * self._diff / self._diff.size


class SequenceCrossEntropy:
    """Softmax cross-entropy averaged over every step and sequence (integer labels)."""

    def forward(self, logits: Any, labels: Any) -> float:
        logits, labels = np.asarray(logits, dtype=np.float64), np.asarray(labels)
        if logits.shape[:-1] != labels.shape:
            raise ValueError(
                f"SequenceCrossEntropy.forward: logits {logits.shape} need labels of shape "
                f"{logits.shape[:-1]} (one class index per step and sequence), got {labels.shape}."
            )
        shifted = logits - logits.max(axis=-1, keepdims=True)  # stable: exp never overflows
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        self._p, self._labels = np.exp(log_p), labels
        return float(-np.mean(np.take_along_axis(log_p, labels[..., None], axis=-1)))

    def backward(self) -> np.ndarray:
        """Return dL/dlogits = (softmax − one_hot) / (T · batch)."""
        dlogits = self._p.copy()
        np.put_along_axis(
            dlogits,
            self._labels[..., None],
            np.take_along_axis(dlogits, self._labels[..., None], -1) - 1,
            -1,
        )
        return dlogits / self._labels.size


def _sgd_step(model: Any, velocity: dict[str, np.ndarray], lr: float, momentum: float) -> None:
    for name, param in model.params.items():
        v = velocity[name]
        v *= momentum
        v -= lr * model.grads[name]  # v ← momentum · v − lr · dL/dparam
        param += v


def fit_sequence(
    model: Any,
    loss: Any,
    xs: Any,
    ys: Any,
    steps: int = 200,
    lr: float = 0.1,
    momentum: float = 0.9,
    truncate: int | None = None,
    clip: float | None = None,
    velocity: dict[str, np.ndarray] | None = None,
) -> dict[str, list[float]]:
    """Train ``model`` on one batch of sequences with SGD (+ momentum) and optional clipping.

    Each step: forward over all T steps, loss, BPTT (``truncate``), ``clip_grad_norm`` if
    ``clip``, one update. Returns a history ``{"loss": [...], "grad_norm": [...]}`` (norm
    before clipping). A run whose loss stops being finite ends early. Pass a ``velocity``
    dict (empty at first) to keep the momentum between calls: it is filled and updated in
    place, so a run can be paused, copied and continued.
    """
    if velocity is None:
        velocity = {}
    for name, p in model.params.items():
        velocity.setdefault(name, np.zeros_like(p))
    history: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    for _ in range(steps):
        with np.errstate(over="ignore", invalid="ignore"):
            value = loss.forward(model.forward(xs), ys)
            if not np.isfinite(value):
                history["loss"].append(float("inf"))
                break
            model.backward(loss.backward(), truncate=truncate)
            norm = clip_grad_norm(model.grads, clip) if clip else grad_norm(model.grads)
        history["loss"].append(value)
        history["grad_norm"].append(norm)
        _sgd_step(model, velocity, lr, momentum)
    return history


def chunk_lengths(T: int, k: int, randomized: bool = False, seed: int = 0) -> list[int]:
    """Cut T steps into chunks of k steps (the last may be shorter); return their lengths.

    ``randomized=True`` cuts after each step with probability 1/k instead, so chunks have
    random lengths with mean about k and a loss sits anywhere in its chunk: the cut pattern
    of randomized truncation (Tallec & Ollivier, 2017; d2l §9.7), without its reweighting.
    """
    k = _check_truncate("chunk_lengths", k)
    if k is None:
        raise ValueError("chunk_lengths: k must be a whole number of steps ≥ 1, got None.")
    if not randomized:
        return [k] * (T // k) + ([T % k] if T % k else [])
    rng = np.random.default_rng(seed)
    lengths: list[int] = []
    while sum(lengths) < T:
        lengths.append(min(int(rng.geometric(1 / k)), T - sum(lengths)))
    return lengths


def fit_truncated(
    model: Any,
    loss: Any,
    xs: Any,
    ys: Any,
    k: int,
    passes: int = 1,
    lr: float = 0.1,
    momentum: float = 0.9,
    clip: float | None = None,
    randomized: bool = False,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Train by truncated BPTT as practised: k steps forward, backward, update, carry the state.

    Each chunk (:func:`chunk_lengths`) runs forward from the state the last chunk ended in,
    backpropagates through its own steps only, and updates the weights. The state goes on
    as a constant (detached), so only one chunk's states are ever stored: memory O(k), not
    O(T). Each pass starts from h_0 = 0. Returns ``{"loss": [...], "grad_norm": [...]}``,
    one entry per update.
    """
    xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    velocity = {name: np.zeros_like(p) for name, p in model.params.items()}
    history: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    for p in range(passes):
        h, start = None, 0
        for n in chunk_lengths(len(xs), k, randomized, seed=seed + p):
            stop = start + n
            with np.errstate(over="ignore", invalid="ignore"):
                value = loss.forward(model.forward(xs[start:stop], h), ys[start:stop])
                if not np.isfinite(value):
                    history["loss"].append(float("inf"))
                    return history
                model.backward(loss.backward())
                norm = clip_grad_norm(model.grads, clip) if clip else grad_norm(model.grads)
            history["loss"].append(value)
            history["grad_norm"].append(norm)
            _sgd_step(model, velocity, lr, momentum)
            h, start = model.hs[-1].copy(), stop  # carried on; no gradient will cross back
    return history
