"""Inline feedback for the exercises: ``check(fn)`` runs the public cases and says how it went.

    >>> check(central_difference)
    ✓ central_difference: all 6 checks passed

On a failure it shows the smallest failing input, what was expected against what your
function returned, and, when it recognizes a common mistake, names it. It never raises, so
"Run All" always reaches the end of the notebook. Each exercise's public cases and hints live
in its own folder (``exercises/NN_topic/cases.py`` and ``hints.py``, installed as the package
``bpkit_exercises``); the grader runs them too, plus hidden ones (see ``exercises/README.md``).
"""

from __future__ import annotations

from typing import Any

from bpkit.check import exercises
from bpkit.check._run import check
from bpkit.check.steps import reveal, your_turn

__all__ = ["NOTEBOOKS", "cases_for", "check", "public_cases", "reveal", "use_variant", "your_turn"]

_VARIANTS: dict[str, int] = {}


def use_variant(exercise: str, seed: int) -> None:
    """Make ``check`` use your own variant of an exercise (the first cell of your notebook
    calls this when your instructor released one notebook per learner)."""
    if exercise not in NOTEBOOKS:
        raise ValueError(f"use_variant: no exercise named {exercise!r}")
    if type(seed) is not int:
        raise TypeError(f"use_variant: seed must be an int, got {type(seed).__name__}")
    _VARIANTS[exercise] = seed


def public_cases(notebook: str, seed: int | None = None) -> list[dict[str, Any]]:
    """Return the public cases of one exercise, e.g. ``public_cases("01_derivatives")``.

    Each case also names its exercise under ``"exercise"``. With ``seed``, the cases of that
    variant of the exercise (see ``bpkit release --variants``).
    """
    return [{**case, "exercise": notebook} for case in exercises.public_cases(notebook, seed)]


def cases_for(function: str) -> list[dict[str, Any]]:
    """Return the public cases of one graded function, smallest input first.

    They are the cases of your variant when your notebook called :func:`use_variant`.
    """
    for notebook in NOTEBOOKS:
        cases = public_cases(notebook, _VARIANTS.get(notebook))
        found = [case for case in cases if case["function"] == function]
        if found:
            return found
    return []


exercises.register()
NOTEBOOKS: dict[str, str] = {name: name for name in exercises.register()}
"""The installed exercises, by name (``"04_feedforward"``), in order."""
