"""Mistake detectors for exercise 05_backpropagation: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.hints import as_array, close, part


def bias_not_summed(case, got, expected, error):
    db, want = as_array(part(got, 2)), expected[2]
    dout = np.asarray(case["args"][0], dtype=np.float64)
    if db is None:
        return None
    if db.shape == dout.shape and db.shape != want.shape:
        return (
            f"bias gradient not summed over the batch: db has shape {db.shape}. b is added to "
            "every row of x @ W, so db collects dout from every row: sum over axis 0."
        )
    if len(dout) > 1 and close(db, want / len(dout)):
        return "db is averaged over the batch; each row adds its own contribution, so sum it."
    return None


def transposed_weight(case, got, expected, error):
    dW, want = as_array(part(got, 1)), expected[1]
    if dW is not None and want.shape[0] != want.shape[1] and dW.shape == want.shape[::-1]:
        return (
            f"transposed weight: dW has shape {dW.shape}, but a gradient is shaped like what it "
            f"differentiates, W {want.shape}. With z = x @ W, dW = (something) @ (something): "
            "match the shapes (n_in, batch) @ (batch, n_out)."
        )
    dx = as_array(part(got, 0))
    if dx is not None and dx.shape != expected[0].shape:
        return f"dx has shape {dx.shape}, expected x's shape {expected[0].shape}: is W transposed?"
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
