"""bpkit.site.frames: which explorers a static page can move, and the pictures it gets."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from bpkit.site import frames


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
