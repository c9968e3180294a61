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
import contextlib
import os
import pwd
import re
import signal
import sys
from pathlib import Path

from bpkit import release
from bpkit.grading import exercise as ex
from bpkit.grading import identity, plan, report, runner, students

MAX_NOTEBOOK_BYTES = plan.MAX_NOTEBOOK_BYTES
INTERRUPTED = 130  # the exit status of a run stopped by Ctrl-C (128 + SIGINT)


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
    release.add_hidden_argument(parser, "hidden.py in each exercise folder of --source")
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
        "namespaces: the kernel refuses them, or user namespaces when not root); only for "
        "work you trust, or one submission per container as on Gradescope",
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
            for nb in sorted(p for p in path.rglob("*") if handed_in(p.name)):
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


def handed_in(filename: str) -> bool:
    """True for a file graded or reported: a notebook in any case (``.IPYNB``), one a browser
    saved as ``.ipynb.json``, or a file handed in instead of one (``.py``, ``.pdf``, …)."""
    lower = filename.lower()
    return lower.endswith((".ipynb", ".ipynb.json")) or any(
        lower.endswith(suffix) for suffix in plan.NOT_NOTEBOOKS
    )


def read_notebook(path: Path) -> tuple[dict | None, str]:
    """Parse a submission as a notebook; return (notebook, "") or (None, what is wrong)."""
    return plan.parse_notebook(*plan.read_submission(path))


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


def _grade_one(item: plan.Item, limits: runner.Limits, sandbox: runner.Sandbox) -> dict:
    name, exercise = item.name, item.exercise
    if item.problem or exercise is None:
        return report.unscored(
            name,
            item.problem
            or "could not tell which exercise this is: no bpkit metadata, no exercise name or "
            "number in its path, and it defines no graded function; name the file after the "
            "exercise (e.g. 01_derivatives.ipynb) or pass --exercise",
            exercise,
        )
    notebook, problem = read_notebook(item.path)
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


def _with_facts(record: dict, facts: dict) -> dict:
    """Add the facts to a graded record; its status starts with the identity flags."""
    base = record.get("run_status", record["status"])
    record.update(facts)
    record["run_status"] = base
    record["status"] = "; ".join([*facts["flags"], base] if base != "ok" else facts["flags"])
    record["status"] = record["status"] or "ok"
    return record


def run(args: argparse.Namespace) -> int:
    """Grade every submission not yet graded; rebuild grades.csv; return 0 (130: Ctrl-C)."""
    try:
        return _run(args)
    except KeyboardInterrupt:  # before grading began (loading the exercises, the probe)
        # a second Ctrl-C must not turn the message into a traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("bpkit grade: interrupted before any notebook was graded", file=sys.stderr)
        return INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    source = args.source.resolve()
    sources = ex.available(source)
    names = list(sources)
    if not names:
        raise SystemExit(f"bpkit grade: no exercise notebooks in {source} (see --source)")
    if args.exercise and args.exercise not in names:
        raise SystemExit(f"bpkit grade: no exercise {args.exercise!r} in {source}")
    roster = students.read_roster(args.roster) if args.roster else None
    submissions = collect(args.submissions)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chmod(out, 0o755)
    limits = runner.Limits(
        args.timeout, args.total_timeout or max(60.0, 12 * args.timeout), args.memory
    )
    limits_key = f"{limits.cell_seconds:g}s {limits.total_seconds:g}s {limits.memory_mb}MB"
    hidden = args.hidden.resolve() if getattr(args, "hidden", None) is not None else None
    if hidden is not None and not hidden.is_dir():
        raise SystemExit(f"bpkit grade: --hidden {args.hidden}: no such folder")
    planner = plan.Planner(
        source, identity.catalogue(sources), roster, args.exercise, limits_key, hidden=hidden
    )
    planner.see(submissions)
    todo = []
    try:
        for name, path, parts in submissions:
            item = planner.item(name, path, parts)
            old = report.read_record(out / f"{name}.results.json")
            if args.force or not plan.up_to_date(old, item):
                todo.append(item)
            elif any(old.get(key) != value for key, value in item.facts.items()):
                report.write_submission(out, _with_facts(old, item.facts))  # e.g. a new roster
    except KeyboardInterrupt:
        return _interrupted(out, 0, len(submissions))
    removed = plan.set_aside(out, {name for name, _, _ in submissions})
    hide = [source, *([hidden] if hidden else []), out]
    hide += [*{p.resolve().parent for _, p, _ in submissions}]
    sandbox = sandbox_for(args, hide)
    probe = runner.run(["pass"], [], limits, sandbox)
    if probe.problem:
        detail = probe.output.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise SystemExit(f"bpkit grade: the sandbox does not work here: {probe.problem} {detail}")
    # issue 23 (g1): no isolation, no grading, unless the instructor says so
    folders = sorted({str(p.resolve().parent) for _, p, _ in submissions})
    private = [str(source), *([str(hidden)] if hidden else [])]
    exposed = runner.exposure(probe.sandbox, [*private, *folders, str(out)])
    if exposed and not getattr(args, "unsafe_no_isolation", False):
        raise SystemExit(
            f"bpkit grade: refusing to grade: {exposed}\nGrade as root on a machine that "
            "allows namespaces, or pass --unsafe-no-isolation for work you trust."
        )
    if exposed:
        print(f"bpkit grade: warning: {exposed}", file=sys.stderr)
    done, slowed, stopped = _grade_all(todo, args.jobs, out, limits, sandbox)
    if stopped:
        return _interrupted(out, done, len(todo) - done)
    # A notebook whose run went wrong while others ran beside it may have been harmed by one
    # of them: starved of CPU, it hits a time limit, or an import cut short by a timeout
    # fails. Grade it again with the machine to itself, and keep that grade. Until then its
    # record says so ("again"), so that a run stopped before this step does it on resume.
    try:
        for item in slowed:
            _save(out, _with_facts(_grade_one(item, limits, sandbox), item.facts), item)
    except KeyboardInterrupt:
        return _interrupted(out, done, 0)
    report.rebuild_csv(out)
    again = f" ({len(slowed)} with problems graded again, alone)" if slowed else ""
    gone = f", set aside {len(removed)} no longer handed in ({plan.REMOVED}/)" if removed else ""
    print(
        f"graded {len(todo)}, skipped {len(submissions) - len(todo)}{gone}{again}: "
        f"{out / 'grades.csv'}"
    )
    for line in report.duplicates(out):
        print(line)
    for record, others in students.counted(report.read_records(out)):
        if students.crowded(record, others):
            print(f"bpkit grade: warning: {students.crowded(record, others)}", file=sys.stderr)
    return 0


def _grade_all(
    todo: list[plan.Item], jobs: int, out: Path, limits: runner.Limits, sandbox: runner.Sandbox
) -> tuple[int, list[plan.Item], bool]:
    """Grade ``todo``, ``jobs`` at a time, saving each record as it finishes.

    Return (how many were saved, those to grade again alone, whether Ctrl-C stopped it).
    On Ctrl-C, queued notebooks are dropped, running ones killed and not saved (their runs
    were cut short), and what finished before stays saved.
    """
    progress = Progress(len(todo))
    slowed: list[plan.Item] = []
    saved: set[concurrent.futures.Future] = set()
    pool = concurrent.futures.ThreadPoolExecutor(max(1, jobs))
    futures = {pool.submit(_grade_one, item, limits, sandbox): item for item in todo}

    def keep(future: concurrent.futures.Future) -> None:
        item, record = futures[future], future.result()
        ran = not item.problem and item.exercise is not None
        if ran and _troubled(record["status"]) and jobs > 1:
            slowed.append(item)  # graded again by the caller, alone
            record["again"] = True
        _save(out, _with_facts(record, item.facts), item)
        saved.add(future)
        progress.step(item.name)

    try:
        for future in concurrent.futures.as_completed(futures):
            keep(future)
    except KeyboardInterrupt:
        # a second Ctrl-C must not cut the cleanup short
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        finished = [f for f in futures if f.done() and not f.cancelled() and f not in saved]
        pool.shutdown(wait=False, cancel_futures=True)
        for future in finished:  # they ended before Ctrl-C: their grades are whole
            keep(future)
        running = [f for f in futures if not f.done()]
        while running:  # a killed run may start again after a crash: kill until all end
            runner.kill_running()  # this grader's own sandboxes, by registry
            running = list(concurrent.futures.wait(running, timeout=0.2).not_done)
        pool.shutdown(wait=True)
        signal.signal(signal.SIGINT, previous)
        return len(saved), slowed, True
    pool.shutdown(wait=True)
    return len(saved), slowed, False


def _interrupted(out: Path, kept: int, left: int) -> int:
    """Say what a run stopped by Ctrl-C kept; rebuild grades.csv from it; return 130."""
    with contextlib.suppress(Exception):
        report.rebuild_csv(out)
    print(f"bpkit grade: interrupted; kept {kept} graded, {left} not graded", file=sys.stderr)
    return INTERRUPTED


def _save(out: Path, record: dict, item: plan.Item) -> None:
    record["fingerprint"] = item.fingerprint
    report.write_submission(out, record)
    report.rebuild_csv(out)
