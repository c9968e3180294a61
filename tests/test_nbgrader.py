"""bpkit release --format nbgrader, proved with nbgrader itself.

The round trip an instructor runs: ``bpkit release --format nbgrader``, ``nbgrader
generate_assignment``, ``nbgrader validate`` on the untouched release (fails) and on a solved
notebook (passes), then ``nbgrader autograde`` on a solved and a partly solved submission of
01 and of 04 (whose xor_weights is scored by a two-sided driver), whose per-function scores
must equal ``bpkit grade``'s on the same notebooks. nbgrader is the
``nbgrader`` extra (README's test command installs it); without it this module skips, unless
``CI`` is set, where it fails.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bpkit import nbgrader as bp_nbgrader
from bpkit.cli import main as bpkit_main
from bpkit.grading import exercise

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
NAME = "01_derivatives"
TWO_SIDED = "04_feedforward"  # xor_weights' driver is two-sided: finished outside the notebook

# A partly solved notebook: one function right, one with a mistake check() names, one that
# handles vectors but not matrices (it earns part of its points).
WRONG = {
    "central_difference": "def central_difference(f, x, h=1e-5):\n    return (f(x + h) - f(x)) / h",
    "numeric_gradient": "def numeric_gradient(f, x, h=1e-5):\n"
    "    x = np.array(x, dtype=np.float64)\n"
    "    grad = np.zeros_like(x)\n"
    "    for i in range(len(x)):  # rows of a matrix, not entries\n"
    "        old = x[i]\n"
    "        x[i] = old + h\n"
    "        f_plus = f(x)\n"
    "        x[i] = old - h\n"
    "        f_minus = f(x)\n"
    "        x[i] = old\n"
    "        grad[i] = (f_plus - f_minus) / (2 * h)\n"
    "    return grad",
}
# 04, partly solved: a sigmoid that overflows on large inputs, XOR weights that are wrong.
WRONG_04 = {
    "sigmoid": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))",
    "xor_weights": "def xor_weights():\n"
    "    W1 = np.array([[2.0, 2.0], [2.0, 2.0]]); b1 = np.array([-1.0, -3.0])\n"
    "    return W1, b1, np.array([[2.0], [-2.0]]), np.array([-1.0])",
}
PARTS = {NAME: WRONG, TWO_SIDED: WRONG_04}


def _nbgrader_installed() -> bool:
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail('nbgrader is missing: pip install -e ".[test,site,nbgrader]"')
        return False
    return True


def _run(course: Path, *argv: str) -> str:
    """Run one nbgrader command in the course folder; return what it printed."""
    env = dict(os.environ)
    # nbgrader runs `alembic` from PATH; the kernels it starts must import this bpkit
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *argv],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _submission(released: dict, solutions: dict[str, str]) -> dict:
    nb = copy.deepcopy(released)
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = solutions[meta["grade_id"]]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course folder after release, generate_assignment and autograde of two submissions."""
    if not _nbgrader_installed():
        pytest.skip('nbgrader is not installed (pip install -e ".[test,site,nbgrader]")')
    course = tmp_path_factory.mktemp("course")
    argv = ["release", "--format", "nbgrader", "--source", str(EXERCISES), "--out", str(course)]
    for name, wrong in PARTS.items():
        assert bpkit_main([*argv, "--exercise", name]) == 0
        _run(course, "generate_assignment", name)
        source = json.loads((course / "source" / name / f"{name}.ipynb").read_text())
        solved = {
            c["metadata"]["nbgrader"]["grade_id"]: c["source"]
            for c in source["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")
        }
        released = json.loads((course / "release" / name / f"{name}.ipynb").read_text())
        for student, solutions in [("solved", solved), ("partial", {**solved, **wrong})]:
            target = course / "submitted" / student / name / f"{name}.ipynb"
            target.parent.mkdir(parents=True)
            target.write_text(json.dumps(_submission(released, solutions)))
        _run(course, "autograde", name)
    return course


def _nbgrader_scores(course: Path) -> dict[tuple[str, str], dict[str, float]]:
    """{(student, exercise): {function: score}} from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for name in PARTS:
            for student in ("solved", "partial"):
                nb = gradebook.find_submission_notebook(name, name, student)
                grades = {g.name.removeprefix("test_"): g.score for g in nb.grades}
                scores[student, name] = grades
    return scores


def _bpkit_scores(course: Path, out: Path) -> dict[tuple[str, str], dict[str, float]]:
    """The same, from bpkit grade's grades.csv on the submitted notebooks."""
    argv = [str(course / "submitted"), "--out", str(out), "--source", str(EXERCISES)]
    assert bpkit_main(["grade", *argv]) == 0
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        rows = {(row["student"], row["exercise"]): row for row in csv.DictReader(handle)}
    points = {name: exercise.load(name, EXERCISES).points for name in PARTS}
    return {key: {f: float(row[f]) for f in points[key[1]]} for key, row in rows.items()}


def test_release_marks_solution_and_test_cells():
    """Each graded function has an nbgrader solution cell and a locked test cell with its points."""
    nb = bp_nbgrader.course_notebook(EXERCISES / NAME / "source.ipynb")
    meta = [c["metadata"]["nbgrader"] for c in nb["cells"] if "nbgrader" in c["metadata"]]
    solutions = [m["grade_id"] for m in meta if m["solution"]]
    tests = {m["grade_id"]: m["points"] for m in meta if m["grade"]}
    assert solutions == ["forward_difference", "central_difference", "numeric_gradient"]
    assert tests == {
        "test_forward_difference": 1,
        "test_central_difference": 2,
        "test_numeric_gradient": 3,
    }
    assert all(m["locked"] for m in meta if m["grade"])
    assert all(
        "BEGIN HIDDEN TESTS" in "".join(c["source"])
        for c in nb["cells"][1:]
        if c["metadata"].get("nbgrader", {}).get("grade")
    )


def test_pack_round_trips_cases_with_arrays():
    """The hidden cases survive pack/unpack: arrays stay arrays, with the same numbers."""
    from bpkit.grading import exercise

    cases = exercise.load(NAME, EXERCISES).cases
    back = bp_nbgrader.unpack(bp_nbgrader.pack(cases))
    assert [c["function"] for c in back] == [c["function"] for c in cases]
    for old, new in zip(cases, back, strict=True):
        assert type(new["expected"]) is type(old["expected"])
        assert json.dumps(new["args"], sort_keys=True) == json.dumps(old["args"], sort_keys=True)


@pytest.mark.slow
def test_release_has_no_solutions_or_hidden_cases(course):
    """generate_assignment's notebook keeps the test cells but not the answers or hidden cases."""
    text = (course / "release" / NAME / f"{NAME}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text
    assert "HIDDEN TESTS" not in text
    assert "(f(x + h) - f(x - h)) / (2 * h)" not in text
    assert text.count("from bpkit.nbgrader import score") == 3


@pytest.mark.slow
def test_validate_fails_untouched_and_passes_solved(course):
    """nbgrader validate fails the untouched release and passes a solved notebook."""
    untouched = _run(course, "validate", f"release/{NAME}/{NAME}.ipynb")
    assert "The following cell failed" in untouched
    assert "Success!" not in untouched
    solved = _run(course, "validate", f"submitted/solved/{NAME}/{NAME}.ipynb")
    assert "Success! Your notebook passes all the tests." in solved


@pytest.mark.slow
def test_autograde_scores_equal_bpkit_grade(course, tmp_path):
    """nbgrader's autograde gives each function the score bpkit grade gives it."""
    theirs = _nbgrader_scores(course)
    ours = _bpkit_scores(course, tmp_path / "graded")
    assert theirs == ours
    for name in PARTS:
        points = exercise.load(name, EXERCISES).points
        assert theirs["solved", name] == points
        assert 0 < sum(theirs["partial", name].values()) < sum(points.values())
    assert 0 < theirs["partial", NAME]["numeric_gradient"] < 3  # partial credit reaches nbgrader
    assert theirs["partial", TWO_SIDED]["xor_weights"] < 2  # the two-sided driver's verdict


@pytest.mark.slow
def test_autograded_feedback_names_the_mistake_and_hides_hidden_inputs(course):
    """The autograded notebook shows check()'s hint on a public case, 'wrong result' on hidden."""
    autograded = course / "autograded" / "partial" / NAME / f"{NAME}.ipynb"
    nb = json.loads(autograded.read_text())
    cell = next(c for c in nb["cells"] if c["id"] == "test-central_difference")
    printed = "".join("".join(o.get("text", "")) for o in cell["outputs"])
    assert "that is the forward difference" in printed
    assert "✗ hidden case: wrong result" in printed
    assert not any(o.get("name") == "stderr" for o in cell["outputs"])
