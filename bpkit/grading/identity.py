"""Tell which exercise a submission is, how we know, and which exercise it was handed in for.

Three kinds of evidence, read without running the notebook:
- **metadata**: ``metadata.bpkit`` written by ``bpkit release`` (exercise, release, cases_hash);
- **file name**: an exercise name (``04_feedforward``) or number (``ex04``, ``hw4``) in the
  notebook's path below the submitted folder, its folders included;
- **content**: the graded functions the notebook defines (``def sigmoid(...)``), matched
  against every exercise's graded-function names.

The exercise a notebook *is* comes from its metadata, else its file name, else its content;
but the content overrules the other two when it defines none of their exercise's graded
functions and some of another's (a 05 notebook renamed, or 05's work pasted into 04's file).
The exercise it was *submitted as* comes from ``--exercise``, else the path. When the two
differ, the notebook is graded as what it is and reported as a wrong exercise.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from bpkit.grading._harness import transform_magics
from bpkit.notebook import code_cells

SOLUTION_MARK = "### BEGIN SOLUTION"
# "ex4", "hw04", "exercise_4", "lab-4", "assignment 4": a number after a word for homework
NUMBERED = re.compile(
    r"(?i)(?<![a-z])(?:ex|exercise|hw|homework|lab|assignment)[ _-]?(\d{1,2})(?!\d)"
)
TWO_DIGITS = re.compile(r"(?<!\d)(\d{2})(?!\d)")


@dataclass
class Catalogue:
    """What the grader knows of every exercise: its graded functions and its source."""

    functions: dict[str, list[str]]  # exercise → its graded functions, in notebook order
    sources: dict[str, Path] = field(default_factory=dict)  # exercise → instructor notebook
    _stamps: dict[tuple, dict | None] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.functions)

    def stamp(self, name: str, variant: dict | None) -> dict | None:
        """The release stamp of ``name`` (for that variant) as released today, or None."""
        key = (name, json.dumps(variant, sort_keys=True))
        if key not in self._stamps and name in self.sources:
            self._stamps[key] = current_stamp(name, self.sources[name], variant)
        return self._stamps.get(key)


@dataclass
class Identity:
    """Which exercise a notebook is, how we know, and what it was handed in as."""

    exercise: str | None
    how: str  # "metadata", "file name", "content", "--exercise" or "" (unknown)
    submitted_as: str | None = None
    submitted_how: str = ""
    looks_like: str | None = None  # the exercise its content matches best
    flags: list[str] = field(default_factory=list)  # shown first in the status

    @property
    def wrong_exercise(self) -> bool:
        return bool(self.exercise and self.submitted_as and self.exercise != self.submitted_as)


def _top_level_functions(cell: str) -> list[ast.FunctionDef]:
    try:
        tree = ast.parse(transform_magics(cell))
    except (SyntaxError, ValueError):
        # A cell that does not parse still says what it means to define.
        return [ast.FunctionDef(name=m, body=[]) for m in re.findall(r"^def (\w+)", cell, re.M)]
    return [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _is_stub(function: ast.FunctionDef) -> bool:
    """True when the body, docstring aside, only raises NotImplementedError."""
    body = list(function.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


def defined_functions(notebook: dict | None) -> dict[str, bool]:
    """Map each top-level function the notebook defines to whether it is still a stub."""
    found: dict[str, bool] = {}
    for cell in code_cells(notebook):
        for function in _top_level_functions(cell):
            found[function.name] = bool(function.body) and _is_stub(function)
    return found


def graded_functions(source: Path) -> list[str]:
    """The graded functions of an instructor notebook: the first def of each solution cell."""
    notebook = json.loads(Path(source).read_text(encoding="utf-8"))
    names = []
    for cell in code_cells(notebook):
        if SOLUTION_MARK in cell:
            functions = _top_level_functions(cell)
            if functions:
                names.append(functions[0].name)
    return names


def catalogue(sources: dict[str, Path]) -> Catalogue:
    """Build the catalogue of every exercise from its instructor notebook."""
    functions = {name: graded_functions(path) for name, path in sources.items()}
    return Catalogue(functions, dict(sources))


def content_match(notebook: dict | None, known: Catalogue) -> tuple[str | None, int]:
    """The exercise whose graded functions the notebook defines most of, and how many."""
    defined = defined_functions(notebook)
    counts = {name: sum(f in defined for f in fs) for name, fs in known.functions.items()}
    best = max(counts.values(), default=0)
    winners = [name for name, n in counts.items() if n == best]
    return (winners[0], best) if best and len(winners) == 1 else (None, best)


def from_path(parts: tuple[str, ...], names: list[str]) -> str | None:
    """The exercise a path names, looking at the file name first, then its folders upwards."""
    for part in reversed(parts):
        stem = part[:-6] if part.endswith(".ipynb") else part
        for name in sorted(names, key=len, reverse=True):
            if name.lower() in stem.lower():
                return name
        numbers = {int(n) for n in TWO_DIGITS.findall(stem)}
        numbers |= {int(n) for n in NUMBERED.findall(stem)}
        matches = [name for name in names if name[:2].isdigit() and int(name[:2]) in numbers]
        if len(matches) == 1:
            return matches[0]
    return None


def bpkit_tag(notebook: dict | None) -> dict:
    """The notebook's ``metadata.bpkit`` (written by ``bpkit release``), or {}."""
    meta = notebook.get("metadata", {}) if isinstance(notebook, dict) else {}
    tag = meta.get("bpkit") if isinstance(meta, dict) else None
    return tag if isinstance(tag, dict) else {}


def identify(
    parts: tuple[str, ...], notebook: dict | None, known: Catalogue, forced: str | None = None
) -> Identity:
    """Identify a notebook from its metadata, its path ``parts`` and its content.

    ``forced`` (``--exercise``) is what every submission was handed in as.
    """
    names = known.names
    tag = bpkit_tag(notebook)
    by_meta = tag.get("exercise") if tag.get("exercise") in names else None
    by_name = from_path(parts, names)
    looks_like, n_defined = content_match(notebook, known)
    defined = defined_functions(notebook)

    def content_agrees(name: str) -> bool:
        return n_defined == 0 or any(f in defined for f in known.functions[name])

    identity = Identity(None, "", looks_like=looks_like)
    for name, how in ((by_meta, "metadata"), (by_name, "file name")):
        if name and content_agrees(name):
            identity.exercise, identity.how = name, how
            break
    else:
        if looks_like:
            identity.exercise, identity.how = looks_like, "content"
        elif by_meta or by_name:
            identity.exercise, identity.how = (
                by_meta or by_name,
                "metadata" if by_meta else "file name",
            )
    if forced:
        identity.submitted_as, identity.submitted_how = forced, "--exercise"
        if not by_meta and not looks_like:
            identity.exercise, identity.how = forced, "--exercise"
    elif by_name:
        identity.submitted_as, identity.submitted_how = by_name, "file name"
    if identity.wrong_exercise:
        identity.flags.append(
            _wrong(identity, [f for f in known.functions[identity.exercise] if f in defined])
        )
    if by_meta and by_meta == identity.exercise:
        variant = tag.get("variant")
        intact = variant is None or variant_intact(variant, by_meta)
        stamp = known.stamp(by_meta, variant if intact and isinstance(variant, dict) else None)
        # An edited variant changes its cases' hash: the variant's own flag says so.
        identity.flags += _release_flags(tag, stamp, cases=intact)
    return identity


def _wrong(identity: Identity, defines: list[str]) -> str:
    """Say what a notebook handed in as one exercise is instead, and how we know."""
    evidence = {
        "metadata": f"its metadata says {identity.exercise}",
        "file name": f"its file name says {identity.exercise}",
        "content": f"it looks like {identity.exercise} (it defines {', '.join(defines)})",
    }[identity.how]
    how = identity.submitted_how
    by = how if how == "--exercise" else f"its {how}"
    return (
        f"wrong exercise: handed in as {identity.submitted_as} (by {by}), "
        f"but {evidence}; graded as {identity.exercise}"
    )


def _release_flags(tag: dict, current: dict | None, cases: bool = True) -> list[str]:
    if not current:
        return []
    keys = ("release", "cases_hash") if cases else ("release",)
    changed = [k for k in keys if tag.get(k) != current.get(k)]
    if not changed:
        return []
    what = "its public cases changed since" if changed == ["cases_hash"] else "released as"
    detail = (
        f"{what} {tag.get('release') or 'an unknown release'}, current {current.get('release')}"
        if "release" in changed
        else what
    )
    return [f"older release: {detail}; graded against the current cases"]


def variant_fields(variant: object) -> tuple[str, int] | None:
    """(student, seed) of ``metadata.bpkit.variant``, or None when it is not of that form."""
    student = variant.get("student") if isinstance(variant, dict) else None
    seed = variant.get("seed") if isinstance(variant, dict) else None
    if not isinstance(student, str) or not student.strip() or type(seed) is not int:
        return None
    return student, seed


def variant_intact(variant: object, exercise: str) -> bool:
    """True when the variant's seed is the one released for its student and ``exercise``."""
    from bpkit.check.exercises import variant_seed

    fields = variant_fields(variant)
    return fields is not None and fields[1] == variant_seed(exercise, fields[0])


def current_stamp(name: str, source: Path, variant: dict | None = None) -> dict | None:
    """The ``release`` and ``cases_hash`` that ``bpkit release`` writes today for ``name``.

    ``release`` is the bpkit version + 12 hex digits of the instructor notebook's sha256;
    ``cases_hash`` hashes the public cases' canonical JSON (for that variant). Exercise
    folders ask ``bpkit.release.identity``; a flat source (the grader's own test fixtures)
    is stamped here the same way, from ``bpkit.check``'s public cases.
    """
    import bpkit
    from bpkit import release

    if Path(source).name == "source.ipynb" and hasattr(release, "identity"):
        try:
            stamp = release.identity(Path(source), variant)
        except Exception:
            return None  # no stamp to compare with: no notebook is called older
        return {"release": stamp.get("release"), "cases_hash": stamp.get("cases_hash")}
    from bpkit.grading import codec, lookup

    try:
        cases = json.dumps(codec.encode(lookup.public_cases(name)), sort_keys=True)
    except (TypeError, ValueError):
        return None
    short = hashlib.sha256(Path(source).read_bytes()).hexdigest()[:12]
    return {
        "release": f"{bpkit.__version__}+{short}",
        "cases_hash": "sha256:" + hashlib.sha256(cases.encode()).hexdigest(),
    }
