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
