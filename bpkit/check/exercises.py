"""Find the exercises and load their parts: one folder per exercise, nothing of theirs here.

An exercise is a folder ``NN_topic/`` of the package ``bpkit_exercises`` (the repository's
``exercises/`` folder, shipped as package data). Its ``cases.py`` holds the public cases and
the drivers and oracles they name; its ``hints.py`` holds its mistake detectors. This module
loads them by file path (a folder name such as ``04_feedforward`` is no Python identifier)
and registers their drivers in ``bpkit.check.drivers.DRIVERS``.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

NAME = re.compile(r"^\d\d_\w+$")


def root() -> Path | None:
    """The folder that holds the exercise folders (``None`` if bpkit_exercises is missing)."""
    spec = importlib.util.find_spec("bpkit_exercises")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def names(folder: Path | None = None) -> list[str]:
    """The exercises in ``folder`` (default: the installed ones), e.g. ``["01_derivatives"]``."""
    folder = root() if folder is None else Path(folder)
    if folder is None or not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if NAME.match(p.name) and p.is_dir())


def load_file(path: Path, name: str | None = None) -> ModuleType:
    """Import one Python file of an exercise folder as a module, and keep it in sys.modules."""
    path = Path(path)
    name = name or f"bpkit_exercises.{path.parent.name}.{path.stem}"
    if name in sys.modules and getattr(sys.modules[name], "__file__", None) == str(path):
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def sibling(file: str, part: str) -> ModuleType:
    """Another part of the same exercise folder, e.g. ``sibling(__file__, "cases")``."""
    return load_file(Path(file).with_name(f"{part}.py"))


def part(exercise: str, part: str, folder: Path | None = None) -> ModuleType | None:
    """Module ``part`` (``"cases"``, ``"hints"``, ``"hidden"``) of an exercise, or ``None``."""
    folder = root() if folder is None else Path(folder)
    path = None if folder is None else folder / exercise / f"{part}.py"
    return load_file(path) if path is not None and path.is_file() else None


def _add(table: dict, new: dict, kind: str, exercise: str) -> None:
    for key, value in new.items():
        if key in table and table[key] is not value:
            raise ValueError(
                f"exercise {exercise}: {kind} {key!r} is already defined by another exercise "
                "or by bpkit.check; give it a name of its own"
            )
        table[key] = value


@functools.cache
def register() -> tuple[str, ...]:
    """Load every installed exercise's cases and hints once; add its drivers to ``DRIVERS``.

    Drivers are found by name alone (the grader's sandbox looks them up), so their names are
    unique across exercises. Oracles and hint detectors belong to their exercise (a case
    carries ``"exercise"``), so two exercises may use the same name for their own.
    """
    from bpkit.check import drivers

    loaded = []
    for exercise in names():
        cases = part(exercise, "cases")
        if cases is None:
            continue
        _add(drivers.DRIVERS, getattr(cases, "DRIVERS", {}), "driver", exercise)
        part(exercise, "hints")  # imported now, before any learner's code runs
        loaded.append(exercise)
    return tuple(loaded)


def public_cases(exercise: str, seed: int | None = None) -> list[dict[str, Any]]:
    """The public cases of one installed exercise, for its default numbers or a variant seed."""
    register()
    cases = part(exercise, "cases")
    if cases is None:
        raise KeyError(f"no exercise named {exercise!r} (installed: {', '.join(names())})")
    return cases.public_cases() if seed is None else cases.public_cases(seed=seed)
