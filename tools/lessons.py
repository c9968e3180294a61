"""Write the learner's lessons from the instructor sources, and run them.

    python tools/lessons.py                       # every lessons/source/*.ipynb → lessons/
    python tools/lessons.py 05_backpropagation    # one lesson
    python tools/lessons.py --check               # exit 1 if a learner lesson is out of date

``lessons/source/NN_topic.ipynb`` is the instructor's lesson: its your-turn cells hold worked
solutions between ``### BEGIN SOLUTION`` and ``### END SOLUTION``. The learner's lesson
``lessons/NN_topic.ipynb`` is the same notebook with each of those regions replaced by
``raise NotImplementedError(...)``, run top to bottom in a fresh kernel (so its stored outputs
show what a learner sees before writing anything: ``your_turn`` says "not yet" and the lesson
goes on with bpkit's reference). ``--check`` compares cell sources only, not outputs, so it
needs no kernel; ``tests/test_lessons_release.py`` runs it.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SOURCE, LEARNER = ROOT / "lessons" / "source", ROOT / "lessons"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
DEFINES = re.compile(r"^\s*(?:def|class)\s+(\w+)", re.MULTILINE)


def strip_solutions(source: str) -> str:
    """Replace every solution region of one cell by a stub that names what to write."""
    found = DEFINES.search(source)
    what = f"`{found[1]}`" if found else "this cell"
    out, inside = [], False
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError(f"{BEGIN!r} inside another solution region:\n{source}")
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("Your turn: write {what}")')
            inside = True
        elif stripped == END:
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r}:\n{source}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r}:\n{source}")
    return "\n".join(out)


def learner_version(source_nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The learner's notebook: solutions stubbed, outputs cleared, marked as generated."""
    nb = nbformat.reads(nbformat.writes(source_nb), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
    nb.metadata["bpkit"] = {
        "lesson": "learner",
        "generated_from": f"source/{name}",
    }
    return nb


def _fresh(path: Path) -> nbformat.NotebookNode:
    return learner_version(nbformat.read(path, as_version=4), path.name)


def build(path: Path, execute: bool = True) -> float:
    """Write the learner's version of the lesson at ``path``; return seconds spent running it."""
    nb = _fresh(path)
    seconds = 0.0
    if execute:
        start = time.perf_counter()
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(LEARNER)}},
        ).execute()
        seconds = time.perf_counter() - start
    nbformat.write(nb, LEARNER / path.name)
    return seconds


def stale(path: Path) -> list[int]:
    """Indices of cells whose source differs between a fresh learner version and lessons/."""
    fresh = _fresh(path).cells
    target = LEARNER / path.name
    if not target.is_file():
        return [-1]
    stored = nbformat.read(target, as_version=4).cells
    if len(fresh) != len(stored):
        return [-1]
    return [
        i
        for i, (a, b) in enumerate(zip(fresh, stored, strict=True))
        if a.cell_type != b.cell_type or a.source != b.source
    ]


def _selected(names: list[str]) -> list[Path]:
    every = sorted(SOURCE.glob("*.ipynb"))
    if not names:
        return every
    chosen = [p for p in every if any(p.stem.startswith(n) for n in names)]
    if not chosen:
        raise SystemExit(f"tools/lessons.py: no lesson in {SOURCE} matches {names}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson names or numbers (default: all)")
    parser.add_argument("--check", action="store_true", help="only compare cell sources")
    parser.add_argument("--no-execute", action="store_true", help="write without running")
    args = parser.parse_args(argv)
    status = 0
    for path in _selected(args.lessons):
        if args.check:
            cells = stale(path)
            if cells:
                status = 1
                where = "cell count differs" if cells == [-1] else f"cells {cells}"
                print(f"lessons/{path.name} is out of date ({where}): run tools/lessons.py")
            continue
        seconds = build(path, execute=not args.no_execute)
        print(f"lessons/{path.name}: written from source/ ({seconds:.1f} s)", file=sys.stderr)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
