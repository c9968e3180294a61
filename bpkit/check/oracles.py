"""Oracles: expected values for the public cases, computed without storing the answer.

Where an exercise asks for a derivative, the oracle takes central finite differences of
the *forward* computation, which the exercise states openly; so the check knows the right
gradient without the exercise's files containing the formula you are asked to derive. Each
oracle takes the same arguments as the case's driver (without ``namespace`` and
``function``). An exercise defines its oracles in its folder's ``cases.py``
(``ORACLES = {...}``); a case names one under ``"oracle"``. This module keeps the generic
tools they are built from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def numeric_grad(f: Callable[[np.ndarray], float], x: Any, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function at a copy of ``x``; shaped like ``x``."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x.copy())
        x[i] = old - h
        down = f(x.copy())
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def grads(f: Callable[..., float], arrays: list[Any]) -> tuple[np.ndarray, ...]:
    """∂f/∂arrays[k] for every k, by central differences, holding the others fixed."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    out = []
    for k in range(len(arrays)):

        def f_k(v, k=k):
            return f(*arrays[:k], v, *arrays[k + 1 :])

        out.append(numeric_grad(f_k, arrays[k]))
    return tuple(out)


ORACLES: dict[str, Callable[..., Any]] = {}
"""Oracles shared by every exercise (none yet); an exercise's own come first."""


def oracle_for(case: dict) -> Callable[..., Any]:
    """The oracle a case names: its exercise's own (``cases.ORACLES``), else a shared one."""
    from bpkit.check import exercises

    name = case["oracle"]
    cases = exercises.part(case["exercise"], "cases") if "exercise" in case else None
    own = getattr(cases, "ORACLES", {})
    if name in own:
        return own[name]
    if name in ORACLES:
        return ORACLES[name]
    raise LookupError(f"no oracle named {name!r} for exercise {case.get('exercise')!r}")


def expected_for(case: dict) -> Any:
    """The expected value of a public case: its ``expected`` if it states one (a case may
    override its function's oracle), else its oracle's answer."""
    if "oracle" in case and "expected" not in case:
        return oracle_for(case)(*case.get("args", []), **case.get("kwargs", {}))
    return case.get("expected")
