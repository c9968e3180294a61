"""Hidden grading cases for exercise 02 (chain rule). Instructor only."""

from __future__ import annotations

POINTS = {"dloss_dw": 2, "df_dx": 2, "count_paths": 1}


def grading_cases() -> list[dict]:
    fd = {"rtol": 1e-7, "atol": 1e-10}
    cases = [
        {"function": "dloss_dw", "args": list(a), "compare": "allclose", "options": fd}
        for a in [(2.0, 1.0, -0.5), (-0.1, 3.0, 0.9), (1.5, -0.7, 0.0), (0.0, 1.0, 1.0)]
    ]
    cases += [
        {"function": "df_dx", "args": [x], "compare": "allclose", "options": fd}
        for x in (0.0, 3.0, -0.75, 10.0)
    ]
    cases += [
        {"function": "count_paths", "args": list(a), "compare": "exact"}
        for a in [(0, 5), (1, 1), (5, 4), (64, 2), (40, 7)]
    ]
    return cases
