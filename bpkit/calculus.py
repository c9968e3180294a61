"""Numerical calculus: finite differences, numeric gradients and Jacobians.

These are the "slow but obviously right" derivatives that every analytic gradient in
the course is checked against. None of them changes the array it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

METHODS = ("central", "forward", "backward")


def _check_callable(who: str, f: Any) -> None:
    if not callable(f):
        raise TypeError(
            f"{who}: f must be a function such as `lambda x: x**2`, got {type(f).__name__} {f!r}."
        )


def _check_step(who: str, h: float) -> float:
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating, np.integer)):
        raise TypeError(f"{who}: h must be a positive number, got {type(h).__name__} {h!r}.")
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"{who}: h must be a positive, finite step size such as 1e-5, got {h!r}.")
    return float(h)


def _as_point(who: str, x: Any) -> np.ndarray:
    if x is None:  # np.array(None, dtype=float) is NaN, which would blame the wrong thing
        raise TypeError(f"{who}: x must be a number or an array of numbers, got None.")
    try:
        x = np.array(x, dtype=np.float64)  # a copy: the caller's array is never touched
    except (TypeError, ValueError) as err:
        raise TypeError(f"{who}: x must be a number or an array of numbers, got {x!r}.") from err
    if not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(x))
        where = "" if x.ndim == 0 else f" at index {tuple(int(i) for i in bad[0])}"
        raise ValueError(
            f"{who}: x contains NaN or inf{where}; finite differences need a finite point."
        )
    return x


def derivative(f: Callable[[Any], Any], x: Any, h: float = 1e-5, method: str = "central") -> Any:
    """Estimate f'(x) by a finite difference; works elementwise when x is an array.

    ``method`` is ``"central"`` ((f(x+h) - f(x-h)) / 2h, error O(h²)), ``"forward"``
    ((f(x+h) - f(x)) / h, error O(h)) or ``"backward"`` ((f(x) - f(x-h)) / h, O(h)).

    >>> round(derivative(lambda x: x**3, 2.0), 6)
    12.0
    """
    who = "derivative"
    _check_callable(who, f)
    h = _check_step(who, h)
    if method not in METHODS:
        raise ValueError(f"{who}: unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    x = _as_point(who, x)
    if method == "central":
        d = (np.asarray(f(x + h)) - np.asarray(f(x - h))) / (2 * h)
    elif method == "forward":
        d = (np.asarray(f(x + h)) - np.asarray(f(x))) / h
    else:
        d = (np.asarray(f(x)) - np.asarray(f(x - h))) / h
    return float(d) if np.ndim(d) == 0 else d


def gradient(f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-5) -> np.ndarray:
    """Estimate the gradient of a scalar function ``f`` at ``x`` by central differences.

    Each entry is nudged by ±h in turn, so this costs 2·x.size calls of f.

    Shapes: x: any shape → grad: same shape as x.
    """
    who = "gradient"
    _check_callable(who, f)
    h = _check_step(who, h)
    x = _as_point(who, x)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        f_plus = _scalar_output(who, f(x))
        flat[i] = saved - h
        f_minus = _scalar_output(who, f(x))
        flat[i] = saved
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _scalar_output(who: str, y: Any) -> float:
    y = np.asarray(y, dtype=np.float64)
    if y.size != 1:
        raise ValueError(
            f"{who}: f must return a single number, got an array of shape {y.shape}. "
            "For a vector-valued function use jacobian(f, x)."
        )
    return float(y.reshape(()))


def jacobian(f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-5) -> np.ndarray:
    """Estimate the Jacobian of a vector function by central differences.

    Shapes: x: (n,) (other shapes are flattened) → J: (m, n) with J[i, j] = ∂f_i/∂x_j.
    """
    who = "jacobian"
    _check_callable(who, f)
    h = _check_step(who, h)
    x = _as_point(who, x)
    flat = x.reshape(-1)
    columns = []
    for j in range(flat.size):
        saved = flat[j]
        flat[j] = saved + h
        y_plus = np.array(f(x), dtype=np.float64).reshape(-1)
        flat[j] = saved - h
        y_minus = np.array(f(x), dtype=np.float64).reshape(-1)
        flat[j] = saved
        columns.append((y_plus - y_minus) / (2 * h))
    return np.stack(columns, axis=1)


def step_errors(
    f: Callable[[Any], Any],
    df: Callable[[Any], Any],
    x: float,
    hs: Any,
    method: str = "central",
) -> np.ndarray:
    """Return |finite difference − exact derivative| at ``x`` for each step in ``hs``.

    Plotted on log-log axes this shows truncation error falling with h and round-off
    error rising as h gets tiny.
    """
    _check_callable("step_errors", df)
    exact = float(df(x))
    return np.array([abs(derivative(f, x, h=float(h), method=method) - exact) for h in hs])


def convergence_order(hs: Any, errors: Any) -> float:
    """Return the slope of log(error) against log(h): ≈1 for forward, ≈2 for central."""
    hs, errors = np.asarray(hs, dtype=np.float64), np.asarray(errors, dtype=np.float64)
    keep = errors > 0
    if keep.sum() < 2:
        raise ValueError("convergence_order: need at least two nonzero errors to fit a slope.")
    slope, _ = np.polyfit(np.log(hs[keep]), np.log(errors[keep]), 1)
    return float(slope)
