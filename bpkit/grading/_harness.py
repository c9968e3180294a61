"""Run one submitted notebook inside its sandbox process and report driver results.

This file is the child side of ``bpkit grade``; the grader starts it as
``python -I _harness.py`` and writes one JSON payload on its stdin. Before any student code
runs, it confines itself (see ``bpkit.grading.sandbox``: private mounts and no network where
the kernel allows, resource limits, an unprivileged user when started as root), neutralises
widgets and displays, then runs the notebook's code cells and finally every grading case
through its driver. It reports on a dedicated pipe, one JSON line per message, each carrying
the run's nonce; the grader decodes them with validation and scores them itself.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import re
import signal
import sys
import traceback

# Everything the harness itself needs, taken before any student code can patch it.
_write, _exit, _setitimer = os.write, os._exit, signal.setitimer
_TABLE = builtins.__dict__
_BUILTINS = dict(_TABLE)


def _restore_builtins() -> None:
    """Undo whatever the notebook did to ``builtins`` before the harness runs its own code."""
    table = _TABLE
    for name in [n for n in table if n not in _BUILTINS]:
        del table[name]
    table.update(_BUILTINS)


_ESCAPES = {i: f"\\u{i:04x}" for i in range(32)} | {ord('"'): '\\"', ord("\\"): "\\\\"}


def _json(value: object) -> str:
    """Serialise str/int/float/bool/None/list/dict with nothing a notebook can patch."""
    kind = type(value)
    if kind is str:
        return '"' + str.translate(value, _ESCAPES) + '"'
    if value is None or kind is bool:
        return {None: "null", True: "true", False: "false"}[value]
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return float.__repr__(value) if value - value == 0 else "null"
    if kind is list:
        return "[" + ",".join([_json(item) for item in value]) + "]"
    if kind is dict:
        return "{" + ",".join([_json(str(k)) + ":" + _json(v) for k, v in value.items()]) + "}"
    return "null"


class _Timeout(BaseException):
    """Raised by the alarm when a cell or a case runs past its time limit."""


class _Channel:
    """Write nonce-stamped JSON lines on the protocol file descriptor."""

    def __init__(self, fd: int, nonce: str) -> None:
        self.fd, self.nonce = fd, nonce

    def send(self, kind: str, **fields: object) -> None:
        _restore_builtins()
        line = _json({"nonce": self.nonce, "kind": kind, **fields}) + "\n"
        data = str.encode(line, "utf-8", "replace")
        while data:
            data = data[_write(self.fd, data) :]


def _on_alarm(signum: int, frame: object) -> None:
    raise _Timeout


def _limit_time(seconds: float) -> None:
    _setitimer(signal.ITIMER_REAL, seconds)


_MAGIC_LINE = re.compile(r"^\s*(%|!)")


def transform_magics(source: str) -> str:
    """Turn IPython magics into plain Python: drop ``%%cell`` headers, blank ``%line``/``!cmd``."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        lines = lines[1:]
    return "\n".join("pass" if _MAGIC_LINE.match(line) else line for line in lines)


def _error_fields(error: BaseException, tb_limit: int = 4) -> dict:
    """Describe an exception as plain data: type, message, the last frames of student code."""
    frames = [
        f"line {f.lineno} in {f.name}"
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename.startswith("<cell")
    ]
    message = str(error) if not isinstance(error, SystemExit) else f"exit code {error.code}"
    if isinstance(error, SyntaxError):
        frames = [f"line {error.lineno}"]
        message = str(error.msg)
    return {
        "type": type(error).__name__[:80],
        "message": message[:500],
        "where": frames[-tb_limit:],
    }


def _run_cells(cells: list[str], namespace: dict, seconds: float, chan: _Channel) -> None:
    for index, source in enumerate(cells, start=1):
        chan.send("cell", i=index)
        try:
            code = compile(transform_magics(source), f"<cell {index}>", "exec")
            _limit_time(seconds)
            try:
                exec(code, namespace)
            finally:
                _limit_time(0)
                _restore_builtins()
        except _Timeout:
            chan.send("cell_error", i=index, type="Timeout", message="", where=[])
        except BaseException as error:  # SystemExit and KeyboardInterrupt too: keep grading
            chan.send("cell_error", i=index, **_error_fields(error))
        _close_figures()


def _close_figures() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        with contextlib.suppress(Exception):
            pyplot.close("all")


def _run_cases(cases: list[dict], namespace: dict, env: dict, chan: _Channel) -> None:
    codec, drivers, seconds = env["codec"], env["drivers"], env["seconds"]
    slow = set(env["skip"])  # functions that timed out or crashed: their other cases are skipped
    for index, case in enumerate(cases):
        if index < env["first"]:
            continue  # graded by an earlier process that crashed in a later case
        chan.send("case", k=index)
        name = case["function"]
        problem = "Missing" if not callable(namespace.get(name)) else ""
        problem = "Skipped" if name in slow else problem
        if problem:
            chan.send("result", k=index, error={"type": problem, "message": name, "where": []})
            continue
        try:
            driver = drivers(case["driver"])
            args = codec.decode(case["args"])
            kwargs = codec.decode(case["kwargs"])
            _limit_time(seconds)
            try:
                value = driver(namespace, name, *args, **kwargs)
            finally:
                _limit_time(0)
                _restore_builtins()
            chan.send("result", k=index, value=codec.encode(value))
        except _Timeout:
            slow.add(name)
            chan.send("result", k=index, error={"type": "Timeout", "message": "", "where": []})
        except BaseException as error:
            chan.send("result", k=index, error=_error_fields(error))


def _quiet_output() -> None:
    """Send fd 1 and 2 to /dev/null: nothing printed while hidden cases run leaves the process."""
    for stream in (sys.stdout, sys.stderr):  # keep what the cells printed before now
        with contextlib.suppress(Exception):
            stream.flush()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)


def main() -> None:
    payload = json.loads(sys.stdin.buffer.read())
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    chan = _Channel(payload["fd"], payload["nonce"])
    sys.path[:0] = payload["pythonpath"]
    from bpkit.grading import sandbox

    with contextlib.suppress(Exception):  # loads the exercises' drivers while they are visible:
        import bpkit.check  # the mounts below may hide the exercises folder
    report = sandbox.confine(payload["sandbox"])  # limits, mounts, user: before student code
    chan.send("ready", sandbox=report, pid=os.getpid())
    signal.signal(signal.SIGALRM, _on_alarm)
    sandbox.neutralise_displays()
    with contextlib.suppress(Exception):  # inline checks print feedback from public cases;
        bpkit.check.check = sandbox.notebook_builtins()["display"]  # the grader runs them itself
    from bpkit.grading import codec, lookup

    namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
    namespace.update(sandbox.notebook_builtins())
    _run_cells(payload["cells"], namespace, payload["cell_seconds"], chan)
    _quiet_output()
    env = {"codec": codec, "drivers": lookup.driver, "seconds": payload["case_seconds"]}
    env["first"], env["skip"] = payload["first_case"], payload["skip"]
    _run_cases(payload["cases"], namespace, env, chan)
    chan.send("done")
    _exit(0)  # skip any atexit hooks the notebook registered


if __name__ == "__main__":
    main()
