"""Re-running a lesson's cells bottom to top breaks nothing (tools/rerun.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import rerun  # noqa: E402

# The lessons already rid of names with two meanings; the others join as they are fixed.
RERUN_CHECKED = [
    ROOT / "lessons" / "source" / name
    for name in ("00_welcome.ipynb", "01_derivatives.ipynb", "02_chain_rule.ipynb")
]


@pytest.mark.slow
@pytest.mark.parametrize("path", RERUN_CHECKED, ids=lambda path: path.stem)
def test_every_cell_can_be_run_again_after_the_ones_below(path):
    """Each code cell, re-run after every later cell, still runs and keeps its claims."""
    run = rerun.check(path)
    assert run.ok, rerun.describe(run)


def test_a_name_reused_with_a_second_meaning_is_caught(tmp_path):
    """A later cell that changes what an earlier claim reads makes that claim break on re-run."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from bpkit.claims import claim\neps = 2.2e-16"),
        nbformat.v4.new_code_cell('claim(eps < 1e-12, "eps is machine epsilon")'),
        nbformat.v4.new_code_cell("eps = 1e-6  # a step size, under the same name"),
    ]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, path)
    run = rerun.check(path)
    assert [index for index, _ in run.broken] == [1]
    assert "ClaimError" in run.broken[0][1]
