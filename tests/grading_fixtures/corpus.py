"""Build the corpus of good, broken and hostile submissions of the fixture exercise 90.

``build(folder, secrets)`` writes one file per entry of ``CORPUS`` and returns, for each,
the scores and status the grader must report. Every hostile entry keeps at least one
function right where it can, so the tests also see that grading went on around the damage.
``secrets`` are the paths a submission must not read or write (source, cases, output).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

SOURCE = Path(__file__).with_name("source") / "90_fixture.ipynb"
TIMEOUT = 5  # seconds per cell or case when the tests grade the corpus (--timeout)
FULL = {"square": 2.0, "normalise": 3.0, "count_positive": 1.0}
ZERO = dict.fromkeys(FULL, 0.0)


def source_cells() -> list[str]:
    """The instructor notebook's code cells: imports, square, normalise, count_positive, ..."""
    notebook = json.loads(SOURCE.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def release(cells: list[str]) -> list[str]:
    """Replace each solution block by a NotImplementedError, as ``bpkit release`` does."""
    block = re.compile(r"( *)### BEGIN SOLUTION.*?### END SOLUTION", re.S)
    stub = r'\1raise NotImplementedError("Exercise 90: implement this function")'
    return [block.sub(stub, c) for c in cells]


def notebook(cells: list[str]) -> bytes:
    """A minimal nbformat-4 notebook holding ``cells`` as code cells."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "source": c,
                "outputs": [],
                "execution_count": None,
            }
            for c in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb).encode()


def with_cells(replace: dict[str, str] | None = None, insert: str = "") -> bytes:
    """The correct solution with some functions' cells replaced and a cell inserted after 1."""
    cells = source_cells()
    for name, body in (replace or {}).items():
        cells = [body if c.startswith(f"def {name}(") else c for c in cells]
    if insert:
        cells.insert(1, insert)
    return notebook(cells)


WRONG = {  # plausible wrong answers, for the submissions that try to cheat
    "square": "def square(x):\n    return x",
    "normalise": "def normalise(v):\n    return v",
    "count_positive": "def count_positive(xs):\n    return 0",
}

# Hangs that sleep rather than spin, so the tests leave the CPU to the other submissions;
# loop_in_cell keeps one busy loop.
STUBBORN_LOOP = """
import time
while True:
    try:
        time.sleep(1000)
    except BaseException:
        pass
"""

EXIT_IN_FUNCTION = """def square(x):
    import os
    if np.ndim(x) == 0:
        os._exit(0)
    return np.asarray(x, dtype=float) ** 2
"""

PATCH_BPKIT = """
fake = lambda *args, **kwargs: (1.0, "")
try:
    import bpkit.check.compare as compare
    compare.allclose = compare.exact = compare.score = fake
    compare.COMPARISONS.update(allclose=fake, exact=fake)
except Exception:
    pass
import bpkit.grading.lookup as lookup
lookup.score = fake
lookup.comparison = lambda name: fake
"""

PATCH_BUILTINS = """
import builtins
builtins.isinstance = lambda *args: True
builtins.callable = lambda x: True
builtins.len = lambda x: 1
builtins.type = lambda *args: object
"""

FORGE = """
import json, os
for fd in range(3, 40):
    for k in range(6):
        line = json.dumps({"kind": "result", "k": k, "value": 9.0}) + "\\n"
        try:
            os.write(fd, line.encode())
        except OSError:
            pass
print(json.dumps({"kind": "done"}))
"""

LYING = """
class Liar(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

class Anything:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 9.0

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("not telling")

def square(x):
    return (np.asarray(x, dtype=float) + 1).view(Liar)   # wrong values, lying __eq__

def normalise(v):
    v = np.asarray(v, dtype=float)
    return (v / np.linalg.norm(v)).view(Liar)             # right values in a subclass

def count_positive(xs):
    return Anything()
"""


def _file_access(secrets: dict[str, str]) -> str:
    """A cell that tries to read the cases and source and to write the output folder."""
    return f"""
import os
stolen = False
for path in [{secrets["source"]!r}, {secrets["cases"]!r}]:
    try:
        with open(path) as handle:
            stolen = stolen or len(handle.read()) > 0
    except OSError:
        pass
for path in [{secrets["out"]!r} + "/PWNED.txt", {secrets["source_dir"]!r} + "/PWNED.txt"]:
    try:
        with open(path, "w") as handle:
            handle.write("pwned")
    except OSError:
        pass
scratch = os.path.expanduser("~/scratch.txt")
with open(scratch, "w") as handle:
    handle.write("ok")
home_works = open(scratch).read() == "ok"

def square(x):
    return np.asarray(x, dtype=float) ** 2 if home_works else -1.0

def count_positive(xs):
    return -1 if stolen else int(sum(1 for x in xs if x > 0))
"""


# Signals every process this user may signal, for 4 s: with one user for all submissions,
# that would kill whatever notebook is graded beside it.
KILL_OTHERS = """import os, signal, time
end = time.time() + 4
while time.time() < end:
    try:
        os.kill(-1, signal.SIGKILL)  # never the caller itself
    except OSError:
        pass
    time.sleep(0.01)"""
# Double-forks a grandchild into its own session, out of the grader's process group, that
# would sleep on for ten minutes after the notebook ends. It writes its pid to stdout first.
ORPHAN = """import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        print("orphan pid", os.getpid(), flush=True)
        time.sleep(600)
    os._exit(0)
os.wait()"""


# After its functions are defined: 40 busy processes, each in a session of its own (so
# the kernel's per-session CPU fairness gives each a full share), for ~6 s, then killed.
# A notebook graded beside it gets a sliver of the CPU and hits its time limits.
STARVE = [
    "import os, signal, time\nHOGS = []\nfor _ in range(40):\n    pid = os.fork()\n"
    "    if pid == 0:\n        os.setsid()\n        while True:\n            pass\n"
    "    HOGS.append(pid)\ntime.sleep(1.5)",
    "time.sleep(1.5)",
    "time.sleep(1.5)",
    "time.sleep(1.5)",
    "for pid in HOGS:\n    os.kill(pid, signal.SIGKILL)\n    os.waitpid(pid, 0)",
]


def corpus(secrets: dict[str, str]) -> dict[str, tuple[bytes, dict, str]]:
    """Name → (file content, expected scores, expected status fragment)."""
    cells = source_cells()
    bomb = "def bomb():\n    hog = []\n    while True:\n        hog.append(bytearray(50_000_000))\n"
    bomb += "\nbomb()"
    return {
        "correct": (notebook(cells), FULL, "ok"),
        "released": (notebook(release(cells)), ZERO, "not attempted: every graded function"),
        "invalid_json": (b'{"cells": [', ZERO, "not a notebook: invalid JSON at line 1"),
        "python_script": (b"print('hello')\n", ZERO, "not a notebook: invalid JSON at line 1"),
        "json_not_notebook": (b'{"hello": 1}', ZERO, "not a notebook: valid JSON but no list"),
        "binary": (b"\x89PNG\r\n\x1a\n\xff\xfe\x00", ZERO, "not a notebook: the file is not text"),
        "empty": (notebook([]), ZERO, "not attempted: empty notebook"),
        "missing_function": (
            with_cells({"square": "def squares(x):\n    return x ** 2"}),
            {**FULL, "square": 0.0},
            "cell 5 raised NameError: name 'square' is not defined",  # the plot cell calls it
        ),
        "syntax_error": (
            with_cells({"normalise": "def normalise(v)\n    return v"}),
            {**FULL, "normalise": 0.0},
            "syntax error in cell 3",
        ),
        "raise_at_definition": (
            with_cells({"count_positive": "1 / 0\n\ndef count_positive(xs):\n    return 2"}),
            {**FULL, "count_positive": 0.0},
            "cell 4 raised ZeroDivisionError",
        ),
        "raise_at_call": (
            with_cells({"square": "def square(x):\n    raise ValueError(f'no {x}')"}),
            {**FULL, "square": 0.0},
            "cell 5 raised ValueError: no [0, 1, 2]",
        ),
        "loop_in_cell": (with_cells(insert="while True:\n    pass"), FULL, "cell 2 timed out"),
        "loop_stubborn": (
            with_cells(insert=STUBBORN_LOOP),
            ZERO,
            f"timed out after {TIMEOUT} s in cell 2",
        ),
        "loop_in_function": (
            with_cells({"square": "def square(x):\n    import time\n    time.sleep(1e6)"}),
            {**FULL, "square": 0.0},
            "grading case 1 (square) timed out",
        ),
        "memory_bomb": (
            with_cells(insert=bomb),
            FULL,
            "ran out of memory (limit 512 MB) in cell 2",
        ),
        "sys_exit": (
            with_cells(insert="import sys\nsys.exit(3)"),
            FULL,
            "cell 2 called sys.exit()",
        ),
        "os_exit": (with_cells(insert="import os\nos._exit(0)"), ZERO, "exited (code 0"),
        "kill_self": (
            with_cells(insert="import os\nos.kill(os.getpid(), 9)"),
            ZERO,
            "was killed (SIGKILL) in cell 2",
        ),
        "exit_in_function": (
            with_cells({"square": EXIT_IN_FUNCTION}),
            {**FULL, "square": 0.0},  # the crashed case fails; later cases of square are skipped
            "exited (code 0, e.g. os._exit) in grading case 1 (square)",
        ),
        "hang_in_function": (
            with_cells({"normalise": "def normalise(v):" + STUBBORN_LOOP.replace("\n", "\n    ")}),
            {**FULL, "normalise": 0.0},
            f"timed out after {TIMEOUT} s in grading case 3 (normalise)",
        ),
        "huge_output": (
            with_cells(insert="for _ in range(100):\n    print('x' * 1_000_000)"),
            FULL,
            "ok",
        ),
        "nan_inf": (
            with_cells(
                {
                    "square": "def square(x):\n    return np.full(np.shape(x), np.nan)",
                    "normalise": "def normalise(v):\n    return np.full(len(v), np.inf)",
                }
            ),
            {**FULL, "square": 0.0, "normalise": 0.0},
            "ok",
        ),
        "wrong_shapes_types": (
            with_cells(
                {
                    "square": "def square(x):\n    return np.ravel(np.square(x))[:1]",
                    "normalise": "def normalise(v):\n    return ['a'] * len(v)",
                    "count_positive": "def count_positive(xs):\n    return '2'",
                }
            ),
            {"square": 1.0, "normalise": 0.0, "count_positive": 0.0},
            "cell 5 raised ValueError: x and y must have same first dimension",
        ),
        "lying_values": (notebook([*cells, LYING]), {**ZERO, "normalise": 3.0}, "ok"),
        "patch_numpy": (
            with_cells(
                WRONG, insert="np.allclose = lambda *a, **k: True\nnp.isclose = np.allclose"
            ),
            ZERO,
            "ok",
        ),
        "patch_bpkit": (with_cells(WRONG, insert=PATCH_BPKIT), ZERO, "ok"),
        "patch_builtins": (with_cells(WRONG, insert=PATCH_BUILTINS), ZERO, "ok"),
        "forge_protocol": (with_cells(WRONG, insert=FORGE), ZERO, "ok"),
        "kill_others": (with_cells(insert=KILL_OTHERS), FULL, "ok"),
        "orphan": (with_cells(insert=ORPHAN), FULL, "ok"),
        "file_access": (
            notebook([*cells, _file_access(secrets)]),
            FULL,  # as root the secrets stay hidden; tests adjust count_positive when not root
            "ok",
        ),
        # --- issue 23, holes 3/4/6/7 (g2) ---
        **_issue_23(cells, secrets),
        # --- issue 23, holes 3/4/6/7 (g2): end ---
        # --- issue 23, holes 1/2/5 (g1) ---
        **issue_23_g1(secrets),
        # --- end of issue 23, holes 1/2/5 (g1) ---
    }


# --- issue 23, holes 3/4/6/7 (g2) ---
class Link(str):
    """A corpus entry written as a symlink to this target (relative: beside the entry)."""


class HardLink(str):
    """A corpus entry written as a hard link to this file."""


FIFO = b"<fifo>"  # a corpus entry written as a named pipe: opening it would block


def with_bpkit(content: bytes, tag: object) -> bytes:
    """A notebook with ``metadata.bpkit`` set to ``tag`` (well-formed or not)."""
    nb = json.loads(content)
    nb["metadata"]["bpkit"] = tag
    return json.dumps(nb).encode()


def _issue_23(cells: list[str], secrets: dict[str, str]) -> dict:
    """Holes 3, 4 and 6 of issue 23: bad metadata and variants, links and pipes.

    No roster here, so the sender of ``NAME_90_fixture.ipynb`` is NAME (its file name):
    a variant that names someone else is flagged and graded against the named learner's
    cases (with a roster, against the sender's own; see test_grading_runs).
    """
    from bpkit.check.exercises import variant_seed
    from bpkit.grading.identity import current_stamp

    stamp = current_stamp("90_fixture", SOURCE) or {}

    def variant(student: object, seed: object) -> bytes:
        tag = {"exercise": "90_fixture", **stamp, "variant": {"student": student, "seed": seed}}
        return with_bpkit(notebook(cells), tag)

    def seed(student: str) -> int:
        return variant_seed("90_fixture", student)

    edited = seed("variant_edited_seed") + 1
    return {
        "variant_unreadable": (  # hole 3: crashed the whole run (TypeError), exit 1
            variant(["s001"], "7"),
            ZERO,
            "variant metadata unreadable: expected",
        ),
        "metadata_junk": (  # hole 3: junk where the release writes its stamp is ignored
            with_bpkit(notebook(cells), {"exercise": ["90"], "release": {}, "cases_hash": 5}),
            FULL,
            "ok",
        ),
        "symlink_to_source": (Link(secrets["source"]), ZERO, "symlink: not graded"),  # hole 4
        "symlink_to_classmate": (Link("correct_90_fixture.ipynb"), ZERO, "symlink: not graded"),
        "hardlink_to_source": (
            HardLink(secrets["source"]),
            ZERO,
            "a hard link to an instructor file: not graded",
        ),
        "fifo": (FIFO, ZERO, "not a regular file (a FIFO): not graded"),
        "variant_borrowed": (  # hole 6: another learner's whole variant
            variant("s001", seed("s001")),
            FULL,
            "another learner's variant: released for s001, but its path names variant_borrowed",
        ),
        "variant_edited_seed": (
            variant("variant_edited_seed", edited),
            FULL,
            f"variant edited: seed {edited} is not the seed released for variant_edited_seed; "
            "graded against variant_edited_seed's cases",
        ),
        "variant_edited_student": (
            variant("s002", seed("variant_edited_student")),
            FULL,
            f"variant edited: it names s002, but its seed {seed('variant_edited_student')} "
            "was released for variant_edited_student",
        ),
    }


# --- issue 23, holes 3/4/6/7 (g2): end ---


# --- issue 23, holes 1/2/5 (g1) ---
REPO = Path(__file__).resolve().parents[2]
FIXTURE_IN_REPO = "tests/grading_fixtures/source/90_fixture.ipynb"

# Runs the solution cells of a notebook's text, as a student who found one would.
_RUN_SOLUTIONS = """
def run_solutions(text):
    try:
        found = json.loads(text)
    except ValueError:
        return False
    for cell in found.get("cells", []):
        source = "".join(cell.get("source", []))
        if cell.get("cell_type") == "code" and source.lstrip().startswith("def "):
            exec(source, globals())
    return True
"""

# Hole 1: the answers one `git show` (or one open()) away in the repository.
REPO_ANSWERS = f"""import json, os, subprocess
{_RUN_SOLUTIONS}
REPO = {str(REPO)!r}
texts = []
try:
    texts.append(subprocess.run(
        ["git", "-c", "safe.directory=*", "-C", REPO, "show", "HEAD:{FIXTURE_IN_REPO}"],
        capture_output=True, text=True, timeout=3,
    ).stdout)
except Exception:
    pass
for path in [REPO + "/{FIXTURE_IN_REPO}", REPO + "/exercises/05_backpropagation/hidden.py"]:
    try:
        texts.append(open(path).read())
    except OSError:
        pass
stolen = [run_solutions(text) for text in texts]
"""

# Hole 2: the protocol's secrets from the harness's frames (and the garbage collector).
FORGE_FRAMES = """import gc, json, os, sys
found = {}
frame = sys._getframe()
while frame is not None:
    for key in ("chan", "payload", "nonce"):
        if key in frame.f_locals:
            found.setdefault(key, frame.f_locals[key])
    frame = frame.f_back
for obj in gc.get_objects():
    if type(obj).__name__ == "_Channel":
        found.setdefault("chan", obj)
payload = found.get("payload") if isinstance(found.get("payload"), dict) else {}
nonce = getattr(found.get("chan"), "nonce", None) or payload.get("nonce")
fd = getattr(found.get("chan"), "fd", None) or payload.get("fd")
cases = payload.get("cases", [])
for k in range(6):
    message = {"kind": "result", "k": k, "value": 9.0}
    if nonce:
        message["nonce"] = nonce
    try:
        os.write(fd, (json.dumps(message) + "\\n").encode())
    except (OSError, TypeError):
        pass
raise RuntimeError(f"nonce={nonce is not None} cases={len(cases)}")
"""

# Hole 2: drivers replaced, so that wrong functions would get right results.
PATCH_DRIVERS = """import numpy as np
import bpkit.check.drivers as d
import bpkit.grading.lookup as lookup
RIGHT = {
    "square": lambda x: np.asarray(x, dtype=float) ** 2,
    "normalise": lambda v: np.asarray(v, dtype=float) / np.linalg.norm(v),
    "count_positive": lambda xs: int(sum(1 for x in xs if x > 0)),
}
def forged(namespace, function, *args, **kwargs):
    return d.plain(RIGHT[function](*args))
d.DRIVERS["call"] = forged
d.call = lookup.call = forged
lookup.driver = lambda name: forged
"""


def _copy_classmate(secrets: dict[str, str]) -> str:
    """Hole 5: find the submissions (beside the output, or in /proc) and run a classmate's."""
    submitted = str(Path(secrets["out"]).parent / "submitted")
    return f"""import glob, json, os
{_RUN_SOLUTIONS}
places = {{{submitted!r}}}
for cmdline in glob.glob("/proc/*/cmdline"):
    try:
        words = open(cmdline, "rb").read().split(b"\\0")
    except OSError:
        continue
    for word in words:
        word = word.decode(errors="replace")
        if word.startswith("/") and word.count("/") > 1:
            places.add(word if os.path.isdir(word) else os.path.dirname(word))
copied = []
for place in sorted(places):
    for path in glob.glob(place + "/correct_*.ipynb") + glob.glob(place + "/*/correct_*.ipynb"):
        try:
            copied.append(run_solutions(open(path).read()))
        except OSError:
            pass
"""


def _sees_nothing(secrets: dict[str, str]) -> str:
    """Each function is right only if the sandbox shows what it must (and nothing else)."""
    return f"""import os, sys
REPO = {str(REPO)!r}
in_repo = sorted(os.listdir(REPO)) if os.path.isdir(REPO) else []
allowed = {{"bpkit", "exercises"}}
prefix = os.path.realpath(sys.prefix)  # a virtual environment inside the clone, as in CI
if prefix.startswith(REPO + "/"):
    allowed.add(prefix[len(REPO) + 1 :].split("/")[0])
no_repo = set(in_repo) <= allowed and not os.path.exists(REPO + "/.git")
no_secrets = not any(os.path.exists(p) for p in {sorted(secrets.values())!r})
pids = [p for p in os.listdir("/proc") if p.isdigit()]
alone = all(os.stat("/proc/" + p).st_uid == os.getuid() for p in pids)
print("sees", sorted(os.listdir("/")), in_repo, len(pids), sorted(os.listdir("/tmp")))

def square(x):
    return np.asarray(x, dtype=float) ** 2 if no_repo else -1.0

def normalise(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v) if alone else v

def count_positive(xs):
    return int(sum(1 for x in xs if x > 0)) if no_secrets else -1
"""


def _wrong_then(cell: str) -> bytes:
    """Wrong functions, then ``cell`` (which may replace them) as the last cell."""
    cells = source_cells()
    for name, body in WRONG.items():
        cells = [body if c.startswith(f"def {name}(") else c for c in cells]
    return notebook([*cells, cell])


def issue_23_g1(secrets: dict[str, str]) -> dict[str, tuple[bytes, dict, str]]:
    """The attacks of issue 23's holes 1, 2 and 5, each with the verdict it must get."""
    return {
        "repo_answers": (_wrong_then(REPO_ANSWERS), ZERO, "ok"),
        "forge_frames": (
            with_cells(WRONG, insert=FORGE_FRAMES),
            ZERO,
            "cell 2 raised RuntimeError: nonce=False cases=0",
        ),
        "patch_drivers": (with_cells(WRONG, insert=PATCH_DRIVERS), ZERO, "ok"),
        "copy_classmate": (_wrong_then(_copy_classmate(secrets)), ZERO, "ok"),
        "sees_nothing": (notebook([*source_cells()[:1], _sees_nothing(secrets)]), FULL, "ok"),
    }


# --- end of issue 23, holes 1/2/5 (g1) ---


def build(folder: Path, secrets: dict[str, str]) -> dict[str, tuple[dict, str]]:
    """Write every corpus entry as ``NAME_90_fixture.ipynb``; return the expectations."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, (content, scores, status) in corpus(secrets).items():
        path = folder / f"{name}_90_fixture.ipynb"
        if isinstance(content, Link):
            os.symlink(content, path)
        elif isinstance(content, HardLink):
            os.link(content, path)
        elif content == FIFO:
            os.mkfifo(path)
        else:
            path.write_bytes(content)
        expected[f"{name}_90_fixture"] = (scores, status)
    return expected
