"""bpkit: the library behind the backpropagation course.

Submodules load on first use (``bpkit.nn``, ``bpkit.plot``, ...), so ``import bpkit``
stays fast and never pulls in matplotlib or ipywidgets until a plot or widget is drawn.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "calculus",
    "charmodel",
    "check",
    "claims",
    "cli",
    "data",
    "gated",
    "gradcheck",
    "grading",
    "ngram",
    "nn",
    "plot",
    "rnn",
    "scalar",
    "widgets",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"bpkit.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'bpkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({"__version__", *_SUBMODULES})
