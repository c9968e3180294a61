"""Tests for bpkit release: student notebooks are a fresh, deterministic, answer-free release."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from bpkit import release
from bpkit.check import NOTEBOOKS

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
