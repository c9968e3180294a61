"""Hidden grading cases for exercise 01 (derivatives). Instructor only."""

from __future__ import annotations

import numpy as np

POINTS = {"forward_difference": 1, "central_difference": 2, "numeric_gradient": 3}


def grading_cases() -> list[dict]:
    rng = np.random.default_rng(101)
    cases = []
    for f, x, h in [("sin", 2.0, 1e-4), ("exp", -1.0, 1e-2), ("cube", -0.5, 1e-3)]:
        cases.append(
            {
                "function": "forward_difference",
                "driver": "difference",
                "args": [f, x],
                "kwargs": {"h": h},
                "compare": "allclose",
                "options": {"rtol": 1e-9},
            }
        )
    # Arrays of x: both differences must work elementwise.
    xs = rng.uniform(-2, 2, size=5)
    for name in ("forward_difference", "central_difference"):
        cases.append(
            {
                "function": name,
                "driver": "difference",
                "args": ["sin", xs],
                "compare": "allclose",
                "options": {"rtol": 1e-9, "atol": 1e-12},
            }
        )
    for f, x in [("exp", 3.0), ("sin", -2.5), ("square", 0.0)]:
        cases.append(
            {
                "function": "central_difference",
                "driver": "difference",
                "args": [f, x],
                "kwargs": {"h": 1e-4},
                "compare": "allclose",
                "options": {"rtol": 1e-9, "atol": 1e-12},
            }
        )
    for f, x in [
        ("sum_squares", rng.standard_normal(6)),
        ("mixed", rng.standard_normal((2, 3))),
        ("rosenbrock", np.array([-1.2, 1.0])),
    ]:
        cases.append(
            {
                "function": "numeric_gradient",
                "driver": "gradient",
                "args": [f, x],
                "compare": "allclose",
                "options": {"rtol": 1e-6, "atol": 1e-8},
            }
        )
    return cases
