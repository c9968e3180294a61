"""``bpkit grade SUBMISSION... --out DIR``: grade notebooks into a CSV, feedback and JSON.

Submissions are notebook files or folders (searched recursively for ``*.ipynb``). A file is
named in the output by its stem; a notebook found in a folder by its path inside that folder,
``/`` written as ``__`` (``alice/01_derivatives.ipynb`` → ``alice__01_derivatives``). Which
exercise a notebook is, and what it was handed in as, come from ``identity`` (metadata, then
file name, then content); who handed it in from ``students`` (roster, then path).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import pwd
import re
import stat
import sys
from pathlib import Path

from bpkit.grading import exercise as ex
from bpkit.grading import identity, report, runner, students

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``bpkit grade``'s options."""
    parser.add_argument("submissions", nargs="+", type=Path, help="notebooks or folders of them")
    parser.add_argument("--out", type=Path, required=True, help="folder for grades and feedback")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per cell or case")
    parser.add_argument("--total-timeout", type=float, default=None, help="seconds per notebook")
    parser.add_argument("--memory", type=int, default=1024, help="memory limit in MB")
    parser.add_argument("--force", action="store_true", help="regrade what is already graded")
    parser.add_argument(
        "--source",
        type=Path,
        default=Path("exercises"),
        help="the exercise folders NN_topic/ with their instructor notebooks (default: exercises)",
    )
    parser.add_argument(
        "--exercise",
        default=None,
        help="every submission was handed in as this exercise (a notebook that is another "
        "one is graded as what it is and reported as a wrong exercise)",
    )
    parser.add_argument(
        "--roster",
        type=Path,
        default=None,
        help="CSV with a student id column (student, id, … or the first) and any columns of "
        "names or logins found in the submissions' paths",
    )
    parser.add_argument(  # issue 23 (g1)
        "--unsafe-no-isolation",
        action="store_true",
        help="grade even where notebooks cannot be isolated (no mount, network and PID "
        "namespaces: not root, or the kernel refuses them); only for work you trust, or "
        "one submission per container as on Gradescope",
    )
    parser.add_argument(
        "--user",
        default=None,
        help="when root, run every notebook as this user; by default each runs as an unused "
        "user id of its own, so that no submission can signal another",
    )


def collect(paths: list[Path]) -> list[tuple[str, Path, tuple[str, ...]]]:
    """List (output name, path, path parts below the submitted folder) for every submission.

    Output names are unique and file-system safe.
    """
    found: list[tuple[str, Path, tuple[str, ...]]] = []
    for path in paths:
        if path.is_dir():
            for nb in sorted(path.rglob("*.ipynb")):
                rel = nb.relative_to(path)
                if not any(part.startswith(".") for part in rel.parts):
                    found.append(("__".join(rel.with_suffix("").parts), nb, rel.parts))
        elif path.exists():
            found.append((path.stem, path, (path.name,)))
        else:
            raise SystemExit(f"bpkit grade: {path} does not exist")
    seen: dict[str, int] = {}
    named = []
    for name, path, parts in found:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "submission"
        seen[safe] = seen.get(safe, 0) + 1
        named.append((safe if seen[safe] == 1 else f"{safe}-{seen[safe]}", path, parts))
    return named


def read_notebook(path: Path) -> tuple[dict | None, str]:
    """Parse a submission as a notebook; return (notebook, "") or (None, what is wrong)."""
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return None, f"not graded: the file is larger than {MAX_NOTEBOOK_BYTES >> 20} MB"
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None, "not a notebook: the file is not text (UTF-8)"
    except OSError as error:
        return None, f"could not read the file ({error.strerror})"
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"not a notebook: invalid JSON at line {error.lineno}"
    except RecursionError:
        return None, "not a notebook: JSON nested too deeply"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None, "not a notebook: valid JSON but no list of cells"
    return notebook, ""


def sandbox_for(args: argparse.Namespace, hide: list[Path]) -> runner.Sandbox:
    """Decide how to confine the notebooks: as root, another user and private mounts."""
    user = None
    if os.geteuid() == 0 and args.user:
        entry = pwd.getpwnam(args.user)
        user = {"uid": entry.pw_uid, "gid": entry.pw_gid}
    elif os.geteuid() == 0:
        user = runner.FRESH_USER
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
        mpl_cache = [str(p) for p in cache.glob("fontlist-*.json")]
    except Exception:
        mpl_cache = []
    return runner.Sandbox(user, True, [str(p.resolve()) for p in hide], mpl_cache)


def _warn_readable(sandbox_report: dict, secrets: list[Path]) -> None:
    if os.geteuid() != 0:
        print(
            "bpkit grade: not root, so notebooks run as your own user: they cannot change the "
            "grades (scored here), but could read files you can read and signal your "
            "processes. Grade untrusted work as root.",
            file=sys.stderr,
        )
        return
    if sandbox_report.get("namespace", "").startswith("private"):
        return
    readable = [p for p in secrets if p.exists() and p.stat().st_mode & stat.S_IROTH]
    if readable:
        print(
            f"bpkit grade: warning: {readable[0]} is readable by every user, and private mounts "
            f"are not available here; run `chmod -R o-rwx {readable[0]}` to keep it from "
            "the notebooks.",
            file=sys.stderr,
        )


class Progress:
    """A one-line progress bar on stderr, shown only on a terminal."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.live = sys.stderr.isatty() and total > 0

    def step(self, label: str) -> None:
        self.done += 1
        if self.live:
            filled = int(30 * self.done / self.total)
            bar = "█" * filled + "·" * (30 - filled)
            sys.stderr.write(f"\r{bar} {self.done}/{self.total} {label[:40]:<40}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def _fingerprint(path: Path, exercise: ex.Exercise | None) -> str:
    digest = hashlib.sha256(path.read_bytes() if path.is_file() else b"")
    digest.update((exercise.fingerprint if exercise else ex.GRADER_VERSION).encode())
    return digest.hexdigest()[:24]


RAN = ("Timeout", "MemoryError", "Crashed", "Malformed", "RecursionError")  # it was called


def _outcome(kind: str, value: object) -> str:
    """Classify one case's outcome: ran, missing, stub, skipped, or uncalled (grader side)."""
    if kind != "error":
        return "ran"
    name = value["type"]
    if name in RAN:
        return "ran"
    known = {"Missing": "missing", "NotImplementedError": "stub", "Skipped": "skipped"}
    if name in known:
        return known[name]
    # An error raised in the student's code has frames in its cells; one without any was
    # raised before the graded function was called (a driver the grader could not find).
    return "ran" if value["where"] else f"uncalled:{name}"


def _run_notes(run: runner.Run, exercise: ex.Exercise) -> list[str]:
    """Say what the cases show beyond the run's status: nothing attempted, uncallable cases."""
    if run.problem:
        return []  # the run stopped early; its status already says why
    outcomes = {k: _outcome(kind, value) for k, (kind, value) in run.results.items()}
    notes = []
    kinds = set(outcomes.values())
    if "ran" not in kinds and kinds & {"missing", "stub"}:
        if "stub" in kinds:
            notes.append("not attempted: every graded function still raises NotImplementedError")
        else:
            listed = ", ".join(exercise.points)
            notes.append(
                f"not attempted: the notebook defines none of the graded functions ({listed})"
            )
    uncalled = {k: o.split(":")[1] for k, o in outcomes.items() if o.startswith("uncalled")}
    if uncalled:
        functions = sorted({exercise.cases[k]["function"] for k in uncalled})
        errors = ", ".join(sorted(set(uncalled.values())))
        ran = "" if notes or "ran" in kinds else "no graded function ran: "
        notes.append(
            f"{ran}the grader could not call {', '.join(functions)} ({errors}); "
            "tell your instructor"
        )
    return notes


def _troubled(status: str) -> bool:
    """True when a run went wrong (not merely a notebook nobody worked on)."""
    return status != "ok" and (not status.startswith("not attempted") or "; " in status)


def _grade_one(name, path, exercise, limits, sandbox) -> dict:
    notebook, problem = read_notebook(path)
    if exercise is None:
        return report.unscored(
            name,
            problem
            or "could not tell which exercise this is: no bpkit metadata, no exercise name or "
            "number in its path, and it defines no graded function; name the file after the "
            "exercise (e.g. 01_derivatives.ipynb) or pass --exercise",
        )
    if notebook is None:
        return report.unscored(name, problem, exercise)
    cells = ex.code_cells(notebook)
    if not any(c.strip() for c in cells):
        return report.unscored(name, "not attempted: empty notebook, no code to grade", exercise)
    run = runner.run(cells, exercise.cases, limits, sandbox)
    record = report.grade(name, exercise, run, limits)
    record["retry"] = run.problem.startswith(("the grader could not", "the sandbox did not"))
    notes = _run_notes(run, exercise)
    if notes:
        status = record["status"]
        record["status"] = "; ".join(notes if status == "ok" else [*notes, status])
    return record


def _facts(
    path: Path,
    who: identity.Identity,
    known: identity.Catalogue,
    student: tuple[str, str],
    notebook: dict | None,
) -> dict:
    """What the grader knows of a submission before running it: who, which, how we know."""
    defined = identity.defined_functions(notebook)
    graded = known.functions.get(who.exercise or "", [])
    return {
        "student": student[0],
        "notes": [student[1]] if student[1] else [],
        "path": str(path),
        "mtime": path.stat().st_mtime if path.exists() else 0.0,
        "identified_by": who.how,
        "submitted_as": who.submitted_as or "",
        "looks_like": who.looks_like or "",
        "attempted": sum(1 for f in graded if f in defined and not defined[f]),
        "flags": who.flags,
    }


def _with_facts(record: dict, facts: dict) -> dict:
    """Add the facts to a graded record; its status starts with the identity flags."""
    base = record.get("run_status", record["status"])
    record.update(facts)
    record["run_status"] = base
    record["status"] = "; ".join([*facts["flags"], base] if base != "ok" else facts["flags"])
    record["status"] = record["status"] or "ok"
    return record


def run(args: argparse.Namespace) -> int:
    """Grade every submission not yet graded; rebuild grades.csv; return 0."""
    source = args.source.resolve()
    sources = ex.available(source)
    names = list(sources)
    if not names:
        raise SystemExit(f"bpkit grade: no exercise notebooks in {source} (see --source)")
    if args.exercise and args.exercise not in names:
        raise SystemExit(f"bpkit grade: no exercise {args.exercise!r} in {source}")
    roster = students.read_roster(args.roster) if args.roster else None
    known = identity.catalogue(sources)
    submissions = collect(args.submissions)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chmod(out, 0o755)
    limits = runner.Limits(
        args.timeout, args.total_timeout or max(60.0, 12 * args.timeout), args.memory
    )
    todo, exercises = [], {}
    for name, path, parts in submissions:
        notebook, _ = read_notebook(path)
        who = identity.identify(parts, notebook, known, args.exercise)
        which = who.exercise
        key = (which, ex.variant_seed(notebook, which))  # a learner's variant: its own cases
        if which and key not in exercises:
            exercises[key] = ex.load(which, source, seed=key[1])
        exercise = exercises.get(key) if which else None
        facts = _facts(path, who, known, students.student_of(parts, names, roster), notebook)
        fingerprint = _fingerprint(path, exercise)
        old = report.read_record(out / f"{name}.results.json")
        if (
            old
            and not args.force
            and old.get("fingerprint") == fingerprint
            and not old.get("retry")
        ):
            if any(old.get(key) != value for key, value in facts.items()):
                report.write_submission(out, _with_facts(old, facts))  # e.g. a new roster
            continue
        todo.append((name, path, exercise, fingerprint, facts))
    hide = [source, out, *{p.resolve().parent for _, p, _ in submissions}]
    sandbox = sandbox_for(args, hide)
    probe = runner.run(["pass"], [], limits, sandbox)
    if probe.problem:
        detail = probe.output.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise SystemExit(f"bpkit grade: the sandbox does not work here: {probe.problem} {detail}")
    # issue 23 (g1): no isolation, no grading, unless the instructor says so
    folders = sorted({str(p.resolve().parent) for _, p, _ in submissions})
    exposed = runner.exposure(probe.sandbox, [str(source), *folders, str(out)])
    if exposed and not getattr(args, "unsafe_no_isolation", False):
        raise SystemExit(
            f"bpkit grade: refusing to grade: {exposed}\nGrade as root on a machine that "
            "allows namespaces, or pass --unsafe-no-isolation for work you trust."
        )
    if exposed:
        print(f"bpkit grade: warning: {exposed}", file=sys.stderr)
    progress = Progress(len(todo))
    slowed = []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {pool.submit(_grade_one, *item[:3], limits, sandbox): item for item in todo}
        for future in concurrent.futures.as_completed(futures):
            item = futures[future]
            record = future.result()
            if _troubled(record["status"]) and args.jobs > 1:
                slowed.append(item)  # graded again below, alone
            _save(out, _with_facts(record, item[4]), item[3])
            progress.step(item[0])
    # A notebook whose run went wrong while others ran beside it may have been harmed by one
    # of them: starved of CPU, it hits a time limit, or an import cut short by a timeout
    # fails. Grade it again with the machine to itself, and keep that grade.
    for name, path, exercise, fingerprint, facts in slowed:
        record = _grade_one(name, path, exercise, limits, sandbox)
        _save(out, _with_facts(record, facts), fingerprint)
    report.rebuild_csv(out)
    again = f" ({len(slowed)} with problems graded again, alone)" if slowed else ""
    print(
        f"graded {len(todo)}, skipped {len(submissions) - len(todo)}{again}: {out / 'grades.csv'}"
    )
    for line in report.duplicates(out):
        print(line)
    return 0


def _save(out: Path, record: dict, fingerprint: str) -> None:
    record["fingerprint"] = fingerprint
    report.write_submission(out, record)
    report.rebuild_csv(out)
