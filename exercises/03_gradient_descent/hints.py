"""Mistake detectors for exercise 03_gradient_descent: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.exercises import sibling
from bpkit.check.hints import as_array, close

cases = sibling(__file__, "cases")


def _history(case, got):
    g = as_array(got)
    x0 = np.asarray(case["args"][1], dtype=np.float64)
    return g, x0


def ascent(case, got, expected, error):
    g, x0 = _history(case, got)
    grad, lr = cases.GRADIENTS[case["args"][0]], case["args"][2]
    if g is not None and len(g) > 1 and close(g[1], x0 + lr * grad(x0)):
        return "you stepped uphill: gradient descent moves against the gradient, x ← x − lr·∇f(x)."
    return None


def aliased_history(case, got, expected, error):
    g, _ = _history(case, got)
    if g is not None and len(g) > 2 and np.all(g == g[-1]) and not close(expected[0], g[-1]):
        return (
            "every row of your history is the same array: you stored x and then changed it in "
            "place (x -= …). Store a copy, or write x = x - lr * grad(x), which makes a new array."
        )
    return None


def history_length(case, got, expected, error):
    g, _ = _history(case, got)
    if g is not None and len(g) == len(expected) - 1:
        return f"{len(g)} rows: the history starts with x0, so `steps` steps make steps + 1 rows."
    return None
