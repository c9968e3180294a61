"""tools/screenshots.py without a browser: its arguments, file names and lesson lookup."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import screenshots  # noqa: E402  (tools/ is not a package)


def test_file_names_say_lesson_explorer_width_and_screen() -> None:
    out = Path("shots")
    names = [
        screenshots.shot_path(out, "05_backpropagation", "backprop_stepper(", screen).name
        for screen in screenshots.SCREENS
    ]
    assert names == [
        "05_backprop_stepper-900.png",
        "05_backprop_stepper-1280.png",
        "05_backprop_stepper-1280@2x.png",
    ]
    called = "stepper = bpkit.widgets.backward_stepper(neuron_out, step=x1_step)"
    assert screenshots.explorer_name(called) == "backward_stepper"
    assert screenshots.explorer_name("a plain needle") == "a_plain_needle"


def test_arguments() -> None:
    args = screenshots.parse_args([])
    assert (args.lesson, args.needle, args.out) == (None, None, screenshots.OUT)
    args = screenshots.parse_args(["--lesson", "4", "--needle", "neuron_explorer(", "--out", "x"])
    assert (args.lesson, args.needle, args.out) == ("4", "neuron_explorer(", Path("x"))
    with pytest.raises(SystemExit):
        screenshots.parse_args(["--lesson", "4"])  # which cell?


def test_the_default_explorers_are_found_in_the_lessons() -> None:
    for number, needle in screenshots.DEFAULTS:
        lesson = screenshots.find_lesson(number)
        assert lesson.name.startswith(f"{number}_")
        index, count = screenshots.target_cell(lesson, needle)
        assert 0 < count <= index + 1
    assert screenshots.find_lesson("5") == screenshots.find_lesson("05_backpropagation")
    with pytest.raises(SystemExit):
        screenshots.find_lesson("99")
