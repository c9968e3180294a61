"""Public cases for exercise 02 (chain rule), smallest input first."""

from __future__ import annotations

import numpy as np

from bpkit.check.oracles import numeric_grad

NOTEBOOK = "02_chain_rule"


def public_cases(seed: int | None = None) -> list[dict]:
    """The same cases for every learner: this exercise has no variants yet."""
    fd = {"rtol": 1e-6, "atol": 1e-9}
    dloss = {
        "function": "dloss_dw",
        "oracle": "dloss_dw",
        "options": fd,
        "mistakes": ["missing_activation_derivative", "missing_input_factor", "missing_two"],
    }
    paths = {
        "function": "df_dx",
        "oracle": "df_dx",
        "options": fd,
        "mistakes": ["missed_path", "multiplied_derivatives"],
    }
    count = {
        "function": "count_paths",
        "compare": "exact",
        "mistakes": ["paths_no_layers", "paths_added", "paths_swapped", "paths_overflow"],
    }
    return [
        {**dloss, "args": [0.5, 2.0, 0.0]},
        {**dloss, "args": [-1.0, 0.5, 1.0]},
        {**dloss, "args": [0.3, -1.5, 0.25]},
        {**paths, "args": [1.0]},
        {**paths, "args": [-2.0]},
        {**paths, "args": [0.5]},
        {**count, "args": [1, 3], "expected": 3},
        {**count, "args": [2, 3], "expected": 9},
        {**count, "args": [3, 2], "expected": 8},
        {**count, "args": [30, 10], "expected": 10**30},
        {**count, "args": [0, 3], "expected": 1},  # no layers: input straight to output
    ]


# --- oracles: the expected value of a public case, computed --------------------------


def expected_dloss_dw(w: float, x: float, y: float) -> float:
    """d/dw of (tanh(w·x) − y)²."""
    return float(numeric_grad(lambda v: float((np.tanh(v * x) - y) ** 2), w))


def expected_df_dx(x: float) -> float:
    """d/dx of sin(x)·x²."""
    return float(numeric_grad(lambda v: float(np.sin(v) * v**2), x))


ORACLES = {"dloss_dw": expected_dloss_dw, "df_dx": expected_df_dx}
