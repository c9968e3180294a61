"""Public cases for exercise 03 (gradient descent), smallest input first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.check._run import guarded
from bpkit.check.drivers import function_of, plain

NOTEBOOK = "03_gradient_descent"


def public_cases(seed: int | None = None) -> list[dict]:
    """The same cases for every learner: this exercise has no variants yet."""
    descent = {
        "show": SHOWN,
        "function": "gradient_descent",
        "driver": "descent",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["ascent", "aliased_history", "history_length"],
    }
    stable = {
        "function": "largest_stable_lr",
        "options": {"rtol": 1e-9},
        "mistakes": ["stable_half", "stable_smallest", "stable_mean", "stable_one_direction"],
        "hint": "on ½·c·x² one step multiplies x by (1 − lr·c); descent converges while "
        "|1 − lr·c| < 1 for every curvature c.",
    }
    momentum = {
        "show": SHOWN,
        "function": "momentum_descent",
        "driver": "momentum",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["no_velocity", "aliased_history", "history_length"],
        "hint": "the velocity is a running sum of past steps, started at zero and kept from one "
        "step to the next; with beta = 0 momentum must give plain gradient descent.",
    }
    return [
        # Gradient of (x − 3)² is 2(x − 3): from 0 with lr 0.25 the steps halve the gap to 3.
        {
            **descent,
            "args": ["parabola", 0.0, 0.25, 3],
            "expected": np.array([0, 1.5, 2.25, 2.625]),
        },
        {**descent, "args": ["parabola", 3.0, 0.1, 0], "expected": np.array([3.0])},
        {
            **descent,
            "args": ["bowl", [1.0, 1.0], 0.1, 2],
            "expected": np.array([[1.0, 1.0], [0.9, 0.0], [0.81, 0.0]]),
        },
        {**stable, "args": [[4.0]], "expected": 0.5},
        {**stable, "args": [[1.0, 10.0]], "expected": 0.2},
        {**stable, "args": [[0.5, 2.0, 8.0]], "expected": 0.25},
        {**stable, "args": [[1.0, 4.0, 2.0]], "expected": 0.5},  # the largest is not last
        # β = 0 is plain descent; with β = 0.5 the second step keeps the first one's speed.
        {**momentum, "args": ["parabola", 0.0, 0.25, 0.0, 3], "expected": [0, 1.5, 2.25, 2.625]},
        {**momentum, "args": ["parabola", 0.0, 0.25, 0.5, 2], "expected": [0.0, 1.5, 3.0]},
        {
            **momentum,
            "args": ["bowl", [1.0, 1.0], 0.1, 0.9, 2],
            "expected": np.array([[1.0, 1.0], [0.9, 0.0], [0.72, -0.9]]),
        },
    ]


# --- drivers: call the learner's function on a case's plain inputs --------------------


# How the smallest failing input names each gradient, so a learner can rebuild the case.
SHOWN = {
    "bowl": "lambda x: np.array([1.0, 10.0]) * x   (the gradient of ½(x₁² + 10·x₂²))",
    "parabola": "lambda x: 2 * (x - 3.0)   (the gradient of (x − 3)²)",
}

GRADIENTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "bowl": lambda x: np.array([1.0, 10.0]) * x,
    "parabola": lambda x: 2 * (x - 3.0),
}


def descent(namespace: dict, function: str, grad: str, x0: Any, lr: float, steps: int) -> Any:
    """Run ``function(GRADIENTS[grad], x0, lr, steps)`` and return the history it makes."""
    x0 = np.array(x0, dtype=np.float64)
    return plain(
        guarded(function_of(namespace, function), function, GRADIENTS[grad], x0, lr, steps)
    )


def momentum(
    namespace: dict, function: str, grad: str, x0: Any, lr: float, beta: float, steps: int
) -> Any:
    """Run ``function(GRADIENTS[grad], x0, lr, beta, steps)``; return the history it makes."""
    x0 = np.array(x0, dtype=np.float64)
    learner = function_of(namespace, function)
    return plain(guarded(learner, function, GRADIENTS[grad], x0, lr, beta, steps))


DRIVERS = {"descent": descent, "momentum": momentum}
