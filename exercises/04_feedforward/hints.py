"""Mistake detectors for exercise 04_feedforward: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.hints import close


def missing_bias(case, got, expected, error):
    b = case["args"][2]
    if close(got, np.asarray(expected) - np.asarray(b)):
        return "the bias is missing: z = x @ W + b."
    return None
