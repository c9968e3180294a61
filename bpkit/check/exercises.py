"""Find the exercises and load their parts: one folder per exercise, nothing of theirs here.

An exercise is a folder ``NN_topic/`` of the package ``bpkit_exercises`` (the repository's
``exercises/`` folder, shipped as package data). Its ``cases.py`` holds the public cases and
the drivers and oracles they name; its ``hints.py`` holds its mistake detectors. This module
loads them by file path (a folder name such as ``04_feedforward`` is no Python identifier)
and registers their drivers in ``bpkit.check.drivers.DRIVERS``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

NAME = re.compile(r"^\d\d_\w+$")


def root() -> Path | None:
    """The folder that holds the exercise folders, or ``None`` when there is none.

    The installed package ``bpkit_exercises``; else, for a source tree on ``sys.path`` that
    was never installed (e.g. the autograder's ``package/``), the ``exercises/`` folder beside
    the ``bpkit`` package.
    """
    spec = importlib.util.find_spec("bpkit_exercises")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    beside = Path(__file__).resolve().parents[2] / "exercises"
    return beside if (beside / "__init__.py").is_file() else None


def names(folder: Path | None = None) -> list[str]:
    """The exercises in ``folder`` (default: the installed ones), e.g. ``["01_derivatives"]``."""
    folder = root() if folder is None else Path(folder)
    if folder is None or not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if NAME.match(p.name) and p.is_dir())


def load_file(path: Path, name: str | None = None) -> ModuleType:
    """Import one Python file of an exercise folder as a module, and keep it in sys.modules."""
    path = Path(path).resolve()
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
        # One exercise's file loaded from a second copy (installed, and the instructor's
        # folder, as the autograder does) defines the same names: that is no clash.
        old = table.get(key)
        same = getattr(old, "__module__", None) == getattr(value, "__module__", "")
        if old is not None and old is not value and not same:
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


def variant_seed(exercise: str, student: str) -> int:
    """The seed of one learner's variant: the first 4 bytes of sha256("exercise:student").

    Stable across machines and versions, so the grader regenerates the same variant from
    the notebook's ``metadata.bpkit.variant`` (e.g. ``variant_seed("08_bptt", "s001")``).
    """
    digest = hashlib.sha256(f"{exercise}:{student}".encode()).digest()
    return int.from_bytes(digest[:4], "big")
