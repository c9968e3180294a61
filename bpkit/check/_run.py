"""The ``check(fn)`` function: run the public cases of one exercise and print the verdict."""

from __future__ import annotations

import inspect
import re
import warnings
from typing import Any

from bpkit.check import drivers, hints, oracles
from bpkit.check.compare import fmt, score

INDENT = "    "


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
    failures = []
    for case in cases:
        got, error = _call(case, namespace)
        if isinstance(error, NotImplementedError):
            print(_not_implemented(name, error))
            return
        expected = oracles.expected_for(case)
        if error is None:
            fraction, message = score(case, got, expected)
            if fraction == 1.0:
                continue
        else:
            message = f"raised {_error_text(error)}"
        failures.append((case, got, expected, error, message))
    if not failures:
        passed = "the check passed" if len(cases) == 1 else f"all {len(cases)} checks passed"
        print(f"✓ {name}: {passed}")
        return
    print(_report(fn, name, len(cases), *failures[0], n_failed=len(failures)))


def _call(case: dict, namespace: dict) -> tuple[Any, BaseException | None]:
    """Run the case's driver; numpy's overflow warnings count as errors here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            return drivers.run_case(case, namespace), None
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


def _report(fn, name, n_cases, case, got, expected, error, message, n_failed) -> str:
    checks = "check" if n_cases == 1 else "checks"
    lines = [f"✗ {name}: {n_failed} of {n_cases} {checks} failed. The smallest failing input:"]
    lines += [INDENT + line for line in _describe_input(fn, case)]
    hint = hints.diagnose(case, got if error is None else None, expected, error)
    names = case.get("names")
    if names:
        message = re.sub(r"^value (\d+):", lambda m: f"{names[int(m[1]) - 1]}:", message)
        got, expected = _named(got, names), _named(expected, names)
        part = message.split(":", 1)[0]
        if part in names and isinstance(got, dict) and isinstance(expected, dict):
            got, expected = got.get(part), expected[part]
            lines.append(f"  {message}")
            message = ""
            lines += _show("expected", part, expected) + _show("got", part, got)
    if message:
        if error is not None or not message.startswith("got "):
            lines.append(f"  {message}")  # "got …, expected …" would repeat the lines below
        if error is None:
            lines += _show("expected", "", expected) + _show("got", "", got)
    if error is not None and isinstance(error, SystemExit):
        lines.append("  (your function called sys.exit(); the check caught it, so nothing stopped)")
    if hint:
        lines.append(f"  hint: {hint}")
    return "\n".join(lines)


def _named(value: Any, names: list[str]) -> Any:
    if isinstance(value, (tuple, list)) and len(value) == len(names):
        return dict(zip(names, value, strict=True))
    return value


def _show(title: str, name: str, value: Any) -> list[str]:
    """``expected  db = [...]`` with continuation lines aligned under the value."""
    if isinstance(value, dict):
        lines = []
        for i, (key, item) in enumerate(value.items()):
            lines += _show(title if i == 0 else "", f"{name}[{key!r}]" if name else key, item)
        return lines
    head = f"  {title:<9} {name} = " if name else f"  {title:<9} "
    text = fmt(value) if not isinstance(value, (tuple, list)) or _numeric(value) else _seq(value)
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
        text = value if isinstance(value, str) else fmt(value)
        first, *rest = text.splitlines() or [""]
        lines.append(f"{key} = {first}")
        lines += [" " * (len(key) + 3) + line for line in rest]
    return lines or ["(no arguments)"]
