"""Hints: recognize common mistakes from what a learner's function returned, and name them.

A detector is ``detector(case, got, expected, error) -> str | None``: ``got`` is the plain
data the driver returned (``None`` if the call raised ``error``), ``expected`` the right
answer. A detector answers only when it recognizes its mistake; :func:`diagnose` asks the
general ones first, then the ones a case lists under ``"mistakes"``: first among its
exercise's own (every public function of the folder's ``hints.py``), then the shared ones
here. The helpers :func:`as_array`, :func:`close` and :func:`part` are for those files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.check.compare import Unreadable, to_array

Detector = Callable[[dict, Any, Any, "BaseException | None"], "str | None"]


def as_array(x: Any) -> np.ndarray | None:
    """``x`` as a float64 array, or ``None`` if it cannot be read as one."""
    try:
        return to_array(x)
    except Unreadable:
        return None


def close(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """Whether ``a`` and ``b`` are arrays of one shape, equal within the tolerances."""
    a, b = as_array(a), as_array(b)
    if a is None or b is None or a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def part(x: Any, i: int) -> Any:
    """Item ``i`` of a returned tuple or list, or ``None``."""
    return x[i] if isinstance(x, (tuple, list)) and len(x) > i else None


# --- general detectors ------------------------------------------------------------------------


def returned_none(case, got, expected, error):
    if error is None and got is None and expected is not None:
        return "your function returned None: did you forget the `return` line?"
    return None


def recursion(case, got, expected, error):
    if isinstance(error, RecursionError):
        return (
            "recursion too deep: Python stops at about a thousand nested calls, and a graph "
            "can be deeper. Walk it with your own stack (a list you append to and pop from)."
        )
    return None


def overflow(case, got, expected, error):
    """numpy's overflow and log(0) warnings, explained; other warnings are left to the
    exercise's own detectors (numpy's message is shown in any case)."""
    if not isinstance(error, (RuntimeWarning, FloatingPointError)):
        return None
    text = str(error)
    if "overflow" in text and "exp" in text:
        return (
            f"numpy warned: {error}. exp() of a large number overflows; rearrange so that exp "
            "only ever sees numbers ≤ 0 (e.g. use exp(−|z|), or subtract the row maximum)."
        )
    if "overflow" in text and ("power" in text or "multiply" in text):
        return (
            f"numpy warned: {error}. A number grew past what its type holds: numpy's "
            "fixed-size integers stop at 2³¹ or 2⁶³, while Python's own int grows as needed."
        )
    if "divide by zero" in text and "log" in text:
        return (
            "log(0): a probability that underflowed to 0 went into log. Work with "
            "log-probabilities directly: log p = shifted − log Σ exp(shifted), which stays finite."
        )
    return None


def transposed(case, got, expected, error):
    g, e = as_array(got), as_array(expected)
    if g is None or e is None or e.ndim != 2 or e.shape[0] == e.shape[1]:
        return None
    if g.shape == e.shape[::-1]:
        return (
            f"transposed weight: your result has shape {g.shape}, the transpose of the "
            f"expected {e.shape}. The course uses rows for examples: z = x @ W + b with "
            "x (batch, n_in) and W (n_in, n_out)."
        )
    return None


def dict_for_tuple(case, got, expected, error):
    if isinstance(got, dict) and isinstance(expected, tuple):
        names = case.get("names")
        wanted = f"({', '.join(names)})" if names else f"a tuple of {len(expected)}"
        return f"you returned a dict; the task asks for the tuple {wanted}, in that order."
    return None


def wrong_order(case, got, expected, error):
    """A tuple holding every right part, in another order."""
    if not isinstance(got, tuple) or not isinstance(expected, tuple) or len(got) != len(expected):
        return None
    if all(close(g, e) for g, e in zip(got, expected, strict=True)):
        return None
    unused = list(range(len(expected)))
    for g in got:
        match = next((i for i in unused if close(g, expected[i])), None)
        if match is None:
            return None
        unused.remove(match)
    names = case.get("names")
    order = f" ({', '.join(names)})" if names else ""
    return f"every part is right but the order is not: return them in the task's order{order}."


GENERAL: list[Detector] = [
    returned_none,
    recursion,
    overflow,
    dict_for_tuple,
    wrong_order,
    transposed,
]


def detectors_of(module: Any) -> dict[str, Detector]:
    """The detectors a module defines: its public functions, by name."""
    return {
        name: fn
        for name, fn in vars(module).items()
        if callable(fn)
        and getattr(fn, "__module__", "") == module.__name__
        and not name.startswith("_")
    }


# --- shared detectors (a case names them under "mistakes") -------------------------------------


def not_averaged(case, got, expected, error):
    """A mean-over-the-batch loss whose gradient misses the 1/batch."""
    grad, want = (part(got, 1), expected[1]) if isinstance(expected, tuple) else (got, expected)
    batch = len(np.asarray(case["args"][0]))
    if batch > 1 and close(grad, batch * np.asarray(want)):
        return (
            f"your gradient is {batch}× too big: the loss is a mean over the batch of {batch}, "
            f"so its gradient carries the same 1/{batch}."
        )
    return None


def _matmul_error(a: tuple[int, ...], b: tuple[int, ...]) -> str | None:
    """numpy's message for ``empty(a) @ empty(b)``, or None when the shapes chain."""
    try:
        np.empty(a) @ np.empty(b)
    except ValueError as err:
        return str(err)
    return None


def transpose_in_matmul(error: Any, operands: list[tuple[str, tuple[int, ...]]]) -> str | None:
    """Name the product behind numpy's matmul shape error, and the transpose it misses.

    ``operands`` lists the 2-D arrays a backward pass multiplies, by name and shape, most
    likely mistakes first. The product ``A @ B`` whose shapes give exactly the learner's
    error message is named, with the fix ``A @ B.T`` or ``A.T @ B`` whose shapes chain.
    """
    if not isinstance(error, ValueError) or "matmul" not in str(error):
        return None
    rule = (
        "going backward, a weight comes back transposed (dx = dout @ W.T) and so does the "
        "input (dW = x.T @ dout)"
    )
    for name_a, a in operands:
        for name_b, b in operands:
            if name_a == name_b or _matmul_error(a, b) != str(error):
                continue
            fixes = [(f"{name_a} @ {name_b}.T", a, b[::-1]), (f"{name_a}.T @ {name_b}", a[::-1], b)]
            for fix, left, right in fixes:
                if _matmul_error(left, right) is None:
                    return (
                        f"the shapes of {name_a} @ {name_b} do not chain: {a} @ {b}. You "
                        f"probably want {fix}: {rule}."
                    )
    return f"a matrix product's shapes do not chain (numpy's message is above): {rule}."


def summed_once_over_time(case, got, expected, error):
    """A BPTT result ``(dxs, dW…, db)`` whose weight gradients keep one step only: assigned
    with ``=`` where the steps' shares must be summed with ``+=``."""
    if not isinstance(got, tuple | list) or len(got) != len(expected) or len(got) < 2:
        return None
    if case.get("kwargs", {}).get("T", 1) < 2:
        return None
    ok = [close(g, e, rtol=1e-4, atol=1e-6) for g, e in zip(got, expected, strict=True)]
    if ok[0] and not any(ok[1:]):
        names = case.get("names") or [f"value [{i}]" for i in range(len(got))]
        return (
            f"{names[0]} is right but {', '.join(names[1:-1])} and {names[-1]} are not: the "
            "weights serve every time step, so their gradients add up over the steps: "
            "accumulate them with +=; = keeps only the last step you visit."
        )
    return None


DETECTORS: dict[str, Detector] = {
    "not_averaged": not_averaged,
    "summed_once_over_time": summed_once_over_time,
}


def detectors_for(case: dict) -> dict[str, Detector]:
    """The detectors a case may name: its exercise's own, then the shared ones."""
    from bpkit.check import exercises

    own = exercises.part(case["exercise"], "hints") if "exercise" in case else None
    return {**DETECTORS, **(detectors_of(own) if own is not None else {})}


def diagnose(case: dict, got: Any, expected: Any, error: BaseException | None = None) -> str | None:
    """Return the first hint a detector gives for this result, or the case's own hint."""
    names = case.get("mistakes", [])
    table = detectors_for(case) if names else {}
    for detector in [*GENERAL, *(table[n] for n in names if n in table)]:
        try:
            hint = detector(case, got, expected, error)
        except Exception:  # a detector that cannot read this result has nothing to say
            hint = None
        if hint:
            return hint
    return case.get("hint")
