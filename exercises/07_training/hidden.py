"""Hidden grading cases for exercise 07 (training in practice). Instructor only."""

from __future__ import annotations

import numpy as np

POINTS = {"softmax": 1, "softmax_cross_entropy": 3, "train_classifier": 3}


def grading_cases() -> list[dict]:
    rng = np.random.default_rng(707)
    opts = {"rtol": 1e-7, "atol": 1e-10}
    cases = [
        {"function": "softmax", "args": [z], "compare": "allclose", "options": opts}
        for z in (rng.standard_normal((5, 4)) * 10, np.array([[-1e4, 0.0, 1e4]]))
    ]
    for batch, n_classes in [(1, 2), (6, 5), (16, 10)]:
        z = rng.standard_normal((batch, n_classes)) * 3
        y = rng.integers(0, n_classes, size=batch)
        cases.append(
            {
                "function": "softmax_cross_entropy",
                "args": [z, y],
                "compare": "allclose",
                "options": opts,
            }
        )
    cases.append(
        {
            "function": "train_classifier",
            "driver": "train_accuracy",
            "kwargs": {"seed": 1},
            "compare": "at_least",
            "options": {"threshold": 0.9},
        }
    )
    return cases
