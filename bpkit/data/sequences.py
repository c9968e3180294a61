"""Sequence data for the RNN lesson, all made here or shipped in the package.

Arrays are time-major like :class:`bpkit.rnn.RNN`: ``xs: (T, n_seq, n_in)``.

* :func:`sine_sequences` — predict the next value of a sine wave;
* :func:`echo_sequences` — repeat the input ``lag`` steps later (a memory of known length);
* :func:`adding_problem` — add the two marked numbers of a long sequence;
* :func:`char_corpus` and the vocabulary helpers — a small text for a character model
  (``corpus.txt``, short stories written for this course, public domain via the MIT licence);
* :func:`moby_dick` — Melville's novel (1851, public domain), 1.19 million characters in
  lower case, split into training and held-out chapters; :func:`english_words` — SCOWL's
  American English word list, to tell a real word from an invented one. Sources and
  licences: ``NOTICE.md`` beside this file.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np

CORPUS = Path(__file__).with_name("corpus.txt")
NOVEL = Path(__file__).with_name("moby_dick.txt.gz")
WORDS = Path(__file__).with_name("words.txt.gz")

__all__ = [
    "adding_problem",
    "char_corpus",
    "char_vocab",
    "char_windows",
    "decode",
    "echo_sequences",
    "encode",
    "english_words",
    "moby_dick",
    "one_hot_sequence",
    "sine_sequences",
]


def _check_positive(who: str, **sizes: int) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{who}: {name} must be a whole number ≥ 1, got {value!r}.")


def sine_sequences(
    n_seq: int = 16,
    T: int = 50,
    dt: float = 0.2,
    freq: tuple[float, float] = (0.5, 1.5),
    noise: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return sine waves ``xs`` and their next values ``ys`` (ys[t] = xs[t + 1]).

    Each sequence has its own phase and an angular frequency drawn from ``freq``
    (radians per unit time); ``noise`` adds Gaussian noise to the inputs only.

    Shapes: xs: (T, n_seq, 1), ys: (T, n_seq, 1).
    """
    _check_positive("sine_sequences", n_seq=n_seq, T=T)
    rng = np.random.default_rng(seed)
    omega = rng.uniform(*freq, size=n_seq)
    phase = rng.uniform(0, 2 * np.pi, size=n_seq)
    time = dt * np.arange(T + 1)[:, None]  # (T + 1, 1)
    wave = np.sin(omega * time + phase)[:, :, None]  # (T + 1, n_seq, 1)
    xs = wave[:-1] + noise * rng.standard_normal((T, n_seq, 1))
    return xs, wave[1:].copy()


def echo_sequences(
    n_seq: int = 32, T: int = 30, lag: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return random ±1 inputs and the same signal delayed by ``lag`` steps.

    ys[t] = xs[t − lag], and 0 for the first ``lag`` steps (nothing to echo yet), so a
    model must remember each input for exactly ``lag`` steps.

    Shapes: xs: (T, n_seq, 1), ys: (T, n_seq, 1).
    """
    _check_positive("echo_sequences", n_seq=n_seq, T=T)
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or not 0 <= lag < T:
        raise ValueError(
            f"echo_sequences: lag must be a whole number in 0 … T−1 = {T - 1}, got {lag!r}."
        )
    rng = np.random.default_rng(seed)
    xs = rng.choice([-1.0, 1.0], size=(T, n_seq, 1))
    ys = np.zeros_like(xs)
    ys[lag:] = xs[: T - lag]
    return xs, ys


def adding_problem(n_seq: int = 32, T: int = 30, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return the adding problem: add the two marked numbers of each sequence.

    Channel 0 holds uniform numbers in [0, 1); channel 1 marks two positions with 1, one in
    each half of the sequence. The target, read at the last step, is the sum of the two
    marked numbers (Hochreiter & Schmidhuber's long-memory benchmark).

    Shapes: xs: (T, n_seq, 2), ys: (n_seq, 1).
    """
    _check_positive("adding_problem", n_seq=n_seq, T=T)
    if T < 2:
        raise ValueError(f"adding_problem: T must be ≥ 2 to hold two marks, got {T}.")
    rng = np.random.default_rng(seed)
    xs = np.zeros((T, n_seq, 2))
    xs[:, :, 0] = rng.uniform(0, 1, size=(T, n_seq))
    half = T // 2
    first = rng.integers(0, half, size=n_seq)
    second = rng.integers(half, T, size=n_seq)
    columns = np.arange(n_seq)
    xs[first, columns, 1] = 1.0
    xs[second, columns, 1] = 1.0
    ys = (xs[first, columns, 0] + xs[second, columns, 0])[:, None]
    return xs, ys


def char_corpus() -> str:
    """Return the course's small text (about 5 kB of short stories, lower case)."""
    return CORPUS.read_text(encoding="utf-8")


def moby_dick(split: str = "train") -> str:
    """Return Moby-Dick's chapters 1–135 and epilogue, lower case, one paragraph a line.

    ``split="heldout"`` gives every tenth chapter (10, 20, …, 130: about 10 % of the text),
    ``"train"`` the others, ``"all"`` the whole book; chapters are separated by an empty line.
    A model is trained on ``"train"`` and scored on ``"heldout"``, text it never saw.
    """
    chapters = gzip.decompress(NOVEL.read_bytes()).decode("utf-8").rstrip("\n").split("\n\n")
    picks = {
        "train": [c for i, c in enumerate(chapters, 1) if i % 10],
        "heldout": [c for i, c in enumerate(chapters, 1) if i % 10 == 0],
        "all": chapters,
    }
    if split not in picks:
        raise ValueError(f"moby_dick: split must be 'train', 'heldout' or 'all', got {split!r}.")
    return "\n\n".join(picks[split]) + "\n"


@functools.cache
def english_words() -> frozenset[str]:
    """Return SCOWL's 63 875 American English words written in lower-case letters (no names)."""
    return frozenset(gzip.decompress(WORDS.read_bytes()).decode("utf-8").split())


def char_vocab(text: str) -> tuple[list[str], dict[str, int]]:
    """Return the sorted characters of ``text`` and a map from character to index."""
    chars = sorted(set(text))
    return chars, {c: i for i, c in enumerate(chars)}


def encode(text: str, stoi: dict[str, int]) -> np.ndarray:
    """Turn text into an array of character indices. Shapes: str of length n → (n,)."""
    missing = sorted(set(text) - set(stoi))
    if missing:
        raise ValueError(
            f"encode: characters {missing} are not in the vocabulary; "
            "build it with char_vocab(text)."
        )
    return np.array([stoi[c] for c in text], dtype=np.int64)


def decode(indices: np.ndarray, chars: list[str]) -> str:
    """Turn character indices back into text."""
    return "".join(chars[int(i)] for i in np.ravel(indices))


def one_hot_sequence(indices: np.ndarray, n: int) -> np.ndarray:
    """Return one-hot rows for indices of any shape (``datasets.one_hot`` takes 1-D labels).

    Shapes: indices: S → (*S, n), float64.
    """
    indices = np.asarray(indices)
    out = np.zeros((*indices.shape, n))
    np.put_along_axis(out, indices[..., None], 1.0, axis=-1)
    return out


def char_windows(
    encoded: np.ndarray, T: int = 32, n_seq: int = 16, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``n_seq`` random windows of ``T`` characters and their next characters.

    Shapes: encoded: (n,) → inputs: (T, n_seq), targets: (T, n_seq), both int indices,
    with targets[t] = inputs[t + 1] along the text.
    """
    _check_positive("char_windows", T=T, n_seq=n_seq)
    if len(encoded) < T + 1:
        raise ValueError(
            f"char_windows: the text has {len(encoded)} characters; T = {T} needs ≥ {T + 1}."
        )
    starts = np.random.default_rng(seed).integers(0, len(encoded) - T, size=n_seq)
    windows = np.stack([encoded[s : s + T + 1] for s in starts], axis=1)  # (T + 1, n_seq)
    return windows[:-1], windows[1:]
