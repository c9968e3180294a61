"""``bpkit gradebook GRADES_DIR... --out gradebook.csv``: one table of every exercise for an LMS.

It reads the records of one or more ``bpkit grade`` output folders (their
``NAME.results.json``), keeps one notebook per student and exercise by the same rule as
``grades.csv`` (see ``students.counted``), and writes a CSV with a ``student`` column, one
column per exercise (its points; empty when the student handed nothing in for it) and a
``total``. The command prints each exercise's maximum (no row of the table holds it, so an
LMS import sees only students). With ``--roster``, every student on it gets a row, in its
order, handed in or not.

A notebook handed in as one exercise that is another (``wrong exercise`` in ``grades.csv``)
is graded as what it is. The exercise it was handed in for then shows ``0``, not a blank
(which would read as "nothing handed in"), unless the student has a notebook that counts for
it; the csv format's last column, ``note``, says so, and the command prints it.

``--format canvas`` and ``--format moodle`` write what those LMSs import, from the roster's
columns (so both need ``--roster``):

* Canvas (Grades → Import): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
  column per exercise, and a ``Points Possible`` row first. No total column: Canvas would
  make it a new assignment. A blank cell leaves that grade unchanged.
* Moodle (Grades → Import → CSV file): one identifying column (``Email address``,
  ``Username`` or ``ID number``, the first the roster has), then one column per exercise; on
  import, map the identifying column to the matching user field.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from bpkit.grading import report, students


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``bpkit gradebook``'s options."""
    parser.add_argument("grades", nargs="+", type=Path, help="folders written by bpkit grade")
    parser.add_argument("--out", type=Path, required=True, help="the CSV to write")
    parser.add_argument(
        "--roster", type=Path, default=None, help="list every student on it, in its order"
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="csv",
        help="csv (student, exercises, total), or what Canvas or Moodle imports (needs --roster)",
    )


def table(
    folders: list[Path], roster: list[str] | None = None
) -> tuple[list[list[str]], dict, dict[str, str]]:
    """The gradebook as rows (header, then one per student), each exercise's maximum, and a
    note per student whose notebook was handed in as another exercise."""
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
    wrong: dict[str, dict[str, str]] = {}  # student → {exercise handed in as: what it is}
    for record in records:
        slot, student = record.get("submitted_as"), record.get("student") or record["submission"]
        if record["exercise"] and slot and slot != record["exercise"]:
            wrong.setdefault(student, {}).setdefault(slot, record["exercise"])
    order = list(roster or []) + sorted(s for s in scores if s not in (roster or []))
    order += sorted(s for s in wrong if s not in order)
    rows, notes = [["student", *exercises, "total"]], {}
    for student in order:
        got, mixed = scores.get(student, {}), wrong.get(student, {})
        zero = {e for e in mixed if e in exercises and e not in got}
        cells = [f"{got[e]:g}" if e in got else "0" if e in zero else "" for e in exercises]
        rows.append([student, *cells, f"{sum(got.values()):g}"])
        said = [
            f"{slot}: handed in a {it} notebook, graded as {it}"
            + (f"; 0 for {slot}" if slot in zero else "")
            for slot, it in sorted(mixed.items())
        ]
        if said:
            notes[student] = "; ".join(said)
    return rows, {e: maxima[e] for e in exercises}, notes


CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
# Each Canvas column, from the first of these roster columns that the roster has (lower case).
CANVAS_FROM = {
    "Student": ["student name", "name", "full name", "student"],
    "ID": ["canvas id", "canvas user id"],  # never bpkit's own id column: Canvas matches by it
    "SIS User ID": ["sis user id", "sis id"],
    "SIS Login ID": ["sis login id", "login id", "login"],
    "Section": ["section"],
}
# Moodle's CSV import maps one column to a user field: the first of these the roster has.
MOODLE_IDS = [
    ("Email address", ["email address", "email"]),
    ("Username", ["username"]),
    ("ID number", ["id number", "idnumber"]),
]


def _field(fields: dict[str, str], names: list[str]) -> str:
    return next((fields[n] for n in names if fields.get(n)), "")


def canvas(rows: list[list[str]], maxima: dict, roster: students.Roster) -> list[list[str]]:
    """The gradebook as Canvas imports it: its five identifying columns, the exercises."""
    exercises = rows[0][1:-1]
    out = [
        [*CANVAS_HEADER, *exercises],
        ["Points Possible", "", "", "", "", *(f"{maxima[e]:g}" for e in exercises)],
    ]
    for student, *cells, _total in rows[1:]:
        fields = roster.fields.get(student, {})
        who = [_field(fields, CANVAS_FROM[column]) for column in CANVAS_HEADER]
        out.append([who[0] or student, *who[1:], *cells])
    return out


def moodle(rows: list[list[str]], maxima: dict, roster: students.Roster) -> list[list[str]]:
    """The gradebook as Moodle imports it: one identifying column, the exercises."""
    columns = set().union(*(f.keys() for f in roster.fields.values())) if roster.fields else set()
    found = [(label, names) for label, names in MOODLE_IDS if any(n in columns for n in names)]
    if not found:
        wanted = " or ".join(repr(names[0]) for _, names in MOODLE_IDS)
        raise SystemExit(f"bpkit gradebook --format moodle: the roster needs a column {wanted}")
    label, names = found[0]
    out = [[label, *rows[0][1:-1]]]
    for student, *cells, _total in rows[1:]:
        out.append([_field(roster.fields.get(student, {}), names) or student, *cells])
    return out


FORMATS = {"csv": None, "canvas": canvas, "moodle": moodle}


def run(args: argparse.Namespace) -> int:
    """Write the gradebook CSV; return 0."""
    form = getattr(args, "format", "csv")
    if form != "csv" and not args.roster:
        raise SystemExit(
            f"bpkit gradebook --format {form}: needs --roster, whose columns give the ids "
            f"{form.capitalize()} matches students by"
        )
    roster_data = students.read_roster(args.roster) if args.roster else None
    roster = roster_data.ids if roster_data else None
    rows, maxima, notes = table(args.grades, roster)
    n_students = len(rows) - 1
    if form != "csv":
        rows = FORMATS[form](rows, maxima, roster_data)
    else:
        rows = [[*rows[0], "note"]] + [[*row, notes.get(row[0], "")] for row in rows[1:]]
    for student, note in notes.items():
        print(f"bpkit gradebook: {student}: {note}", file=sys.stderr)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report.write_atomic(args.out.resolve(), buffer.getvalue())
    out_of = ", ".join(f"{e} /{m:g}" for e, m in maxima.items())
    print(f"{n_students} students, {len(maxima)} exercises ({out_of}): {args.out}")
    return 0
