"""Lazy re-export of names from a package's part-modules (keeps ``import bpkit`` fast)."""

from __future__ import annotations

import importlib
import types
from typing import Any


def lazy_exports(package: str, parts: list[str]) -> tuple[Any, Any]:
    """Return ``(__getattr__, __dir__)`` that find public names in ``package.<part>``."""

    def __getattr__(name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        for part in parts:
            try:
                module = importlib.import_module(f"{package}.{part}")
            except ModuleNotFoundError as err:
                if err.name == f"{package}.{part}":
                    continue  # that part has not been written yet
                raise
            if hasattr(module, name):
                return getattr(module, name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        names: set[str] = set(getattr(importlib.import_module(package), "__all__", ()))
        for part in parts:
            try:
                module = importlib.import_module(f"{package}.{part}")
            except ModuleNotFoundError:
                continue
            names.update(getattr(module, "__all__", None) or _own_names(module))
        return sorted(names)

    return __getattr__, __dir__


def _own_names(module: Any) -> list[str]:
    """Public names a module defines itself: its functions and classes, and UPPER constants
    (not what it imported, such as ``np`` or ``Any``)."""
    names = []
    for name, value in vars(module).items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        if getattr(value, "__module__", None) == module.__name__ or name.isupper():
            names.append(name)
    return names
