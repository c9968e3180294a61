"""Hidden grading cases for exercise 04 (feed-forward networks). Instructor only."""

from __future__ import annotations

import numpy as np

POINTS = {"sigmoid": 1, "sigmoid_prime": 1, "relu_prime": 1, "dense_forward": 2, "xor_weights": 2}


def grading_cases(seed: int | None = None) -> list[dict]:
    """The hidden cases; a variant (``seed``) draws its random inputs from its own seed."""
    rng = np.random.default_rng(404 if seed is None else [seed, 404])
    tight = {"rtol": 1e-9, "atol": 1e-12}
    z = np.concatenate([rng.standard_normal(8) * 5, [-745.0, 709.0, 0.0]])
    cases = [
        {"function": name, "args": [z], "compare": "allclose", "options": tight}
        for name in ("sigmoid", "sigmoid_prime")
    ]
    cases += [
        {
            "function": "relu_prime",
            "driver": "floats",
            "args": [z],
            "compare": "allclose",
            "options": tight,
        }
    ]
    cases += [
        {
            "function": "sigmoid",
            "args": [rng.standard_normal((3, 4))],
            "compare": "allclose",
            "options": tight,
        }
    ]
    cases += [
        {
            "function": "relu_prime",
            "driver": "floats",
            "args": [np.array([[0.0, -0.0], [1e-300, -1e-300]])],
            "compare": "allclose",
            "options": tight,
        }
    ]
    for batch, n_in, n_out in [(1, 1, 1), (5, 4, 3), (7, 2, 6)]:
        args = [
            rng.standard_normal((batch, n_in)),
            rng.standard_normal((n_in, n_out)),
            rng.standard_normal(n_out),
        ]
        cases.append(
            {"function": "dense_forward", "args": args, "compare": "allclose", "options": tight}
        )
    cases.append(
        {"function": "xor_weights", "driver": "xor_predictions", "args": [], "compare": "exact"}
    )
    return cases
