"""Inline feedback for the exercises: ``check(fn)`` runs the public cases and says how it went.

    >>> check(central_difference)
    ✓ central_difference: all 4 checks passed

On a failure it shows the smallest failing input, what was expected against what your
function returned, and, when it recognizes a common mistake, names it. It never raises, so
"Run All" always reaches the end of the notebook. The public cases live in ``cases_NN.py``
beside this file; the grader runs them too, plus hidden ones (see ``exercises/README.md``).
"""

from __future__ import annotations

import importlib
from typing import Any

from bpkit.check._run import check

NOTEBOOKS = {
    "01_derivatives": "cases_01",
    "02_chain_rule": "cases_02",
    "03_gradient_descent": "cases_03",
    "04_feedforward": "cases_04",
    "05_backpropagation": "cases_05",
    "06_autodiff": "cases_06",
    "07_training": "cases_07",
    "08_bptt": "cases_08",
}

__all__ = ["NOTEBOOKS", "cases_for", "check", "public_cases"]


def public_cases(notebook: str) -> list[dict[str, Any]]:
    """Return the public cases of one exercise notebook, e.g. ``public_cases("01_derivatives")``."""
    module = importlib.import_module(f"bpkit.check.{NOTEBOOKS[notebook]}")
    return module.public_cases()


def cases_for(function: str) -> list[dict[str, Any]]:
    """Return the public cases of one graded function, smallest input first."""
    for notebook in NOTEBOOKS:
        found = [case for case in public_cases(notebook) if case["function"] == function]
        if found:
            return found
    return []
