"""Drivers: call a learner's function on a case's inputs and return plain data.

A driver is ``driver(namespace, function, *args, **kwargs) -> plain data``: it finds
``namespace[function]``, builds whatever the function needs from the case's plain
arguments (a named test function, a graph of nodes, random arrays from a seed), calls it,
and turns the result into plain data (floats, float64 arrays, strings, tuples, lists and
dicts of them) with :func:`plain`. The same driver runs for the inline ``check`` and, in
the grader, once on the learner's notebook and once on the trusted reference.

Only the generic ``call`` lives here; each exercise's own drivers live in its folder's
``cases.py`` (``DRIVERS = {...}``) and are added to :data:`DRIVERS` when ``bpkit.check`` loads.

A driver that turns what the function returned into a verdict (predictions from weights, an
accuracy, the graph an order is checked against) is made with :func:`two_sided`: its
``collect`` half runs beside the learner's code and returns only what the function gave back;
its ``finish`` half turns that into the value compared. ``check()`` runs both in the
notebook; the grader runs ``collect`` in the sandbox and ``finish`` in its own process, where
no notebook can patch it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np


def plain(x: Any, depth: int = 0) -> Any:
    """Turn a learner's return value into plain data without trusting its type."""
    if depth > 8:
        return "<nested too deeply>"
    if x is None or type(x) in (bool, int, float, str):
        return x
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int.__int__(x) if isinstance(x, int) else int(np.array(x).astype(object).item())
    if isinstance(x, (tuple, list)):
        items = [plain(item, depth + 1) for item in list(x)[:10_000]]
        return tuple(items) if isinstance(x, tuple) else items
    if isinstance(x, dict):
        return {str(key): plain(value, depth + 1) for key, value in list(dict.items(x))[:1000]}
    try:
        arr = np.array(x, copy=True, subok=False)
        if arr.dtype.kind in "biuf":
            return arr.astype(np.float64)
    except (ValueError, TypeError, OverflowError):
        pass
    return f"<{type(x).__name__}>"


def run_case(case: dict, namespace: dict) -> Any:
    """Run one case's driver on fresh copies of its arguments; return plain data."""
    driver = DRIVERS[case.get("driver", "call")]
    args = copy.deepcopy(list(case.get("args", [])))
    kwargs = copy.deepcopy(dict(case.get("kwargs", {})))
    return driver(namespace, case["function"], *args, **kwargs)


def function_of(namespace: dict, function: str) -> Callable[..., Any]:
    """The learner's function ``function`` in ``namespace``, or a NameError that says so."""
    fn = namespace.get(function)
    if fn is None:
        raise NameError(f"no function named {function!r}: did you rename it?")
    return fn


def call(namespace: dict, function: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``namespace[function](*args, **kwargs)`` and return its result as plain data."""
    return plain(function_of(namespace, function)(*args, **kwargs))


def two_sided(
    finish: Callable[..., Any],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a driver from its ``collect`` half (the decorated function) and ``finish``.

    ``collect(namespace, function, *args, **kwargs)`` calls the learner's function and returns
    plain data; ``finish(collected, *args, **kwargs)`` computes the value to compare from it.
    The driver runs both; ``driver.collect`` and ``driver.finish`` are the halves the grader
    runs on the two sides of its sandbox.
    """

    def make(collect: Callable[..., Any]) -> Callable[..., Any]:
        def driver(namespace: dict, function: str, *args: Any, **kwargs: Any) -> Any:
            return finish(collect(namespace, function, *args, **kwargs), *args, **kwargs)

        driver.__name__, driver.__doc__ = collect.__name__, collect.__doc__
        driver.__module__ = collect.__module__
        driver.collect, driver.finish = collect, finish  # type: ignore[attr-defined]
        return driver

    return make


DRIVERS: dict[str, Callable[..., Any]] = {"call": call}
"""Every driver by name: ``call`` here, the others from the exercises' ``cases.py``."""
