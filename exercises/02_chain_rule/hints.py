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


def missing_input_factor(case, got, expected, error):
    """dloss_dw without dz/dw = x."""
    w, x, y = case["args"]
    a = np.tanh(w * x)
    wrong = 2 * (a - y) * (1 - a**2)
    if close(got, wrong) and not close(wrong, expected):
        return (
            "one factor short: you stopped at dL/dz. The weight enters through z = w·x, so the "
            "chain goes one link further, to dz/dw."
        )
    return None


def missing_two(case, got, expected, error):
    if close(got, np.asarray(expected) / 2) and not close(expected, 0.0):
        return "half the answer: the derivative of a square (u − y)² is 2(u − y), not (u − y)."
    return None


def multiplied_derivatives(case, got, expected, error):
    (x,) = case["args"]
    if close(got, np.cos(x) * 2 * x):
        return (
            "you multiplied the two derivatives, but f = u·v is a product: along each path "
            "the other factor stays (the product rule is the chain rule's sum over two paths)."
        )
    return None


def paths_no_layers(case, got, expected, error):
    depth, _ = case["args"]
    if depth == 0 and got != expected:
        return (
            "with no layers there is still one path: from the input straight to the "
            "output. Does your count give that when depth is 0?"
        )
    return None


def paths_added(case, got, expected, error):
    depth, width = case["args"]
    if got == depth * width or got == depth + width:
        return (
            "too few: a path picks one node in every layer, so each layer multiplies the number "
            "of paths by its number of choices; it does not add to it."
        )
    return None


def paths_swapped(case, got, expected, error):
    depth, width = case["args"]
    if got == depth**width and depth != width:
        return (
            "depth and width swapped: a path makes one choice among `width` nodes in each of "
            "the `depth` layers. Check with depth 1: the count must equal the width."
        )
    return None


def paths_overflow(case, got, expected, error):
    if isinstance(got, int) and got != expected and got % 2**32 == expected % 2**32:
        return (
            "integer overflow: numpy's fixed-size integers wrap around past 2³¹ or 2⁶³; "
            "Python's own int grows as needed."
        )
    return None
