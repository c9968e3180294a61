"""Comparisons: how close is what a learner's code returned to what was expected?

Every comparison has the signature ``compare(got, expected, **options) -> (fraction, message)``:
``fraction`` is a score in 0..1 and ``message`` says, in one line, what differs (empty when
all is well). ``expected`` always comes from trusted code; ``got`` may be anything at all —
NaN, inf, a string, an object whose ``__eq__`` lies, an ``ndarray`` subclass — so every
value is first copied into a plain float64 array by :func:`to_array` and compared with
numpy here, never with the value's own methods.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

MAX_ELEMENTS = 10_000_000  # refuse to copy anything bigger: no case needs it


class Unreadable(ValueError):
    """A value that cannot be read as numbers (wrong type, ragged, too big...)."""


def type_name(x: Any) -> str:
    """Name the type of ``x`` without calling any of its methods."""
    return type(x).__name__


def to_array(x: Any) -> np.ndarray:
    """Copy ``x`` into a new base-class float64 array, or raise :class:`Unreadable`.

    Booleans and integers become floats; complex numbers are accepted only when their
    imaginary part is zero; strings, ``None`` and arbitrary objects are refused.
    """
    if x is None or isinstance(x, (str, bytes, dict, set)):
        raise Unreadable(f"got {type_name(x)}, expected numbers")
    if isinstance(x, np.ndarray) and x.size > MAX_ELEMENTS:
        raise Unreadable(f"got an array with {x.size} elements, far more than expected")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            arr = np.array(x, copy=True, subok=False)
            if arr.size > MAX_ELEMENTS:
                raise Unreadable(f"got {arr.size} elements, far more than expected")
            if arr.dtype.kind == "c":
                if np.any(arr.imag != 0):
                    raise Unreadable("got complex numbers, expected real ones")
                arr = arr.real
            if arr.dtype.kind not in "biuf":
                raise Unreadable(f"got {type_name(x)} that does not hold plain numbers")
            return np.asarray(arr, dtype=np.float64).copy()
    except (Unreadable, KeyboardInterrupt):
        raise
    except BaseException as err:  # a hostile __array__ or __len__ may raise anything
        raise Unreadable(f"got {type_name(x)} that cannot be read as numbers ({err})") from None


def fmt(x: Any, precision: int = 4) -> str:
    """Format a number or an array compactly and deterministically for a message."""
    if x is None or type(x) in (str, bool, int):
        return repr(x)
    if type(x) is list and len(x) <= 24 and all(type(v) is int for v in x):
        return "[" + ", ".join(map(str, x)) + "]"
    if isinstance(x, np.ndarray) and x.dtype.kind in "iu" and x.size <= 24:
        return np.array2string(np.array(x), separator=", ")  # labels stay whole numbers
    if type(x) is dict:
        return "{" + ", ".join(f"{key!r}: {fmt(value)}" for key, value in x.items()) + "}"
    try:
        arr = to_array(x)
    except Unreadable:
        text = object.__repr__(x)
        return f"<{type_name(x)}>" if "object at" in text else text[:80]
    if arr.ndim == 0:
        return f"{float(arr):.{precision + 2}g}"
    return np.array2string(
        arr, precision=precision, separator=", ", threshold=24, edgeitems=3, suppress_small=True
    )


def _close_arrays(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Elementwise |got − expected| ≤ atol + rtol·|expected|, NaN equal to NaN, inf to inf."""
    with np.errstate(all="ignore"):
        diff = np.abs(got - expected)
        close = diff <= atol + rtol * np.abs(expected)
    same_inf = np.isinf(got) & np.isinf(expected) & (np.sign(got) == np.sign(expected))
    both_nan = np.isnan(got) & np.isnan(expected)
    return close | same_inf | both_nan


def _allclose_leaf(got: Any, expected: Any, rtol: float, atol: float) -> tuple[float, str]:
    exp = to_array(expected)
    try:
        arr = to_array(got)
    except Unreadable as err:
        return 0.0, str(err)
    if arr.shape != exp.shape:
        if arr.size == 1 and exp.size == 1:
            arr = arr.reshape(exp.shape)
        else:
            return 0.0, f"shape {arr.shape}, expected shape {exp.shape}"
    close = _close_arrays(arr, exp, rtol, atol)
    if close.all():
        return 1.0, ""
    if exp.ndim == 0:
        return 0.0, f"got {fmt(arr)}, expected {fmt(exp)}"
    bad = np.argwhere(~close)
    index = tuple(int(i) for i in bad[0])
    shown = ", ".join(str(i) for i in index)
    return 0.0, (
        f"{len(bad)} of {exp.size} entries differ; first at [{shown}]: "
        f"got {fmt(arr[index])}, expected {fmt(exp[index])}"
    )


def allclose(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> tuple[float, str]:
    """Compare numbers, arrays, tuples or dicts of them with a relative and absolute tolerance.

    A tuple or dict in ``expected`` is compared part by part (each part all-or-nothing), and
    the fraction is the mean over the parts, so a backward pass with two of three gradients
    right scores 2/3. A part that is a string (a description in words) must match exactly.
    """
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return 0.0, f"got {type_name(got)}, expected a dict with keys {sorted(expected)}"
        scores, messages = [], []
        for key, value in expected.items():
            if key not in got:
                scores.append(0.0)
                messages.append(f"{key}: missing")
                continue
            frac, msg = allclose(got[key], value, rtol=rtol, atol=atol)
            scores.append(frac)
            if msg:
                messages.append(f"{key}: {msg}")
        return float(np.mean(scores)) if scores else 1.0, "; ".join(messages[:1])
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)):
            return 0.0, f"got {type_name(got)}, expected a tuple of {len(expected)} values"
        if len(got) != len(expected):
            return 0.0, f"got {len(got)} values, expected {len(expected)}"
        parts = [allclose(g, e, rtol=rtol, atol=atol) for g, e in zip(got, expected, strict=True)]
        failed = [f"value [{i}]: {msg}" for i, (_, msg) in enumerate(parts) if msg]
        return float(np.mean([frac for frac, _ in parts])), "; ".join(failed[:1])
    if isinstance(expected, str):  # a part said in words, e.g. a node's parents "(a, b)"
        same = type(got) is str and str.__eq__(got, expected)
        shown = got if type(got) is str else fmt(got)
        return (1.0, "") if same else (0.0, f"got {shown[:80]}, expected {expected}")
    return _allclose_leaf(got, expected, rtol, atol)


def _exact_int(x: Any) -> int | None:
    """Read an integer's true value without trusting its methods, or None."""
    if isinstance(x, bool):
        return None
    if isinstance(x, int):
        return int.__int__(x)  # the base method: a subclass cannot lie here
    if isinstance(x, np.integer):
        return int(np.array(x).astype(object).item())
    if isinstance(x, float):
        value = float.__float__(x)
    elif isinstance(x, np.floating):
        value = float(np.array(x, dtype=np.float64))
    else:
        return None
    return int(value) if math.isfinite(value) and value.is_integer() else None


def exact(got: Any, expected: Any) -> tuple[float, str]:
    """Compare integers (exactly, however large), strings, or lists of them."""
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return 0.0, f"got {type_name(got)}, expected a list of {len(expected)} values"
        if len(got) != len(expected):
            return 0.0, f"got {len(got)} values, expected {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            frac, msg = exact(g, e)
            if frac < 1:
                return 0.0, f"value [{i}]: {msg}"
        return 1.0, ""
    if isinstance(expected, str):
        if type(got) is not str:
            return 0.0, f"got {type_name(got)}, expected the string {expected!r}"
        ok = str.__eq__(got, expected)
        return (1.0, "") if ok else (0.0, f"got {got[:40]!r}, expected {expected!r}")
    value = _exact_int(got)
    if value is None:
        return 0.0, f"got {fmt(got)} ({type_name(got)}), expected the integer {expected}"
    return (1.0, "") if value == int(expected) else (0.0, f"got {value}, expected {expected}")


def at_least(got: Any, expected: Any = None, threshold: float = 0.9) -> tuple[float, str]:
    """Score a number that must reach ``threshold`` (e.g. an accuracy); partial credit below."""
    try:
        arr = to_array(got)
    except Unreadable as err:
        return 0.0, str(err)
    if arr.size != 1 or not np.isfinite(arr).all():
        return 0.0, f"got {fmt(arr)}, expected one finite number ≥ {threshold}"
    value = float(arr.reshape(()))
    if value >= threshold:
        return 1.0, ""
    return max(0.0, min(1.0, value / threshold)), f"got {value:.4g}, needs at least {threshold}"


def topological(got: Any, expected: Any) -> tuple[float, str]:
    """Check that ``got["order"]`` lists every node once, each after all its parents.

    ``expected`` holds the graph, from trusted code: ``{"nodes": [...], "edges": [[parent,
    child], ...]}``. Any valid order scores 1; the right nodes in a wrong order score 1/2.
    """
    nodes = list(expected["nodes"])
    order = got.get("order") if isinstance(got, dict) else None
    if not isinstance(order, list) or not all(type(n) is str for n in order):
        return 0.0, f"got {type_name(order)}, expected a list of the graph's nodes"
    if len(order) != len(nodes) or sorted(order) != sorted(nodes):
        missing = sorted(set(nodes) - set(order))[:3]
        extra = len(order) - len(set(order))
        what = f"missing {missing}" if missing else f"{extra} node(s) listed twice"
        return 0.0, f"got {len(order)} nodes, expected each of the {len(nodes)} once ({what})"
    position = {name: i for i, name in enumerate(order)}
    for parent, child in expected["edges"]:
        if position[parent] > position[child]:
            return 0.5, f"{child} comes before its parent {parent}"
    return 1.0, ""


COMPARISONS: dict[str, Callable[..., tuple[float, str]]] = {
    "allclose": allclose,
    "exact": exact,
    "at_least": at_least,
    "topological": topological,
}


def name_values(message: str, names: list[str] | None) -> str:
    """Say ``dWhh:`` where a comparison said ``value [2]:``, with the names a case gives."""
    if not names:
        return message

    def named(match: re.Match) -> str:
        index = int(match[1])
        return f"{names[index]}:" if index < len(names) else match[0]

    return re.sub(r"^value \[(\d+)\]:", named, message)


def score(case: dict, got: Any, expected: Any) -> tuple[float, str]:
    """Compare with the case's comparison and options; never raises (a failure scores 0)."""
    try:
        comparison = COMPARISONS[case.get("compare", "allclose")]
        frac, msg = comparison(got, expected, **case.get("options", {}))
        frac = float(frac)
        return (frac if 0.0 <= frac <= 1.0 else 0.0), str(msg)
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # even SystemExit from a hostile value's method
        return 0.0, f"could not compare ({type_name(err)}: {err})"
