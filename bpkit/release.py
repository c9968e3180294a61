"""``bpkit release``: write the student notebooks from the instructor sources.

For each ``SOURCE/NN_topic.ipynb`` it writes ``OUT/NN_topic.ipynb`` in which every solution
block (``### BEGIN SOLUTION`` … ``### END SOLUTION``) becomes
``raise NotImplementedError("Exercise N.k: implement function_name")``, outputs and
execution counts are cleared, the ``# NBVAL_CHECK_OUTPUT`` markers are dropped, and the
JSON is written deterministically (sorted keys, stable cell ids), so releasing twice gives
the same bytes and a test can prove the committed student notebooks are current.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
NBVAL_MARK = "# NBVAL_CHECK_OUTPUT"
DEF = re.compile(r"^def (\w+)\(", re.MULTILINE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source", type=Path, default=Path("exercises/source"), help="instructor notebooks"
    )
    parser.add_argument("--out", type=Path, default=Path("exercises"), help="where to write")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if any student notebook differs from a fresh release",
    )


def run(args: argparse.Namespace) -> int:
    sources = sorted(Path(args.source).glob("[0-9][0-9]_*.ipynb"))
    if not sources:
        print(f"bpkit release: no NN_topic.ipynb notebooks in {args.source}", file=sys.stderr)
        return 1
    stale = []
    for source in sources:
        target = Path(args.out) / source.name
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


def _source_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


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
        function_name(_source_text(c))
        for c in nb["cells"]
        if c["cell_type"] == "code" and BEGIN in _source_text(c)
    ]


def release_notebook(nb: dict, number: int) -> dict:
    """Return the student version of an instructor notebook (a new dict)."""
    cells, k = [], 0
    for cell in nb["cells"]:
        text = _source_text(cell)
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
            new["execution_count"] = None
            new["outputs"] = []
        new["source"] = text.splitlines(keepends=True)
        cells.append(new)
    metadata = {
        "kernelspec": nb.get("metadata", {}).get(
            "kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"}
        ),
        "language_info": {"name": "python"},
    }
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def release_text(source: Path) -> str:
    """The exact text of the student notebook released from ``source``."""
    nb = json.loads(Path(source).read_text(encoding="utf-8"))
    number = int(Path(source).name[:2])
    student = release_notebook(nb, number)
    return json.dumps(student, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def reference_namespace(source: Path) -> dict[str, Any]:
    """Run the first code cell and every solution cell of ``source`` in a fresh namespace.

    This is the trusted reference the grader builds (see exercises/README.md).
    """
    nb = json.loads(Path(source).read_text(encoding="utf-8"))
    code = [_source_text(c) for c in nb["cells"] if c["cell_type"] == "code"]
    namespace: dict[str, Any] = {"__name__": "__reference__"}
    for text in [code[0], *(t for t in code[1:] if BEGIN in t)]:
        exec(
            compile(text, f"{Path(source).name}", "exec"), namespace
        )  # trusted code: the instructor source
    return namespace
