"""Lesson 04's your-turn steps: the ReLU, a dense layer's forward pass, and cross-entropy."""

from __future__ import annotations

import numpy as np

from bpkit.check.steps import Case, Step, call


def relu(z):
    """max(0, z), elementwise: negative z become 0, positive z pass unchanged."""
    return np.maximum(z, 0.0)


def dense_forward(x, W, b, f):
    """A layer's output a = f(x W + b) for a batch x: (batch, n_in) → (batch, n_out)."""
    z = x @ W + b  # (batch, n_out)
    return f(z)


def cross_entropy(scores, labels):
    """The mean over the batch of −log p_y, with p = softmax(scores) of each row.

    Shapes: scores: (batch, n_classes), labels: (batch,) integers → a number.
    """
    shifted = scores - scores.max(axis=1, keepdims=True)  # same softmax, no overflow
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(labels)), labels]))


def _relu_mistakes(case: Case, got, expected):
    z = np.asarray(case.args[0])
    got = np.asarray(got)
    if got.shape != z.shape:
        return "np.max reduces the array to one number; np.maximum(z, 0) compares elementwise."
    if got.dtype == bool or np.array_equal(got, (z > 0).astype(float)):
        return "that is the slope relu'(z) (0 or 1); relu(z) itself passes z through where z > 0."
    if np.allclose(got, np.abs(z)):
        return "negative z must become 0, not change sign."
    return None


def _dense_mistakes(case: Case, got, expected):
    x, W, b, f = case.args
    if np.shape(got) == np.shape(expected) and np.allclose(got, f(x @ W)):
        return "add the bias b after the product: z = x W + b."
    if np.shape(got) == np.shape(expected) and np.allclose(got, x @ W + b):
        return "apply the activation f to z: the layer returns a = f(z)."
    return None


def _ce_mistakes(case: Case, got, expected):
    scores, labels = case.args
    if np.isclose(got, -expected):
        return "the loss is −log p_y: log of a probability is negative, so keep the minus."
    if np.isclose(got, expected * len(labels)):
        return "average over the batch (np.mean), do not sum."
    raw = -np.mean(np.log(np.abs(scores[np.arange(len(labels)), labels]) + 1e-300))
    if np.isfinite(raw) and np.isclose(got, raw):
        return "turn the scores into probabilities first: p = exp(s) / Σ exp(s), row by row."
    return None


def _identity(z):
    return z


_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_W = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]])
_B = np.array([0.1, -0.2, 0.3])

STEPS = [
    Step(
        name="relu",
        reference=relu,
        cases=[
            call(np.array([-2.0, -0.5, 0.0, 0.5, 3.0])),
            call(np.array([[1.0, -1.0], [-3.0, 2.5]])),
            call(np.linspace(-5, 5, 11)),
        ],
        mistakes=[_relu_mistakes],
    ),
    Step(
        name="dense_forward",
        reference=dense_forward,
        cases=[
            call(_X, _W, _B, _identity),
            call(_X, _W, _B, np.tanh),
            call(np.arange(10.0).reshape(5, 2) / 10, _W, _B, relu),
        ],
        mistakes=[_dense_mistakes],
    ),
    Step(
        name="cross_entropy",
        reference=cross_entropy,
        cases=[
            call(np.zeros((4, 2)), np.array([0, 1, 1, 0])),
            call(np.array([[2.0, -1.0], [0.5, 0.5], [-1.0, 3.0]]), np.array([0, 1, 1])),
            call(np.array([[1.0, 2.0, 3.0], [3.0, 0.0, -2.0]]), np.array([2, 1])),
            call(np.array([[40.0, -40.0], [-35.0, 35.0]]), np.array([0, 0])),
        ],
        mistakes=[_ce_mistakes],
    ),
]
