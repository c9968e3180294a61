"""Hidden grading cases for exercise 08 (backpropagation through time). Instructor only."""

from __future__ import annotations

import numpy as np

from bpkit.check.exercises import sibling

cases = sibling(__file__, "cases")
rnn_problem = cases.rnn_problem

POINTS = {"rnn_forward": 2, "rnn_backward": 4, "clip_by_norm": 2}


FIXED = [(10, 6, 3, 2, 4), (11, 1, 4, 1, 1), (12, 12, 2, 3, 3)]


def grading_cases(seed: int | None = None) -> list[dict]:
    """Hidden cases; a variant (``seed``) gets problems of its own, as in ``cases.sizes``."""
    rng = np.random.default_rng(808 if seed is None else [seed, 808])
    opts = {"rtol": 1e-7, "atol": 1e-10}
    out = []
    problems = (
        FIXED if seed is None else [tuple(s.values()) for s in cases.sizes(seed, "backward", 1)]
    )
    for p_seed, T, batch, n_in, n_hidden in problems:
        p = rnn_problem(seed=p_seed, T=T, batch=batch, n_in=n_in, n_hidden=n_hidden)
        out.append(
            {
                "function": "rnn_forward",
                "compare": "allclose",
                "options": opts,
                "args": [p["xs"], p["h0"], p["Wxh"], p["Whh"], p["bh"]],
            }
        )
        out.append(
            {
                "function": "rnn_backward",
                "driver": "rnn_gradients",
                "compare": "allclose",
                "options": opts,
                "kwargs": {
                    "seed": p_seed,
                    "T": T,
                    "batch": batch,
                    "n_in": n_in,
                    "n_hidden": n_hidden,
                },
            }
        )
    grads = {
        "Wxh": rng.standard_normal((3, 4)),
        "Whh": rng.standard_normal((4, 4)),
        "bh": rng.standard_normal(4),
    }
    for max_norm in (0.5, 1e6, 0.0):
        out.append(
            {
                "function": "clip_by_norm",
                "args": [grads, max_norm],
                "compare": "allclose",
                "options": {"rtol": 1e-6, "atol": 1e-9},  # as check(): max_norm / (norm + 1e-6)
            }
        )
    return out
