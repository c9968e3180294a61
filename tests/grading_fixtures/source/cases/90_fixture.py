"""Grading cases for the fixture exercise 90 (the grader's own tests use it)."""

import numpy as np

POINTS = {"square": 2, "normalise": 3, "count_positive": 1}


def grading_cases(seed: int | None = None) -> list[dict]:
    """Public and hidden cases: fixed inputs, edge cases and seeded random inputs (a
    learner's variant, ``seed``, draws its own)."""
    rng = np.random.default_rng(90 if seed is None else [seed, 90])
    cases = [
        {"function": "square", "args": [3.0], "public": True},
        {"function": "square", "args": [rng.normal(size=(2, 3))], "options": {"rtol": 1e-9}},
        {"function": "normalise", "args": [[3.0, 4.0]], "public": True},
        {"function": "normalise", "args": [rng.normal(size=5)]},
        {"function": "normalise", "args": [[3e-100, -4e-100]], "hint": "mind tiny vectors"},
        {"function": "count_positive", "args": [[1, -2, 0, 4]], "compare": "exact"},
    ]
    return [{"driver": "call", "compare": "allclose", **case} for case in cases]
