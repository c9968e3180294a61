"""Hidden grading cases for exercise 05 (backpropagation). Instructor only."""

from __future__ import annotations

import numpy as np

POINTS = {"mse_backward": 1, "dense_backward": 3, "two_layer_backprop": 4}


def grading_cases() -> list[dict]:
    rng = np.random.default_rng(505)
    opts = {"rtol": 1e-7, "atol": 1e-10}
    cases = [
        {
            "function": "mse_backward",
            "args": [rng.standard_normal(s), rng.standard_normal(s)],
            "compare": "allclose",
            "options": opts,
        }
        for s in [(8, 1), (5, 3)]
    ]
    for batch, n_in, n_out in [(1, 1, 1), (6, 4, 3), (10, 3, 5)]:
        args = [
            rng.standard_normal((batch, n_out)),
            rng.standard_normal((batch, n_in)),
            rng.standard_normal((n_in, n_out)),
            rng.standard_normal(n_out),
        ]
        cases.append(
            {"function": "dense_backward", "args": args, "compare": "allclose", "options": opts}
        )
    for batch, n_in, n_hidden, n_out in [(3, 2, 4, 1), (8, 3, 5, 2), (1, 1, 1, 1)]:
        args = [
            rng.standard_normal((batch, n_in)),
            rng.standard_normal((batch, n_out)),
            rng.standard_normal((n_in, n_hidden)),
            rng.standard_normal(n_hidden),
            rng.standard_normal((n_hidden, n_out)),
            rng.standard_normal(n_out),
        ]
        cases.append(
            {"function": "two_layer_backprop", "args": args, "compare": "allclose", "options": opts}
        )
    return cases
