"""The Gradescope autograder zip: built from the sources, run as Gradescope lays it out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bpkit.cli import main as bpkit_main
from bpkit.grading import autograder as autograder_module

FIXTURES = Path(__file__).with_name("grading_fixtures")
sys.path.insert(0, str(FIXTURES))
import corpus  # noqa: E402  (the corpus builder lives beside its fixtures)


@pytest.fixture(scope="module")
def autograder() -> Iterator[Path]:
    """Build the zip for the fixture exercise and unpack it where Gradescope would.

    Like Gradescope's /autograder, the folder is open to every user (mode 0755), so only
    the autograder's own care keeps the secrets from the notebook's user.
    """
    root = Path(tempfile.mkdtemp(prefix="bpkit-gradescope-test-"))
    try:
        archive = root / "autograder.zip"
        argv = ["autograder", "--out", str(archive), "--source", str(FIXTURES / "source")]
        assert bpkit_main([*argv, "--exercise", "90_fixture", "--timeout", "3"]) == 0
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(root / "autograder" / "source")
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield root / "autograder"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run(root: Path, notebooks: dict[str, bytes]) -> dict:
    """Lay out /autograder/submission, run run_autograder, return results/results.json."""
    submission = root / "submission"
    submission.mkdir(exist_ok=True)
    for old in submission.iterdir():
        old.unlink()
    for name, content in notebooks.items():
        (submission / name).write_bytes(content)
    env = {**os.environ, "BPKIT_AUTOGRADER_ROOT": str(root), "BPKIT_PYTHON": sys.executable}
    script = root / "source" / "run_autograder"
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True, timeout=120)
    return json.loads((root / "results" / "results.json").read_text())


def test_zip_holds_scripts_package_and_sources(autograder):
    """The zip has setup.sh, an executable run_autograder, bpkit itself and the cases."""
    source = autograder / "source"
    for rel in [
        "setup.sh",
        "config.json",
        "package/bpkit/grading/_harness.py",
        "exercises/source/90_fixture.ipynb",
        "exercises/source/cases/90_fixture.py",
    ]:
        assert (source / rel).is_file(), rel
    with zipfile.ZipFile(autograder.parent / "autograder.zip") as zf:
        mode = zf.getinfo("run_autograder").external_attr >> 16
        assert mode & 0o111
        assert not [n for n in zf.namelist() if "__pycache__" in n]


def test_run_autograder_grades_a_submission_under_any_name(autograder):
    """A correct notebook named anything scores full marks in Gradescope's results.json."""
    results = _run(autograder, {"my work.ipynb": corpus.notebook(corpus.source_cells())})
    assert results["score"] == 6
    assert [t["name"] for t in results["tests"]] == ["square", "normalise", "count_positive"]
    assert [t["score"] for t in results["tests"]] == [2, 3, 1]


def test_run_autograder_reports_broken_and_missing_notebooks(autograder):
    """A broken notebook scores 0 with its status; an empty submission says what is missing."""
    results = _run(autograder, {"hw.ipynb": b'{"cells": ['})
    assert results["score"] == 0
    assert "not a notebook: invalid JSON at line 1" in results["output"]
    results = _run(autograder, {})
    assert results["score"] == 0
    assert "No notebook" in results["output"]


def _full(marks: dict | None = None) -> bytes:
    """A correct fixture notebook, with ``metadata.bpkit`` when ``marks`` is given."""
    nb = json.loads(corpus.notebook(corpus.source_cells()))
    if marks is not None:
        nb["metadata"]["bpkit"] = marks
    return json.dumps(nb).encode()


def test_two_copies_of_a_correct_notebook_score_the_maximum_once(autograder):
    """Two copies scored 12/6 when the autograder added up notebooks; now 6/6 with a note."""
    results = _run(autograder, {"a.ipynb": _full(), "b.ipynb": _full()})
    assert results["score"] == 6
    assert [t["score"] for t in results["tests"]] == [2, 3, 1]
    assert "one is graded: `a.ipynb`" in results["output"]
    assert "Not graded: `b.ipynb`" in results["output"]


def test_partial_notebooks_never_add_up_beyond_the_maximum(autograder):
    """a (square wrong) + b (normalise wrong) summed to 7/6 before; one is graded now."""
    a = corpus.with_cells({"square": corpus.WRONG["square"]})
    b = corpus.with_cells({"normalise": corpus.WRONG["normalise"]})
    results = _run(autograder, {"a.ipynb": a, "b.ipynb": b})
    assert results["score"] == 4  # a alone: normalise 3 + count_positive 1
    assert results["score"] <= sum(t["max_score"] for t in results["tests"])
    assert all(t["score"] <= t["max_score"] for t in results["tests"])


def test_the_notebook_chosen_is_the_exercise_by_metadata_then_by_name(autograder):
    """Metadata naming the exercise wins over a file name, which wins over alphabetical order."""
    stub = corpus.notebook(corpus.release(corpus.source_cells()))
    tagged = _full({"exercise": "90_fixture", "release": "x", "cases_hash": "", "variant": None})
    results = _run(autograder, {"90_fixture.ipynb": stub, "z.ipynb": tagged})
    assert results["score"] == 6
    assert "`z.ipynb` (its metadata names this exercise)" in results["output"]
    results = _run(autograder, {"a.ipynb": stub, "my_90_fixture.ipynb": _full()})
    assert results["score"] == 6
    assert "`my_90_fixture.ipynb` (its file name names this exercise)" in results["output"]


def test_merge_caps_every_score_at_its_maximum(tmp_path):
    """Whatever a results file says, Gradescope never sees a score above its maximum."""
    record = {"max": 6, "submission": "x"}
    tests = [
        {"name": "square", "score": 5, "max_score": 2},
        {"name": "f", "score": 3, "max_score": 4},
    ]
    part = {"score": 8, "output": "", "tests": tests, "extra_data": {"bpkit": record}}
    (tmp_path / "x.results.json").write_text(json.dumps(part))
    merged = autograder_module.merge(tmp_path)
    assert [t["score"] for t in merged["tests"]] == [2, 3]
    assert merged["score"] == 5


def test_zip_for_one_exercise_ships_only_its_secrets(tmp_path):
    """Built from the course's sources, the zip holds 04's reference and cases, no other's."""
    archive = tmp_path / "autograder.zip"
    argv = ["autograder", "--out", str(archive), "--source", "exercises"]
    assert bpkit_main([*argv, "--exercise", "04_feedforward"]) == 0
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        setup = zf.read("setup.sh").decode()
    outside = sorted(n for n in names if not n.startswith("package/"))
    assert outside == [
        "config.json",
        "exercises/source/04_feedforward/cases.py",
        "exercises/source/04_feedforward/hidden.py",
        "exercises/source/04_feedforward/hints.py",
        "exercises/source/04_feedforward/source.ipynb",
        "run_autograder",
        "setup.sh",
    ]
    shipped = [n for n in names if n.startswith("package/exercises/")]
    assert not [n for n in shipped if n.endswith(("hidden.py", ".ipynb"))]
    assert "python3 -m venv /autograder/venv" in setup
    assert "numpy==" in setup
    assert "matplotlib==" in setup


def _readable_as_another_user(paths: list[Path]) -> list[str]:
    """Which of ``paths`` an unprivileged user id (as the notebook runs) can open for reading."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: become a user of no account, as the sandbox does, and try
        try:
            os.setgroups([])
            os.setgid(1_234_567)
            os.setuid(1_234_567)
            leaked = []
            for path in paths:
                try:
                    with open(path, "rb") as handle:
                        handle.read(1)
                    leaked.append(str(path))
                except OSError:
                    pass
            os.write(write, json.dumps(leaked).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as handle:
        return json.loads(handle.read() or b"null")


def test_the_notebooks_user_cannot_read_the_secrets_even_without_private_mounts(autograder):
    """Gradescope runs as root, maybe without mount namespaces: the notebook then runs as a
    user id of its own, which cannot read the reference, the cases, nor the grader's memory."""
    if os.geteuid() != 0:
        pytest.skip("the user switch needs root, as on Gradescope")
    results = _run(autograder, {"hw.ipynb": corpus.notebook(corpus.source_cells())})
    assert "unchanged" not in results["extra_data"]["bpkit"]["sandbox"]["user"]
    secrets = autograder / "source" / "exercises"
    paths = [
        secrets / "source" / "cases" / "90_fixture.py",
        secrets / "source" / "90_fixture.ipynb",
    ]
    paths.append(Path(f"/proc/{os.getpid()}/mem"))  # a grader holds expected values in memory
    assert _readable_as_another_user(paths) == []
    assert _readable_as_another_user([Path("/etc/passwd")]) == ["/etc/passwd"]  # the probe works


def test_a_course_exercise_grades_in_its_zip(tmp_path):
    """Exercise 04 from its folder, unpacked as on Gradescope: two copies grade 7/7, not 14/7."""
    root = tmp_path / "autograder"
    archive = tmp_path / "autograder.zip"
    argv = ["autograder", "--out", str(archive), "--source", "exercises"]
    assert bpkit_main([*argv, "--exercise", "04_feedforward"]) == 0
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
    solution = Path("exercises/04_feedforward/source.ipynb").read_bytes()
    results = _run(root, {"a.ipynb": solution, "b.ipynb": solution})
    assert results["score"] == 7
    assert sum(t["max_score"] for t in results["tests"]) == 7
    assert "Not graded: `b.ipynb`" in results["output"]
