"""Score a run and write what instructors and students read: JSON, Markdown, CSV.

Scoring happens here, in the grader's process: each case's result is compared with the
trusted expected value by ``lookup.score``. A function scores its points × the mean of its
cases' fractions. Hidden cases never show their inputs, expected values or the messages of
exceptions they raised (those could carry hidden inputs); public cases show everything.
Every file is written atomically (a temporary file, then ``os.replace``).
"""

from __future__ import annotations

import builtins
import contextlib
import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bpkit.check.compare import name_values
from bpkit.grading import codec, lookup
from bpkit.grading.exercise import Exercise
from bpkit.grading.runner import Limits, Run

ERROR_TEXT = {
    "NotImplementedError": "not implemented yet",
    "MemoryError": "ran out of memory",
    "Malformed": "returned something the grader could not read",
    "RecursionError": "recursed too deeply (RecursionError)",
    "Skipped": "not run: an earlier case of this function timed out",
    "Crashed": "the notebook's process died or hung in this case",
}


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _unsupported(value: Any) -> str:
    if isinstance(value, codec.Unsupported):
        return value.type_name
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, (list, tuple, dict)):
        return next((name for item in items if (name := _unsupported(item))), "")
    return ""


def _error_object(error: dict) -> BaseException:
    """Rebuild a sandbox error as an exception the hint detectors can recognise."""
    kind = getattr(builtins, error["type"], None)
    if isinstance(kind, type) and issubclass(kind, BaseException):
        with contextlib.suppress(Exception):
            return kind(error["message"])
    return RuntimeError(error["message"])


def _hint(case: dict, value: Any, error: dict | None) -> str:
    """The hint ``check()`` would print for this result, or ""."""
    try:
        from bpkit.check import hints

        view = {**case, "args": codec.decode(case["args"]), "kwargs": codec.decode(case["kwargs"])}
        problem = _error_object(error) if error is not None else None
        return hints.diagnose(view, value, case["expected"], problem) or ""
    except Exception:  # no hint is better than a grade that fails
        return ""


def score_case(case: dict, outcome: tuple[str, Any] | None, limits: Limits) -> tuple[float, str]:
    """Score one case from its outcome in the sandbox; say why in words a student understands.

    The message carries the hint ``check()`` would give (``…; hint: …``) and names values as
    the exercise does (``dWhh: …``, not ``value 3: …``).
    """
    if outcome is None:
        return 0.0, "not run (the notebook stopped before this case)"
    kind, value = outcome
    if kind == "error":
        kind_name = value["type"]
        if kind_name == "Missing":
            return 0.0, f"{case['function']} is not defined in your notebook"
        if kind_name == "Timeout":
            return 0.0, f"took longer than {limits.cell_seconds:g} s"
        if kind_name in ERROR_TEXT:
            return 0.0, ERROR_TEXT[kind_name]
        if kind_name == "ChangedInput":
            message = value["message"]
        else:
            detail = f": {value['message']}" if case["public"] and value["message"] else ""
            message = f"raised {kind_name}{detail}"
        hint = _hint(case, None, value)
        return 0.0, message + (f"; hint: {hint}" if hint else "")
    odd = _unsupported(value)
    if odd:
        return 0.0, f"returned a {odd}; return numbers, lists, tuples, dicts or numpy arrays"
    fraction, message = lookup.score(case, value, case["expected"])
    message = name_values(message, case.get("names"))
    if fraction < 1:
        hint = _hint(case, value, None)
        if not case["public"]:
            message = hint or case["hint"] or "wrong result"
        elif hint:
            message += f"; hint: {hint}"
    return fraction, message


def _cell_note(index: int, error: dict, limits: Limits) -> str:
    kind = error["type"]
    if kind == "NotImplementedError":
        return ""
    if kind == "Timeout":
        return f"cell {index} timed out after {limits.cell_seconds:g} s and was skipped"
    if kind == "MemoryError":
        return f"ran out of memory (limit {limits.memory_mb} MB) in cell {index}"
    if kind in ("SyntaxError", "IndentationError", "TabError"):
        where = f", {error['where'][0]}" if error["where"] else ""
        return f"syntax error in cell {index}{where}: {error['message']}"
    if kind == "SystemExit":
        return f"cell {index} called sys.exit(); grading went on"
    return f"cell {index} raised {kind}: {error['message']}"[:200]


def status_of(run: Run, exercise: Exercise, limits: Limits) -> str:
    """Say in one line what went wrong with a run, or ``ok``."""
    notes = []
    if run.problem:
        where = run.where
        if where.startswith("grading case"):
            where += f" ({exercise.cases[int(where.split()[-1]) - 1]['function']})"
        notes.append(run.problem if where == "start-up" else f"{run.problem} in {where}")
    notes += [_cell_note(i, e, limits) for i, e in sorted(run.cell_errors.items())]
    for k, (kind, value) in sorted(run.results.items()):
        if kind == "error" and value["type"] in ("Timeout", "MemoryError"):
            what = "timed out" if value["type"] == "Timeout" else "ran out of memory"
            notes.append(f"grading case {k + 1} ({exercise.cases[k]['function']}) {what}")
    notes = [n for n in notes if n]
    if not notes:
        return "ok"
    more = f"; and {len(notes) - 3} more" if len(notes) > 3 else ""
    return "; ".join(notes[:3]) + more


def grade(name: str, exercise: Exercise, run: Run, limits: Limits) -> dict:
    """Turn a run into the submission's record: per-function scores, case lines, status."""
    functions: dict[str, dict] = {
        f: {"score": 0.0, "max": p, "cases": []} for f, p in exercise.points.items()
    }
    for k, case in enumerate(exercise.cases):
        fraction, message = score_case(case, run.results.get(k), limits)
        functions[case["function"]]["cases"].append([case["public"], fraction, message])
    for entry in functions.values():
        fractions = [c[1] for c in entry["cases"]]
        entry["score"] = (
            round(entry["max"] * sum(fractions) / len(fractions), 4) if fractions else 0
        )
    return {
        "submission": name,
        "exercise": exercise.name,
        "functions": functions,
        "total": round(sum(f["score"] for f in functions.values()), 4),
        "max": sum(exercise.points.values()),
        "status": status_of(run, exercise, limits),
        "sandbox": run.sandbox,
    }


def unscored(name: str, status: str, exercise: Exercise | None = None) -> dict:
    """The record of a submission that could not be run (not a notebook, unknown exercise)."""
    points = exercise.points if exercise else {}
    functions = {f: {"score": 0.0, "max": p, "cases": []} for f, p in points.items()}
    return {
        "submission": name,
        "exercise": exercise.name if exercise else "",
        "functions": functions,
        "total": 0.0,
        "max": sum(points.values()),
        "status": status,
        "sandbox": {},
    }


def _case_lines(entry: dict) -> list[str]:
    """One line per case: ✓, ✗, or the exact part of the case's credit earned."""
    lines = []
    for n, (public, fraction, message, *_) in enumerate(entry["cases"], start=1):
        label = "public case" if public else "hidden case"
        if 0 < fraction < 1:
            label = f"◐ {label} {n} earned {fraction:.4g} of its credit"
        else:
            label = f"{'✓' if fraction == 1 else '✗'} {label} {n}"
        lines.append(label + (f": {message}" if message else ""))
    return lines


def results_json(record: dict) -> dict:
    """Gradescope's autograder schema: score, output, one test per function, our record."""
    tests = [
        {
            "name": function,
            "score": entry["score"],
            "max_score": entry["max"],
            "output": "\n".join(_case_lines(entry)),
        }
        for function, entry in record["functions"].items()
    ]
    output = f"Exercise {record['exercise'] or '?'}: status {record['status']}"
    return {
        "score": record["total"],
        "output": output,
        "tests": tests,
        "extra_data": {"bpkit": record},
    }


HOW = {
    "metadata": "its metadata (written by bpkit release)",
    "file name": "its file name",
    "content": "the graded functions it defines",
    "--exercise": "the grader's --exercise option",
}


def _identity_lines(record: dict) -> list[str]:
    """Who handed the notebook in and how the grader knew its exercise (when it knows)."""
    how = HOW.get(record.get("identified_by", ""))
    if not how:
        return []
    return [f"Student `{record.get('student', '')}`; exercise recognised by {how}.", ""]


def feedback_md(record: dict) -> str:
    """Readable per-student feedback in Markdown."""
    lines = [
        f"# Feedback for {record['submission']}",
        "",
        f"Exercise **{record['exercise'] or 'not recognised'}**: "
        f"**{record['total']:g} / {record['max']:g}** points.",
        "",
        f"Status: {record['status']}",
        "",
        *_identity_lines(record),
    ]
    if record["functions"]:
        lines += ["| function | points | cases passed |", "| --- | --- | --- |"]
        for function, entry in record["functions"].items():
            passed = sum(1 for c in entry["cases"] if c[1] == 1)
            lines.append(
                f"| `{function}` | {entry['score']:g} / {entry['max']:g} "
                f"| {passed} / {len(entry['cases'])} |"
            )
    for function, entry in record["functions"].items():
        lines += ["", f"## `{function}`", ""] + [f"- {line}" for line in _case_lines(entry)]
    return "\n".join(lines) + "\n"


def write_submission(out: Path, record: dict) -> None:
    """Write NAME.feedback.md, then NAME.results.json (the marker that NAME is graded)."""
    write_atomic(out / f"{record['submission']}.feedback.md", feedback_md(record))
    text = json.dumps(results_json(record), indent=1, ensure_ascii=False)
    write_atomic(out / f"{record['submission']}.results.json", text + "\n")


def read_record(path: Path) -> dict | None:
    """Read back our record from a results file, or None if it is missing or unreadable."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))["extra_data"]["bpkit"]
        return record if isinstance(record, dict) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_records(out: Path) -> list[dict]:
    """Every record in a grades folder (one per ``NAME.results.json``)."""
    return [r for p in sorted(Path(out).glob("*.results.json")) if (r := read_record(p))]


def _note(record: dict, others: list[dict]) -> str:
    notes = list(record.get("notes", []))
    if others:
        names = ", ".join(o["submission"] for o in others)
        notes.append(f"also handed in for this exercise, not counted: {names}")
    from bpkit.grading import students

    warning = students.crowded(record, others)
    return "; ".join([warning, *notes] if warning else notes)


def rebuild_csv(out: Path) -> Path:
    """Rebuild grades.csv: one row per student and exercise, from every NAME.results.json.

    When a student has several notebooks for one exercise, ``students.counted`` picks the
    one that counts; the row's note names the others (never added up).
    """
    from bpkit.grading import students

    records = read_records(out)
    owners: dict[str, set] = {}
    for record in records:
        for function in record["functions"]:
            owners.setdefault(function, set()).add(record["exercise"])
    columns: list[tuple[str, str]] = []  # (exercise, function)
    for record in sorted(records, key=lambda r: r["exercise"]):
        for function in record["functions"]:
            if (record["exercise"], function) not in columns:
                columns.append((record["exercise"], function))

    def header(exercise: str, function: str) -> str:
        return f"{exercise}:{function}" if len(owners[function]) > 1 else function

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["student", "exercise", "submission", "identified_by"]
        + [header(*c) for c in columns]
        + ["total", "max", "status", "note"]
    )
    rows = students.counted(records)
    for record, others in sorted(rows, key=lambda p: (_student(p[0]), p[0]["exercise"])):
        cells = [
            f"{record['functions'][f]['score']:g}" if record["exercise"] == e else ""
            for e, f in columns
        ]
        who = [_student(record), record["exercise"], record["submission"]]
        score = [f"{record['total']:g}", f"{record['max']:g}", record["status"]]
        writer.writerow(
            [*who, record.get("identified_by", ""), *cells, *score, _note(record, others)]
        )
    path = out / "grades.csv"
    write_atomic(path, buffer.getvalue())
    return path


def _student(record: dict) -> str:
    return record.get("student") or record["submission"]


def duplicates(out: Path) -> list[str]:
    """One line per student and exercise with several notebooks: which counts, which not."""
    from bpkit.grading import students

    lines = []
    for record, others in students.counted(read_records(out)):
        if others:
            lines.append(
                f"{_student(record)}: {len(others) + 1} notebooks for {record['exercise']}; "
                f"counted {record['submission']}, not {', '.join(o['submission'] for o in others)}"
            )
    return lines
