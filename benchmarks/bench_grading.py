"""Benchmark: grading throughput, submissions per minute with ``bpkit grade --jobs 2``.

The real instructor notebooks ``exercises/NN_topic/source.ipynb`` are copied as submissions
(``COPIES`` students, one folder each, so 9 exercises give 18 notebooks) and graded from
scratch by the ``bpkit`` command in a separate process, exactly as an instructor runs it:
sandbox start-up, every code cell, every public and hidden case, scoring and the output
files. Every submission must score its maximum, or the run does not count. The reference is
the goal: 30 submissions per minute, i.e. 2 s of wall time per submission.

    python benchmarks/bench_grading.py
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "exercises"
COPIES = 2
GOAL_PER_MINUTE = 30.0


def _grade_once(folder: Path, out: Path) -> float:
    command = [sys.executable, "-m", "bpkit", "grade", str(folder), "--out", str(out)]
    command += ["--source", str(SOURCE), "--jobs", "2", "--force"]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=REPO)
    seconds = time.perf_counter() - start
    with open(out / "grades.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["total"] != row["max"] or row["status"] != "ok":
                raise RuntimeError(f"{row['submission']} scored {row['total']}/{row['max']}")
    return seconds


def run(repeats: int = 3) -> list[dict]:
    """Grade COPIES × every exercise solution with two jobs; best of ``repeats`` runs."""
    notebooks = sorted(SOURCE.glob("*/source.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no exercises/NN_topic/source.ipynb under {SOURCE}")
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        folder = Path(tmp) / "submitted"
        folder.mkdir()
        for copy in range(COPIES):
            student = folder / f"student{copy}"
            student.mkdir()
            for path in notebooks:
                shutil.copy(path, student / f"{path.parent.name}.ipynb")
        n = COPIES * len(notebooks)
        best = min(_grade_once(folder, Path(tmp) / "out") for _ in range(repeats))
    per_minute = 60.0 * n / best
    goal_seconds = 60.0 / GOAL_PER_MINUTE
    return [
        {
            "benchmark": f"grading: {n} notebooks, --jobs 2 (submissions/min)",
            "bpkit": f"{per_minute:.0f}/min ({best / n:.2f} s each)",
            "reference": f"goal {GOAL_PER_MINUTE:.0f}/min ({goal_seconds:.1f} s each)",
            "ratio": (best / n) / goal_seconds,
            "target": f"≥ {GOAL_PER_MINUTE:.0f}/min",
            "ok": per_minute >= GOAL_PER_MINUTE,
        }
    ]


if __name__ == "__main__":
    rows = run()
    for row in rows:
        print(
            f"{row['benchmark']:<52} {row['bpkit']:>22} {row['reference']:>24} "
            f"ratio {row['ratio']:.2f}  target {row['target']}  {'ok' if row['ok'] else 'SLOW'}"
        )
