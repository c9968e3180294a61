"""Mistake detectors for exercise 01_derivatives: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.exercises import sibling
from bpkit.check.hints import close

cases = sibling(__file__, "cases")


def _probe(case):
    """The named function, its x (as an array when a list) and the step h of a case."""
    f, x = case["args"]
    x = np.array(x, dtype=np.float64) if isinstance(x, list) else x
    return cases.FUNCTIONS[f], x, case.get("kwargs", {}).get("h", 1e-5)


def central_used_forward(case, got, expected, error):
    fn, x, h = _probe(case)
    if close(got, (fn(x + h) - fn(x)) / h, rtol=1e-9):
        return "that is the forward difference; the central one probes both x + h and x − h."
    return None


def forward_used_central(case, got, expected, error):
    fn, x, h = _probe(case)
    if close(got, (fn(x + h) - fn(x - h)) / (2 * h), rtol=1e-9) and not close(got, expected):
        return (
            "that is the central difference, a better estimate, but this task asks for the "
            "forward one: it probes only x and x + h."
        )
    return None


def forward_used_backward(case, got, expected, error):
    fn, x, h = _probe(case)
    if close(got, (fn(x) - fn(x - h)) / h, rtol=1e-9) and not close(got, expected):
        return "that is the backward difference (x − h and x); the forward one probes x + h."
    return None


def h_ignored(case, got, expected, error):
    """The right difference, but with the default step instead of the h the call passed."""
    fn, x, h = _probe(case)
    default = 1e-5
    if h == default:
        return None
    if case["function"] == "central_difference":
        own = (fn(x + default) - fn(x - default)) / (2 * default)
    else:
        own = (fn(x + default) - fn(x)) / default
    if close(got, own, rtol=1e-9):
        return (
            f"your function ignores its argument h: this call passed h = {h:g}, but the "
            f"result is the difference with h = {default:g}. Use the h you are given."
        )
    return None


def not_divided(case, got, expected, error):
    _, _, h = _probe(case)
    scale = 2 * h if case["function"] == "central_difference" else h
    if close(got, np.asarray(expected) * scale, rtol=1e-4):
        return (
            "your answer is a change in f, not a slope: divide the change by the distance "
            "between the two points where you evaluated f."
        )
    return None


def central_precedence(case, got, expected, error):
    _, _, h = _probe(case)
    if close(got, np.asarray(expected) * h * h, rtol=1e-4):
        return (
            "operator precedence: `/ 2 * h` divides by 2 and then multiplies by h. Put the "
            "whole denominator in parentheses."
        )
    return None


def one_number(case, got, expected, error):
    if isinstance(case["args"][1], list) and (
        isinstance(error, TypeError) or (got is not None and np.ndim(got) == 0)
    ):
        return (
            "your function works for one number only, but the task says x may be an array "
            "too: leave out float(...) or math functions, and let numpy work elementwise."
        )
    return None


def central_missing_half(case, got, expected, error):
    if close(got, 2 * np.asarray(expected), rtol=1e-4):
        return "your answer is twice the slope: the two probes are 2h apart, so divide by 2h."
    return None


def gradient_changed_x(case, got, expected, error):
    if type(error).__name__ == "ChangedInput":
        return (
            "your function changed the caller's x: after probing x[i] ± h, put the old value "
            "back (or work on x.copy())."
        )
    return None


def gradient_one_sided(case, got, expected, error):
    if close(got, expected, rtol=1e-3, atol=1e-4):
        return (
            "close, but accurate only to about h, as a one-sided difference is: use the "
            "central difference of the second task for each entry, accurate to about h²."
        )
    return None


def gradient_all_at_once(case, got, expected, error):
    if got is not None and np.ndim(got) == 0 and np.size(expected) > 1:
        return (
            "you moved every entry of x at once, which measures one slope (along the "
            "diagonal), not the gradient: nudge one entry at a time and keep the others."
        )
    return None
