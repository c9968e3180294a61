"""The student kit holds no answers, and hidden cases can live outside the repository.

``bpkit release --student-kit DIR`` writes what learners get; ``bpkit grade --hidden DIR`` and
``bpkit autograder --hidden DIR`` take the hidden cases from a folder of ``NN_topic/hidden.py``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bpkit import release
from bpkit.cli import main as bpkit_main

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
NAME = "01_derivatives"


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    """A student kit written from this repository."""
    out = tmp_path_factory.mktemp("kit") / "kit"
    assert bpkit_main(["release", "--source", str(EXERCISES), "--student-kit", str(out)]) == 0
    return out


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_kit_has_the_learners_files_and_no_instructor_file(kit):
    """Lessons, student notebooks, public cases and hints are in; solutions and hidden cases out."""
    files = _files(kit)
    for name in release.sources(EXERCISES):
        folder = f"exercises/{name.parent.name}"
        for part in (f"{name.parent.name}.ipynb", "cases.py", "hints.py"):
            assert f"{folder}/{part}" in files
    assert "README.md" in files
    assert "pyproject.toml" in files
    assert "bpkit/__init__.py" in files
    assert [f for f in files if f.startswith("lessons/")] == [
        f"lessons/{p.name}" for p in sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    ]
    assert not [f for f in files if f.endswith(("source.ipynb", "hidden.py"))]
    assert not [f for f in files if f.startswith(("lessons/source/", "tests/", "tools/"))]


def test_kit_notebooks_hold_no_solution_and_no_hidden_case(kit):
    """No notebook of the kit has a solution block; no file of it has a hidden case's text."""
    for notebook in kit.rglob("*.ipynb"):
        assert release.BEGIN not in notebook.read_text(encoding="utf-8"), notebook
    hidden = [p.read_text(encoding="utf-8") for p in EXERCISES.glob("*/hidden.py")]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in kit.rglob("*.py")]
    for secret in hidden:
        cases = secret[secret.index("def grading_cases") :][:400]  # the start of the cases
        assert not any(cases in text for text in texts)


def test_kit_student_notebooks_are_a_fresh_release(kit):
    """The kit's student notebooks are byte for byte what bpkit release writes."""
    for source in release.sources(EXERCISES):
        name = source.parent.name
        assert (kit / "exercises" / name / f"{name}.ipynb").read_text(
            encoding="utf-8"
        ) == release.release_text(source)


def test_kit_check_works_from_the_kit(kit, tmp_path):
    """With the kit's bpkit and exercises on the path, check() runs the public cases."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "bpkit_exercises").symlink_to(kit / "exercises")  # as pip install -e . maps it
    code = (
        "import bpkit, bpkit_exercises\n"
        "from bpkit.check import check\n"
        "print(bpkit.__file__)\n"
        "print(bpkit_exercises.__file__)\n"
        "def central_difference(f, x, h=1e-5):\n"
        "    return (f(x + h) - f(x - h)) / (2 * h)\n"
        "check(central_difference)\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{kit}{os.pathsep}{shim}"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert Path(lines[0]).resolve().is_relative_to(kit.resolve())
    assert Path(lines[1]).resolve().is_relative_to(kit.resolve())
    assert lines[2].startswith("✓ central_difference")


def test_kit_refuses_a_folder_that_is_not_empty(tmp_path):
    """Writing a kit over an old folder is refused: an old file could carry answers."""
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(SystemExit, match="not empty"):
        bpkit_main(["release", "--source", str(EXERCISES), "--student-kit", str(tmp_path)])


@pytest.fixture
def split(tmp_path) -> tuple[Path, Path]:
    """An exercises folder without hidden.py, and a private folder holding it elsewhere."""
    public = tmp_path / "course" / "exercises"
    shutil.copytree(
        EXERCISES / NAME, public / NAME, ignore=shutil.ignore_patterns("hidden.py", "__py*")
    )
    shutil.copy2(EXERCISES / "__init__.py", public / "__init__.py")
    private = tmp_path / "private" / NAME
    private.mkdir(parents=True)
    shutil.copy2(EXERCISES / NAME / "hidden.py", private / "hidden.py")
    return public, private.parent


def _solved(tmp_path: Path) -> Path:
    """The instructor notebook handed in as a student's: every function solved."""
    folder = tmp_path / "submitted" / "ada"
    folder.mkdir(parents=True)
    shutil.copy2(EXERCISES / NAME / "source.ipynb", folder / f"{NAME}.ipynb")
    return folder.parent


@pytest.mark.slow
def test_grade_takes_hidden_cases_from_outside_the_exercises(split, tmp_path):
    """bpkit grade --hidden grades with the private folder's hidden cases; without it, says so."""
    public, private = split
    submitted = _solved(tmp_path)
    out = tmp_path / "graded"
    argv = ["grade", str(submitted), "--out", str(out), "--source", str(public)]
    assert bpkit_main([*argv, "--hidden", str(private)]) == 0
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["student"], row["total"], row["max"], row["status"]) == ("ada", "6", "6", "ok")
    record = json.loads(next(out.glob("*.results.json")).read_text())
    hidden_lines = [t for t in record["tests"] if "hidden case" in json.dumps(t)]
    assert hidden_lines, "the hidden cases ran"
    assert bpkit_main([*argv, "--force"]) == 0  # no --hidden, no hidden.py beside the cases
    with (out / "grades.csv").open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert "no hidden cases (kept elsewhere? pass --hidden DIR)" in row["status"]


def test_autograder_zip_takes_hidden_cases_from_outside(split, tmp_path):
    """bpkit autograder --hidden puts the private hidden.py where the zip's grader reads it."""
    public, private = split
    out = tmp_path / "autograder.zip"
    argv = ["autograder", "--source", str(public), "--exercise", NAME, "--out", str(out)]
    assert bpkit_main([*argv, "--hidden", str(private)]) == 0
    with zipfile.ZipFile(out) as zf:
        inside = zf.read(f"exercises/source/{NAME}/hidden.py").decode()
        names = zf.namelist()
    assert inside == (private / NAME / "hidden.py").read_text()
    assert sum(n.endswith("hidden.py") for n in names) == 1


def test_nbgrader_release_takes_hidden_cases_from_outside(split, tmp_path):
    """bpkit release --format nbgrader --hidden packs the private folder's hidden cases."""
    from bpkit import nbgrader
    from bpkit.grading import exercise

    public, private = split
    argv = ["release", "--format", "nbgrader", "--source", str(public)]
    assert bpkit_main([*argv, "--out", str(tmp_path / "course"), "--hidden", str(private)]) == 0
    course = json.loads((tmp_path / "course" / "source" / NAME / f"{NAME}.ipynb").read_text())
    tests = [c["source"] for c in course["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    packed = ["".join(re.findall(r'^    "([A-Za-z0-9+/=]+)"$', t, re.MULTILINE)) for t in tests]
    cases = [case for text in packed for case in nbgrader.unpack(text)]
    expected = exercise.load(NAME, EXERCISES).cases
    assert sum(not c["public"] for c in cases) == sum(not c["public"] for c in expected) > 0
