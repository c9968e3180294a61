"""Mistake detectors for exercise 02_chain_rule: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.hints import close


def missing_activation_derivative(case, got, expected, error):
    """dloss_dw without tanh'(w·x)."""
    w, x, y = case["args"]
    wrong = 2 * (np.tanh(w * x) - y) * x
    if close(got, wrong) and not close(wrong, expected):
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
