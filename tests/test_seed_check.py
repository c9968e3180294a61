"""The seed check: every lesson's claims hold when each of its seeds is shifted."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import seedcheck  # noqa: E402


def test_every_kind_of_literal_seed_is_shifted():
    """SEED constants, seed keywords, *_seed names and default_rng literals all move."""
    source = "SEED = 0\nnet = MLP(seed=1, data_seed = 3)\nrng = np.random.default_rng(5)"
    assert seedcheck.shift_source(source, 2) == (
        "SEED = 2\nnet = MLP(seed=3, data_seed = 5)\nrng = np.random.default_rng(7)"
    )


def test_comparisons_and_derived_seeds_are_left_alone():
    """`seed == 1`, `range(SEED, SEED + 10)` and non-seed numbers are not rewritten."""
    source = "if seed == 1:\n    runs = range(SEED, SEED + 10)\nsteps = 30"
    assert seedcheck.shift_source(source, 5) == source


def _notebook(*cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Py", "language": "python"}
    return nb


def test_a_claim_that_holds_for_one_seed_only_is_caught(tmp_path):
    """A lucky-seed claim breaks at a shifted seed and is reported as a broken claim."""
    path = tmp_path / "lucky.ipynb"
    nbformat.write(
        _notebook(
            "from bpkit.claims import claim\nSEED = 0",
            "claim(SEED == 0, 'the seed is zero')",
            "claim(SEED >= 0, 'the seed is a natural number')",
        ),
        path,
    )
    assert seedcheck.check(path, 0).ok
    run = seedcheck.check(path, 1)
    assert [(b.index, b.kind) for b in run.broken] == [(1, "claim")]
    assert run.claim_cells == 2
