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


def stable_half(case, got, expected, error):
    if close(got, np.asarray(expected) / 2):
        return (
            "half the limit: at lr = 1/c one step lands exactly on the minimum; descent still "
            "converges (bouncing) up to where one step overshoots by as much as it started."
        )
    return None


def stable_smallest(case, got, expected, error):
    curvatures = np.asarray(case["args"][0], dtype=np.float64)
    if len(curvatures) > 1 and close(
        np.asarray(got) * curvatures.min(), np.asarray(expected) * curvatures.max()
    ):
        return (
            "you used the smallest curvature: the direction that limits the step is the one "
            "that curves most (the largest curvature), since every direction must converge."
        )
    return None


def stable_one_direction(case, got, expected, error):
    """2/c for a curvature c that is not the largest: the first or the last one, say."""
    curvatures = np.asarray(case["args"][0], dtype=np.float64)
    others = curvatures[curvatures < curvatures.max()]
    if any(close(np.asarray(got) * c, np.asarray(expected) * curvatures.max()) for c in others):
        return (
            "you used one curvature, but not the largest: find the largest wherever it is in "
            "the list, since the direction that curves most is the first to diverge."
        )
    return None


def stable_mean(case, got, expected, error):
    curvatures = np.asarray(case["args"][0], dtype=np.float64)
    if len(curvatures) > 1 and close(
        np.asarray(got) * curvatures.mean(), np.asarray(expected) * curvatures.max()
    ):
        return (
            "an average curvature is not enough: descent diverges if it diverges along any one "
            "direction, so every curvature must pass the test."
        )
    return None


def _plain_descent(case):
    grad, lr, steps = cases.GRADIENTS[case["args"][0]], case["args"][2], case["args"][4]
    x = np.array(case["args"][1], dtype=np.float64)
    history = [x]
    for _ in range(steps):
        x = x - lr * grad(x)
        history.append(x)
    return np.array(history)


def no_velocity(case, got, expected, error):
    if case["args"][3] != 0 and close(got, _plain_descent(case)):
        return (
            "that is plain gradient descent: beta has no effect. Momentum keeps a velocity, "
            "made once before the loop, that carries part of each step into the next one."
        )
    return None
