"""Public cases for exercise 07 (training in practice), smallest input first."""

from __future__ import annotations

import numpy as np

NOTEBOOK = "07_training"


def public_cases() -> list[dict]:
    rng = np.random.default_rng(7)
    fd = {"rtol": 1e-5, "atol": 1e-8}
    soft = {
        "function": "softmax",
        "oracle": "softmax",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["softmax_axis"],
    }
    ce = {
        "function": "softmax_cross_entropy",
        "oracle": "softmax_cross_entropy",
        "options": fd,
        "names": ["loss", "dz"],
        "mistakes": ["not_averaged", "missing_one_hot"],
    }
    train = {
        "function": "train_classifier",
        "driver": "train_accuracy",
        "compare": "at_least",
        "options": {"threshold": 0.9},
        "label": "300 points of 3 spirals (seed 0); the check measures accuracy on 300 new ones",
        "hint": "watch the loss fall: if it stalls, raise the learning rate or the number of "
        "epochs; if it grows or turns nan, lower the learning rate.",
    }
    return [
        {**soft, "args": [np.array([[1.0, 2.0, 3.0]])]},
        {**soft, "args": [np.array([[0.5, -0.5], [2.0, 2.0], [0.0, 1.0]])]},
        {**soft, "args": [np.array([[1000.0, 1000.0, 0.0], [-5.0, 0.0, 5.0]])]},
        {**ce, "args": [np.array([[1.0, 2.0, 0.5]]), np.array([1])]},
        {**ce, "args": [rng.standard_normal((3, 4)), np.array([0, 3, 1])]},
        {**ce, "args": [np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]), np.array([0, 2])]},
        {**train, "args": [], "kwargs": {"seed": 0}},
    ]
