"""Public cases for exercise 01 (derivatives), smallest input first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.check._run import guarded
from bpkit.check.drivers import function_of, plain
from bpkit.check.oracles import numeric_grad

NOTEBOOK = "01_derivatives"


def public_cases(seed: int | None = None) -> list[dict]:
    """The same cases for every learner: this exercise has no variants yet."""
    exact = {"rtol": 1e-9, "atol": 1e-12}
    forward = {
        "show": SHOWN,
        "function": "forward_difference",
        "driver": "difference",
        "options": exact,
        "mistakes": [
            "forward_used_central",
            "forward_used_backward",
            "not_divided",
            "one_number",
            "h_ignored",
        ],
    }
    central = {
        "show": SHOWN,
        "function": "central_difference",
        "driver": "difference",
        "oracle": "derivative",
        "options": {"rtol": 1e-7, "atol": 1e-9},
        "mistakes": [
            "central_used_forward",
            "central_missing_half",
            "central_precedence",
            "not_divided",
            "one_number",
            "h_ignored",
        ],
    }
    gradient = {
        "show": SHOWN,
        "function": "numeric_gradient",
        "driver": "gradient",
        "oracle": "gradient",
        "options": {"rtol": 1e-6, "atol": 1e-8},
        "mistakes": ["gradient_changed_x", "gradient_one_sided", "gradient_all_at_once"],
    }
    return [
        # (f(x+h) − f(x)) / h is exactly 2x + h for x², and 3x² + 3xh + h² for x³.
        {**forward, "args": ["square", 1.5], "kwargs": {"h": 1e-3}, "expected": 3.001},
        {**forward, "args": ["cube", 2.0], "kwargs": {"h": 1e-3}, "expected": 12.006001},
        {**forward, "args": ["sin", 0.0], "kwargs": {"h": 1e-3}, "expected": 0.9999998333333417},
        # The task says x may be an array: the differences work elementwise.
        {
            **forward,
            "args": ["square", [1.5, -1.0]],
            "kwargs": {"h": 1e-3},
            "expected": [3.001, -1.999],
        },
        {**central, "args": ["square", -3.0]},
        {**central, "args": ["sin", 1.0]},
        {**central, "args": ["cube", 2.0]},
        {**central, "args": ["exp", 0.5]},
        {**central, "args": ["sin", [0.0, 1.0]]},
        # (f(x+h) − f(x−h)) / 2h is exactly 3x² + h² for x³: the step h the call passes counts.
        {**central, "args": ["cube", 2.0], "kwargs": {"h": 1e-2}, "expected": 12.0001},
        {**gradient, "args": ["sum_squares", [1.0, -2.0]]},
        {**gradient, "args": ["rosenbrock", [0.5, 0.2]]},
        {**gradient, "args": ["mixed", [[0.1, 0.2], [0.3, 0.4]]]},
    ]


# --- drivers: call the learner's function on a case's plain inputs --------------------


# How the smallest failing input names each function, so a learner can rebuild the case.
SHOWN = {
    "square": "lambda x: x**2",
    "cube": "lambda x: x**3",
    "sin": "np.sin",
    "exp": "np.exp",
    "sum_squares": "lambda x: np.sum(x**2)",
    "rosenbrock": "lambda x: (1 - x[0])**2 + 100 * (x[1] - x[0]**2)**2",
    "mixed": "lambda x: np.sum(np.sin(x) * np.arange(1, x.size + 1).reshape(x.shape))",
}

FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "square": lambda x: x**2,
    "cube": lambda x: x**3,
    "sin": np.sin,
    "exp": np.exp,
    "sum_squares": lambda x: np.sum(x**2),
    "rosenbrock": lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2,
    "mixed": lambda x: np.sum(np.sin(x) * np.arange(1, np.size(x) + 1).reshape(np.shape(x))),
}


def difference(namespace: dict, function: str, f: str, x: float, **kwargs: Any) -> Any:
    """Call ``function(FUNCTIONS[f], x, ...)``: a finite difference of a named function.

    A list ``x`` arrives as a float64 array (the task: x may be a number or an array)."""
    if isinstance(x, list):
        x = np.array(x, dtype=np.float64)
    return plain(function_of(namespace, function)(FUNCTIONS[f], x, **kwargs))


def gradient(namespace: dict, function: str, f: str, x: list, **kwargs: Any) -> Any:
    """Call ``function(FUNCTIONS[f], x, ...)`` on an array, which it must leave as it was."""
    x = np.array(x, dtype=np.float64)
    return plain(guarded(function_of(namespace, function), function, FUNCTIONS[f], x, **kwargs))


DRIVERS = {"difference": difference, "gradient": gradient}


# --- oracles: the expected value of a public case, computed --------------------------


_DERIVATIVES = {"square": lambda x: 2 * x, "cube": lambda x: 3 * x**2, "sin": np.cos, "exp": np.exp}


def expected_derivative(f: str, x: Any, **_: Any) -> Any:
    """The exact derivative of a named function (central differences agree to ~h²)."""
    if isinstance(x, list):
        return _DERIVATIVES[f](np.array(x, dtype=np.float64))
    return float(_DERIVATIVES[f](x))


def expected_gradient(f: str, x: Any, **_: Any) -> np.ndarray:
    """Finite differences with a smaller step (1e-7 relative agreement)."""
    return numeric_grad(lambda v: float(FUNCTIONS[f](v)), x)


ORACLES = {"derivative": expected_derivative, "gradient": expected_gradient}
