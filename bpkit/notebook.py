"""Read notebooks: the one place that turns a notebook into the text of its cells.

An instructor file (a ``source.ipynb``) is read with :func:`read`. A submission may be
anything, so the grader parses its bytes itself, with limits
(``bpkit.grading.plan.parse_notebook``), and reads the resulting dict with the same
:func:`code_cells`, which skips what is not a well-formed cell instead of failing. Plain JSON,
not nbformat: the grader also runs where only numpy and matplotlib are installed (the
Gradescope zip's ``setup.sh``), and nbformat's validation would warn about every older
notebook without cell ids.
"""

from __future__ import annotations

import json
from pathlib import Path


def read(path: Path) -> dict:
    """An instructor notebook as the dict of its JSON (nbformat 4)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell_text(cell: dict) -> str:
    """A cell's source as one string (nbformat stores it as a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def code_cells(notebook: dict | None) -> list[str]:
    """The source of each code cell of a parsed notebook, in order."""
    return [
        cell_text(cell)
        for cell in (notebook or {}).get("cells", [])
        if isinstance(cell, dict) and cell.get("cell_type") == "code"
    ]
