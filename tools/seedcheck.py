"""Re-run lessons with every seed shifted, and report the claim cells that break.

    python tools/seedcheck.py lessons/source/04_feedforward.ipynb --shifts 1 2 5
    python tools/seedcheck.py lessons/source/*.ipynb                # shifts 1 and 2

A lesson's claims must hold for any seed, not only for the one its author ran. This tool
shifts every literal seed in the notebook's code cells by the same amount (``SEED = 0`` →
``SEED = 1``, ``seed=3`` → ``seed=4``, ``data_seed = 7`` → ``data_seed = 8``,
``default_rng(5)`` → ``default_rng(6)``), runs the result in a fresh kernel, and lists every
cell that raised: a *broken claim* when the cell calls ``claim(...)`` and raised
``ClaimError``, an *error* otherwise (cells tagged ``raises-exception`` are expected to raise).
So a lesson routes its randomness through ``SEED`` and ``seed=`` keywords, and a many-seed
experiment uses ``range(SEED, SEED + 10)``. ``tests/test_seed_check.py`` runs this for every
lesson in CI; the exit status is 1 when anything broke.
"""

from __future__ import annotations

import argparse
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# `SEED = 0`, `DATA_SEED=3`, `seed=1`, `seed = 1`, `model_seed=4` (never `==`, never `seed == 1`)
ASSIGNED = re.compile(r"(?<![=!<>\w])(?P<name>[A-Za-z_]*(?:SEED|seed))(?P<eq>\s*=\s*)(?P<n>\d+)\b")
RNG = re.compile(r"(?P<name>default_rng\()(?P<eq>\s*)(?P<n>\d+)(?=\s*\))")


def shift_source(source: str, shift: int) -> str:
    """Shift every literal seed in one cell's code by ``shift``."""

    def bump(match: re.Match) -> str:
        return f"{match['name']}{match['eq']}{int(match['n']) + shift}"

    source = ASSIGNED.sub(lambda m: bump(m) if not _is_comparison(m) else m[0], source)
    return RNG.sub(bump, source)


def _is_comparison(match: re.Match) -> bool:
    after = match.string[match.start("eq") :].lstrip()
    return after.startswith("==")


def shifted(nb: nbformat.NotebookNode, shift: int) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose code cells have every seed shifted, outputs cleared."""
    out = nbformat.from_dict(nb)
    out = nbformat.v4.upgrade(out) if out.nbformat < 4 else out
    out = nbformat.reads(nbformat.writes(out), as_version=4)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.source = shift_source(cell.source, shift)
            cell.outputs = []
            cell.execution_count = None
    return out


@dataclass
class Broken:
    """One cell that raised in a shifted run."""

    index: int
    kind: str  # "claim" or "error"
    message: str


@dataclass
class Run:
    """One lesson run at one shift."""

    lesson: str
    shift: int
    cells: int = 0
    claim_cells: int = 0
    seconds: float = 0.0
    broken: list[Broken] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def _error_of(cell: nbformat.NotebookNode) -> tuple[str, str] | None:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output.get("ename", ""), output.get("evalue", "")
    return None


def check(path: Path, shift: int, timeout: int = 300) -> Run:
    """Run ``path`` with seeds shifted by ``shift``; report cells that raised."""
    nb = shifted(nbformat.read(path, as_version=4), shift)
    run = Run(lesson=path.name, shift=shift)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    start = time.perf_counter()
    client.execute()
    run.seconds = time.perf_counter() - start
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        run.cells += 1
        makes_claim = "claim(" in cell.source
        run.claim_cells += makes_claim
        error = _error_of(cell)
        if error is None or "raises-exception" in cell.metadata.get("tags", []):
            continue
        name, value = error
        kind = "claim" if name == "ClaimError" else "error"
        first = value.strip().splitlines()[0] if value.strip() else name
        run.broken.append(Broken(index, kind, f"{name}: {first}"[:300]))
    return run


def describe(run: Run) -> str:
    """One line per run, then one per broken cell."""
    head = (
        f"{run.lesson} seed+{run.shift}: {run.cells} code cells, {run.claim_cells} with claims, "
        f"{len(run.broken)} broken ({run.seconds:.1f} s)"
    )
    lines = [head] + [f"    cell {b.index} [{b.kind}] {b.message}" for b in run.broken]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", type=Path, nargs="+", help="lesson notebooks")
    parser.add_argument("--shifts", type=int, nargs="+", default=[1, 2], help="seed shifts")
    args = parser.parse_args(argv)
    runs = [check(path, shift) for path in args.lessons for shift in args.shifts]
    for run in runs:
        print(describe(run), flush=True)
    bad = sum(not run.ok for run in runs)
    print(f"{len(runs)} runs, {bad} with broken cells")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
