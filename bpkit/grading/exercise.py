"""Load an exercise the grader trusts: reference solution, grading cases, expected values.

Everything here runs in the grader's own process on instructor files only. An exercise is a
folder ``SOURCE/NN_topic/`` holding ``source.ipynb`` (the instructor notebook), ``cases.py``
(public cases, drivers) and ``hidden.py`` (``POINTS`` and the hidden cases); see
``exercises/README.md``. A flat folder ``SOURCE/NN_topic.ipynb`` + ``SOURCE/cases/NN_topic.py``
(``POINTS`` and ``grading_cases``; public cases from ``bpkit.check``) is read too. The reference
is built as ``exercises/README.md`` says: the first code cell, then every cell containing
``### BEGIN SOLUTION``, executed in order in a fresh namespace. Each case's expected value
is the case's driver run on that namespace, normalised through the same codec as the
submission's results, so both sides are compared as the same kind of plain data.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpkit.grading import codec, lookup
from bpkit.grading._harness import transform_magics
from bpkit.notebook import code_cells, read

SOLUTION_MARK = "### BEGIN SOLUTION"
GRADER_VERSION = "1"  # bump when a change to the grader should regrade everything


class ExerciseError(Exception):
    """An instructor-side problem: a missing source, a broken case, a reference that fails."""


@dataclass
class Exercise:
    """One exercise, ready to grade: cases carry encoded inputs and decoded expected values."""

    name: str
    points: dict[str, float]
    cases: list[dict] = field(default_factory=list)
    fingerprint: str = ""
    files: list[Path] = field(default_factory=list)


def available(source_dir: Path) -> dict[str, Path]:
    """Map exercise name (``NN_topic``) to its instructor notebook."""
    folders = {p.parent.name: p for p in sorted(Path(source_dir).glob("*/source.ipynb"))}
    flat = {p.stem: p for p in sorted(Path(source_dir).glob("*.ipynb"))}
    return {**flat, **folders}


def variant_seed(notebook: dict | None, exercise: str | None = None) -> int | None:
    """The variant seed of a released notebook, or None when it is no learner's variant.

    ``metadata.bpkit.variant`` names the student; the seed is derived again from the
    exercise and that student (``bpkit.check.exercises.variant_seed``), so an edited seed
    cannot pick another learner's cases. Without ``exercise``, the one the metadata names.
    """
    from bpkit.check import exercises

    meta = notebook.get("metadata", {}) if isinstance(notebook, dict) else {}
    tag = meta.get("bpkit", {}) if isinstance(meta, dict) else {}
    variant = tag.get("variant") if isinstance(tag, dict) else None
    student = variant.get("student") if isinstance(variant, dict) else None
    exercise = exercise or (tag.get("exercise") if isinstance(tag, dict) else None)
    if not isinstance(student, str) or not isinstance(exercise, str):
        return None
    return exercises.variant_seed(exercise, student)


def _import_cases(path: Path) -> Any:
    if path.name in ("cases.py", "hidden.py"):  # an exercise folder: its parts import each other
        from bpkit.check import exercises

        return exercises.load_file(path)
    spec = importlib.util.spec_from_file_location(f"bpkit_cases_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ExerciseError(f"cannot import grading cases from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_namespace(source: Path) -> dict:
    """Run the first code cell and every solution cell of the instructor notebook."""
    cells = code_cells(read(source))
    chosen = cells[:1] + [c for c in cells[1:] if SOLUTION_MARK in c]
    namespace: dict = {"__name__": "bpkit_reference"}
    for index, cell in enumerate(chosen, start=1):
        try:
            exec(
                compile(transform_magics(cell), f"<{source.name} solution {index}>", "exec"),
                namespace,
            )
        except Exception as error:
            raise ExerciseError(f"{source.name}: solution cell {index} raised {error!r}") from error
    return namespace


def _normalise_case(case: dict, public: bool, points: dict) -> dict:
    if case.get("function") not in points:
        raise ExerciseError(f"case for {case.get('function')!r}, which has no entry in POINTS")
    args, kwargs = case.get("args", []), case.get("kwargs", {})
    encoded = codec.encode(list(args)), codec.encode(dict(kwargs))
    bad = codec.unsupported(list(encoded))
    if bad:
        raise ExerciseError(f"case for {case['function']}: arguments must be plain data, got {bad}")
    return {
        "function": case["function"],
        "driver": case.get("driver", "call"),
        "args": encoded[0],
        "kwargs": encoded[1],
        "compare": case.get("compare", "allclose"),
        "options": dict(case.get("options", {})),
        "public": bool(case.get("public", public)),
        "hint": str(case.get("hint", "")),
        "names": [str(n) for n in case.get("names", [])],  # feedback names values as check() does
        "mistakes": [str(m) for m in case.get("mistakes", [])],  # hint detectors, as in check()
    }


def _parts(
    name: str, source_dir: Path, hidden: Path | None = None
) -> tuple[Path, Path, Path | None]:
    """The instructor notebook, the hidden-cases file and the public-cases file of ``name``.

    With ``hidden`` (``bpkit grade --hidden DIR``), the hidden cases are ``DIR/NN_topic/hidden.py``,
    kept outside the exercises folder.
    """
    folder = Path(source_dir) / name
    if (folder / "source.ipynb").is_file():
        private = (Path(hidden) if hidden is not None else Path(source_dir)) / name / "hidden.py"
        return folder / "source.ipynb", private, folder / "cases.py"
    return Path(source_dir) / f"{name}.ipynb", Path(source_dir) / "cases" / f"{name}.py", None


def load(
    name: str, source_dir: Path, seed: int | None = None, hidden: Path | None = None
) -> Exercise:
    """Load exercise ``name``: points, public + hidden cases, and expected values.

    With ``seed``, the cases of that learner's variant (``metadata.bpkit.variant.seed``);
    with ``hidden``, the hidden cases of ``hidden/NN_topic/hidden.py``.
    """
    source, cases_file, public_file = _parts(name, source_dir, hidden)
    for path in (source, cases_file, public_file):
        if path is not None and not path.is_file():
            if path == cases_file and hidden is None:
                raise ExerciseError(
                    f"exercise {name}: no hidden cases (kept elsewhere? pass --hidden DIR): "
                    f"{path} is missing"
                )
            raise ExerciseError(f"exercise {name}: {path} is missing")
    module = _import_cases(cases_file)
    points = {str(k): float(v) for k, v in module.POINTS.items()}
    if public_file is None:
        public = lookup.public_cases(name)
    else:
        from bpkit.check import drivers

        cases_module = _import_cases(public_file)
        drivers.DRIVERS.update(getattr(cases_module, "DRIVERS", {}))  # the grader's own copy
        public = _seeded(cases_module.public_cases, seed)
    public = [c for c in public if c.get("function") in points]
    cases = [_normalise_case(c, True, points) for c in public]
    cases += [_normalise_case(c, False, points) for c in _seeded(module.grading_cases, seed)]
    for case in cases:
        case["exercise"] = name  # the feedback's hints come from the exercise's own hints.py
    namespace = reference_namespace(source)
    for index, case in enumerate(cases):
        try:
            driver = lookup.driver(case["driver"])
            args, kwargs = codec.decode(case["args"]), codec.decode(case["kwargs"])
            encoded = codec.encode(driver(namespace, case["function"], *args, **kwargs))
            if codec.unsupported(encoded):
                raise TypeError(f"the driver returned {codec.unsupported(encoded)}")
            case["expected"] = codec.decode(encoded)
        except Exception as error:
            raise ExerciseError(
                f"exercise {name}: case {index + 1} ({case['function']}) fails on the reference "
                f"solution: {type(error).__name__}: {error}"
            ) from error
    files = [p for p in (source, cases_file, public_file) if p is not None]
    digest = hashlib.sha256(f"{GRADER_VERSION} {seed}".encode())
    for path in files:
        digest.update(path.read_bytes())
    return Exercise(name, points, cases, digest.hexdigest()[:16], files)


def _seeded(make: Any, seed: int | None) -> list[dict]:
    """``make()``, or ``make(seed=seed)`` for a variant."""
    return list(make() if seed is None else make(seed=seed))
