"""bpkit.site.frames: which explorers a static page can move, and the pictures it gets."""

from __future__ import annotations

import base64
import io
import json

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

import bpkit
from bpkit.site import build, frames
from bpkit.widgets import _frames


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "bpkit.widgets.descent_explorer(dim=2, lr=0.45)",
            ("descent_explorer", {"dim": 2, "lr": 0.45}),
        ),
        ("bpkit.widgets.gated_flow_explorer()", ("gated_flow_explorer", {})),
        ("widgets.backprop_stepper(seed=0, step=5)", ("backprop_stepper", {"seed": 0, "step": 5})),
        (  # lesson 03: made, read by a claim, then shown
            "e = bpkit.widgets.descent_explorer(dim=1, lr=0.9)\n"
            "choices = [v for _, v in e.controls['lr'].options]\nclaim(len(choices) > 3, 'x')\ne",
            ("descent_explorer", {"dim": 1, "lr": 0.9}),
        ),
    ],
)
def test_a_self_contained_explorer_call_is_recognised(source, expected):
    """A cell that is one call of a bpkit explorer with literal arguments can be rebuilt."""
    assert frames.explorer_call(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "y_v = h_v * h_v\nbpkit.widgets.backward_stepper(y_v, step=3)",  # needs earlier cells
        "bpkit.widgets.backward_stepper(y_v, step=3)",  # a positional argument
        "bpkit.widgets.tangent_explorer(x=start)",  # a name, not a literal
        "explorer(draw_wave, controls)",  # the lesson's own drawing
        "bpkit.widgets.render_png(draw)",  # not an explorer
        "e = bpkit.widgets.descent_explorer(dim=1)\ne.controls['lr'].value = 0.5\ne",  # changed
        "e = bpkit.widgets.descent_explorer(dim=1)\nf = 2\nf",  # shows something else
    ],
)
def test_an_explorer_built_on_the_lessons_objects_keeps_its_stored_picture(source):
    """Anything that needs a lesson's own objects is left to the stored widget."""
    assert frames.explorer_call(source) is None


def test_stops_cover_each_slider_and_include_the_stored_value():
    """Numeric sliders get evenly spread stops plus their value; selections every option."""
    values, labels = frames.stops(widgets.FloatSlider(value=0.3, min=0, max=1, step=0.1), n=3)
    assert values == [0.0, 0.3, 0.5, 1.0]
    assert labels == ["0.00", "0.30", "0.50", "1.00"]  # the slider's own readout format
    log = widgets.FloatLogSlider(value=0.1, base=10, min=-3, max=0, readout_format=".3g")
    assert frames.stops(log, n=4)[1] == ["0.001", "0.01", "0.1", "1"]
    assert frames.stops(widgets.IntSlider(value=2, min=0, max=3), n=9)[0] == [0, 1, 2, 3]
    menu = widgets.Dropdown(options=[("hyperbolic", "tanh"), ("ReLU", "relu")], value="relu")
    assert frames.stops(menu) == (["tanh", "relu"], ["hyperbolic", "ReLU"])


def test_frames_move_one_control_from_the_stored_state():
    """The tangent explorer gets one picture per stop of x and of h, the stored one among
    them, each with alt text written from its drawing."""
    title, controls = frames.explorer_frames("tangent_explorer", {"x": 1.5, "h": 0.1}, n=3)
    assert "tangent" in title
    assert [c.name for c in controls] == ["x", "h"]
    x, h = controls
    assert x.values[x.start] == 1.5
    assert h.values[h.start] == pytest.approx(0.1)
    assert x.frames[x.start] == h.frames[h.start]  # both are the stored state
    assert len(set(h.frames)) == len(h.frames)  # every stop draws a different picture
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in x.frames + h.frames)
    assert "secant, h = 0.001" in h.alts[0]
    assert "secant, h = 0.1" in h.alts[h.start]


# --- frames an explorer stores in its own output (bpkit.widgets._frames) ---------------


def lesson02_stepper():
    """Lesson 02's stepper: a graph the lesson builds, which the site cannot rebuild."""
    from bpkit.scalar import Value

    x1, w1, w2, b = Value(2.0, "x1"), Value(-3.0, "w1"), Value(1.0, "w2"), Value(4.88, "b")
    out = (x1 * w1 + x1 * w2 + b).tanh()
    return bpkit.widgets.backward_stepper(out, step=3)


def draw_wave(fig, frequency, phase):
    """A drawing of the lesson's own, as lesson 00's (not from bpkit)."""
    t = np.linspace(0, 6.3, 100)
    ax = fig.add_subplot()
    ax.plot(t, np.sin(frequency * t + phase))
    ax.set_ylim(-1.2, 1.2)
    ax.set_title(f"ω = {frequency:.1f}, φ = {phase:.2f}")


def wave_explorer():
    controls = {
        "frequency": widgets.FloatSlider(value=2.0, min=0.5, max=4.0, step=0.5, description="ω"),
        "phase": widgets.FloatSlider(value=0.8, min=0.0, max=3.14, step=0.1, description="φ"),
    }
    return bpkit.widgets.explorer(draw_wave, controls, title="A tiny explorer")


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB")).astype(int)


def test_a_stepper_stores_every_step_and_the_site_reads_them_back():
    """Lesson 02's stepper keeps one picture per step in its output, under the budget; the
    site gets them back: the stored step exactly, the others within the packing's colours,
    each with the alt text of its own step."""
    box = lesson02_stepper()
    stored_alt = box.alt()
    data, _ = box._repr_mimebundle_()
    assert box.alt() == stored_alt  # drawing the frames left the explorer's state alone
    assert frames.FRAMES == _frames.FRAMES
    assert len(json.dumps(data)) <= _frames.OUTPUT_BUDGET
    (control,) = frames.stored_controls(data)
    steps = box.controls["step"]
    assert control.labels == [str(i) for i in range(steps.min, steps.max + 1)]
    assert control.start == 3
    assert control.frames[3] == base64.b64decode(data["image/png"])
    for i, png in enumerate(control.frames):
        drawn = pixels(box.render(step=i))
        assert np.abs(pixels(png) - drawn).mean() < 0.5, f"step {i} is not its picture"
        assert f"step = {i}." in control.alts[i]
    assert control.alts[3] == stored_alt
    assert len(set(control.frames)) == len(control.frames)


def test_an_explorer_drawn_by_the_lesson_stores_its_stops_and_one_from_bpkit_does_not():
    """An explorer of the lesson's own drawing stores each slider's stops from the stored
    state; one the site rebuilds from its call (lesson 01's) stores nothing."""
    data, _ = wave_explorer()._repr_mimebundle_()
    frequency, phase = frames.stored_controls(data)
    assert frequency.labels[frequency.start] == "2.00"
    assert phase.labels[phase.start] == "0.80"
    assert frequency.frames[frequency.start] == phase.frames[phase.start]
    assert "ω = 4.00" in frequency.alts[-1]
    assert len(json.dumps(data)) <= _frames.OUTPUT_BUDGET
    data, _ = bpkit.widgets.tangent_explorer(x=1.5, h=0.1)._repr_mimebundle_()
    assert frames.FRAMES not in data


def test_frames_over_the_budget_are_not_stored(monkeypatch):
    """Frames that do not fit even at the fewest stops leave the output as it was."""
    monkeypatch.setattr(_frames, "OUTPUT_BUDGET", 1000)
    data, _ = wave_explorer()._repr_mimebundle_()
    assert frames.FRAMES not in data
    assert {"image/png", "text/html"} <= set(data)


def test_the_site_uses_the_stored_frames_and_drops_their_part(tmp_path):
    """add_frames turns a stored part into picture files and the page's controls."""
    data, _ = lesson02_stepper()._repr_mimebundle_()
    output = {"output_type": "display_data", "data": data, "metadata": {}}
    source = "bpkit.widgets.backward_stepper(out, step=3)"  # not a call the site can rebuild
    notebook = {"cells": [{"cell_type": "code", "source": source, "outputs": [output]}]}
    made = build.add_frames(notebook, "02_x", tmp_path)
    assert made == 10
    assert frames.FRAMES not in output["data"]
    spec = output["metadata"]["bpkit_frames"]
    assert "backward()" in spec["title"]
    assert len(list((tmp_path / "frames" / "02_x" / "0").glob("*.png"))) == 10
    assert spec["controls"][0]["start"] == 3


def test_a_checkbox_has_two_stops_and_an_unknown_control_stores_nothing():
    """A checkbox stores its off and on pictures; a control without stops (a text box)
    leaves the explorer with its one stored picture, its output otherwise as before."""

    def draw(fig, grid, note="x"):
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.grid(grid)
        ax.set_title(f"grid {'on' if grid else 'off'} ({note})")

    box = bpkit.widgets.explorer(draw, {"grid": widgets.Checkbox(value=True, description="grid")})
    (grid,) = frames.stored_controls(box._repr_mimebundle_()[0])
    assert grid.labels == ["off", "on"]
    assert grid.start == 1
    assert "grid = off" in grid.alts[0]
    controls = {"grid": widgets.Checkbox(value=True), "note": widgets.Text(value="x")}
    data, _ = bpkit.widgets.explorer(draw, controls)._repr_mimebundle_()
    assert frames.FRAMES not in data
    assert "image/png" in data
