"""Public cases for exercise 04 (feed-forward networks), smallest input first."""

from __future__ import annotations

import numpy as np

NOTEBOOK = "04_feedforward"


def public_cases() -> list[dict]:
    rng = np.random.default_rng(4)
    sig = {"function": "sigmoid", "oracle": "sigmoid", "options": {"rtol": 1e-9, "atol": 1e-12}}
    dsig = {
        "function": "sigmoid_prime",
        "oracle": "sigmoid_prime",
        "options": {"rtol": 1e-6, "atol": 1e-10},
    }
    drelu = {
        "function": "relu_prime",
        "oracle": "relu_prime",
        "hint": "relu(z) = max(0, z) has slope 1 where z > 0 and 0 elsewhere (use 0 at z = 0).",
    }
    dense = {
        "function": "dense_forward",
        "oracle": "dense_forward",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["missing_bias"],
    }
    xor = {
        "function": "xor_weights",
        "driver": "xor_predictions",
        "compare": "exact",
        "expected": [0, 1, 1, 0],
        "label": "your weights, run on the inputs (0,0), (0,1), (1,0), (1,1)",
        "hint": "let one hidden unit compute OR and the other AND; the output fires for "
        "'OR and not AND'. Weights around ±20 make a sigmoid act like a step.",
    }
    return [
        {**sig, "args": [0.0]},
        {**sig, "args": [np.array([-2.0, 0.0, 3.0])]},
        {**sig, "args": [np.array([[-1000.0, 1000.0], [-30.0, 30.0]])]},
        {**dsig, "args": [0.0]},
        {**dsig, "args": [np.array([-2.0, 1.0, 4.0])]},
        {**dsig, "args": [np.array([-800.0, 800.0])]},
        {**drelu, "args": [3.0]},
        {**drelu, "args": [np.array([-1.0, 0.0, 2.0])]},
        {
            **dense,
            "args": [
                np.array([[1.0, 2.0]]),
                np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]]),
                np.array([0.1, 0.2, 0.3]),
            ],
        },
        {
            **dense,
            "args": [
                rng.standard_normal((4, 3)),
                rng.standard_normal((3, 2)),
                rng.standard_normal(2),
            ],
        },
        {**xor, "args": []},
    ]
