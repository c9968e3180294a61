"""Public cases for exercise 05 (backpropagation), smallest input first.

The expected gradients come from finite differences of the forward pass (see ``oracles``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.oracles import grads, numeric_grad

NOTEBOOK = "05_backpropagation"


def public_cases(seed: int | None = None) -> list[dict]:
    """The public cases; a variant (``seed``) draws its random inputs from its own seed."""
    rng = np.random.default_rng(5 if seed is None else [seed, 5])
    fd = {"rtol": 1e-5, "atol": 1e-8}
    mse = {
        "function": "mse_backward",
        "oracle": "mse_backward",
        "options": fd,
        "mistakes": ["missing_half", "divided_by_size", "not_averaged"],
    }
    dense = {
        "function": "dense_backward",
        "oracle": "dense_backward",
        "options": fd,
        "names": ["dx", "dW", "db"],
        "mistakes": ["matmul_transpose", "bias_not_summed", "transposed_weight"],
    }
    net = {
        "function": "two_layer_backprop",
        "oracle": "two_layer_backprop",
        "options": fd,
        "names": ["dW1", "db1", "dW2", "db2"],
        "mistakes": [
            "matmul_transpose",
            "updated_before_backward",
            "missing_half",
            "divided_by_size",
            "sigmoid_prime_of_z",
            "missing_activation_derivative",
            "not_averaged",
        ],
    }

    def dense_args(batch, n_in, n_out):
        return [
            rng.standard_normal((batch, n_out)),
            rng.standard_normal((batch, n_in)),
            rng.standard_normal((n_in, n_out)),
            rng.standard_normal(n_out),
        ]

    def net_args(batch, n_in, n_hidden, n_out):
        return [
            rng.standard_normal((batch, n_in)),
            rng.standard_normal((batch, n_out)),
            rng.standard_normal((n_in, n_hidden)),
            0.1 * rng.standard_normal(n_hidden),
            rng.standard_normal((n_hidden, n_out)),
            0.1 * rng.standard_normal(n_out),
        ]

    return [
        {**mse, "args": [np.array([[0.5]]), np.array([[1.0]])]},
        {**mse, "args": [rng.standard_normal((3, 2)), rng.standard_normal((3, 2))]},
        {
            **dense,
            "args": [
                np.array([[1.0, -1.0, 2.0]]),
                np.array([[0.5, -2.0]]),
                np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]]),
                np.zeros(3),
            ],
        },
        {**dense, "args": dense_args(3, 2, 3)},
        {**dense, "args": dense_args(4, 3, 2)},
        {**net, "args": net_args(1, 2, 3, 1)},
        {**net, "args": net_args(4, 2, 3, 2)},
    ]


# --- oracles: the expected value of a public case, computed --------------------------


def _sigmoid(z: Any) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def _dense_forward(x: Any, W: Any, b: Any) -> np.ndarray:
    return np.einsum("bi,io->bo", np.asarray(x, float), np.asarray(W, float)) + np.asarray(b)


def expected_mse_backward(y_pred: Any, y: Any) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    return numeric_grad(lambda p: float(np.sum((p - y) ** 2) / (2 * len(y))), y_pred)


def expected_dense_backward(dout: Any, x: Any, W: Any, b: Any) -> tuple[np.ndarray, ...]:
    """Gradients of sum(dout · z) where z = x W + b, by finite differences."""
    dout = np.asarray(dout, dtype=np.float64)
    return grads(lambda x, W, b: float(np.sum(dout * _dense_forward(x, W, b))), [x, W, b])


def two_layer_loss(x, y, W1, b1, W2, b2) -> float:
    """½·mean over the batch of ‖ŷ − y‖², ŷ = σ(x W1 + b1) W2 + b2."""
    y_pred = _sigmoid(x @ W1 + b1) @ W2 + b2
    return float(np.sum((y_pred - y) ** 2) / (2 * len(x)))


def expected_two_layer_backprop(x: Any, y: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> tuple:
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return grads(lambda *p: two_layer_loss(x, y, *p), [W1, b1, W2, b2])


ORACLES = {
    "mse_backward": expected_mse_backward,
    "dense_backward": expected_dense_backward,
    "two_layer_backprop": expected_two_layer_backprop,
}
