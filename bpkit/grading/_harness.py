"""Run one submitted notebook inside its sandbox process and report driver results.

This file is the child side of ``bpkit grade``; the grader starts it as
``python -I _harness.py`` and writes JSON lines on its stdin: first the payload (the cells,
the limits, the names of the drivers), later the cases, in batches. Before any student code
runs, it confines itself (see ``bpkit.grading.sandbox``: a minimal root in private mount,
network and PID namespaces where the kernel allows, resource limits, an unprivileged user
when started as root), looks up the drivers it will need, neutralises widgets and displays,
then runs the notebook's code cells, says so, and only then reads the cases: public ones
first, hidden ones after every public result is in. So no hidden input exists in the process
while anything that reaches a student's feedback (a cell's error) can still be produced.

It reports on a dedicated pipe, one JSON line per message. Nothing on that pipe is secret
or trusted: the notebook can write there too, and the grader accepts only what the protocol
allows at that moment (a result for a case it has sent, once) and decodes values with
validation; whatever a notebook forges is at most an answer its functions could have given.
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
_write, _read, _exit, _setitimer = os.write, os.read, os._exit, signal.setitimer
_loads = json.loads
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
    """Write JSON lines on the protocol file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, kind: str, **fields: object) -> None:
        _restore_builtins()
        line = _json({"kind": kind, **fields}) + "\n"
        data = str.encode(line, "utf-8", "replace")
        while data:
            data = data[_write(self.fd, data) :]


class _Lines:
    """Read newline-terminated lines from a file descriptor (b"" at the end)."""

    def __init__(self, fd: int) -> None:
        self.fd, self.buffer = fd, b""

    def next(self) -> bytes:
        while b"\n" not in self.buffer:
            chunk = _read(self.fd, 1 << 16)
            if not chunk:
                line, self.buffer = self.buffer, b""
                return line
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


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
    env["skip"] = slow = set(env["skip"])  # functions that timed out or crashed: their other
    for position, case in enumerate(cases):  # cases are skipped, in later batches too
        index = case.get("k", position)
        chan.send("case", k=index)
        name = case["function"]
        problem = "Missing" if not callable(namespace.get(name)) else ""
        problem = "Skipped" if name in slow else problem
        if problem:
            chan.send("result", k=index, error={"type": problem, "message": name, "where": []})
            continue
        try:
            driver = (
                drivers[case["driver"]] if isinstance(drivers, dict) else drivers(case["driver"])
            )
            args = codec.decode(case["args"])
            kwargs = codec.decode(case["kwargs"])
            _limit_time(seconds)
            try:  # the same rules as check(): warnings are errors, arguments stay unchanged
                value = env["call"](driver, namespace, name, args, kwargs)
            finally:
                _limit_time(0)
                _restore_builtins()
            chan.send("result", k=index, value=codec.encode(value))
        except _Timeout:
            slow.add(name)
            chan.send("result", k=index, error={"type": "Timeout", "message": "", "where": []})
        except BaseException as error:
            chan.send("result", k=index, error=_error_fields(error))


def _drivers(names: list[str]) -> dict:
    """Look up every driver the cases will name, before any student code can replace one."""
    from bpkit.grading import lookup

    found = {}
    for name in names:
        try:
            found[name] = lookup.driver(name)
        except Exception as error:  # reported per case, as a driver the grader could not find
            found[name] = _missing_driver(error)
    return found


def _missing_driver(error: Exception) -> object:
    def driver(*args: object, **kwargs: object) -> object:
        raise error

    return driver


def _use_exercises(folder: str | None) -> None:
    """Import ``bpkit_exercises`` from the folder the grader uses (its drivers and hints)."""
    if not folder or not os.path.isfile(os.path.join(folder, "__init__.py")):
        return
    import importlib.util

    init = os.path.join(folder, "__init__.py")
    spec = importlib.util.spec_from_file_location(
        "bpkit_exercises", init, submodule_search_locations=[folder]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["bpkit_exercises"] = module
    spec.loader.exec_module(module)


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
    lines = _Lines(0)
    payload = _loads(lines.next())
    chan = _Channel(payload.pop("fd"))
    sys.path[:0] = payload["pythonpath"]
    _use_exercises(payload.get("exercises"))
    from bpkit.grading import sandbox

    with contextlib.suppress(Exception):  # loads the exercises' drivers while they are visible:
        import bpkit.check  # the sandbox's root holds only their public parts
    report = sandbox.confine(payload["sandbox"])  # limits, namespaces, user: before student code
    chan.send("ready", sandbox=report, pid=os.getpid())
    signal.signal(signal.SIGALRM, _on_alarm)
    drivers = _drivers(payload["drivers"])
    sandbox.neutralise_displays()
    with contextlib.suppress(Exception):  # inline checks print feedback from public cases;
        bpkit.check.check = sandbox.notebook_builtins()["display"]  # the grader runs them itself
    from bpkit.check._run import call_strict
    from bpkit.grading import codec

    namespace: dict = {"__name__": "__main__", "__builtins__": builtins}
    namespace.update(sandbox.notebook_builtins())
    cells, seconds = payload.pop("cells"), payload["cell_seconds"]
    _run_cells(cells, namespace, seconds, chan)
    chan.send("cells_done")  # the grader sends the cases only now
    _quiet_output()
    env = {"codec": codec, "drivers": drivers, "seconds": payload["case_seconds"]}
    env["call"], env["skip"] = call_strict, set(payload["skip"])
    while True:
        line = lines.next()
        if not line:
            break
        _run_cases(_loads(line), namespace, env, chan)
    chan.send("done")
    _exit(0)  # skip any atexit hooks the notebook registered


if __name__ == "__main__":
    main()
