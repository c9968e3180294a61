"""``bpkit gradebook GRADES_DIR... --out gradebook.csv``: one table of every exercise for an LMS.

It reads the records of one or more ``bpkit grade`` output folders (their
``NAME.results.json``), keeps one notebook per student and exercise by the same rule as
``grades.csv`` (see ``students.counted``), and writes a CSV with a ``student`` column, one
column per exercise (its points; empty when the student handed nothing in for it) and a
``total``. The command prints each exercise's maximum (no row of the table holds it, so an
LMS import sees only students). With ``--roster``, every student on it gets a row, in its
order, handed in or not.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from bpkit.grading import report, students


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``bpkit gradebook``'s options."""
    parser.add_argument("grades", nargs="+", type=Path, help="folders written by bpkit grade")
    parser.add_argument("--out", type=Path, required=True, help="the CSV to write")
    parser.add_argument(
        "--roster", type=Path, default=None, help="list every student on it, in its order"
    )


def table(folders: list[Path], roster: list[str] | None = None) -> tuple[list[list[str]], dict]:
    """The gradebook as rows (header, then one per student) and each exercise's maximum."""
    records = []
    for folder in folders:
        if not folder.is_dir():
            raise SystemExit(f"bpkit gradebook: {folder} is not a folder written by bpkit grade")
        records += report.read_records(folder)
    chosen = [r for r, _ in students.counted(records) if r["exercise"]]
    exercises = sorted({r["exercise"] for r in chosen})
    maxima = {r["exercise"]: r["max"] for r in chosen}
    scores: dict[str, dict[str, float]] = {}
    for record in chosen:
        student = record.get("student") or record["submission"]
        scores.setdefault(student, {})[record["exercise"]] = record["total"]
    order = list(roster or []) + sorted(s for s in scores if s not in (roster or []))
    rows = [["student", *exercises, "total"]]
    for student in order:
        got = scores.get(student, {})
        cells = [f"{got[e]:g}" if e in got else "" for e in exercises]
        rows.append([student, *cells, f"{sum(got.values()):g}"])
    return rows, {e: maxima[e] for e in exercises}


def run(args: argparse.Namespace) -> int:
    """Write the gradebook CSV; return 0."""
    roster = students.read_roster(args.roster).ids if args.roster else None
    rows, maxima = table(args.grades, roster)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report.write_atomic(args.out.resolve(), buffer.getvalue())
    out_of = ", ".join(f"{e} /{m:g}" for e, m in maxima.items())
    print(f"{len(rows) - 1} students, {len(maxima)} exercises ({out_of}): {args.out}")
    return 0
