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


def sigmoid_prime_of_z(case, got, expected, error):
    """σ′ computed as z·(1 − z): the identity applied to z instead of a = σ(z)."""
    z = np.asarray(case["args"][0], dtype=np.float64)
    if close(got, z * (1 - z)) and not close(expected, z * (1 - z)):
        return (
            "σ′ from the wrong variable: you computed z·(1 − z). The identity is "
            "σ′(z) = σ(z)·(1 − σ(z)): apply it to a = σ(z), not to z."
        )
    return None
