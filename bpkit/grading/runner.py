"""Run one submission in its own sandboxed process and collect what it reports (grader side).

The child is ``python -I bpkit/grading/_harness.py`` in a new session (its own process
group), with a minimal environment. The grader writes the payload on its stdin, then watches
two pipes with a selector: the protocol pipe (nonce-stamped JSON lines) and the merged
stdout/stderr, of which it keeps only the first few kilobytes and discards the rest. Time
limits are enforced from here: a cell or case that runs past its limit, or a run past the
total limit, gets the whole process group killed. Nothing the child sends is trusted: lines
that are not valid JSON, lack the nonce or break the schema are dropped, and values go
through ``codec.decode``.
"""

from __future__ import annotations

import contextlib
import hmac
import itertools
import json
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpkit.grading import codec

HARNESS = Path(__file__).with_name("_harness.py")
KEEP_OUTPUT = 8192  # bytes of printed output kept for diagnosis; the rest is read and dropped
MAX_LINE = 80 * 1024 * 1024  # one protocol message (a big array result) at most
GRACE = 2.0  # seconds the outside limit allows beyond the inside alarm
STARTUP = 30.0  # seconds for the sandbox to start (imports under load)
RESTARTS = 3  # fresh processes after crashes in grading cases
FRESH_USER = {"fresh": True}
# Per-run user and group ids: far above any account's, 1000 per grader process.
FRESH_BASE, FRESH_PER_GRADER = 1_000_000, 1000
_fresh_ids = itertools.count()


@dataclass
class Limits:
    """Per-submission limits: seconds per cell or case, seconds in all, memory and file MB."""

    cell_seconds: float = 10.0
    total_seconds: float = 120.0
    memory_mb: int = 1024
    file_mb: int = 64


@dataclass
class Sandbox:
    """How to confine the child: user to switch to (when root), namespaces, paths to hide."""

    # {"uid": 65534, "gid": 65534} for one fixed user, FRESH_USER for a user of its own per
    # run (when root): then no submission can signal another, and every process a run
    # leaves behind (even a double-forked one) is killed after it.
    user: dict | None = None
    namespace: bool = True
    hide: list[str] = field(default_factory=list)
    mpl_cache: list[str] = field(default_factory=list)


@dataclass
class Run:
    """What one sandboxed run reported, validated."""

    sandbox: dict = field(default_factory=dict)
    cell_errors: dict[int, dict] = field(default_factory=dict)
    results: dict[int, tuple[str, Any]] = field(default_factory=dict)
    problem: str = ""  # empty when the run finished normally
    where: str = ""  # the cell or case running when it stopped
    output: bytes = b""
    dropped: int = 0  # protocol lines refused


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


class _Watch:
    """Parse protocol lines into a ``Run``, tracking which cell or case is running."""

    def __init__(self, nonce: str, n_cases: int) -> None:
        self.nonce, self.n_cases = nonce, n_cases
        self.run = Run()
        self.ready = self.done = False
        self.step: tuple[str, int] = ("start", 0)
        self.since = time.monotonic()

    def line(self, raw: bytes) -> None:
        try:
            message = json.loads(raw)
            ok = isinstance(message, dict) and hmac.compare_digest(
                str(message.get("nonce", "")), self.nonce
            )
            if not ok or not self._accept(message):
                self.run.dropped += 1
        except (ValueError, TypeError, RecursionError, codec.CodecError):
            self.run.dropped += 1

    def _accept(self, m: dict) -> bool:
        kind = m.get("kind")
        if kind == "ready" and not self.ready and isinstance(m.get("sandbox"), dict):
            self.ready = True
            self.run.sandbox = {str(k): str(v)[:200] for k, v in m["sandbox"].items()}
        elif kind in ("cell", "case") and type(m.get("i", m.get("k"))) is int:
            self.step, self.since = (kind, m.get("i", m.get("k"))), time.monotonic()
        elif kind == "cell_error" and type(m.get("i")) is int:
            self.run.cell_errors.setdefault(m["i"], _error(m))
        elif kind == "result" and type(m.get("k")) is int and 0 <= m["k"] < self.n_cases:
            if m["k"] not in self.run.results:  # the first report of a case counts
                if isinstance(m.get("error"), dict):
                    self.run.results[m["k"]] = ("error", _error(m["error"]))
                else:
                    self.run.results[m["k"]] = _value(m.get("value"))
        elif kind == "done":
            self.done = True
        else:
            return False
        return True


def _value(data: Any) -> tuple[str, Any]:
    try:
        return "value", codec.decode(data)
    except (codec.CodecError, ValueError, TypeError, RecursionError) as error:
        return "error", {"type": "Malformed", "message": str(error)[:200], "where": []}


def _error(m: dict) -> dict:
    where = m.get("where") if isinstance(m.get("where"), list) else []
    return {
        "type": str(m.get("type", "Error"))[:80],
        "message": str(m.get("message", ""))[:500],
        "where": [str(w)[:80] for w in where[:4]],
    }


def run(cells: list[str], cases: list[dict], limits: Limits, sandbox: Sandbox) -> Run:
    """Run a notebook's cells, then its cases, in a sandboxed process; resume after a crash.

    When the process dies (or is killed) during grading case k, that case scores as failed
    and a fresh process reruns the cells and continues from case k + 1, at most
    ``RESTARTS`` times and within the same total time limit.
    """
    deadline = time.monotonic() + limits.total_seconds
    skip: set[str] = set()
    merged = part = run_once(cells, cases, limits, sandbox, (0, []), limits.total_seconds)
    for _ in range(RESTARTS):  # merged keeps the first problem and where it happened
        if not (part.problem and part.where.startswith("grading case")):
            break
        k = int(part.where.split()[-1]) - 1
        merged.results.setdefault(k, ("error", {"type": "Crashed", "message": "", "where": []}))
        remaining = deadline - time.monotonic()
        if k + 1 >= len(cases) or remaining < 1:
            break
        skip.add(cases[k]["function"])
        part = run_once(cells, cases, limits, sandbox, (k + 1, sorted(skip)), remaining)
        for index, outcome in part.results.items():
            merged.results.setdefault(index, outcome)
        merged.dropped += part.dropped
    return merged


def run_once(
    cells: list[str],
    cases: list[dict],
    limits: Limits,
    sandbox: Sandbox,
    resume: tuple[int, list[str]],
    seconds: float,
) -> Run:
    """Run the cells, then cases from ``resume[0]`` on (skipping functions ``resume[1]``)."""
    limits = Limits(limits.cell_seconds, seconds, limits.memory_mb, limits.file_mb)
    workdir = tempfile.mkdtemp(prefix="bpkit-sub-")
    user = _run_user(sandbox.user)
    if user is not None:
        os.chown(workdir, user["uid"], user["gid"])
    proto_r, proto_w = os.pipe()
    nonce = secrets.token_hex(16)
    payload = {
        "fd": proto_w,
        "nonce": nonce,
        "pythonpath": [str(Path(__file__).resolve().parents[2])],
        "cells": cells,
        "cases": [{k: c[k] for k in ("function", "driver", "args", "kwargs")} for c in cases],
        "first_case": resume[0],
        "skip": resume[1],
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
        },
    }
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", str(HARNESS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(proto_w,),
            cwd="/",
            env=_child_env(workdir),
            start_new_session=True,
        )
    finally:
        os.close(proto_w)
    try:
        return _watch(proc, proto_r, json.dumps(payload).encode(), nonce, len(cases), limits)
    finally:
        _kill(proc)
        if user is not None and sandbox.user.get("fresh"):
            _kill_user(user)
        os.close(proto_r)
        shutil.rmtree(workdir, ignore_errors=True)


def _run_user(user: dict | None) -> dict | None:
    """The uid and gid this run switches to (None: no switch, the grader is not root)."""
    if user is None or os.geteuid() != 0:
        return None
    if not user.get("fresh"):
        return user
    slot = next(_fresh_ids) % FRESH_PER_GRADER
    uid = FRESH_BASE + (os.getpid() % 1_000_000) * FRESH_PER_GRADER + slot
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


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            stream.close()


def _send(proc: subprocess.Popen, data: bytes) -> None:
    try:
        proc.stdin.write(data)  # the child reads all of it before doing anything else
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass


def _watch(proc, proto_r: int, data: bytes, nonce: str, n_cases: int, limits: Limits) -> Run:
    _send(proc, data)
    watch = _Watch(nonce, n_cases)
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
        if proc.poll() is not None:
            exited_at = exited_at or now
            if not selector.get_map() or now - exited_at > 0.5:
                break
    selector.close()
    watch.run.output = bytes(output)
    watch.run.where = _where(watch.step)
    if not watch.done and not watch.run.problem:
        watch.run.problem = _exit_problem(proc, watch, limits)
    return watch.run


def _where(step: tuple[str, int]) -> str:
    kind, index = step
    return {"cell": f"cell {index}", "case": f"grading case {index + 1}"}.get(kind, "start-up")


def _overdue(watch: _Watch, total: float, step: float, limits: Limits) -> str:
    if total > limits.total_seconds:
        return f"ran past the total time limit of {limits.total_seconds:g} s"
    if not watch.ready and step > STARTUP:
        return f"the sandbox did not start within {STARTUP:g} s"
    if watch.step[0] != "start" and step > limits.cell_seconds + GRACE:
        return f"timed out after {limits.cell_seconds:g} s"
    return ""


def _exit_problem(proc: subprocess.Popen, watch: _Watch, limits: Limits) -> str:
    code = proc.wait()
    if not watch.ready:
        tail = watch.run.output.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        return f"the grader could not start the sandbox ({tail[0][:200]})"
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        if name == "SIGXCPU":
            return f"used more than {limits.total_seconds + 5:g} s of CPU time"
        if name in ("SIGSEGV", "SIGABRT", "SIGBUS"):
            return f"crashed ({name}), possibly out of memory (limit {limits.memory_mb} MB)"
        return f"the notebook's Python process was killed ({name})"
    return f"the notebook's Python process exited (code {code}, e.g. os._exit)"
