"""The your-turn mechanism of the lessons: checks, fallbacks, hints and the course's steps."""

from __future__ import annotations

import numpy as np
import pytest

from bpkit.check import steps as steps_module
from bpkit.check.steps import Case, Step, call, check_step, reveal, your_turn


def _square_sum(x):
    """Reference: the sum of squares."""
    return float(np.sum(x**2))


def _forgot_square(case, got, expected):
    x = case.args[0]
    return "you summed x, not x²" if np.isclose(got, np.sum(x)) else None


STEP = Step(
    name="square_sum",
    reference=_square_sum,
    cases=[call(np.array([1.0, 2.0])), call(np.array([[0.5, -1.0], [2.0, 3.0]]))],
    mistakes=[_forgot_square],
)


@pytest.fixture
def registry(monkeypatch):
    """Only STEP is registered while a test runs."""
    monkeypatch.setattr(steps_module, "steps", lambda: {"square_sum": STEP})


def test_a_right_answer_is_kept(registry, capsys):
    """A function that passes every case is returned, and the learner sees ✓."""

    def square_sum(x):
        return float((x * x).sum())

    assert your_turn(square_sum) is square_sum
    assert "✓ square_sum: 2 of 2 checks pass" in capsys.readouterr().out


def test_a_stub_says_not_yet_and_falls_back(registry, capsys):
    """A stub gets "not yet" (no traceback) and the lesson continues with the reference."""

    def square_sum(x):
        raise NotImplementedError("Your turn: write `square_sum`")

    assert your_turn(square_sum) is _square_sum
    out = capsys.readouterr().out
    assert "not yet" in out
    assert 'reveal("square_sum")' in out
    assert "Traceback" not in out


def test_a_wrong_answer_names_case_values_and_hint(registry, capsys):
    """A wrong answer shows the smallest failing case, expected vs got, and the hint."""

    def square_sum(x):
        return float(np.sum(x))

    assert your_turn(square_sum) is _square_sum
    out = capsys.readouterr().out
    assert "✗ square_sum: on `[1, 2]`" in out or "✗ square_sum: on `[1., 2.]`" in out
    assert "expected 5" in out
    assert "got 3" in out
    assert "Hint: you summed x, not x²" in out


def test_changing_an_input_in_place_fails(registry, capsys):
    """A function that squares its argument in place is caught, even with the right value."""

    def square_sum(x):
        x **= 2
        return float(np.sum(x))

    assert your_turn(square_sum) is _square_sum
    assert "in place" in capsys.readouterr().out


def test_an_exception_and_a_numpy_warning_are_reported(registry, capsys):
    """Errors and numpy overflow warnings become one readable line, never a traceback."""

    def square_sum(x):
        return float(np.exp(np.array(1000.0)))

    your_turn(square_sum)
    assert "numpy warned" in capsys.readouterr().out

    def square_sum(x):
        return x.nope

    your_turn(square_sum)
    assert "raised AttributeError" in capsys.readouterr().out


def test_a_class_is_driven_by_its_cases():
    """Case(label, run) drives a class; a wrong method is reported with the case's label."""

    class Box:
        def __init__(self, v):
            self.v = v

        def double(self):
            return 2 * self.v

    class Wrong(Box):
        def double(self):
            return 3 * self.v

    step = Step("Box", Box, [Case("Box(2).double()", lambda B: B(2).double())])
    assert check_step(step, Box)[0]
    passed, message = check_step(step, Wrong)
    assert not passed
    assert "Box(2).double()" in message


def test_reveal_shows_the_reference(registry, capsys):
    """reveal prints the reference's source, which is the worked solution."""
    reveal("square_sum")
    assert "return float(np.sum(x**2))" in capsys.readouterr().out


def test_unknown_step_is_a_clear_error(registry):
    """A your_turn for a function no lesson defines names the known steps."""
    with pytest.raises(KeyError, match=r"no step called .cube.*square_sum"):
        your_turn(lambda x: x, name="cube")


def test_every_course_step_passes_its_own_reference():
    """Each lesson's reference passes its step's cases, so the fallback is a working solution."""
    for step in steps_module.steps().values():
        assert step.cases, f"{step.name} has no cases"
        passed, message = check_step(step, step.reference)
        assert passed, message
