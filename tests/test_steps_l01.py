"""Lesson 01's your-turn steps: right answers pass, the usual mistakes get their hint."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pytest

from bpkit.check.steps import check_step, find


def _message(name, candidate):
    return check_step(find(name), candidate)


@pytest.mark.parametrize("name", ["forward_diff", "central_diff", "error_order"])
def test_a_stub_is_not_yet(name):
    """An untouched stub gets "not yet", never ✗."""

    def stub(*args):
        raise NotImplementedError("Your turn")

    passed, message = _message(name, stub)
    assert not passed
    assert "not yet" in message


def test_forward_diff_accepts_the_secant_and_names_the_central_one():
    """The forward secant passes; a central difference in its place is named as such."""
    passed, _ = _message("forward_diff", lambda f, x, h: (f(x + h) - f(x)) / h)
    assert passed
    passed, message = _message("forward_diff", lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    assert not passed
    assert "central difference" in message


def test_central_diff_hints_at_the_width_of_the_gap():
    """Dividing by h instead of 2h gets the hint about the gap's width."""
    passed, message = _message("central_diff", lambda f, x, h: (f(x + h) - f(x - h)) / h)
    assert not passed
    assert "2h" in message
    passed, _ = _message("central_diff", lambda f, x, h: (f(x + h) - f(x - h)) / (2 * h))
    assert passed


def test_error_order_reads_the_slope_and_catches_swapped_axes():
    """A slope of log error against log h passes; the swapped fit gets its hint."""

    def swapped(hs, errors):
        return np.polyfit(np.log(errors), np.log(hs), 1)[0]

    def right(hs, errors):
        return np.polyfit(np.log10(hs), np.log10(errors), 1)[0]  # any base gives the slope

    assert _message("error_order", right)[0]
    passed, message = _message("error_order", swapped)
    assert not passed
    assert "log error against log h" in message


def test_the_lesson_has_its_three_your_turn_cells():
    """Lesson 01 asks for forward_diff, central_diff and error_order, each checked by your_turn."""
    path = Path(__file__).resolve().parents[1] / "lessons" / "01_derivatives.ipynb"
    sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    for name in ("forward_diff", "central_diff", "error_order"):
        stub = next(i for i, s in enumerate(sources) if s.startswith(f"def {name}("))
        assert "raise NotImplementedError" in sources[stub]
        assert sources[stub + 1] == f"{name} = your_turn({name})"
