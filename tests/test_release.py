"""Tests for bpkit release: student notebooks are a fresh, deterministic, answer-free release."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from bpkit import release
from bpkit.check import NOTEBOOKS
from bpkit.cli import main as bpkit_main

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"


def _source(notebook: str) -> Path:
    return EXERCISES / notebook / "source.ipynb"


def _student(notebook: str) -> Path:
    return EXERCISES / notebook / f"{notebook}.ipynb"


def _code(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _release(tmp_path: Path, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    release.add_arguments(parser)
    args = parser.parse_args(["--source", str(EXERCISES), "--out", str(tmp_path), *extra])
    return release.run(args)


def test_release_is_registered_as_a_command():
    """`bpkit release` is listed in the CLI's command table."""
    from bpkit.cli import COMMANDS

    assert COMMANDS["release"][0] == "bpkit.release"


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_committed_student_notebook_equals_a_fresh_release(notebook):
    """The committed student notebook is byte-for-byte what `bpkit release` writes now."""
    fresh = release.release_text(_source(notebook))
    assert _student(notebook).read_text(encoding="utf-8") == fresh


def test_release_writes_every_notebook_and_is_deterministic(tmp_path):
    """Releasing twice into an empty folder gives the same bytes; --check then passes."""
    assert _release(tmp_path) == 0
    first = {p.name: p.read_bytes() for p in tmp_path.glob("*.ipynb")}
    assert sorted(first) == sorted(f"{nb}.ipynb" for nb in NOTEBOOKS)
    assert _release(tmp_path) == 0
    assert first == {p.name: p.read_bytes() for p in tmp_path.glob("*.ipynb")}
    assert _release(tmp_path, "--check") == 0


def test_check_mode_reports_a_stale_notebook(tmp_path):
    """--check exits 1, and writes nothing, when a student notebook was edited by hand."""
    _release(tmp_path)
    stale = tmp_path / "01_derivatives.ipynb"
    stale.write_text(stale.read_text() + " ", encoding="utf-8")
    before = stale.read_text()
    assert _release(tmp_path, "--check") == 1
    assert stale.read_text() == before


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_student_notebook_has_no_answers_or_outputs(notebook):
    """No solution text, no outputs, no execution counts; each stub names its exercise."""
    source = json.loads(_source(notebook).read_text())
    student = json.loads(_student(notebook).read_text())
    names = release.graded_functions(source)
    text = _student(notebook).read_text()
    assert "BEGIN SOLUTION" not in text
    assert "NBVAL_CHECK_OUTPUT" not in text
    for cell in student["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
            assert cell["execution_count"] is None
    code = "\n".join(_code(student))
    stub = r'raise NotImplementedError\("Exercise (\d+)\.(\d+): implement (\w+)"\)'
    stubs = re.findall(stub, code)
    number = int(notebook[:2])
    assert stubs == [(str(number), str(k), n) for k, n in enumerate(names, start=1)]
    # Same cells with the same ids, so diffs stay small.
    assert [c["id"] for c in student["cells"]] == [c["id"] for c in source["cells"]]


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_source_notebook_follows_the_format(notebook):
    """First code cell only imports; each graded cell is followed by its check; every check ✓."""
    nb = json.loads(_source(notebook).read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    first = "".join(code[0]["source"]).splitlines()
    assert all(line.startswith(("import ", "from ")) or not line.strip() for line in first)
    for i, cell in enumerate(code):
        text = "".join(cell["source"])
        if release.BEGIN in text:
            name = release.function_name(text)
            follow = "".join(code[i + 1]["source"])
            assert follow == f"# NBVAL_CHECK_OUTPUT\ncheck({name})"
            output = "".join(code[i + 1]["outputs"][0]["text"])
            assert output.startswith(f"✓ {name}: ")


def test_strip_solution_keeps_indentation_and_rejects_unclosed_blocks():
    """The stub replaces the block at the block's indentation; a missing END is an error."""
    cell = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n"
    assert release.strip_solution(cell, "9.1", "f") == (
        'def f(x):\n    y = 1\n    raise NotImplementedError("Exercise 9.1: implement f")\n'
    )
    with pytest.raises(ValueError, match="without"):
        release.strip_solution("def f():\n    ### BEGIN SOLUTION\n    pass\n", "9.1", "f")


@pytest.mark.slow
def test_student_notebooks_run_and_say_not_implemented():
    """Each student notebook runs top to bottom; every check says "not implemented yet"."""
    import nbformat
    from nbclient import NotebookClient

    for notebook in NOTEBOOKS:
        nb = nbformat.read(_student(notebook), as_version=4)
        NotebookClient(
            nb,
            timeout=60,
            kernel_name="python3",
            resources={"metadata": {"path": str(_student(notebook).parent)}},
        ).execute()
        checks = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("check(")]
        assert checks, notebook
        for cell in checks:
            text = "".join(o.get("text", "") for o in cell.outputs)
            assert "not implemented yet" in text, (notebook, cell.source, text)
            assert "✗" not in text


# --- identity and per-learner variants -------------------------------------------------------


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_student_notebook_carries_its_identity(notebook):
    """metadata.bpkit names the exercise, the release and the hash of its public cases."""
    from bpkit.check import public_cases

    meta = json.loads(_student(notebook).read_text())["metadata"]["bpkit"]
    assert meta["exercise"] == notebook
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", meta["release"])
    cases = [{k: v for k, v in c.items() if k != "exercise"} for c in public_cases(notebook)]
    assert meta["cases_hash"] == release.cases_hash(cases)
    assert meta["variant"] is None


def test_variant_seed_is_sha256_of_exercise_and_student():
    """The documented formula: the first 4 bytes of sha256("exercise:student"), big-endian."""
    import hashlib

    from bpkit.check.exercises import variant_seed

    digest = hashlib.sha256(b"08_bptt:s001").digest()
    assert variant_seed("08_bptt", "s001") == int.from_bytes(digest[:4], "big")
    assert variant_seed("08_bptt", "s001") != variant_seed("08_bptt", "s002")
    assert variant_seed("08_bptt", "s001") != variant_seed("04_feedforward", "s001")


def test_release_reads_rosters_as_the_grader_does(tmp_path):
    """release takes the roster's id column as grade --roster does (student, id, … or the
    first); a row without an id, a repeated id, or two ids sharing one folder is an error."""
    from bpkit.grading import students

    roster = tmp_path / "roster.csv"
    for header in ("Student,name", "id,name", "login,name"):
        roster.write_text(f"{header}\ns1,Ada\n s2 ,Alan\n", encoding="utf-8")
        assert release.read_roster(roster) == ["s1", "s2"] == students.read_roster(roster).ids
    roster.write_text("student,name\ns1,Ada\n,nobody\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="line 3: no 'student'"):
        release.read_roster(roster)
    roster.write_text("student\ns1\ns1\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="'s1' listed twice"):
        release.read_roster(roster)
    roster.write_text("student\njohn smith\njohn_smith\nAnn\nann\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="'john smith' and 'john_smith' would share one folder"):
        release.read_roster(roster)


def test_colliding_ids_stop_the_release_before_it_writes(tmp_path):
    """bpkit release --variants exits 1 naming both ids, and writes no notebook."""
    roster = tmp_path / "roster.csv"
    roster.write_text("id\njohn smith\njohn_smith\n", encoding="utf-8")
    out = tmp_path / "variants"
    argv = ["release", "--source", str(EXERCISES), "--variants", str(roster), "--out", str(out)]
    with pytest.raises(SystemExit) as stopped:
        bpkit_main(argv)
    assert "'john smith' and 'john_smith'" in str(stopped.value)
    assert not out.exists()


def test_every_exercise_has_variants(tmp_path):
    """release --variants writes all exercises, 01 to the last, for every learner."""
    roster = tmp_path / "roster.csv"
    roster.write_text("id\ns001\ns002\n", encoding="utf-8")
    out = tmp_path / "variants"
    argv = ["release", "--source", str(EXERCISES), "--variants", str(roster), "--out", str(out)]
    assert bpkit_main(argv) == 0
    for student in ("s001", "s002"):
        written = sorted(p.stem for p in (out / student).glob("*.ipynb"))
        assert written == sorted(NOTEBOOKS)


@pytest.mark.parametrize(
    "notebook", ["04_feedforward", "05_backpropagation", "07_training", "08_bptt", "09_gated_rnn"]
)
def test_variant_cases_differ_and_pass_on_the_reference(notebook):
    """Two learners get different public cases, and the reference solution passes both."""
    from bpkit.check import compare, drivers, oracles, public_cases
    from bpkit.check.exercises import variant_seed

    reference = release.reference_namespace(_source(notebook))
    seeds = [variant_seed(notebook, s) for s in ("s001", "s002")]
    hashes = {release.cases_hash(public_cases(notebook, seed)) for seed in [None, *seeds]}
    assert len(hashes) == 3
    for seed in seeds:
        for case in public_cases(notebook, seed):
            got = drivers.run_case(case, reference)
            assert compare.score(case, got, oracles.expected_for(case))[0] == 1.0, case


def test_use_variant_switches_the_inline_check():
    """check() runs the learner's own cases once the first cell called use_variant."""
    import bpkit.check as chk

    default = chk.cases_for("rnn_backward")
    try:
        chk.use_variant("08_bptt", seed=12345)
        mine = chk.cases_for("rnn_backward")
    finally:
        chk._VARIANTS.clear()
    assert [c["kwargs"] for c in mine] != [c["kwargs"] for c in default]
    assert mine[0]["kwargs"]["T"] == 1  # smallest problem first, as always
    with pytest.raises(ValueError, match="no exercise"):
        chk.use_variant("99_nothing", seed=1)


def _plain(value):
    """Expected values as Python literals (repr of lists and floats is exact)."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _with_cells(nb: dict, replace: dict[str, str]) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if cell["id"] in replace:
            cell["source"] = replace[cell["id"]].splitlines(keepends=True)
    return nb


@pytest.mark.slow
def test_variants_differ_and_grade_against_their_own_learner(tmp_path):
    """Two learners' notebooks differ; each scores 100 % with a real solution, and < 100 %
    with the other learner's expected outputs pasted in as constants (which score 100 % for
    that other learner, so the copy is faithful)."""
    from bpkit.grading import exercise, report

    name = "08_bptt"
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name\ns001,Ada\ns002,Alan\n", encoding="utf-8")
    out = tmp_path / "variants"
    argv = ["release", "--source", str(EXERCISES), "--variants", str(roster), "--out", str(out)]
    assert bpkit_main([*argv, "--exercise", name]) == 0
    nbs = {s: json.loads((out / s / f"{name}.ipynb").read_text()) for s in ("s001", "s002")}
    differing = [
        a["id"]
        for a, b in zip(nbs["s001"]["cells"], nbs["s002"]["cells"], strict=True)
        if a["source"] != b["source"]
    ]
    assert len(differing) == 2  # the first code cell (use_variant) and the learner's own sequence
    source = json.loads(_source(name).read_text())
    solutions = {
        c["id"]: "".join(c["source"])
        for c in source["cells"]
        if release.BEGIN in "".join(c["source"])
    }
    seeds = {s: nbs[s]["metadata"]["bpkit"]["variant"]["seed"] for s in nbs}
    expected = {s: exercise.load(name, EXERCISES, seed=seeds[s]).cases for s in nbs}
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    for student, other in (("s001", "s002"), ("s002", "s001")):
        own = _with_cells(nbs[student], solutions)
        copies = {}
        for cell_id, text in solutions.items():
            fn = release.function_name(text)
            answers = [_plain(c["expected"]) for c in expected[other] if c["function"] == fn]
            copies[cell_id] = f"ANSWERS_{fn} = {answers!r}\n\ndef {fn}(*args, **kwargs):\n"
            copies[cell_id] += f"    return ANSWERS_{fn}.pop(0)\n"
        copied = _with_cells(nbs[student], copies)
        faithful = _with_cells(nbs[other], copies)
        for label, nb in (("own", own), ("copied", copied), ("faithful", faithful)):
            path = submitted / f"{student}_{label}_{name}.ipynb"
            path.write_text(json.dumps(nb), encoding="utf-8")
    grades = tmp_path / "grades"
    argv = ["grade", str(submitted), "--out", str(grades), "--source", str(EXERCISES)]
    assert bpkit_main([*argv, "--jobs", "2"]) == 0
    records = {p.name.split(".")[0]: report.read_record(p) for p in grades.glob("*.results.json")}
    totals = {key.rsplit("_" + name, 1)[0]: (r["total"], r["max"]) for key, r in records.items()}
    print(totals)
    for student in ("s001", "s002"):
        assert totals[f"{student}_own"][0] == totals[f"{student}_own"][1]
        assert totals[f"{student}_faithful"][0] == totals[f"{student}_faithful"][1]
        assert totals[f"{student}_copied"][0] < 0.5 * totals[f"{student}_copied"][1]


def test_check_works_from_the_shipped_files_alone(tmp_path):
    """check() needs only what pyproject.toml ships (bpkit/ and each exercise's cases.py and
    hints.py, as package bpkit_exercises), never an instructor file: as after `pip install .`."""
    import os
    import shutil
    import subprocess
    import sys

    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "bpkit_exercises" in config["packages"]
    assert config["package-dir"]["bpkit_exercises"] == "exercises"
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "bpkit", site / "bpkit", ignore=shutil.ignore_patterns("__pycache__"))
    shipped = [EXERCISES / "__init__.py"]
    shipped += [
        p for glob in config["package-data"]["bpkit_exercises"] for p in EXERCISES.glob(glob)
    ]
    for path in shipped:
        target = site / "bpkit_exercises" / path.relative_to(EXERCISES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    names = {p.name for p in shipped}
    assert names == {"__init__.py", "cases.py", "hints.py"}
    assert len(shipped) == 1 + 2 * len(NOTEBOOKS)
    script = (
        "import numpy as np, bpkit, bpkit_exercises\n"
        "from bpkit.check import check\n"
        "print(bpkit.__file__, bpkit_exercises.__file__)\n"
        "def sigmoid(z):\n"
        "    return 0.5 * (1 + np.tanh(0.5 * np.asarray(z, dtype=float)))\n"
        "def dense_forward(x, W, b):\n"
        "    return x @ W\n"
        "check(sigmoid)\n"
        "check(dense_forward)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert first.split() == [
        str(site / "bpkit" / "__init__.py"),
        str(site / "bpkit_exercises" / "__init__.py"),
    ]
    assert rest[0] == "✓ sigmoid: all 3 checks passed"
    assert "hint: the bias is missing: every output unit adds its own bias" in done.stdout
