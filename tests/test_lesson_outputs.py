"""The lessons as stored: they read well on GitHub, where no kernel or widget runs."""

import base64
import json
from pathlib import Path

import pytest

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def code_cells(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [cell for cell in cells if cell["cell_type"] == "code"]


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_cell_ran_and_none_stored_an_error(path):
    for i, cell in enumerate(code_cells(path)):
        source = "".join(cell["source"])[:60]
        assert cell["execution_count"] is not None, f"{path.name}: cell {i} never ran: {source!r}"
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert not errors, f"{path.name}: cell {i} stored an error: {source!r}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_widget_output_carries_a_picture_of_its_default_state(path):
    """Where widgets do not run, the stored PNG next to the widget view is what shows."""
    for cell in code_cells(path):
        for output in cell["outputs"]:
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                assert "image/png" in data, f"{path.name}: a widget output has no PNG fallback"
                assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")


def test_lessons_with_widgets_exist():
    """The check above has something to check: most lessons show an explorer."""
    with_widgets = [
        path
        for path in LESSONS
        if any(WIDGET_VIEW in o.get("data", {}) for c in code_cells(path) for o in c["outputs"])
    ]
    assert len(with_widgets) >= 7
