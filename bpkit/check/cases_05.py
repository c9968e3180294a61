"""Public cases for exercise 05 (backpropagation), smallest input first.

The expected gradients come from finite differences of the forward pass (see ``oracles``).
"""

from __future__ import annotations

import numpy as np

NOTEBOOK = "05_backpropagation"


def public_cases() -> list[dict]:
    rng = np.random.default_rng(5)
    fd = {"rtol": 1e-5, "atol": 1e-8}
    mse = {
        "function": "mse_backward",
        "oracle": "mse_backward",
        "options": fd,
        "mistakes": ["not_averaged"],
    }
    dense = {
        "function": "dense_backward",
        "oracle": "dense_backward",
        "options": fd,
        "names": ["dx", "dW", "db"],
        "mistakes": ["bias_not_summed", "transposed_weight"],
    }
    net = {
        "function": "two_layer_backprop",
        "oracle": "two_layer_backprop",
        "options": fd,
        "names": ["dW1", "db1", "dW2", "db2"],
        "mistakes": ["missing_activation_derivative"],
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
