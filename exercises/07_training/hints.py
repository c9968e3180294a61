"""Mistake detectors for exercise 07_training: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.hints import as_array, close, part


def softmax_axis(case, got, expected, error):
    g = as_array(got)
    if g is not None and g.ndim == 2 and close(g.sum(axis=0), np.ones(g.shape[1])):
        return (
            "your columns sum to 1: each row is one example, so normalize over axis=1 "
            "(with keepdims=True so the division broadcasts)."
        )
    return None


def missing_one_hot(case, got, expected, error):
    z = np.asarray(case["args"][0], dtype=np.float64)
    p = np.exp(z - np.logaddexp.reduce(z, axis=1, keepdims=True))
    if close(part(got, 1), p / len(z)) or close(part(got, 1), p):
        return "dz misses the label: subtract 1 at each example's true class (p − onehot(y))."
    return None


def _z(case):
    return np.asarray(case["args"][0], dtype=np.float64)


def softmax_whole_array(case, got, expected, error):
    """Normalized (or shifted) over the whole array instead of row by row."""
    z, g = _z(case), as_array(got)
    if g is None or g.shape != z.shape or z.shape[0] < 2:
        return None
    e = np.exp(z - z.max(axis=1, keepdims=True))
    if close(g, e / e.sum()):
        return (
            "the whole array sums to 1, not each row: every row is one example and gets its own "
            "sum (axis=1, keepdims=True)."
        )
    return None


def softmax_global_max(case, got, expected, error):
    """Shifted by the largest score of the whole array: a row far below it underflows."""
    z = _z(case)
    if z.shape[0] < 2 or not isinstance(error, (RuntimeWarning, FloatingPointError)):
        return None
    row_max = z.max(axis=1)
    if np.any(row_max - z.max() < -700):
        return (
            "you subtracted the largest score of the whole array: in a row whose scores all lie "
            "far below it, every exp underflows to 0 and the row divides 0 by 0. Subtract each "
            "row's own maximum."
        )
    return None


def params_unreadable(case, got, expected, error):
    """train_classifier returned something that is not the dict of the network's arrays."""
    if isinstance(got, str) and got.startswith("<parameters"):
        return (
            'return the dict {"W1": …, "b1": …, "W2": …, "b2": …} of your trained network, '
            "shaped as the docstring says; the check runs exactly that network on new digits."
        )
    return None


def not_trained(case, got, expected, error):
    """An accuracy near chance (10 classes): the weights hardly moved from their start."""
    if isinstance(got, float) and got < 0.3:
        return (
            f"{got:.0%} is close to guessing among 10 digits: the weights have hardly changed. "
            "Check that each step subtracts lr × gradient from the arrays you return, and watch "
            "the loss fall."
        )
    return None
