"""Every number a lesson's prose quotes is shown by one of its outputs (or marked as a fact)."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import claims as scan  # noqa: E402  (tools/ is not a package)

LESSONS = sorted((ROOT / "lessons").glob("*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_quoted_number_is_computed(path):
    """No Markdown cell quotes a number that no stored output of the lesson shows."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = [f"markdown cell {i}: {text!r}" for i, text in scan.unbacked(nb)]
    assert not problems, (
        f"{path.name} quotes numbers that no output shows (print them, use bpkit.claims.say,"
        f" or mark a textbook fact with <!-- facts: ... -->): {problems}"
    )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_checks_its_claims(path):
    """Each lesson backs its prose with claim() cells that ran and printed a tick."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    ticks = sum(
        scan.output_text(cell).count("✓ ")
        for cell in nb["cells"]
        if cell["cell_type"] == "code" and "claim(" in "".join(cell["source"])
    )
    assert ticks >= 1, f"{path.name} has no claim(...) cell that printed ✓"
