"""Your-turn cells inside the lessons: the learner writes the key lines, the lesson checks them.

A your-turn is a function (or a class) the learner completes in a lesson, then hands to
:func:`your_turn`:

    >>> central_difference = your_turn(central_difference)
    ✓ central_difference: 3 of 3 checks pass. The lesson goes on with your function.

``your_turn`` runs the step's cases on the learner's code and on the reference and compares
them. It never raises: it returns the learner's code when every case passes, and otherwise the
reference, so the rest of the lesson runs whether or not the learner has written it yet. A stub
that still raises ``NotImplementedError`` gets "not yet"; a wrong answer gets the smallest
failing case, expected against got, and a hint when a mistake detector recognises it.
:func:`reveal` prints the reference for a learner who is stuck.

Each lesson's steps live in this package, one module per lesson (``l01_derivatives.py``): the
references, written the way the lesson writes them, their cases, and mistake detectors.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
import textwrap
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bpkit.check.compare import allclose, fmt

__all__ = ["Case", "Step", "call", "find", "reveal", "steps", "your_turn"]

Detector = Callable[["Case", Any, Any], "str | None"]


def _label(value: Any) -> str:
    """A short, readable name for one argument of a case."""
    if callable(value):
        name = getattr(value, "__name__", type(value).__name__)
        return "a function" if name == "<lambda>" else name
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}" if value.size > 6 else fmt(value)
    text = repr(value)
    return text if len(text) <= 40 else f"{type(value).__name__} of length {len(value)}"


@dataclass
class Case:
    """One check: ``run(candidate)`` returns what is compared, ``label`` says what was done.

    ``args`` and ``kwargs`` are kept for mistake detectors when the case is a plain call.
    """

    label: str
    run: Callable[[Any], Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


class _ChangedInput(Exception):
    """The learner's function changed one of its arguments in place."""


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
        )
    if isinstance(before, (list, tuple)):
        return (
            type(before) is type(after)
            and len(before) == len(after)
            and all(map(_same, before, after))
        )
    if isinstance(before, dict):
        return before.keys() == after.keys() and all(_same(before[k], after[k]) for k in before)
    return True


def call(*args: Any, **kwargs: Any) -> Case:
    """A case that calls the candidate with these arguments (deep copies of them).

    Changing an argument in place fails the case: a function returns new values.
    """

    def run(candidate: Any) -> Any:
        fresh_args, fresh_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        kept = copy.deepcopy((fresh_args, fresh_kwargs))
        result = candidate(*fresh_args, **fresh_kwargs)
        if not _same(kept, (fresh_args, fresh_kwargs)):
            raise _ChangedInput("it changed one of its arguments in place; return new arrays")
        return result

    shown = [_label(a) for a in args] + [f"{k}={_label(v)}" for k, v in kwargs.items()]
    return Case(label=", ".join(shown), run=run, args=args, kwargs=dict(kwargs))


@dataclass
class Step:
    """A your-turn: its name, the reference, its cases (smallest first), and how to compare.

    ``mistakes`` are detectors ``detector(case, got, expected) -> str | None``; the first that
    names a mistake gives the hint.
    """

    name: str
    reference: Any
    cases: Sequence[Case]
    rtol: float = 1e-7
    atol: float = 1e-10
    mistakes: Sequence[Detector] = ()
    lesson: str = ""

    def expected(self, case: Case) -> Any:
        return case.run(self.reference)


def steps() -> dict[str, Step]:
    """Every lesson's steps, by name (names are unique across the course)."""
    found: dict[str, Step] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for step in getattr(module, "STEPS", []):
            if step.name in found:
                raise ValueError(f"your-turn step {step.name!r} is defined twice")
            step.lesson = step.lesson or info.name
            found[step.name] = step
    return found


def find(name: str) -> Step:
    """The step called ``name``; a clear error when there is none."""
    known = steps()
    if name not in known:
        raise KeyError(
            f"your_turn: no step called {name!r}; the lesson's steps are "
            + ", ".join(sorted(known))
        )
    return known[name]


def _name_of(candidate: Any) -> str:
    return getattr(candidate, "__name__", type(candidate).__name__)


def _still_a_stub(error: BaseException | None) -> bool:
    return isinstance(error, NotImplementedError)


def _run(case: Case, candidate: Any) -> tuple[Any, BaseException | None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            with np.errstate(over="warn", divide="warn", invalid="warn"):
                return case.run(candidate), None
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # SystemExit too: the lesson must keep running
        return None, err


def _hint(step: Step, case: Case, got: Any, expected: Any) -> str | None:
    for detector in step.mistakes:
        try:
            hint = detector(case, got, expected)
        except Exception:  # a detector that cannot read this answer says nothing
            hint = None
        if hint:
            return hint
    return None


def _error_text(error: BaseException) -> str:
    if isinstance(error, _ChangedInput):
        return str(error)
    if isinstance(error, RuntimeWarning):
        return f"numpy warned: {error} (an overflow or a division by zero)"
    return f"it raised {type(error).__name__}: {error}"


def check_step(step: Step, candidate: Any) -> tuple[bool, str]:
    """Run every case of ``step`` on ``candidate``: (all passed, the message to show)."""
    name = step.name
    n = len(step.cases)
    for case in step.cases:
        got, error = _run(case, candidate)
        if _still_a_stub(error):
            return False, (
                f"… not yet: `{name}` still raises NotImplementedError. Write its lines in the "
                "cell above and run both cells again. Until then the lesson goes on with "
                f'bpkit\'s reference (stuck? `reveal("{name}")` shows one).'
            )
        expected = step.expected(case)
        where = f"✗ {name}: on `{case.label}`"
        if error is not None:
            message = f"{where} {_error_text(error)}."
        else:
            fraction, differs = allclose(got, expected, rtol=step.rtol, atol=step.atol)
            if fraction >= 1.0:
                continue
            message = f"{where} expected {fmt(expected, 6)}, got {fmt(got, 6)}"
            message += f" ({differs})." if differs else "."
        hint = _hint(step, case, got, expected)
        if hint:
            message += f"\n  Hint: {hint}"
        message += (
            "\n  The lesson goes on with bpkit's reference for now; fix your function and run "
            "both cells again."
        )
        return False, message
    return True, f"✓ {name}: {n} of {n} checks pass. The lesson goes on with your version."


def your_turn(candidate: Any, name: str | None = None) -> Any:
    """Check the learner's ``candidate`` against its step; return it, or the reference.

    It prints ✓, "not yet" (a stub), or ✗ with the failing case and a hint, and never raises.
    ``name`` defaults to the candidate's ``__name__``.
    """
    step = find(name or _name_of(candidate))
    passed, message = check_step(step, candidate)
    print(message)
    return candidate if passed else step.reference


def reveal(name: str) -> None:
    """Show a worked solution of the step called ``name`` (the reference's source)."""
    step = find(name)
    source = textwrap.dedent(inspect.getsource(step.reference))
    text = f"One way to write `{name}` (from `bpkit/check/steps/{step.lesson}.py`):"
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None  # type: ignore[assignment]
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(f"{text}\n\n```python\n{source}```"))
    else:
        print(f"{text}\n\n{source}")
