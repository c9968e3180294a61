"""The grader's side of the sandbox protocol: what it accepts from the child, and when.

The harness (``_harness.py``) writes JSON lines on a pipe; the grader feeds each to a
:class:`Watch`, which accepts a message only where the protocol allows it: cell reports until
the child says its cells are done, then results for the cases already sent to it, once each.
The watch queues the public cases on an :class:`Outbox` (the child's stdin) when the cells are
done, and the hidden ones only when every public case has its result. Nothing here is secret:
a notebook can write on the pipe as well as the harness can, so a forged message is at most
an answer its functions could have given. A hidden case's error is :func:`blind`: no word the
notebook chose travels back in the feedback.
"""

from __future__ import annotations

import builtins
import fcntl
import json
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

from bpkit.grading import codec


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
    hidden_sent: bool = False  # hidden cases had reached the child when it stopped


# Kinds a case's error may have that the grader itself names; any other non-builtin name
# came from the notebook's own code.
PROTOCOL_ERRORS = {"Missing", "Skipped", "Timeout", "ChangedInput", "Malformed", "Crashed"}


class Watch:
    """Parse protocol lines into a ``Run`` in the order the protocol allows.

    ``cases`` are the cases this process grades (each with its index ``k`` and ``public``);
    the watch queues the public ones on ``outbox`` when the cells are done and the hidden
    ones when every public case has its result, then closes the outbox.
    """

    def __init__(self, cases: list[dict], outbox: Outbox) -> None:
        self.cases = {c["k"]: c for c in cases}
        self.outbox = outbox
        self.run = Run()
        self.ready = self.done = self.cells_done = False
        self.sent: set[int] = set()
        self.step: tuple[str, int] = ("start", 0)
        self.since = time.monotonic()

    def line(self, raw: bytes) -> None:
        try:
            message = json.loads(raw)
            if not isinstance(message, dict) or not self._accept(message):
                self.run.dropped += 1
        except (ValueError, TypeError, RecursionError, codec.CodecError):
            self.run.dropped += 1

    def _send_batch(self, public: bool) -> None:
        batch = [c for c in self.cases.values() if c["public"] == public]
        self.sent.update(c["k"] for c in batch)
        self.run.hidden_sent = self.run.hidden_sent or (not public and bool(batch))
        fields = ("k", "function", "driver", "args", "kwargs")
        if batch:
            self.outbox.put(json.dumps([{f: c[f] for f in fields} for c in batch]).encode())
        if not public:
            self.outbox.close()

    def _after_result(self) -> None:
        public = [k for k, c in self.cases.items() if c["public"]]
        if not self.run.hidden_sent and all(k in self.run.results for k in public):
            self._send_batch(public=False)

    def _accept(self, m: dict) -> bool:
        kind = m.get("kind")
        index = m.get("i", m.get("k"))
        if kind == "ready" and not self.ready and isinstance(m.get("sandbox"), dict):
            self.ready = True
            self.run.sandbox = {str(k): str(v)[:200] for k, v in m["sandbox"].items()}
        elif not self.ready:
            return False
        elif kind == "cell" and not self.cells_done and type(index) is int:
            self.step, self.since = (kind, index), time.monotonic()
        elif kind == "cell_error" and not self.cells_done and type(index) is int:
            self.run.cell_errors.setdefault(index, _error(m))
        elif kind == "cells_done" and not self.cells_done:
            self.cells_done = True
            self.step, self.since = ("cases", 0), time.monotonic()
            self._send_batch(public=True)
            self._after_result()
        elif kind == "case" and type(index) is int and index in self.sent:
            self.step, self.since = (kind, index), time.monotonic()
        elif kind == "result" and type(index) is int and index in self.sent:
            if index in self.run.results:
                return False  # the first report of a case counts
            self.run.results[index] = self._outcome(self.cases[index], m)
            self._after_result()
        elif kind == "done" and self.cells_done:
            self.done = self.run.hidden_sent or not any(
                not c["public"] for c in self.cases.values()
            )
            return self.done
        else:
            return False
        return True

    def _outcome(self, case: dict, m: dict) -> tuple[str, Any]:
        if not isinstance(m.get("error"), dict):
            return _value(m.get("value"))
        error = _error(m["error"])
        return ("error", error if case["public"] else blind(error, case["function"]))


def blind(error: dict, function: str) -> dict:
    """A hidden case's error with nothing the notebook chose: no message, no frame names."""
    kind = error["type"]
    named = kind in PROTOCOL_ERRORS or isinstance(getattr(builtins, kind, None), type)
    message = f"{function} changed an argument in place" if kind == "ChangedInput" else ""
    message = function if kind in ("Missing", "Skipped") else message
    where = [m.group(0) for w in error["where"] if (m := re.match(r"line \d+", w))]
    return {"type": kind if named else "Exception", "message": message, "where": where}


class Outbox:
    """Bytes queued for the child's stdin, written without ever blocking the grader."""

    def __init__(self, fd: int) -> None:
        self.fd, self.data, self.closing = fd, bytearray(), False
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_NONBLOCK)

    def put(self, line: bytes) -> None:
        self.data += line + b"\n"

    def close(self) -> None:
        self.closing = True

    def flush(self) -> bool:
        """Write what the pipe takes now; True while the stdin pipe is still open."""
        if self.fd < 0:
            return False
        try:
            while self.data:
                del self.data[: os.write(self.fd, self.data[: 1 << 16])]
        except BlockingIOError:
            return True
        except OSError:  # the child is gone or closed its end
            self.data.clear()
            self.closing = True
        if self.closing and not self.data:
            os.close(self.fd)
            self.fd = -1
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
