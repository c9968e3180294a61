"""A character model: one-hot characters → a recurrent layer → a linear read-out.

No embedding table: character j enters as the j-th unit vector, so ``x_t Wx`` just picks
row j of ``Wx``. The read-out gives one logit per character of the vocabulary and
:class:`bpkit.nn.SoftmaxCrossEntropy` scores the next character. :func:`fit_chars` trains
on random windows of a text with Adam; :func:`sample` writes new text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bpkit.data.sequences import char_vocab, char_windows, decode, encode, one_hot_sequence
from bpkit.gated import GRU, LSTM
from bpkit.nn import SoftmaxCrossEntropy
from bpkit.rnn import RNN, clip_grad_norm

__all__ = ["CELLS", "CharModel", "fit_chars", "sample"]

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


class CharModel:
    """Predict the next character at every step: logits_t = h_t Why + by.

    Shapes: inputs: (T, batch) character indices → logits: (T, batch, V), with V the
    vocabulary size. ``params``/``grads`` hold the recurrent layer's entries and Why, by.
    After ``forward``, ``state`` is the last state (h, or (h, c) for the LSTM), to carry on.
    """

    def __init__(self, chars: list[str], n_hidden: int = 64, cell: str = "lstm", seed: int = 0):
        if cell not in CELLS:
            raise ValueError(f"CharModel: unknown cell {cell!r}; choose one of {', '.join(CELLS)}.")
        self.chars, self.stoi = list(chars), {c: i for i, c in enumerate(chars)}
        self.cell, V = cell, len(self.chars)
        self.layer = CELLS[cell](V, n_hidden, seed=seed)
        rng = np.random.default_rng([seed, 1])
        self.params = {
            **self.layer.params,
            "Why": rng.standard_normal((n_hidden, V)) / np.sqrt(n_hidden),
            "by": np.zeros(V),
        }
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.layer.grads = {name: self.grads[name] for name in self.layer.params}  # shared
        self.state: Any = None

    def __repr__(self) -> str:
        return f"CharModel({self.cell}, {len(self.chars)} chars, {self.layer.n_hidden} hidden)"

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Yield ``(name, param, grad)`` triples, like ``bpkit.nn`` models."""
        for name, param in self.params.items():
            yield name, param, self.grads[name]

    def forward(self, inputs: Any, state: Any = None) -> np.ndarray:
        """Return the logits of the next character at every step. (T, batch) → (T, batch, V)."""
        inputs = np.asarray(inputs)
        if inputs.ndim != 2 or not np.issubdtype(inputs.dtype, np.integer):
            raise ValueError(
                f"{self}.forward: expected inputs of shape (T, batch) holding character "
                f"indices (integers), got shape {inputs.shape} of {inputs.dtype}."
            )
        xs = one_hot_sequence(inputs, len(self.chars))  # (T, batch, V)
        if self.cell == "lstm":
            h0, c0 = (None, None) if state is None else state
            self.hs = self.layer.forward(xs, h0, c0)
            self.state = (self.hs[-1].copy(), self.layer.cs[-1].copy())
        else:
            self.hs = self.layer.forward(xs, state)
            self.state = self.hs[-1].copy()
        T, batch, H = self.hs.shape
        logits = self.hs.reshape(T * batch, H) @ self.params["Why"] + self.params["by"]
        return logits.reshape(T, batch, -1)

    def backward(self, dlogits: Any, truncate: int | None = None) -> None:
        """Backpropagate dL/dlogits through the read-out and through time; fill ``grads``."""
        T, batch, H = self.hs.shape
        dlogits = np.asarray(dlogits, dtype=np.float64).reshape(T * batch, -1)
        np.dot(self.hs.reshape(T * batch, H).T, dlogits, out=self.grads["Why"])  # Σ hᵀ dy
        np.sum(dlogits, axis=0, out=self.grads["by"])
        dhs = (dlogits @ self.params["Why"].T).reshape(T, batch, H)
        self.layer.backward(dhs, truncate=truncate)


class Adam:
    """Adam on a dict of params and grads (Kingma & Ba): steps scaled per entry."""

    def __init__(self, model: Any, lr: float = 0.01, betas: tuple[float, float] = (0.9, 0.999)):
        self.model, self.lr, self.betas, self.t = model, lr, betas, 0
        self.m = {name: np.zeros_like(p) for name, p in model.params.items()}
        self.v = {name: np.zeros_like(p) for name, p in model.params.items()}

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        for name, param in self.model.params.items():
            g, m, v = self.model.grads[name], self.m[name], self.v[name]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            m_hat, v_hat = m / (1 - b1**self.t), v / (1 - b2**self.t)
            param -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)


def fit_chars(
    model: CharModel,
    text: str,
    steps: int = 300,
    T: int = 32,
    batch: int = 32,
    lr: float = 0.01,
    clip: float = 5.0,
    seed: int = 0,
    every: int = 0,
    report: Callable[[int, float], None] | None = None,
) -> dict[str, list[float]]:
    """Train on random windows of ``text`` with Adam and norm clipping; return the history.

    Each step cuts ``batch`` fresh windows of ``T`` characters (seeded by ``seed`` and the
    step), runs forward from a zero state and full BPTT. Every ``every`` steps (and at
    the last) ``report(step, loss)`` is called, e.g. to print a sample.
    History: ``"loss"`` (per step) and ``"grad_norm"`` (before clipping).
    """
    encoded = encode(text, model.stoi)
    loss, optimizer = SoftmaxCrossEntropy(), Adam(model, lr)
    history: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    V = len(model.chars)
    for step in range(1, steps + 1):
        inputs, targets = char_windows(encoded, T, batch, seed=[seed, step])
        logits = model.forward(inputs)
        history["loss"].append(loss.forward(logits.reshape(-1, V), targets.reshape(-1)))
        model.backward(loss.backward().reshape(logits.shape))
        history["grad_norm"].append(clip_grad_norm(model.grads, clip))
        optimizer.step()
        if report is not None and every and (step % every == 0 or step == steps):
            report(step, history["loss"][-1])
    return history


def sample(model: CharModel, prefix: str, n: int, temperature: float = 1.0, seed: int = 0) -> str:
    """Return ``prefix`` followed by ``n`` characters the model writes, one at a time.

    Each next character is drawn from softmax(logits / temperature) with
    ``np.random.default_rng(seed)``: lower temperatures pick likelier characters.
    """
    if not temperature > 0:
        raise ValueError(f"sample: temperature must be > 0, got {temperature!r}.")
    if not prefix:
        raise ValueError("sample: prefix must hold at least one character to start from.")
    rng = np.random.default_rng(seed)
    logits = model.forward(encode(prefix, model.stoi)[:, None])[-1, 0]
    out = []
    for _ in range(n):
        z = logits / temperature
        p = np.exp(z - z.max())
        j = int(rng.choice(len(p), p=p / p.sum()))
        out.append(j)
        logits = model.forward(np.array([[j]]), model.state)[-1, 0]
    return prefix + decode(np.array(out, dtype=np.int64), model.chars)


def vocabulary(text: str) -> list[str]:
    """Return the sorted characters of ``text`` (the model's vocabulary)."""
    return char_vocab(text)[0]
