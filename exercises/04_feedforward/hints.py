"""Mistake detectors for exercise 04_feedforward: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.exercises import sibling
from bpkit.check.hints import close

cases = sibling(__file__, "cases")


def missing_bias(case, got, expected, error):
    b = case["args"][2]
    if close(got, np.asarray(expected) - np.asarray(b)):
        return "the bias is missing: every output unit adds its own bias after the weighted sum."
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


def _z(case):
    return np.asarray(case["args"][0], dtype=np.float64)


def sigmoid_sign(case, got, expected, error):
    z = _z(case)
    flipped = 0.5 * (1.0 + np.tanh(-0.5 * z))
    if case["function"] == "sigmoid_prime":
        return None
    if close(got, flipped) and not close(expected, flipped):
        return (
            "yours is σ(−z) = 1 − σ(z): it falls as z grows, σ(z) rises from 0 to 1. Check the "
            "sign inside exp, and which part of the fraction you return."
        )
    return None


def sigmoid_prime_plus(case, got, expected, error):
    s = 0.5 * (1.0 + np.tanh(0.5 * _z(case)))
    if close(got, s * (1 + s)) and not close(expected, s * (1 + s)):
        return "a sign slipped: the identity is σ′ = σ·(1 − σ), which peaks at 1/4 at z = 0."
    return None


def sigmoid_prime_is_sigmoid(case, got, expected, error):
    s = 0.5 * (1.0 + np.tanh(0.5 * _z(case)))
    if close(got, s) and not close(expected, s):
        return "that is σ(z) itself; the task asks for its derivative with respect to z."
    return None


def relu_not_float(case, got, expected, error):
    if isinstance(error, TypeError) and "float64" in str(error):
        return (
            "right values, wrong type: a comparison like z > 0 gives booleans; the task asks for "
            "float64 (later lessons multiply this array into gradients)."
        )
    return None


def relu_itself(case, got, expected, error):
    z = _z(case)
    if close(got, np.maximum(z, 0)) and not close(expected, np.maximum(z, 0)):
        return "that is relu(z) itself; the task asks for its derivative, the slope of each piece."
    return None


def relu_prime_at_zero(case, got, expected, error):
    z = _z(case)
    g = np.asarray(got, dtype=np.float64) if got is not None else None
    at_zero = g is not None and g.shape == z.shape and np.any(z == 0) and np.all(g[z == 0] == 1)
    if at_zero and close(g[z != 0], np.asarray(expected)[z != 0]):
        return "right except at z = 0: relu has no slope there, and the task fixes it at 0."
    return None


def elementwise_product(case, got, expected, error):
    if isinstance(error, ValueError) and "broadcast" in str(error):
        return (
            "`*` multiplies entry by entry; a layer needs the matrix product `@`, which sums "
            "each input times its weight."
        )
    return None


def columns_for_examples(case, got, expected, error):
    if isinstance(error, ValueError) and "matmul" in str(error):
        return (
            "the shapes do not chain: the course keeps one example per row of x, so x comes "
            "first in the product (x is (batch, n_in), W is (n_in, n_out))."
        )
    return None


def xor_not_a_network(case, got, expected, error):
    """A return that cannot be run as a network: a dict, three arrays, mismatched shapes."""
    if isinstance(got, str) and got.endswith(cases.NOT_A_NETWORK):
        return (
            "return the four arrays (W1, b1, W2, b2) as a tuple, shaped for 2 inputs, 2 hidden "
            "units and 1 output: W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,)."
        )
    return None


def xor_not_separated(case, got, expected, error):
    """A network that runs but does not compute XOR."""
    if isinstance(got, list) and len(got) == 4 and got != expected:
        return (
            "no single line through the square separates XOR's two classes: let each hidden "
            "unit draw one line, and let the output combine the two half-planes."
        )
    return None
