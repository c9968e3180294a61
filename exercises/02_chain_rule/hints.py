"""Mistake detectors for exercise 02_chain_rule: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.hints import close, part


def missing_activation_derivative(case, got, expected, error):
    """dloss_dw without tanh'(w·x), or a local gradient of tanh set to 1."""
    if case["function"] == "dloss_dw":
        w, x, y = case["args"]
        wrong = 2 * (np.tanh(w * x) - y) * x
        found = close(got, wrong) and not close(wrong, expected)
    elif case["function"] == "tanh":
        found = isinstance(got, dict) and close(got.get("local_grads"), [1.0])
    elif case["function"] == "two_layer_backprop":
        found = close(part(got, 2), part(expected, 2)) and close(part(got, 3), expected[3])
        found = found and not close(part(got, 0), expected[0])
    else:
        found = False
    if found:
        return (
            "forgotten activation derivative: on its way back the gradient passes through the "
            "activation, so it must be multiplied by the activation's derivative at z "
            "(tanh'(z) = 1 − tanh(z)², σ'(z) = σ(z)(1 − σ(z)))."
        )
    return None


def missed_path(case, got, expected, error):
    (x,) = case["args"]
    if close(got, np.cos(x) * x**2) or close(got, 2 * x * np.sin(x)):
        return (
            "you followed only one path: x reaches f through both u = sin(x) and v = x², and "
            "the multivariate chain rule adds the contributions of all paths."
        )
    return None
