"""Hidden grading cases for exercise 03 (gradient descent). Instructor only."""

from __future__ import annotations

POINTS = {"gradient_descent": 3, "largest_stable_lr": 1}


def grading_cases() -> list[dict]:
    opts = {"rtol": 1e-9, "atol": 1e-12}
    cases = [
        {
            "function": "gradient_descent",
            "driver": "descent",
            "args": list(a),
            "compare": "allclose",
            "options": opts,
        }
        for a in [
            ("parabola", -2.0, 0.4, 10),
            ("bowl", [2.0, -1.0], 0.05, 25),
            ("bowl", [0.5, 0.5], 0.21, 8),
            ("parabola", 10.0, 1.2, 5),
        ]
    ]
    cases += [
        {"function": "largest_stable_lr", "args": [c], "compare": "allclose", "options": opts}
        for c in ([100.0], [3.0, 3.0], [0.01, 1e3, 2.0])
    ]
    return cases
