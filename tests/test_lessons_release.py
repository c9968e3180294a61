"""The learner's lessons are generated from the instructor sources and are current."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import lessons  # noqa: E402

SOURCES = sorted((ROOT / "lessons" / "source").glob("*.ipynb"))


def test_a_solution_region_becomes_a_stub_at_its_indent():
    """The region between the markers is replaced by a raise that names the function."""
    source = (
        "def central_difference(f, x, h=1e-5):\n"
        '    """Doc."""\n'
        "    ### BEGIN SOLUTION\n"
        "    return (f(x + h) - f(x - h)) / (2 * h)\n"
        "    ### END SOLUTION"
    )
    assert lessons.strip_solutions(source) == (
        "def central_difference(f, x, h=1e-5):\n"
        '    """Doc."""\n'
        '    raise NotImplementedError("Your turn: write `central_difference`")'
    )


def test_unbalanced_markers_are_an_error():
    """A region without its end marker is refused rather than silently truncated."""
    with pytest.raises(ValueError, match="without"):
        lessons.strip_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1")


def test_every_source_has_its_learner_lesson_and_it_is_current():
    """lessons/NN.ipynb equals a fresh learner version of lessons/source/NN.ipynb, cell by cell."""
    assert SOURCES, "no instructor lessons in lessons/source/"
    stale = {path.name: lessons.stale(path) for path in SOURCES}
    assert not {name: cells for name, cells in stale.items() if cells}, (
        "run `python tools/lessons.py` to regenerate the learner lessons"
    )


def test_no_learner_lesson_contains_a_solution():
    """No solution marker survives in a learner lesson."""
    for path in SOURCES:
        text = (ROOT / "lessons" / path.name).read_text(encoding="utf-8")
        assert lessons.BEGIN not in text, path.name
