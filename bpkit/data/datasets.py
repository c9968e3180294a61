"""Small classification data sets, made with numpy or shipped with the package.

Every generator is seeded (``seed=0``) and returns ``(x, y)`` with ``x: (n, 2)`` float64
and ``y: (n,)`` integer labels. ``digits()`` loads the 8×8 handwritten digits stored in
``bpkit/data/digits.npz``: the test set of the UCI "Optical Recognition of Handwritten
Digits" data (E. Alpaydin and C. Kaynak, 1998, https://archive.ics.uci.edu/dataset/80,
distributed by UCI under CC BY 4.0), exactly as scikit-learn bundles it (``load_digits``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["digits", "logic_gate", "moons", "one_hot", "spirals", "train_test_split", "xor"]

GATES = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "XOR": (0, 1, 1, 0), "NAND": (1, 1, 1, 0)}

_DIGITS = Path(__file__).with_name("digits.npz")


def _check_n(who: str, n: int, minimum: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{who}: n must be an integer ≥ {minimum}, got {n!r}.")
    return int(n)


def xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return n points around the corners of the unit square, labelled x₁ XOR x₂.

    Sample i sits at corner i mod 4 — (0,0), (0,1), (1,0), (1,1) — plus Gaussian noise of
    std ``noise``, so ``xor(4, noise=0)`` is exactly the truth table.
    Shapes: x: (n, 2), y: (n,).
    """
    n = _check_n("xor", n, 1)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = np.arange(n) % 4
    x = corners[which] + noise * np.random.default_rng(seed).standard_normal((n, 2))
    return x, np.array([0, 1, 1, 0])[which]


def logic_gate(
    gate: str = "AND", n: int = 200, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return noisy copies of a logic gate's truth table ("AND", "OR", "XOR", "NAND").

    The points are those of :func:`xor` (sample i near corner i mod 4), relabelled by
    the gate. Shapes: x: (n, 2), y: (n,).
    """
    if gate not in GATES:
        raise ValueError(f"logic_gate: unknown gate {gate!r}; choose one of {', '.join(GATES)}.")
    x, _ = xor(n, noise=noise, seed=seed)
    return x, np.array(GATES[gate])[np.arange(len(x)) % 4]


def moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return two interleaved half circles: label 0 on the upper arc, 1 on the lower one.

    Shapes: x: (n, 2), y: (n,).
    """
    n = _check_n("moons", n, 2)
    n_upper = n - n // 2
    t_upper, t_lower = np.linspace(0, np.pi, n_upper), np.linspace(0, np.pi, n // 2)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])
    x = np.vstack([upper, lower]) + noise * np.random.default_rng(seed).standard_normal((n, 2))
    return x, np.repeat([0, 1], [n_upper, n // 2])


def spirals(
    n: int = 300, classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``classes`` spiral arms winding out from the origin, one label per arm.

    Arm k turns through angle 2πk/classes + 4r (r from 0 to 1 along the arm); ``noise`` is
    the std of Gaussian jitter added to the angle. Shapes: x: (n, 2), y: (n,).
    """
    n = _check_n("spirals", n, classes)
    if classes < 2:
        raise ValueError(f"spirals: classes must be at least 2, got {classes!r}.")
    y = np.arange(n) * classes // n  # as equal as possible, in order
    r = np.empty(n)
    for k in range(classes):
        r[y == k] = np.linspace(0.05, 1.0, np.count_nonzero(y == k))
    angle = 2 * np.pi * y / classes + 4.0 * r
    angle += noise * np.random.default_rng(seed).standard_normal(n)
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)]), y


def digits() -> tuple[np.ndarray, np.ndarray]:
    """Return the 1797 8×8 handwritten digits: pixels scaled to [0, 1] and labels 0–9.

    Each row of x is an image read row by row (``x[i].reshape(8, 8)`` shows it).
    Shapes: x: (1797, 64) float64, y: (1797,) int.
    """
    with np.load(_DIGITS) as data:
        x = data["images"].astype(np.float64) / 16.0  # pixels count 0..16 on-bits per block
        y = data["targets"].astype(np.int64)
    return x, y


def train_test_split(
    x: Any, y: Any, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into ``x_train, x_test, y_train, y_test`` (scikit-learn's order).

    The test part has round(test_fraction · n) samples.
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(
            f"train_test_split: x has {len(x)} samples but y has {len(y)}; they must match."
        )
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(
            f"train_test_split: test_fraction must be between 0 and 1, got {test_fraction!r}."
        )
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = round(test_fraction * len(x))
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def one_hot(y: Any, n_classes: int | None = None) -> np.ndarray:
    """Return labels as one-hot rows. Shapes: y: (n,) ints → (n, n_classes) float64."""
    y = np.asarray(y)
    if y.ndim != 1 or (y.size and (y.dtype.kind not in "iu" or y.min() < 0)):
        raise ValueError(
            f"one_hot: expected non-negative integer labels of shape (n,), "
            f"got shape {y.shape} and dtype {y.dtype}."
        )
    n_classes = int(y.max()) + 1 if n_classes is None and y.size else int(n_classes or 0)
    if y.size and y.max() >= n_classes:
        raise ValueError(f"one_hot: label {int(y.max())} does not fit in {n_classes} classes.")
    out = np.zeros((len(y), n_classes))
    out[np.arange(len(y)), y] = 1.0
    return out
