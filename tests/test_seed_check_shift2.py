"""The seed check at shift +2: every lesson's claims hold with each of its seeds shifted.

One file per shift, so that pytest-xdist (which keeps a file on one worker) runs the shifts
side by side; the tool and its own tests are in ``tests/test_seed_check.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import seedcheck  # noqa: E402

LESSONS = sorted((ROOT / "lessons" / "source").glob("*.ipynb"))
SEED_CHECKED = LESSONS  # every lesson, 00 to 09


@pytest.mark.slow
@pytest.mark.parametrize("path", SEED_CHECKED, ids=lambda path: path.stem)
def test_every_claim_holds_with_seeds_shifted_by_2(path):
    """The lesson runs clean, every claim included, with each of its seeds shifted by 2."""
    run = seedcheck.check(path, 2)
    assert run.ok, seedcheck.describe(run)
