"""Lesson 01's your-turn steps: the forward and central differences, and the error's order."""

from __future__ import annotations

import numpy as np

from bpkit.check.steps import Case, Step, call


def forward_diff(f, x, h):
    """The slope of the secant through x and x + h."""
    return (f(x + h) - f(x)) / h


def central_diff(f, x, h):
    """The slope of the secant through x − h and x + h: it looks both ways."""
    return (f(x + h) - f(x - h)) / (2 * h)


def error_order(hs, errors):
    """The order p of error ≈ C·h^p: the slope of the line through (log h, log error)."""
    slope, _ = np.polyfit(np.log(hs), np.log(errors), 1)
    return slope


def _cubic(x):
    return x**3 - 3 * x + 1


def _one_sided(case: Case, got, expected):
    f, x, h = case.args
    central = (f(x + h) - f(x - h)) / (2 * h)
    if np.isclose(got, 2 * central):
        return "you divided f(x + h) − f(x − h) by h: that gap is 2h wide."
    if np.isclose(got, central):
        return "that is the central difference; the forward one uses f(x + h) and f(x)."
    if np.isclose(got, (f(x) - f(x - h)) / h):
        return "that is the backward difference, through x − h; use x + h."
    return None


def _half_width(case: Case, got, expected):
    f, x, h = case.args
    if np.isclose(got, 2 * expected):
        return "divide by the distance between the two points, 2h, not h."
    if np.isclose(got, (f(x + h) - f(x)) / h):
        return "that is the forward difference; the central one uses f(x + h) and f(x − h)."
    return None


def _order_mistakes(case: Case, got, expected):
    if np.isclose(got, 1 / expected):
        return "you fitted log h against log error; fit log error against log h (error = C h^p)."
    if np.isclose(got, -expected):
        return "the sign is flipped: the error falls as h falls, so p is positive."
    if abs(got - expected) > 0.1 and np.isfinite(got):
        return "fit a straight line (np.polyfit, degree 1) to log h and log error: p is its slope."
    return None


_HS = np.logspace(-4, -1, 13)

STEPS = [
    Step(
        name="forward_diff",
        reference=forward_diff,
        cases=[
            call(_cubic, 1.5, 0.1),
            call(np.sin, 1.0, 1e-3),
            call(np.exp, np.array([0.0, 1.0, -2.0]), 1e-4),
        ],
        mistakes=[_one_sided],
    ),
    Step(
        name="central_diff",
        reference=central_diff,
        cases=[
            call(_cubic, 1.5, 0.1),
            call(np.sin, 1.0, 1e-3),
            call(np.exp, np.array([0.0, 1.0, -2.0]), 1e-4),
        ],
        mistakes=[_half_width],
    ),
    Step(
        name="error_order",
        reference=error_order,
        cases=[
            call(_HS, 3.0 * _HS),
            call(_HS, 0.5 * _HS**2),
            call(_HS, np.abs(np.sin(1.0 + _HS) - np.sin(1.0) - _HS * np.cos(1.0)) / _HS),
        ],
        rtol=1e-6,
        mistakes=[_order_mistakes],
    ),
]
