"""A character model: one-hot characters → a recurrent layer → a linear read-out.

No embedding table: character j enters as the j-th unit vector, so ``x_t Wx`` just picks
row j of ``Wx``. The read-out gives one logit per character of the vocabulary and
:class:`bpkit.nn.SoftmaxCrossEntropy` scores the next character. :func:`fit_chars` trains
on random windows of a text with Adam; :func:`fit_stream` reads a long text in order, the
truncated BPTT of lesson 08 (forward T steps, backward, update, carry the state on);
:func:`evaluate` scores text the model never saw; :func:`sample` writes new text;
:func:`save`, :func:`load` and :func:`pretrained` keep a trained model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bpkit.data.sequences import char_vocab, char_windows, decode, encode, one_hot_sequence
from bpkit.gated import GRU, LSTM
from bpkit.nn import SoftmaxCrossEntropy
from bpkit.rnn import RNN, clip_grad_norm

__all__ = [
    "CELLS",
    "CharModel",
    "evaluate",
    "fit_chars",
    "fit_stream",
    "load",
    "pretrained",
    "real_word_share",
    "sample",
    "samples",
    "save",
    "streams",
]

PRETRAINED = Path(__file__).parent / "data" / "charmodel_moby_dick.npz"

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


def _update(model, inputs, targets, state, loss, optimizer, clip, history) -> None:
    """One update: forward from ``state``, the loss, BPTT, clipping, an Adam step; record both."""
    V = len(model.chars)
    logits = model.forward(inputs, state)
    history["loss"].append(loss.forward(logits.reshape(-1, V), targets.reshape(-1)))
    model.backward(loss.backward().reshape(logits.shape))
    history["grad_norm"].append(clip_grad_norm(model.grads, clip))
    optimizer.step()


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
    for step in range(1, steps + 1):
        inputs, targets = char_windows(encoded, T, batch, seed=[seed, step])
        _update(model, inputs, targets, None, loss, optimizer, clip, history)
        if report is not None and every and (step % every == 0 or step == steps):
            report(step, history["loss"][-1])
    return history


def streams(encoded: np.ndarray, batch: int) -> np.ndarray:
    """Cut a long text into ``batch`` equal streams read side by side. (n,) → (n // batch, batch).

    Column b holds the b-th slice of the text in order, so consecutive rows continue each
    stream: a state carried from one chunk of rows to the next has read what comes before.
    """
    n = len(encoded) // batch
    if n < 2:
        raise ValueError(f"streams: {len(encoded)} characters cannot fill {batch} streams of ≥ 2.")
    return np.asarray(encoded[: n * batch]).reshape(batch, n).T


def _detach(state: Any) -> Any:
    """The state as a constant: copies, so the next chunk's backward stops here."""
    if state is None:
        return None
    return tuple(s.copy() for s in state) if isinstance(state, tuple) else state.copy()


def fit_stream(
    model: CharModel,
    text: str,
    epochs: int = 1,
    T: int = 100,
    batch: int = 32,
    lr: float = 0.002,
    clip: float = 5.0,
    seed: int = 0,
    every: int = 0,
    report: Callable[[int, float], None] | None = None,
) -> dict[str, list[float]]:
    """Read ``text`` in order, ``batch`` streams at once, by truncated BPTT; Adam; clipping.

    Each update runs T steps forward from the state the last chunk ended in, backpropagates
    through those T steps only and takes an Adam step; the state goes on detached (lesson
    08). Each epoch starts the streams at a new offset (seeded), so chunk edges move.
    ``report(update, loss)`` is called every ``every`` updates. History as :func:`fit_chars`.
    """
    encoded = encode(text, model.stoi)
    loss, optimizer = SoftmaxCrossEntropy(), Adam(model, lr)
    history: dict[str, list[float]] = {"loss": [], "grad_norm": []}
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        data, state = streams(encoded[rng.integers(0, T) :], batch), None
        for start in range(0, len(data) - 1 - T, T):
            targets = data[start + 1 : start + T + 1]
            _update(model, data[start : start + T], targets, state, loss, optimizer, clip, history)
            state = _detach(model.state)
            if report is not None and every and len(history["loss"]) % every == 0:
                report(len(history["loss"]), history["loss"][-1])
    return history


def evaluate(model: CharModel, text: str, T: int = 100, batch: int = 64) -> float:
    """Mean cross-entropy (nats per character) of the next character over ``text``.

    The text is read in ``batch`` streams with the state carried on, as in training, so
    almost every character is predicted from everything before it in its stream.
    """
    data, state = streams(encode(text, model.stoi), batch), None
    total, count, V = 0.0, 0, len(model.chars)
    loss = SoftmaxCrossEntropy()
    for start in range(0, len(data) - 1, T):
        inputs, targets = data[start : start + T], data[start + 1 : start + T + 1]
        logits = model.forward(inputs[: len(targets)], state)
        state = _detach(model.state)
        total += loss.forward(logits.reshape(-1, V), targets.reshape(-1)) * targets.size
        count += targets.size
    return total / count


def save(model: CharModel, path: str | Path, dtype: Any = np.float32) -> None:
    """Write the model's weights (as ``dtype``), its cell and its vocabulary to an .npz file."""
    weights = {name: p.astype(dtype) for name, p in model.params.items()}
    np.savez_compressed(path, cell=model.cell, chars=np.array(model.chars), **weights)


def load(path: str | Path) -> CharModel:
    """Read a model written by :func:`save` (weights back in float64)."""
    with np.load(path) as stored:
        chars = [str(c) for c in stored["chars"]]
        H = stored["Why"].shape[0]
        model = CharModel(chars, n_hidden=H, cell=str(stored["cell"]))
        for name, p in model.params.items():
            p[...] = stored[name]
    return model


def pretrained() -> CharModel:
    """The LSTM shipped with bpkit, trained on Moby-Dick's training chapters.

    ``tools/charmodel/train.py`` in the repository reproduces it; it trained for longer
    than a lesson can wait (see the script for the settings and its measured losses).
    """
    return load(PRETRAINED)


def sample(model: CharModel, prefix: str, n: int, temperature: float = 1.0, seed: int = 0) -> str:
    """Return ``prefix`` followed by ``n`` characters the model writes, one at a time.

    Each next character is drawn from softmax(logits / temperature) with
    ``np.random.default_rng(seed)``: lower temperatures pick likelier characters.
    """
    return samples(model, prefix, n, temperature, seeds=[seed])[0]


def samples(
    model: CharModel, prefix: str, n: int, temperature: float = 1.0, seeds: Any = (0,)
) -> list[str]:
    """Return one :func:`sample` per seed, written side by side (a batch): as fast as one.

    ``samples(model, p, n, t, seeds=[s])[0]`` equals ``sample(model, p, n, t, seed=s)``.
    """
    if not temperature > 0:
        raise ValueError(f"sample: temperature must be > 0, got {temperature!r}.")
    if not prefix:
        raise ValueError("sample: prefix must hold at least one character to start from.")
    rngs = [np.random.default_rng(seed) for seed in seeds]
    start = np.repeat(encode(prefix, model.stoi)[:, None], len(rngs), axis=1)  # (len, batch)
    logits = model.forward(start)[-1]
    out = np.zeros((n, len(rngs)), dtype=np.int64)
    for t in range(n):
        z = logits / temperature
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        out[t] = [rng.choice(p.shape[1], p=row) for rng, row in zip(rngs, p, strict=True)]
        logits = model.forward(out[t : t + 1], model.state)[-1]
    return [prefix + decode(out[:, b], model.chars) for b in range(len(rngs))]


def real_word_share(
    text: str, known: set[str] | frozenset[str], min_len: int = 4
) -> tuple[float, int]:
    """Return (share of the words of ``min_len``+ letters in ``text`` that are in ``known``, count).

    A word is a run of letters ("whale's" holds "whale" and "s"). Short words are left
    out: almost any two or three letters spell some word, so they would flatter a model.
    """
    words = [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= min_len]
    if not words:
        return float("nan"), 0
    return sum(w in known for w in words) / len(words), len(words)


def vocabulary(text: str) -> list[str]:
    """Return the sorted characters of ``text`` (the model's vocabulary)."""
    return char_vocab(text)[0]
