"""Find drivers, comparisons and public cases by name, in ``bpkit.check``.

Grading cases name their driver and comparison as strings (``"call"``, ``"allclose"``). The
grader looks them up here, on both sides of the sandbox, in ``bpkit.check.drivers`` and
``bpkit.check.compare``: one definition of each, the one ``check()`` uses.

A two-sided driver (``bpkit.check.drivers.two_sided``) is split here: :func:`driver` gives
its ``collect`` half, which the sandbox runs beside the notebook, and :func:`score` runs its
``finish`` half in the grader's process, on the collected data of both the submission and
the reference, before comparing them. A notebook's code therefore never runs the step that
turns returned weights into predictions or an accuracy.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _find(module_name: str, registry: str, name: str) -> Callable[..., Any]:
    module = _module(module_name)
    table = getattr(module, registry, None)
    if isinstance(table, dict) and callable(table.get(name)):
        return table[name]
    if module is not None and not name.startswith("_") and callable(getattr(module, name, None)):
        return getattr(module, name)
    raise LookupError(f"no {registry.lower()[:-1]} named {name!r} in {module_name}")


def driver(name: str) -> Callable[..., Any]:
    """Return the driver called ``name``: ``driver(namespace, function, *args, **kwargs)``.

    For a two-sided driver, only its ``collect`` half (see :func:`finisher`).
    """
    found = _find("bpkit.check.drivers", "DRIVERS", name)
    return getattr(found, "collect", found)


def finisher(name: str) -> Callable[..., Any] | None:
    """The ``finish`` half of the two-sided driver ``name``, or None for a one-sided one."""
    try:
        found = _find("bpkit.check.drivers", "DRIVERS", name)
    except LookupError:
        return None
    return getattr(found, "finish", None)


def _finished(case: dict, got: Any, expected: Any) -> tuple[Any, Any]:
    """Both collected values finished in this process, when the case's driver is two-sided."""
    finish = finisher(case.get("driver", "call"))
    if finish is None:
        return got, expected
    from bpkit.grading import codec

    args = codec.decode(case.get("args", []))
    kwargs = codec.decode(case.get("kwargs", {}))
    return finish(got, *args, **kwargs), finish(expected, *args, **kwargs)


def comparison(name: str) -> Callable[..., tuple]:
    """Return the comparison called ``name``: ``compare(got, expected, **options)``."""
    return _find("bpkit.check.compare", "COMPARISONS", name)


def score(case: dict, got: Any, expected: Any) -> tuple[float, str]:
    """Score one case in 0..1 with its comparison; never raises (a failure scores 0)."""
    try:
        got, expected = _finished(case, got, expected)
        compare = comparison(case.get("compare", "allclose"))
        fraction, message = compare(got, expected, **case.get("options", {}))
        fraction = float(fraction)
    except Exception as error:
        return 0.0, f"could not compare ({type(error).__name__}: {error})"
    if not math.isfinite(fraction) or not 0.0 <= fraction <= 1.0:
        return 0.0, f"comparison returned an invalid score {fraction!r}"
    return fraction, str(message)


def public_cases(exercise: str) -> list[dict]:
    """Return the public cases ``check`` runs inline for an exercise (empty if none are known)."""
    module = _module("bpkit.check")
    getter = getattr(module, "public_cases", None)
    if getter is None or exercise not in getattr(module, "NOTEBOOKS", {}):
        return []
    return [dict(case) for case in getter(exercise)]
