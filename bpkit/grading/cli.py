"""``bpkit grade SUBMISSION... --out DIR``: grade notebooks into a CSV, feedback and JSON.

Submissions are notebook files or folders (searched recursively for ``*.ipynb``). A file is
named in the output by its stem; a notebook found in a folder by its path inside that folder,
``/`` written as ``__`` (``alice/01_derivatives.ipynb`` → ``alice__01_derivatives``). The
exercise is read from the notebook's ``metadata.bpkit.exercise``, else from the filename
(see ``exercise.recognise``), unless ``--exercise`` says it.
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
from bpkit.grading import report, runner

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
    parser.add_argument("--exercise", default=None, help="grade every submission as this one")
    parser.add_argument(
        "--user",
        default=None,
        help="when root, run every notebook as this user; by default each runs as an unused "
        "user id of its own, so that no submission can signal another",
    )


def collect(paths: list[Path]) -> list[tuple[str, Path]]:
    """List (output name, path) for every submission, names unique and file-system safe."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            for nb in sorted(path.rglob("*.ipynb")):
                rel = nb.relative_to(path)
                if not any(part.startswith(".") for part in rel.parts):
                    found.append(("__".join(rel.with_suffix("").parts), nb))
        elif path.exists():
            found.append((path.stem, path))
        else:
            raise SystemExit(f"bpkit grade: {path} does not exist")
    seen: dict[str, int] = {}
    named = []
    for name, path in found:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "submission"
        seen[safe] = seen.get(safe, 0) + 1
        named.append((safe if seen[safe] == 1 else f"{safe}-{seen[safe]}", path))
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


def _grade_one(name, path, exercise, limits, sandbox) -> dict:
    notebook, problem = read_notebook(path)
    if exercise is None:
        return report.unscored(
            name,
            problem
            or "could not tell which exercise this is; name "
            "the file after it, e.g. 01_derivatives.ipynb",
        )
    if notebook is None:
        return report.unscored(name, problem, exercise)
    cells = ex.code_cells(notebook)
    if not any(c.strip() for c in cells):
        return report.unscored(name, "empty notebook: no code to grade", exercise)
    run = runner.run(cells, exercise.cases, limits, sandbox)
    record = report.grade(name, exercise, run, limits)
    record["retry"] = run.problem.startswith(("the grader could not", "the sandbox did not"))
    return record


def run(args: argparse.Namespace) -> int:
    """Grade every submission not yet graded; rebuild grades.csv; return 0."""
    source = args.source.resolve()
    names = list(ex.available(source))
    if not names:
        raise SystemExit(f"bpkit grade: no exercise notebooks in {source} (see --source)")
    if args.exercise and args.exercise not in names:
        raise SystemExit(f"bpkit grade: no exercise {args.exercise!r} in {source}")
    submissions = collect(args.submissions)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chmod(out, 0o755)
    limits = runner.Limits(
        args.timeout, args.total_timeout or max(60.0, 12 * args.timeout), args.memory
    )
    todo, exercises = [], {}
    for name, path in submissions:
        notebook, _ = read_notebook(path)
        which = args.exercise or ex.recognise(path, notebook, names)
        if which and which not in exercises:
            exercises[which] = ex.load(which, source)
        exercise = exercises.get(which) if which else None
        fingerprint = _fingerprint(path, exercise)
        old = report.read_record(out / f"{name}.results.json")
        if (
            old
            and not args.force
            and old.get("fingerprint") == fingerprint
            and not old.get("retry")
        ):
            continue
        todo.append((name, path, exercise, fingerprint))
    hide = [source, out, *{p.resolve().parent for _, p in submissions}]
    sandbox = sandbox_for(args, hide)
    probe = runner.run(["pass"], [], limits, sandbox)
    if probe.problem:
        detail = probe.output.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise SystemExit(f"bpkit grade: the sandbox does not work here: {probe.problem} {detail}")
    _warn_readable(probe.sandbox, [source, source / "cases"])
    progress = Progress(len(todo))
    slowed = []
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {pool.submit(_grade_one, *item[:3], limits, sandbox): item for item in todo}
        for future in concurrent.futures.as_completed(futures):
            item = futures[future]
            record = future.result()
            if record["status"] != "ok" and args.jobs > 1:
                slowed.append(item)  # graded again below, alone
            _save(out, record, item[3])
            progress.step(item[0])
    # A notebook whose run went wrong while others ran beside it may have been harmed by one
    # of them: starved of CPU, it hits a time limit, or an import cut short by a timeout
    # fails. Grade it again with the machine to itself, and keep that grade.
    for name, path, exercise, fingerprint in slowed:
        _save(out, _grade_one(name, path, exercise, limits, sandbox), fingerprint)
    report.rebuild_csv(out)
    again = f" ({len(slowed)} with problems graded again, alone)" if slowed else ""
    print(
        f"graded {len(todo)}, skipped {len(submissions) - len(todo)}{again}: {out / 'grades.csv'}"
    )
    return 0


def _save(out: Path, record: dict, fingerprint: str) -> None:
    record["fingerprint"] = fingerprint
    report.write_submission(out, record)
    report.rebuild_csv(out)
