"""``bpkit release --format nbgrader``: an nbgrader course folder, graded by bpkit's cases.

For each exercise this writes ``OUT/source/NN_topic/NN_topic.ipynb``, the instructor notebook
with nbgrader's cell metadata: every cell with ``### BEGIN SOLUTION`` is a solution cell, and
after each graded function's ``check(...)`` cell comes a locked autograder test cell worth the
function's ``POINTS``. Beside it, ``OUT/nbgrader_config.py``. Then, in ``OUT``::

    nbgrader generate_assignment NN_topic   # release/: solutions and hidden tests removed
    nbgrader autograde NN_topic             # submitted/<student>/NN_topic/NN_topic.ipynb

A test cell calls :func:`score`. In the released notebook it runs the public cases, as
``check`` does, so ``nbgrader validate`` passes only a solved notebook. nbgrader's hidden-test
markers hold the exercise's cases as the grader loads them (public and hidden, each with the
reference solution's value, compressed); ``generate_assignment`` removes them and
``autograde`` puts them back, so autograde scores each function as ``bpkit grade`` does: its
points × the mean of its cases' fractions, each case scored by ``bpkit.grading.report``. The
cell shows that number, which nbgrader takes as partial credit, and one line per case.

What nbgrader does not give: the sandbox. Autograde runs the tests in the learner's own kernel,
after the learner's cells, as every nbgrader course does; ``bpkit grade`` keeps the two apart.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import zlib
from pathlib import Path
from typing import Any

from bpkit import release
from bpkit.notebook import cell_text, read

SCHEMA_VERSION = 3
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CONFIG = '''\
"""nbgrader's settings for the bpkit course, written by bpkit release --format nbgrader."""

c = get_config()  # noqa: F821 (nbgrader defines it)
c.CourseDirectory.course_id = "bpkit"
# The exercises' stubs raise, as bpkit's student notebooks do.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
# Exercise 07 trains a small network in its test cell.
c.Execute.timeout = 300
'''


def _nbgrader(kind: str, grade_id: str, points: float | None = None) -> dict:
    """nbgrader's metadata for a ``solution`` cell or a ``test`` (autograder) cell."""
    meta = {
        "grade": kind == "test",
        "grade_id": grade_id,
        "locked": kind == "test",
        "schema_version": SCHEMA_VERSION,
        "solution": kind == "solution",
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def pack(cases: list[dict]) -> str:
    """The cases as one text: the grader's codec, JSON, zlib, base64."""
    from bpkit import codec

    plain = [{**case, "expected": codec.encode(case["expected"])} for case in cases]
    data = json.dumps(plain, sort_keys=True, separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def unpack(text: str) -> list[dict]:
    """The cases :func:`pack` packed, expected values decoded."""
    from bpkit import codec

    cases = json.loads(zlib.decompress(base64.b64decode(text)))
    return [{**case, "expected": codec.decode(case["expected"])} for case in cases]


def _literal(text: str, width: int = 96) -> str:
    """A long string as a parenthesised Python literal, one chunk per line."""
    chunks = [text[i : i + width] for i in range(0, len(text), width)] or [""]
    return "(\n" + "".join(f'    "{chunk}"\n' for chunk in chunks) + ")"


def test_cell(exercise: str, function: str, points: float, cases: list[dict]) -> str:
    """The source of the autograder test cell of one graded function."""
    mine = [case for case in cases if case["function"] == function]
    return (
        f"# Autograder test of {function} ({points:g} points). Here it runs the public cases;\n"
        "# when your notebook is graded, hidden cases run too. Leave this cell as it is.\n"
        "from bpkit.nbgrader import score\n\n"
        "_cases = None\n"
        f"{HIDDEN_BEGIN}\n"
        f"_cases = {_literal(pack(mine))}\n"
        f"{HIDDEN_END}\n"
        f'score("{function}", globals(), {points:g}, "{exercise}", _cases)'
    )


def _checks(text: str) -> str | None:
    match = re.search(r"^check\((\w+)\)", text, re.MULTILINE)
    return match[1] if match else None


def course_notebook(source: Path, hidden: Path | None = None) -> dict:
    """The nbgrader source notebook of one exercise (``source``: its ``source.ipynb``).

    With ``hidden``, its hidden cases are ``hidden/NN_topic/hidden.py``.
    """
    from bpkit.grading import exercise as ex

    source = Path(source)
    name = source.parent.name
    loaded = ex.load(name, source.parent.parent, hidden=hidden)
    nb = read(source)
    cells: list[dict] = []
    waiting: list[str] = []  # graded functions whose test cell is not placed yet

    def add_test(function: str) -> None:
        points = loaded.points[function]
        text = test_cell(name, function, points, loaded.cases)
        meta = {"nbgrader": _nbgrader("test", f"test_{function}", points)}
        cells.append(_code(f"test-{function}", text, meta))
        waiting.remove(function)

    for cell in nb["cells"]:
        text = cell_text(cell)
        if cell["cell_type"] != "code":
            cells.append({**cell, "source": text})
            continue
        lines = text.split("\n")
        if lines and lines[0].strip() == release.NBVAL_MARK:
            text = "\n".join(lines[1:])
        meta = {k: v for k, v in cell.get("metadata", {}).items() if k != "execution"}
        if release.BEGIN in text:
            function = release.function_name(text)
            if function not in loaded.points:
                raise SystemExit(f"bpkit release: {name}: {function} has no POINTS in hidden.py")
            for late in list(waiting):  # the previous function had no check cell
                add_test(late)
            meta["nbgrader"] = _nbgrader("solution", function)
            waiting.append(function)
        cells.append(_code(cell.get("id", f"cell-{len(cells):03d}"), text, meta))
        checked = _checks(text)
        if checked in waiting:
            add_test(checked)
    for late in list(waiting):
        add_test(late)
    metadata = {**release.notebook_metadata(nb), "bpkit": release.identity(source)}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def _code(cell_id: str, text: str, metadata: dict) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": metadata,
        "outputs": [],
        "source": text,
    }


def write_course(found: list[Path], out: Path, hidden: Path | None = None) -> None:
    """Write ``out/nbgrader_config.py`` and ``out/source/NN_topic/NN_topic.ipynb`` for each."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    for source in found:
        name = source.parent.name
        target = out / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = course_notebook(source, hidden)
        text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        target.write_text(text, encoding="utf-8")
        print(f"{target}: written ({sum('nbgrader' in c['metadata'] for c in nb['cells'])} cells)")
    print(f"next: cd {out} && nbgrader generate_assignment NN_topic")


def score(
    function: str, namespace: dict, points: float, exercise: str, cases: str | None = None
) -> float:
    """Score one graded function in the learner's kernel; print a line per case.

    Without ``cases`` (the released notebook), the public cases as ``check`` runs them.
    With them (autograde: :func:`pack`'s text), each case as ``bpkit grade`` scores it.
    Nothing goes to stderr, which nbgrader would read as a failed test.
    """
    if cases is None:
        fractions = _public(function, namespace, exercise)
    else:
        fractions = _graded(function, namespace, unpack(cases))
    mean = sum(fractions) / len(fractions) if fractions else 0.0
    return round(points * mean, 4)


def _public(function: str, namespace: dict, exercise: str) -> list[float]:
    from bpkit.check import public_cases
    from bpkit.check._run import verdict

    fractions = []
    for case in (c for c in public_cases(exercise) if c["function"] == function):
        with _quiet():
            fraction, message, *_ = verdict(case, namespace)
        fractions.append(fraction)
        print(("✓" if fraction == 1 else "✗") + f" public case: {message or 'correct'}")
    return fractions


def _graded(function: str, namespace: dict, cases: list[dict]) -> list[float]:
    import bpkit.check  # noqa: F401 (registers the exercises' drivers)
    from bpkit.grading.report import score_case
    from bpkit.grading.runner import Limits

    fractions = []
    for case in cases:
        outcome = _outcome(case, namespace)
        fraction, message = score_case(case, outcome, Limits())
        fractions.append(fraction)
        label = "public case" if case["public"] else "hidden case"
        mark = "✓" if fraction == 1 else "✗" if fraction == 0 else f"{fraction:.2f} of"
        print(f"{mark} {label}: {message or 'correct'}")
    return fractions


def _outcome(case: dict, namespace: dict) -> tuple[str, Any]:
    """What the grader's sandbox reports for one case: ("value", data) or ("error", fields)."""
    from bpkit import codec
    from bpkit.check._run import call_strict
    from bpkit.grading import lookup
    from bpkit.grading.protocol import blind

    name = case["function"]
    if not callable(namespace.get(name)):
        return "error", {"type": "Missing", "message": name, "where": []}
    try:
        driver = lookup.driver(case["driver"])
        args, kwargs = codec.decode(case["args"]), codec.decode(case["kwargs"])
        with _quiet():
            value = call_strict(driver, namespace, name, args, kwargs)
        return "value", codec.decode(codec.encode(value))
    except Exception as error:
        fields = {"type": type(error).__name__, "message": str(error)[:500], "where": []}
        return "error", fields if case["public"] else blind(fields, name)


@contextlib.contextmanager
def _quiet():
    """Keep what the learner's function prints (it could show a hidden input) out of the cell."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield
