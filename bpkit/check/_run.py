"""The ``check(fn)`` function: run the public cases of one exercise and print the verdict.

:func:`call_strict` is how a case calls a learner's function, here and in the grader's
sandbox alike, so both reach the same verdict: numpy's overflow, divide-by-zero and
invalid-value warnings are errors (a sigmoid that overflows fails), and a function that
changes the arrays or dicts it was given fails too (:class:`ChangedInput`).
"""

from __future__ import annotations

import copy
import inspect
import re
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.check import drivers, hints, oracles
from bpkit.check.compare import fmt, name_values, score

# Taken at import, before any learner's code runs in the grader, so a notebook that patches
# the warnings module or numpy cannot switch the rules off.
_catch_warnings, _simplefilter, _errstate = (
    warnings.catch_warnings,
    warnings.simplefilter,
    np.errstate,
)
_array_equal, _ndarray, _deepcopy = np.array_equal, np.ndarray, copy.deepcopy

INDENT = "    "
# The grader's default time limit for one case (``bpkit grade --timeout``). A check warns when
# one of its cases takes more than WARN_FRACTION of it, long before the grader would stop it.
CASE_SECONDS = 10.0
WARN_FRACTION = 0.4


def check(fn: Any) -> None:
    """Run the public cases for ``fn`` and print ✓, ✗ with a hint, or "not implemented yet".

    Never raises (except when you interrupt it), so a notebook's "Run All" continues.
    """
    try:
        _check(fn)
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # a bug here must not stop the learner's notebook
        print(f"✗ the check itself failed ({_error_text(err)}); please report this as a bug.")


def _error_text(err: BaseException) -> str:
    """``TypeName: message`` for any exception, even one whose ``__str__`` misbehaves."""
    try:
        text = str(err)
    except BaseException:  # a hostile __str__
        text = ""
    name = type(err).__name__
    return f"{name}: {text[:200]}" if text else name


def _check(fn: Any) -> None:
    name = getattr(fn, "__name__", None)
    if not callable(fn) or not isinstance(name, str):
        print(
            f"✗ check expects your function itself, e.g. check(central_difference), "
            f"but got {type(fn).__name__}."
        )
        return
    from bpkit.check import cases_for

    cases = cases_for(name)
    if not cases:
        print(f"? {name}: there are no checks for a function of this name. Did you rename it?")
        return
    namespace = {**getattr(fn, "__globals__", {}), name: fn}
    failures, slowest = [], 0.0
    for case in cases:
        started = time.perf_counter()
        fraction, message, got, expected, error = verdict(case, namespace)
        slowest = max(slowest, time.perf_counter() - started)
        if isinstance(error, NotImplementedError):
            print(_not_implemented(name, error))
            return
        if fraction < 1.0:
            failures.append((case, got, expected, error, message))
    if not failures:
        passed = "the check passed" if len(cases) == 1 else f"all {len(cases)} checks passed"
        print(f"✓ {name}: {passed}")
    else:
        print(_report(fn, name, len(cases), *failures[0], n_failed=len(failures)))
    if slowest > WARN_FRACTION * CASE_SECONDS:
        print(
            f"⚠ {name}: one check took {slowest:.1f} s. The grader stops a case after "
            f"{CASE_SECONDS:g} s (on a machine that may be slower than yours) and scores it 0: "
            "make it faster (fewer steps or epochs, or whole-array numpy instead of loops)."
        )


def verdict(case: dict, namespace: dict) -> tuple[float, str, Any, Any, BaseException | None]:
    """Run one public case on ``namespace``: (fraction, message, got, expected, error)."""
    got, error = _call(case, namespace)
    expected = oracles.expected_for(case)
    if error is None:
        fraction, message = score(case, got, expected)
        return fraction, message, got, expected, None
    message = str(error) if isinstance(error, ChangedInput) else f"raised {_error_text(error)}"
    return 0.0, message, None, expected, error


class ChangedInput(Exception):
    """A learner's function changed, in place, an argument it was given."""


def _same(before: Any, after: Any) -> bool:
    """Is ``after`` still equal to the copy ``before``? Exact types only, NaN equals NaN."""
    if type(before) is not type(after):
        return False
    if isinstance(before, _ndarray):
        if before.dtype.kind not in "biufc":
            return True  # not a numeric array: nothing a case passes
        return before.shape == after.shape and bool(_array_equal(before, after, equal_nan=True))
    if isinstance(before, dict):
        keys = list(dict.keys(before))
        return keys == list(dict.keys(after)) and all(_same(before[k], after[k]) for k in keys)
    if isinstance(before, (list, tuple)):
        return len(before) == len(after) and all(map(_same, before, after))
    if isinstance(before, float) and before != before:
        return after != after
    if before is None or isinstance(before, (bool, int, float, str)):
        return before == after
    return True  # anything else (a Node, a function) is the driver's business


def _parameter_name(fn: Any, index: int) -> str:
    try:
        names = list(inspect.signature(fn).parameters)
    except Exception:  # a hostile or builtin function: no names, numbers will do
        names = []
    return f"`{names[index]}`" if index < len(names) else f"number {index + 1}"


def call_strict(
    driver: Callable[..., Any], namespace: dict, function: str, args: list, kwargs: dict
) -> Any:
    """Run ``driver(namespace, function, *args, **kwargs)`` under the rules every case obeys.

    numpy's overflow, divide-by-zero and invalid-value warnings raise (``RuntimeWarning``),
    and a function that changes an argument in place raises :class:`ChangedInput`.
    ``args`` and ``kwargs`` must be the caller's own fresh copies.
    """
    before = _deepcopy((args, kwargs))
    with _catch_warnings():
        _simplefilter("error", RuntimeWarning)
        with _errstate(over="warn", divide="warn", invalid="warn"):
            value = driver(namespace, function, *args, **kwargs)
    _check_unchanged(before[0], args, namespace.get(function), function)
    for key in before[1]:
        if not _same(before[1][key], kwargs[key]):
            raise ChangedInput(f"{function} changed its argument `{key}` in place")
    return value


def guarded(fn: Any, function: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` for a driver and raise :class:`ChangedInput` if it changed,
    in place, an array or dict the driver built for it (``call_strict`` sees only the case's)."""
    before = _deepcopy(args)
    value = fn(*args, **kwargs)
    _check_unchanged(before, args, fn, function)
    return value


def _check_unchanged(before: Any, args: Any, fn: Any, function: str) -> None:
    """Raise :class:`ChangedInput` naming the first argument that differs from its copy."""
    for index, (old, new) in enumerate(zip(before, args, strict=True)):
        if not _same(old, new):
            raise ChangedInput(
                f"{function} changed its argument {_parameter_name(fn, index)} in place; "
                "leave the caller's arrays as they were and return new ones"
            )


def _call(case: dict, namespace: dict) -> tuple[Any, BaseException | None]:
    """Run the case's driver on fresh copies of its arguments with :func:`call_strict`."""
    try:
        driver = drivers.DRIVERS[case.get("driver", "call")]
        args = copy.deepcopy(list(case.get("args", [])))
        kwargs = copy.deepcopy(dict(case.get("kwargs", {})))
        return call_strict(driver, namespace, case["function"], args, kwargs), None
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # SystemExit too: the notebook must keep running
        return None, err


def _not_implemented(name: str, error: BaseException) -> str:
    other = re.search(r"implement (\w+)", _error_text(error))
    if other and other[1] != name:
        return f"… {name}: waits for {other[1]}, which is not implemented yet"
    return (
        f"… {name}: not implemented yet. Replace the `raise NotImplementedError` line "
        "in its cell with your code, run that cell, then run this check again."
    )


def _digits(got: Any, expected: Any) -> int:
    """The fewest significant digits (4 to 12) at which ``got`` and ``expected`` print apart."""
    for precision in range(4, 13):
        if fmt(got, precision) != fmt(expected, precision):
            return precision
    return 4


def _report(fn, name, n_cases, case, got, expected, error, message, n_failed) -> str:
    checks = "check" if n_cases == 1 else "checks"
    lines = [f"✗ {name}: {n_failed} of {n_cases} {checks} failed. The smallest failing input:"]
    lines += [INDENT + line for line in _describe_input(fn, case)]
    hint = hints.diagnose(case, got if error is None else None, expected, error)
    if case.get("compare") == "exact":  # labels and counts: print 1, not 1.
        got, expected = _as_ints(got), _as_ints(expected)
    names = case.get("names")
    if names:
        message = name_values(message, names)
        got, expected = _named(got, names), _named(expected, names)
        part = message.split(":", 1)[0]
        if part in names and isinstance(got, dict) and isinstance(expected, dict):
            got, expected = got.get(part), expected[part]
            lines.append(f"  {message}")
            message = ""
            digits = _digits(got, expected)
            lines += _show("expected", part, expected, digits) + _show("got", part, got, digits)
    if message and error is None and case.get("quantity") == "accuracy":
        wanted = case.get("options", {}).get("threshold", 0.0)
        if isinstance(got, float):
            lines.append(f"  accuracy {got:.1%}: it needs at least {wanted:.0%}")
        else:  # the finish half could not build the network from what came back
            lines.append(f"  {got}")
    elif message:
        if error is not None or not message.startswith("got "):
            lines.append(f"  {message}")  # "got …, expected …" would repeat the lines below
        if error is None and "expected_text" in case:  # e.g. "any order with parents first"
            got = {k: v for k, v in got.items() if k == "order"} if isinstance(got, dict) else got
            lines.append(f"  expected  {case['expected_text']}")
            lines += _show("got", "", got)
        elif error is None:
            digits = _digits(got, expected)
            lines += _show("expected", "", expected, digits) + _show("got", "", got, digits)
    if error is not None and isinstance(error, SystemExit):
        lines.append("  (your function called sys.exit(); the check caught it, so nothing stopped)")
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def _as_ints(value: Any) -> Any:
    """An array or list of whole numbers as a list of ints; anything else unchanged."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return value
    if (
        arr.ndim == 0
        or arr.size == 0
        or not np.all(np.isfinite(arr))
        or np.any(arr != np.round(arr))
    ):
        return value
    return arr.astype(np.int64).tolist()


def _named(value: Any, names: list[str]) -> Any:
    if isinstance(value, (tuple, list)) and len(value) == len(names):
        return dict(zip(names, value, strict=True))
    return value


def _show(title: str, name: str, value: Any, digits: int = 4) -> list[str]:
    """``expected  db = [...]`` with continuation lines aligned under the value."""
    if isinstance(value, dict):
        lines = []
        for i, (key, item) in enumerate(value.items()):
            label = f"{name}[{key!r}]" if name else key
            lines += _show(title if i == 0 else "", label, item, digits)
        return lines
    head = f"  {title:<9} {name} = " if name else f"  {title:<9} "
    numeric = not isinstance(value, (tuple, list)) or _numeric(value)
    text = fmt(value, digits) if numeric else _seq(value)
    text = value if type(value) is str else text  # words, e.g. a node's parents "(a, b)"
    first, *rest = text.splitlines() or [""]
    return [head + first] + [" " * len(head) + line for line in rest]


def _numeric(value: Any) -> bool:
    return all(isinstance(v, (int, float)) for v in value)


def _seq(value: Any) -> str:
    return "(" + ", ".join(fmt(v) if not isinstance(v, str) else v for v in value) + ")"


def _describe_input(fn: Any, case: dict) -> list[str]:
    if "label" in case:
        return [case["label"]]
    args, kwargs = list(case.get("args", [])), dict(case.get("kwargs", {}))
    try:
        params = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        params = []
    names = [*params[: len(args)], *(f"arg{i + 1}" for i in range(len(params), len(args)))]
    lines = []
    for key, value in [*zip(names, args, strict=True), *kwargs.items()]:
        shown = case.get("show", {})
        text = shown.get(value, value) if isinstance(value, str) else fmt(value)
        first, *rest = text.splitlines() or [""]
        lines.append(f"{key} = {first}")
        lines += [" " * (len(key) + 3) + line for line in rest]
    return lines or ["(no arguments)"]
