"""Re-run a lesson's cells the way a learner scrolls back, and report the cells that break.

    python tools/rerun.py lessons/source/01_derivatives.ipynb
    python tools/rerun.py lessons/source/0[0-2]*.ipynb

A learner who scrolls up and runs a cell again must get the same answer: a name means one
thing in a lesson (``eps`` is machine epsilon or a step size, not both), and a cell that
accumulates (``backward()`` adds into the leaves' grads) starts from zero. This tool runs the
notebook top to bottom in a fresh kernel, then runs every code cell once more, from the last
to the first, in the same kernel: each cell is re-run after every cell below it has run. It
lists each cell that raised in that second pass (cells tagged ``raises-exception`` are
expected to). Explorer cells re-run too; their widgets are simply made again. The exit
status is 1 when a cell broke. ``tests/test_rerun.py`` runs it on the lessons that pass.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


@dataclass
class Rerun:
    """One lesson run top to bottom, then re-run bottom to top."""

    lesson: str
    cells: int = 0
    seconds: float = 0.0
    broken: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def _first_line(error: CellExecutionError) -> str:
    value = (error.evalue or "").strip().splitlines()
    return f"{error.ename}: {value[0] if value else ''}"[:300]


def check(path: Path, timeout: int = 300) -> Rerun:
    """Run ``path``, then re-run its code cells last to first; report the cells that raised."""
    nb = nbformat.read(path, as_version=4)
    code = [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    run = Rerun(lesson=path.name, cells=len(code))
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in code:
            client.execute_cell(cell, index)
        for index, cell in reversed(code):
            if "raises-exception" in cell.metadata.get("tags", []):
                continue
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                run.broken.append((index, _first_line(error)))
    run.seconds = time.perf_counter() - start
    return run


def describe(run: Rerun) -> str:
    """One line per lesson, then one per broken cell."""
    head = (
        f"{run.lesson}: {run.cells} code cells re-run last to first, {len(run.broken)} broken"
        f" ({run.seconds:.1f} s)"
    )
    return "\n".join([head] + [f"    cell {i}: {message}" for i, message in run.broken])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", type=Path, nargs="+", help="lesson notebooks")
    args = parser.parse_args(argv)
    runs = [check(path) for path in args.lessons]
    for run in runs:
        print(describe(run), flush=True)
    return 1 if any(not run.ok for run in runs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
