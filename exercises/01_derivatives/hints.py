"""Mistake detectors for exercise 01_derivatives: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.exercises import sibling
from bpkit.check.hints import close

cases = sibling(__file__, "cases")


def central_used_forward(case, got, expected, error):
    f, x = case["args"]
    h = case.get("kwargs", {}).get("h", 1e-5)
    fn = cases.FUNCTIONS[f]
    if close(got, (fn(x + h) - fn(x)) / h, rtol=1e-9):
        return "that is the forward difference; the central one probes both x + h and x − h."
    return None


def central_missing_half(case, got, expected, error):
    if close(got, 2 * np.asarray(expected), rtol=1e-4):
        return "your answer is twice the slope: the two probes are 2h apart, so divide by 2h."
    return None


def gradient_changed_x(case, got, expected, error):
    if isinstance(got, dict) and got.get("x_unchanged") == 0.0:
        return (
            "your function changed the caller's x: after probing x[i] ± h, put the old value "
            "back (or work on x.copy())."
        )
    return None


def gradient_one_sided(case, got, expected, error):
    if isinstance(got, dict) and close(got.get("grad"), expected["grad"], rtol=1e-3, atol=1e-4):
        return (
            "close, but only to about h: use central differences (f(x+h) − f(x−h)) / 2h for "
            "each entry, which are accurate to about h²."
        )
    return None
