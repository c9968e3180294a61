"""Mistake detectors for exercise 05_backpropagation: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.hints import as_array, close, part, transpose_in_matmul


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
    """two_layer_backprop with tanh' left out of the hidden error (the local gradient set to 1)."""
    found = case["function"] == "two_layer_backprop" and _db1_with(
        case, got, expected, lambda z, a: np.ones_like(z)
    )
    if found:
        return (
            "forgotten activation derivative: on its way back the gradient passes through the "
            "activation, so it must be multiplied by the activation's derivative at z "
            "(tanh'(z) = 1 − tanh(z)², σ'(z) = σ(z)(1 − σ(z)))."
        )
    return None


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _db1_with(case, got, expected, derivative) -> bool:
    """Does db1 match a δ1 whose σ′(z1) was replaced by ``derivative(z1, a1)``?

    With one example, δ1 = σ′(z1) ⊙ g for some g the learner got right (dW2 and db2 are
    right), so the wrong δ1 is the right one × derivative / σ′, entry by entry.
    """
    x, _, W1, b1 = (np.asarray(v, dtype=np.float64) for v in case["args"][:4])
    if len(x) != 1 or not close(part(got, 2), expected[2]) or not close(part(got, 3), expected[3]):
        return False
    z = (x @ W1 + b1)[0]
    a = _sigmoid(z)
    with np.errstate(all="ignore"):
        wrong = np.asarray(expected[1]) * derivative(z, a) / (a * (1 - a))
    return close(part(got, 1), wrong) and not close(wrong, expected[1])


def sigmoid_prime_of_z(case, got, expected, error):
    """σ′(z1) computed as z1·(1 − z1) instead of a1·(1 − a1)."""
    if _db1_with(case, got, expected, lambda z, a: z * (1 - z)):
        return (
            "σ′ from the wrong variable: you computed z1·(1 − z1). The identity is "
            "σ′(z) = σ(z)·(1 − σ(z)) = a·(1 − a): use the activation a1, not z1."
        )
    return None


def updated_before_backward(case, got, expected, error):
    """A weight changed in place (e.g. ``W2 -= lr * dW2``) before δ1 was computed from it."""
    if case["function"] != "two_layer_backprop" or "changed its argument" not in str(error):
        return None
    return (
        "you changed a weight before the backward pass was done: δ1 is computed with W2, and "
        "it needs the W2 the forward pass used. This function only computes gradients; the "
        "update (W2 -= lr·dW2) belongs to the training loop, after all of them."
    )


def _pairs(got, expected) -> list[tuple]:
    """(got, expected) for a gradient, or for each gradient of a tuple."""
    if isinstance(expected, tuple):
        return [(part(got, i), want) for i, want in enumerate(expected)]
    return [(got, expected)]


def missing_half(case, got, expected, error):
    """L = mean‖ŷ − y‖² without its ½: every gradient twice too big."""
    pairs = _pairs(got, expected)
    if all(close(g, 2 * np.asarray(want)) for g, want in pairs):
        return (
            "your gradient is exactly twice the expected one: the loss is ½·mean‖ŷ − y‖², "
            "and its ½ cancels the 2 that comes down from the square. Keep the ½."
        )
    return None


def divided_by_size(case, got, expected, error):
    """Averaged over every entry (``y.size``) instead of over the batch (``len(y)``)."""
    y = np.asarray(case["args"][1], dtype=np.float64)
    if y.ndim != 2 or y.shape[1] < 2:
        return None
    batch, outputs = y.shape
    if all(close(g, np.asarray(want) / outputs) for g, want in _pairs(got, expected)):
        return (
            f"your gradient is {outputs}× too small: you divided by y.size = {y.size}. The "
            f"loss is a mean over the batch of {batch} examples (rows), each example's error "
            f"summed over its {outputs} outputs: divide by len(y) = {batch}."
        )
    return None


def matmul_transpose(case, got, expected, error):
    """``dout @ W`` where ``dout @ W.T`` belongs: numpy's shape error, explained."""
    shapes = [np.shape(v) for v in case["args"]]
    if case["function"] == "dense_backward":
        dout, x, W = shapes[:3]
        operands = [("dout", dout), ("W", W), ("x", x)]
    elif case["function"] == "two_layer_backprop":
        x, y, W1, _, W2, _ = shapes
        hidden = (x[0], W1[1])
        operands = [("δ2", y), ("W2", W2), ("x", x), ("δ1", hidden), ("a1", hidden), ("W1", W1)]
    else:
        return None
    return transpose_in_matmul(error, operands)
