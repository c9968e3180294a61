"""Run one submission in its own sandboxed process and collect what it reports (grader side).

The child is ``python -I bpkit/grading/_harness.py`` in a new session (its own process
group), with a minimal environment. The grader writes the payload on its stdin, then watches
two pipes with a selector: the protocol pipe (JSON lines) and the merged stdout/stderr, of
which it keeps only the first few kilobytes and discards the rest. Time limits are enforced
from here: a cell or case that runs past its limit, or a run past the total limit, gets the
whole process group killed. The grader reaps a child only after killing its group: until then
the pid stays taken, so the group's id cannot have gone to another process (another grader's
sandbox, say); Ctrl-C kills the groups of this grader's own children, found in a registry.

Nothing the child sends is trusted, and the protocol has no secret: ``protocol.Watch``
accepts messages only in the order the grader expects them, sends the hidden cases only
after the cells and the public cases, and strips a hidden case's error of every word the
notebook chose. Values go through ``codec.decode``. Temporary folders are named after the
grader (pid and start time) and locked while it runs, so the next grader removes those of one
that was killed, and never those of one running beside it (even in another PID namespace).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import itertools
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bpkit.grading.protocol import Outbox, Run, Watch

HARNESS = Path(__file__).with_name("_harness.py")
KEEP_OUTPUT = 8192  # bytes of printed output kept for diagnosis; the rest is read and dropped
MAX_LINE = 80 * 1024 * 1024  # one protocol message (a big array result) at most
GRACE = 2.0  # seconds the outside limit allows beyond the inside alarm
STARTUP = 30.0  # seconds for the sandbox to start (imports under load)
RESTARTS = 3  # fresh processes after crashes in grading cases
FRESH_USER = {"fresh": True}
# Per-run user and group ids: far above any account's, 1000 per grader process, one block per
# pid the kernel can give (PID_MAX_LIMIT, 2**22), so two graders running at once never share one:
# the last id, 4_195_304_999, stays below (uid_t)-1.
FRESH_BASE, FRESH_PER_GRADER, PID_LIMIT = 1_000_000, 1000, 1 << 22
_fresh_ids = itertools.count()
_running: set[subprocess.Popen] = set()  # this grader's sandboxes, not yet reaped
_running_lock = threading.Lock()


@dataclass
class Limits:
    """Per-submission limits: seconds per cell or case, seconds in all, memory and file MB."""

    cell_seconds: float = 10.0
    total_seconds: float = 120.0
    memory_mb: int = 1024
    file_mb: int = 64


@dataclass
class Sandbox:
    """How to confine the child: user to switch to (when root), namespaces, the grader's folders."""

    # {"uid": 65534, "gid": 65534} for one fixed user, FRESH_USER for a user of its own per
    # run (when root): then no submission can signal another, and every process a run
    # leaves behind (even a double-forked one) is killed after it.
    user: dict | None = None
    namespace: bool = True  # its own mount, network and PID namespaces and a minimal root
    hide: list[str] = field(default_factory=list)  # unused now: none of them is in that root
    mpl_cache: list[str] = field(default_factory=list)


def _child_env(workdir: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # machine settings, passed unchanged
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def run(cells: list[str], cases: list[dict], limits: Limits, sandbox: Sandbox) -> Run:
    """Run a notebook's cells, then its cases, in a sandboxed process; resume after a crash.

    When the process dies (or is killed) during grading case k, that case scores as failed
    and a fresh process reruns the cells and grades the cases without a result yet, at most
    ``RESTARTS`` times and within the same total time limit.
    """
    deadline = time.monotonic() + limits.total_seconds
    skip: set[str] = set()
    merged = part = run_once(cells, cases, limits, sandbox, (set(), []), limits.total_seconds)
    for _ in range(RESTARTS):  # merged keeps the first problem and where it happened
        if not (part.problem and part.where.startswith("grading case")):
            break
        k = int(part.where.split()[-1]) - 1
        merged.results.setdefault(k, ("error", {"type": "Crashed", "message": "", "where": []}))
        remaining = deadline - time.monotonic()
        if len(merged.results) >= len(cases) or remaining < 1:
            break
        skip.add(cases[k]["function"])
        resume = (set(merged.results), sorted(skip))
        part = run_once(cells, cases, limits, sandbox, resume, remaining)
        for index, outcome in part.results.items():
            merged.results.setdefault(index, outcome)
        merged.dropped += part.dropped
    return merged


def run_once(
    cells: list[str],
    cases: list[dict],
    limits: Limits,
    sandbox: Sandbox,
    resume: tuple[set[int], list[str]],
    seconds: float,
) -> Run:
    """Run the cells, then the cases not in ``resume[0]`` (skipping functions ``resume[1]``)."""
    limits = Limits(limits.cell_seconds, seconds, limits.memory_mb, limits.file_mb)
    workdir, user, proc, pipe = make_workdir(), None, None, None
    try:  # Ctrl-C anywhere here (the probe runs in the main thread) leaves no folder or process
        user = _run_user(sandbox.user)
        if user is not None:
            os.chown(workdir, user["uid"], user["gid"])
        pipe = os.pipe()
        mine = [
            {"k": k, "public": bool(c.get("public", True)), **c}
            for k, c in enumerate(cases)
            if k not in resume[0]
        ]
        payload = _payload(cells, mine, resume[1], limits, sandbox, workdir, user, pipe[1])
        try:
            proc = subprocess.Popen(
                [sys.executable, "-I", str(HARNESS)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(pipe[1],),
                cwd="/",
                env=_child_env(workdir),
                start_new_session=True,
            )
            with _running_lock:
                _running.add(proc)
        finally:
            os.close(pipe[1])
        return _watch(proc, pipe[0], json.dumps(payload).encode(), mine, limits)
    finally:
        if proc is not None:
            _kill(proc)
        if user is not None and sandbox.user.get("fresh"):
            _kill_user(user)
        if pipe is not None:
            os.close(pipe[0])
        remove_workdir(workdir)


def _payload(
    cells: list[str],
    mine: list[dict],
    skip: list[str],
    limits: Limits,
    sandbox: Sandbox,
    workdir: str,
    user: dict | None,
    fd: int,
) -> dict:
    """What the harness reads on its stdin: the cells, the cases' drivers, its confinement."""
    return {
        "fd": fd,
        "pythonpath": [str(Path(__file__).resolve().parents[2])],
        "exercises": _exercises_root(),
        "drivers": sorted({c["driver"] for c in mine}),
        "cells": cells,
        "skip": skip,
        "cell_seconds": limits.cell_seconds,
        "case_seconds": limits.cell_seconds,
        "sandbox": {
            "memory_mb": limits.memory_mb,
            "file_mb": limits.file_mb,
            "cpu_seconds": limits.total_seconds + 5,
            "workdir": workdir,
            "user": user,
            "namespace": sandbox.namespace,
            "hide": sandbox.hide,
            "mpl_cache": sandbox.mpl_cache,
            "grader_pid": os.getpid(),
            "library": _library() if sandbox.namespace else {},
        },
    }


def _library() -> dict[str, list[str]]:
    """What of site-packages the sandbox's root shows (worked out once per grader)."""
    from bpkit.grading import isolate

    return isolate.library_entries()


def _exercises_root() -> str | None:
    """The folder of the exercises whose drivers this grader uses (the sandbox loads the same)."""
    try:
        from bpkit.check import exercises

        folder = exercises.root()
    except Exception:
        return None
    return str(folder) if folder is not None else None


WORKDIR_PREFIX = "bpkit-sub-"


def _started(pid: int) -> str:
    """A process's start time in clock ticks since boot ("" when there is no such process)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rpartition(")")[2].split()[19]


_held: dict[str, int] = {}  # this grader's folders: a descriptor holding a shared lock on each
_held_lock = threading.Lock()


def make_workdir() -> str:
    """A fresh temporary folder named after this grader (pid and start time), locked by it.

    The first call also removes the folders that killed graders left behind.
    """
    _clean_once()
    tag = f"{WORKDIR_PREFIX}{os.getpid()}-{_started(os.getpid())}-"
    path = tempfile.mkdtemp(prefix=tag)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_SH)  # released when the grader closes it, or dies
    with _held_lock:
        _held[path] = fd
    return path


def remove_workdir(path: str) -> None:
    """Remove a folder of ``make_workdir``, then let go of its lock."""
    shutil.rmtree(path, ignore_errors=True)
    with _held_lock:
        fd = _held.pop(path, None)
    if fd is not None:
        os.close(fd)


def _locked(path: Path) -> bool:
    """Whether a running grader holds the folder's lock (flock sees across PID namespaces)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return False  # gone, or not a folder: rmtree removes nothing through a link
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@functools.cache
def _clean_once() -> None:
    clean_stale_workdirs()


def clean_stale_workdirs(folder: str | None = None) -> list[str]:
    """Remove the temporary folders of graders that are no longer running; return them.

    A grader killed outright (kill -9) cannot clean up after itself: the next one does.
    A folder counts as stale when no process has its pid with its start time and no process
    holds its lock (a grader in another PID namespace has a pid this one cannot look up).
    """
    removed = []
    pattern = re.compile(re.escape(WORKDIR_PREFIX) + r"(\d+)-(\d*)-")
    for path in Path(folder or tempfile.gettempdir()).glob(WORKDIR_PREFIX + "*"):
        found = pattern.match(path.name)
        if found is None or _started(int(found[1])) == found[2] or _locked(path):
            continue  # not ours, or its grader still runs
        shutil.rmtree(path, ignore_errors=True)
        removed.append(str(path))
    return removed


def _run_user(user: dict | None) -> dict | None:
    """The uid and gid this run switches to (None: no switch, the grader is not root)."""
    if user is None or os.geteuid() != 0:
        return None
    if not user.get("fresh"):
        return user
    return fresh_ids(os.getpid(), next(_fresh_ids))


def fresh_ids(pid: int, count: int) -> dict:
    """The uid and gid of a grader's ``count``-th run: its pid's own block, reused after 1000."""
    if not 0 < pid < PID_LIMIT:
        raise ValueError(f"pid {pid} is outside the kernel's range")
    uid = FRESH_BASE + pid * FRESH_PER_GRADER + count % FRESH_PER_GRADER
    return {"uid": uid, "gid": uid}


def _kill_user(user: dict) -> None:
    """Kill every process of the run's own user, including any that escaped its group.

    A forked child becomes that user and calls kill(-1, SIGKILL): the kernel signals all of
    the user's processes in one sweep (none can fork away meanwhile), except the caller.
    The child runs no Python beyond these system calls, so forking from a thread is safe.
    """
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child, measured through its effect
        try:
            os.setgroups([])
            os.setgid(user["gid"])
            os.setuid(user["uid"])
            with contextlib.suppress(OSError):  # ESRCH: nothing was left running
                os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def kill_running() -> None:
    """Kill the process group of every sandbox this grader runs now (Ctrl-C), and no other."""
    with _running_lock:
        for proc in _running:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)


def _kill(proc: subprocess.Popen) -> None:
    """Kill the child's process group, then reap the child (in this order: see above)."""
    with _running_lock:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        _running.discard(proc)
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()


def _watch(proc, proto_r: int, data: bytes, cases: list[dict], limits: Limits) -> Run:
    outbox = Outbox(os.dup(proc.stdin.fileno()))
    proc.stdin.close()
    proc.stdin = None
    outbox.put(data)
    watch = Watch(cases, outbox)
    selector = selectors.DefaultSelector()
    out_fd = proc.stdout.fileno()
    selector.register(proto_r, selectors.EVENT_READ)
    selector.register(out_fd, selectors.EVENT_READ)
    start, pending, output, exited_at = time.monotonic(), b"", bytearray(), None
    while True:
        now = time.monotonic()
        problem = _overdue(watch, now - start, now - watch.since, limits)
        if problem:
            watch.run.problem = problem
            break
        outbox.flush()
        for key, _ in selector.select(timeout=0.05):
            chunk = os.read(key.fd, 1 << 16)
            if not chunk:
                selector.unregister(key.fd)
            elif key.fd == out_fd:
                output += chunk[: max(0, KEEP_OUTPUT - len(output))]
            else:
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    watch.line(line)
                if len(pending) > MAX_LINE:
                    watch.run.problem, pending = "sent a result larger than the grader accepts", b""
        if watch.done or watch.run.problem:
            break
        if _exited(proc, block=False) is not None:
            exited_at = exited_at or now
            if not selector.get_map() or now - exited_at > 0.5:
                break
    selector.close()
    if outbox.fd >= 0:
        os.close(outbox.fd)
    watch.run.output = bytes(output)
    watch.run.where = _where(watch.step)
    if not watch.done and not watch.run.problem:
        watch.run.problem = _exit_problem(proc, watch, limits)
    return watch.run


def _where(step: tuple[str, int]) -> str:
    kind, index = step
    names = {"cell": f"cell {index}", "case": f"grading case {index + 1}", "cases": "the cases"}
    return names.get(kind, "start-up")


def _overdue(watch: Watch, total: float, step: float, limits: Limits) -> str:
    if total > limits.total_seconds:
        return f"ran past the total time limit of {limits.total_seconds:g} s"
    if not watch.ready and step > STARTUP:
        return f"the sandbox did not start within {STARTUP:g} s"
    if watch.step[0] != "start" and step > limits.cell_seconds + GRACE:
        return f"timed out after {limits.cell_seconds:g} s"
    return ""


def _exited(proc: subprocess.Popen, block: bool = True) -> int | None:
    """The child's exit code (minus its signal) once it has ended, without reaping it."""
    flags = os.WEXITED | os.WNOWAIT | (0 if block else os.WNOHANG)
    try:
        info = os.waitid(os.P_PID, proc.pid, flags)
    except ChildProcessError:  # reaped already (never here): as Popen.poll says then
        return 0 if proc.returncode is None else proc.returncode
    if info is None:
        return None
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


def _exit_problem(proc: subprocess.Popen, watch: Watch, limits: Limits) -> str:
    code = _exited(proc)
    if not watch.ready:
        tail = watch.run.output.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        return f"the grader could not start the sandbox ({tail[0][:200]})"
    if watch.run.hidden_sent:  # how it ended is the notebook's choice: it could encode an input
        return "the notebook's Python process ended during the hidden cases"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        if name == "SIGXCPU":
            return f"used more than {limits.total_seconds + 5:g} s of CPU time"
        if name in ("SIGSEGV", "SIGABRT", "SIGBUS"):
            return f"crashed ({name}), possibly out of memory (limit {limits.memory_mb} MB)"
        return f"the notebook's Python process was killed ({name})"
    return f"the notebook's Python process exited (code {code}, e.g. os._exit)"


def exposure(report: dict, secrets: list[str]) -> str:
    """What notebooks could reach when the sandbox lacks its namespaces ("" when isolated).

    ``report`` is what the sandbox said it achieved; ``secrets`` are the folders the grader
    reads (exercise sources, submissions, output).
    """
    if report.get("namespace", "").startswith("private"):
        return ""
    why = report.get("namespace", "not requested")
    lines = [f"notebooks would run without isolation ({why}); each could"]
    if os.geteuid() != 0:
        lines.append("- read and write every file you can, and signal your processes")
    else:
        lines.append("- read every file readable by all users, e.g. world-readable submissions")
    lines += [f"- read {path} unless no other user may read it" for path in secrets]
    lines.append("- see the grader's command line and every process in /proc")
    lines.append("- use the network")
    lines.append("- leave processes running if the grader is killed")
    return "\n".join(lines)
