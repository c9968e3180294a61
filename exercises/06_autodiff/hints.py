"""Mistake detectors for exercise 06_autodiff: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.hints import close, part


def swapped_local_grads(case, got, expected, error):
    if isinstance(got, dict) and close(got.get("local_grads"), expected["local_grads"][::-1]):
        return "swapped local gradients: ∂(a·b)/∂a is b, and ∂(a·b)/∂b is a."
    return None


def tanh_of_input(case, got, expected, error):
    (a,) = case["args"]
    if isinstance(got, dict) and close(got.get("local_grads"), [1 - a * a]):
        return "tanh'(a) = 1 − tanh(a)², the square of the output t, not of the input a."
    return None


def overwrite_not_accumulate(case, got, expected, error):
    """Leaves used once are right, a leaf used twice is wrong: its grad was overwritten."""
    if not isinstance(got, dict) or error is not None:
        return None
    spec, leaves = case["args"]
    uses = {name: sum(name in line[2:] for line in spec) for name in leaves}
    right = {n: close(got.get(n), expected[n]) for n in leaves}
    reused_wrong = [n for n in leaves if uses[n] > 1 and not right[n]]
    if reused_wrong and all(right[n] for n in leaves if uses[n] == 1):
        return (
            f"`=` instead of `+=` on a reused node: {reused_wrong[0]} is used "
            f"{uses[reused_wrong[0]]} times, and its grad must collect every use "
            "(parent.grad += local_grad * node.grad), not keep only the last."
        )
    return None


def no_seed(case, got, expected, error):
    if isinstance(got, dict) and all(got.get(n) == 0.0 for n in expected):
        return "every gradient is 0: start the backward pass with root.grad = 1.0 (∂root/∂root)."
    return None


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
