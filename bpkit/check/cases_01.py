"""Public cases for exercise 01 (derivatives), smallest input first."""

from __future__ import annotations

NOTEBOOK = "01_derivatives"


def public_cases() -> list[dict]:
    exact = {"rtol": 1e-9, "atol": 1e-12}
    forward = {"function": "forward_difference", "driver": "difference", "options": exact}
    central = {
        "function": "central_difference",
        "driver": "difference",
        "oracle": "derivative",
        "options": {"rtol": 1e-7, "atol": 1e-9},
        "mistakes": ["central_used_forward", "central_missing_half"],
    }
    gradient = {
        "function": "numeric_gradient",
        "driver": "gradient",
        "oracle": "gradient",
        "options": {"rtol": 1e-6, "atol": 1e-8},
        "mistakes": ["gradient_changed_x", "gradient_one_sided"],
    }
    return [
        # (f(x+h) − f(x)) / h is exactly 2x + h for x², and 3x² + 3xh + h² for x³.
        {**forward, "args": ["square", 1.5], "kwargs": {"h": 1e-3}, "expected": 3.001},
        {**forward, "args": ["cube", 2.0], "kwargs": {"h": 1e-3}, "expected": 12.006001},
        {**forward, "args": ["sin", 0.0], "kwargs": {"h": 1e-3}, "expected": 0.9999998333333417},
        {**central, "args": ["square", -3.0]},
        {**central, "args": ["sin", 1.0]},
        {**central, "args": ["cube", 2.0]},
        {**central, "args": ["exp", 0.5]},
        {**gradient, "args": ["sum_squares", [1.0, -2.0]]},
        {**gradient, "args": ["rosenbrock", [0.5, 0.2]]},
        {**gradient, "args": ["mixed", [[0.1, 0.2], [0.3, 0.4]]]},
    ]
