"""``bpkit release``: write the student notebooks from the instructor sources.

Each exercise is a folder ``SOURCE/NN_topic/`` (default ``exercises/``). From its instructor
notebook ``source.ipynb`` this writes the student notebook ``NN_topic.ipynb`` beside it (or in
``OUT/`` with ``--out``), in which every solution block (``### BEGIN SOLUTION`` …
``### END SOLUTION``) becomes ``raise NotImplementedError("Exercise N.k: implement
function_name")``, outputs and execution counts are cleared, the ``# NBVAL_CHECK_OUTPUT``
markers are dropped, and the notebook's metadata says which exercise and release it is
(``metadata["bpkit"]``, see :func:`identity`). The JSON is written deterministically (sorted
keys, stable cell ids), so releasing twice gives the same bytes and a test can prove the
committed student notebooks are current.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

from bpkit.notebook import cell_text, read

SOURCE_NAME = "source.ipynb"

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
NBVAL_MARK = "# NBVAL_CHECK_OUTPUT"
DEF = re.compile(r"^def (\w+)\(", re.MULTILINE)
VARIANT_LINE = re.compile(r"^(\s*)(\w+) = .*?(\s*# variant)\s*$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        type=Path,
        default=Path("exercises"),
        help="the folder of exercise folders NN_topic/ (default: exercises)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="write here (default: beside each source.ipynb)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any student notebook differs from a fresh release",
    )
    parser.add_argument(
        "--variants",
        type=Path,
        default=None,
        metavar="ROSTER",
        help="a roster CSV (an id column: student, id, … or the first, as for bpkit grade "
        "--roster): write OUT/<student>/NN_topic.ipynb, one variant per learner "
        "(default OUT: variants)",
    )
    parser.add_argument("--exercise", default=None, help="release only this exercise (NN_topic)")
    parser.add_argument(
        "--student-kit",
        type=Path,
        default=None,
        metavar="DIR",
        help="write into DIR (new or empty) what learners get for graded work: bpkit, the "
        "lessons, the student notebooks, public cases and hints, a README; no solution, no "
        "hidden case",
    )
    add_hidden_argument(parser, "hidden.py beside each source.ipynb; used by --format nbgrader")
    parser.add_argument(
        "--format",
        choices=("bpkit", "nbgrader"),
        default="bpkit",
        help="bpkit: the student notebooks (default); nbgrader: an nbgrader course folder in "
        "OUT (OUT/source/NN_topic/NN_topic.ipynb with nbgrader's cells, nbgrader_config.py)",
    )


def sources(folder: Path) -> list[Path]:
    """The instructor notebooks ``folder/NN_topic/source.ipynb``, in order."""
    return sorted(Path(folder).glob(f"[0-9][0-9]_*/{SOURCE_NAME}"))


def student_path(source: Path) -> Path:
    """Where the student notebook of ``source`` lives: ``NN_topic/NN_topic.ipynb``."""
    return source.with_name(f"{source.parent.name}.ipynb")


def read_roster(path: Path) -> list[str]:
    """The student ids of a roster CSV, in order, as ``bpkit grade --roster`` reads them.

    Two ids that would share one folder (``john smith`` and ``john_smith``, or ``Ann`` and
    ``ann`` on a case-insensitive file system) are an error: one would overwrite the other.
    """
    from bpkit.roster import read_roster as read_any

    ids = read_any(Path(path), "--variants").ids
    folders: dict[str, list[str]] = {}
    for student in ids:
        folders.setdefault(_safe(student).casefold(), []).append(student)
    clashes = [names for names in folders.values() if len(names) > 1]
    if clashes:
        listed = "; ".join(
            " and ".join(repr(n) for n in names) + " would share one folder" for names in clashes
        )
        raise SystemExit(
            f"bpkit release: --variants {path}: {listed}; "
            "make the ids differ in more than case, spaces or punctuation"
        )
    return ids


def _safe(student: str) -> str:
    """A folder name for a student id (letters, digits, ``.``, ``-``, ``_``, ``@``)."""
    return re.sub(r"[^\w.@-]", "_", student).strip(".") or "_"


def _release_variants(found: list[Path], args: argparse.Namespace) -> int:
    from bpkit.check import exercises

    out = Path(args.out) if args.out is not None else Path("variants")
    students = read_roster(args.variants)
    for source in found:  # before writing any: an exercise without variants stops the release
        cases = exercises.load_file(source.with_name("cases.py"))
        if "seed" not in inspect.signature(cases.public_cases).parameters:
            raise SystemExit(
                f"bpkit release: {source.parent.name} has no variants: its cases.py's "
                "public_cases takes no seed"
            )
    for source in found:
        name = source.parent.name
        for student in students:
            variant = {"student": student, "seed": exercises.variant_seed(name, student)}
            target = out / _safe(student) / f"{name}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(release_text(source, variant), encoding="utf-8")
        print(f"{name}: {len(students)} variants written to {out}/<student>/{name}.ipynb")
    return 0


def run(args: argparse.Namespace) -> int:
    found = sources(args.source)
    if getattr(args, "exercise", None):
        found = [p for p in found if p.parent.name == args.exercise]
    if not found:
        print(f"bpkit release: no NN_topic/{SOURCE_NAME} in {args.source}", file=sys.stderr)
        return 1
    if getattr(args, "student_kit", None) is not None:
        from bpkit import release_kit

        return release_kit.run(args)
    if getattr(args, "format", "bpkit") == "nbgrader":
        if args.out is None or args.variants is not None or args.check:
            print(
                "bpkit release --format nbgrader: give --out DIR (and no --variants, --check)",
                file=sys.stderr,
            )
            return 2
        from bpkit import nbgrader

        nbgrader.write_course(found, args.out, getattr(args, "hidden", None))
        return 0
    if getattr(args, "variants", None) is not None:
        return _release_variants(found, args)
    stale = []
    for source in found:
        target = student_path(source)
        if args.out is not None:
            target = Path(args.out) / target.name
        text = release_text(source)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            print(f"{target}: up to date")
            continue
        if args.check:
            stale.append(target)
            print(f"{target}: differs from a fresh release of {source}")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"{target}: written")
    return 1 if stale else 0


def function_name(cell_source: str) -> str:
    """The name of the first top-level function a graded cell defines."""
    match = DEF.search(cell_source)
    if not match:
        raise ValueError(f"a cell with {BEGIN!r} defines no top-level function:\n{cell_source}")
    return match[1]


def strip_solution(cell_source: str, exercise: str, name: str) -> str:
    """Replace each solution block with a raise that names the exercise."""
    out, inside = [], False
    for line in cell_source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            stub = f'raise NotImplementedError("Exercise {exercise}: implement {name}")'
            out.append(indent + stub)
            inside = True
        elif stripped == END:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"exercise {exercise} ({name}): {BEGIN!r} without {END!r}")
    return "\n".join(out)


def graded_functions(nb: dict) -> list[str]:
    """Names of the graded functions of a notebook, in order."""
    return [
        function_name(cell_text(c))
        for c in nb["cells"]
        if c["cell_type"] == "code" and BEGIN in cell_text(c)
    ]


def personalise(text: str, values: dict[str, Any]) -> str:
    """Give one code cell a learner's numbers.

    A line ``NAME = ...  # variant`` becomes ``NAME = <values[NAME]>  # variant``, where
    ``values`` comes from the exercise's ``cases.variant_values(seed)``.
    """
    lines = []
    for line in text.split("\n"):
        match = VARIANT_LINE.match(line)
        if match and match[2] in values:
            line = f"{match[1]}{match[2]} = {values[match[2]]!r}{match[3]}"
        lines.append(line)
    return "\n".join(lines)


def _first_cell(text: str, exercise: str, seed: int) -> str:
    """The first code cell of a variant: it also calls ``use_variant``, so ``check`` runs
    that learner's cases (run it first, as always)."""
    text = re.sub(
        r"^from bpkit\.check import check$",
        "from bpkit.check import check, use_variant",
        text,
        flags=re.MULTILINE,
    )
    call = f'use_variant("{exercise}", seed={seed})  # your own numbers: keep this line'
    return text.rstrip("\n") + "\n\n" + call


def release_notebook(
    nb: dict, number: int, identity: dict | None = None, values: dict[str, Any] | None = None
) -> dict:
    """Return the student version of an instructor notebook (a new dict).

    With an ``identity`` whose ``variant`` is set, the notebook is that learner's variant:
    its first code cell calls ``use_variant`` and ``# variant`` lines take ``values``.
    """
    variant = (identity or {}).get("variant")
    cells, k, first = [], 0, True
    for cell in nb["cells"]:
        text = cell_text(cell)
        new: dict[str, Any] = {
            "cell_type": cell["cell_type"],
            "id": cell.get("id", f"cell-{len(cells):03d}"),
            "metadata": {k2: v for k2, v in cell.get("metadata", {}).items() if k2 != "execution"},
        }
        if cell["cell_type"] == "code":
            if BEGIN in text:
                k += 1
                text = strip_solution(text, f"{number}.{k}", function_name(text))
            lines = text.split("\n")
            if lines and lines[0].strip() == NBVAL_MARK:
                text = "\n".join(lines[1:])
            if variant:
                exercise, seed = identity["exercise"], variant["seed"]
                text = personalise(text, values or {})
                text = _first_cell(text, exercise, seed) if first else text
            first = False
            new["execution_count"] = None
            new["outputs"] = []
        new["source"] = text.splitlines(keepends=True)
        cells.append(new)
    metadata = notebook_metadata(nb)
    if identity is not None:
        metadata["bpkit"] = identity
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def notebook_metadata(nb: dict) -> dict:
    """A released notebook's metadata: the source's kernel, Python; nothing else of the source."""
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {
        "kernelspec": nb.get("metadata", {}).get("kernelspec", kernel),
        "language_info": {"name": "python"},
    }


def add_hidden_argument(parser: argparse.ArgumentParser, default: str) -> None:
    """The ``--hidden DIR`` option of release, grade and autograder: where hidden.py lives."""
    parser.add_argument(
        "--hidden",
        type=Path,
        default=None,
        metavar="DIR",
        help="the hidden cases, kept outside the exercises: DIR/NN_topic/hidden.py "
        f"(default: {default})",
    )


def canonical_json(value: Any) -> str:
    """One JSON text for plain data with numpy arrays (the grader's codec, sorted keys)."""
    from bpkit import codec

    return json.dumps(codec.encode(value), sort_keys=True, separators=(",", ":"))


def cases_hash(cases: list[dict]) -> str:
    """``sha256:<hex>`` of a list of public cases: which cases a notebook was released with."""
    return "sha256:" + hashlib.sha256(canonical_json(cases).encode()).hexdigest()


def identity(source: Path, variant: dict | None = None) -> dict:
    """The ``metadata["bpkit"]`` of the student notebook released from ``source``.

    ``{"exercise": "04_feedforward", "release": "<bpkit version>+<12 hex of sha256(source)>",
    "cases_hash": "sha256:<hex of the public cases' canonical JSON>", "variant": None or
    {"student": id, "seed": int}}``. The cases are the exercise folder's own ``cases.py``.
    """
    from bpkit import __version__
    from bpkit.check import exercises

    source = Path(source)
    name = source.parent.name
    short = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    cases_module = exercises.load_file(source.with_name("cases.py"))
    seed = None if variant is None else variant["seed"]
    cases = cases_module.public_cases() if seed is None else cases_module.public_cases(seed=seed)
    return {
        "exercise": name,
        "release": f"{__version__}+{short}",
        "cases_hash": cases_hash(cases),
        "variant": variant,
    }


def release_text(source: Path, variant: dict | None = None) -> str:
    """The exact text of the student notebook released from ``source`` (a ``source.ipynb``)."""
    from bpkit.check import exercises

    source = Path(source)
    nb = read(source)
    number = int(source.parent.name[:2])
    values = None
    if variant is not None:
        make = getattr(exercises.load_file(source.with_name("cases.py")), "variant_values", None)
        values = make(variant["seed"]) if make is not None else {}
    student = release_notebook(nb, number, identity(source, variant), values)
    return json.dumps(student, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def reference_namespace(source: Path) -> dict[str, Any]:
    """Run the first code cell and every solution cell of ``source`` in a fresh namespace.

    This is the trusted reference the grader builds (see exercises/README.md).
    """
    nb = read(source)
    code = [cell_text(c) for c in nb["cells"] if c["cell_type"] == "code"]
    namespace: dict[str, Any] = {"__name__": "__reference__"}
    for text in [code[0], *(t for t in code[1:] if BEGIN in t)]:
        exec(
            compile(text, f"{Path(source).parent.name}/{Path(source).name}", "exec"), namespace
        )  # trusted code: the instructor source
    return namespace
