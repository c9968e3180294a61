"""Explorers draw each axes' frame once per set of limits: the pixels must not change.

``SteadyRenderer`` pastes back the kept frame of an axes (background, ticks, labels, grid)
when a state has the same limits, draws only the rest, and composites kept glyph images
for texts it drew before. Every test here compares such renders with whole ones, drawn
by matplotlib alone at the same places (``reuse=False``).
"""

import io

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

import bpkit
from bpkit import widgets as explorers
from bpkit.widgets._explorer import (
    SteadyRenderer,
    _course_rc,
    _draw_frames,
    _frame_box,
    _overlay,
    _text_caching_renderer_class,
    explorer,
    speed_layer,
)

# The tests of kept frames and glyphs need the speed layer; a matplotlib without its hooks
# (3.10, for one) takes the public path, which the tests at the end of this file cover.
fast_path_only = pytest.mark.skipif(not speed_layer().ok, reason=str(speed_layer()))


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGBA"))


def whole(renderer: SteadyRenderer, values: dict) -> np.ndarray:
    """The state drawn whole by matplotlib, at the places ``renderer`` keeps."""
    plain = SteadyRenderer(renderer.draw, renderer.figsize, reuse=False)
    plain.positions, plain.clear_edges = renderer.positions, renderer.clear_edges
    return pixels(plain(**values))


def lesson06_graph():
    x, w, b = bpkit.scalar.Value(2.0), bpkit.scalar.Value(-3.0), bpkit.scalar.Value(1.0)
    return explorers.backward_stepper((x * w + b).tanh() * x)


# Each explorer of the lessons, a control, and values that go back and forth: some
# states keep the limits (a frame is pasted back), some change them (drawn again).
EXPLORERS = {
    "tangent": (explorers.tangent_explorer, "h", [0.5, 0.01, 0.5, 0.3]),
    "backward_stepper": (lesson06_graph, "step", [1, 3, 1, 4]),
    "descent_1d": (explorers.descent_explorer, "lr", [0.05, 1.2, 0.95, 0.05, 1.2]),
    "descent_2d": (lambda: explorers.descent_explorer(dim=2), "lr", [0.05, 0.45, 0.05, 0.3]),
    "neuron": (explorers.neuron_explorer, "w1", [0.5, -1.0, 2.0, 0.5]),
    "backprop_stepper": (explorers.backprop_stepper, "step", [3, 6, 3, 9]),
    "init": (explorers.init_explorer, "gain", [0.3, 3.0, 10.0, 0.3]),
    "gradient_flow": (explorers.gradient_flow_explorer, "radius", [0.8, 1.5, 1.9, 0.8]),
    "gated_flow": (explorers.gated_flow_explorer, "forget_bias", [-1.0, 3.0, 4.5, -1.0]),
}


FRAMED = [name for name in EXPLORERS if "stepper" not in name]  # steppers draw no axes


@pytest.mark.parametrize("name", EXPLORERS)
@fast_path_only
def test_every_explorer_pastes_frames_back_and_shows_the_same_pixels(name):
    build, control, values = EXPLORERS[name]
    box = build()
    renderer = box.renderer
    for value in values:
        box.controls[control].value = value
        np.testing.assert_array_equal(pixels(box.image.value), whole(renderer, box.values()))
    if name in FRAMED:
        assert renderer.frames_reused > 0, f"{name}: no frame was ever pasted back"
    assert renderer.agg.kept_texts, f"{name}: no text was kept"


@pytest.mark.parametrize("name", FRAMED)
@fast_path_only
def test_each_frame_box_holds_every_pixel_its_frame_draws(name):
    """A box that missed a tick label would paste back a picture without it."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    build, _, _ = EXPLORERS[name]
    box = build()
    renderer = box.renderer
    with mpl.rc_context(_course_rc()):
        fig = Figure(figsize=renderer.figsize, dpi=bpkit.plot._style.DPI)
        FigureCanvasAgg(fig)
        renderer.draw(fig, **box.values())
        fig.set_layout_engine(None)
        for ax, position in zip(fig.axes, renderer.positions, strict=True):
            ax.set_position(position)
        groups = _overlay(fig)
        assert groups is not None, f"{name} is drawn whole: its frames are never kept"
        overlay = [artist for _, artists in groups for artist in artists]
        width, height = (round(side * fig.dpi) for side in renderer.figsize)
        agg = _text_caching_renderer_class()(width, height, fig.dpi)
        background = np.round(255 * np.array(mpl.colors.to_rgba(fig.get_facecolor())))
        checked = 0
        for ax in fig.axes:
            agg.drawn = []
            _draw_frames(fig, agg, overlay, hidden=[other for other in fig.axes if other is not ax])
            image = np.asarray(agg.buffer_rgba())
            drawn = np.argwhere((image != background).any(axis=-1))  # (row, column) pairs
            if not len(drawn):  # an axes without axis and background draws no frame
                continue
            box = _frame_box(ax, agg)
            rows, columns = drawn[:, 0], drawn[:, 1]
            assert columns.min() >= box.x0, name
            assert columns.max() < box.x1, name
            assert (height - rows - 1).min() >= box.y0, name  # pixel rows count from the top
            assert (height - rows).max() <= box.y1, name
            checked += 1
    assert checked, f"{name}: no axes draws a frame"


def draw_twin(fig, a=1.0):
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, a])
    ax.twinx().plot([0, 1], [1, 0], color="red")


def draw_image_under_grid(fig, a=1.0):
    ax = fig.add_subplot()
    ax.imshow(np.outer(np.arange(4), np.arange(4)) * a, extent=(0, 1, 0, 1))
    ax.grid(True)


@pytest.mark.parametrize("draw", [draw_twin, draw_image_under_grid])
def test_a_picture_whose_frames_would_hide_something_is_drawn_whole(draw):
    """Twin axes overlap; grid lines drawn over an image belong above it: no layers."""
    box = explorer(draw, {"a": widgets.FloatSlider(value=1.0, min=0.1, max=3.0)})
    renderer = box.renderer
    for a in (2.0, 1.0, 2.0):
        box.controls["a"].value = a
        np.testing.assert_array_equal(pixels(box.image.value), whole(renderer, box.values()))
    assert renderer.frames_reused == 0
    assert renderer.frames == {}


def draw_crowded(fig, a=1.0):
    """Two axes placed by hand so close that the right one's labels reach the left one."""
    fig.set_layout_engine(None)
    left = fig.add_axes((0.1, 0.2, 0.38, 0.7))
    right = fig.add_axes((0.52, 0.2, 0.38, 0.7))
    left.plot([0, 1], [0, a])
    right.plot([0, 1], [a, 0])
    right.set_ylabel("a long label\nthat reaches left")
    right.set_yticks([0.0, 0.5, 1.0], ["zero point zero", "half", "one"])


def test_frames_whose_boxes_overlap_are_all_drawn():
    renderer = SteadyRenderer(draw_crowded, (5.0, 3.0))
    renderer(a=1.0)
    for a in (1.0, 2.0, 1.0):
        np.testing.assert_array_equal(pixels(renderer(a=a)), whole(renderer, {"a": a}))
    assert renderer.frames_reused == 0


def draw_reaching(fig, a=1.0):
    """The left panel's note (not clipped) runs across the right panel's tick labels."""
    left, right = fig.subplots(1, 2)
    left.plot([0, 1], [0, a])
    right.plot([0, 1], [a, 0])
    left.text(0.6, 0.5, "a note that runs on and on", transform=left.transAxes, fontsize=14,
              bbox={"facecolor": "yellow"}, in_layout=False)  # fmt: skip


def test_an_overlay_that_reaches_a_later_frame_is_drawn_whole():
    """Drawn whole, the right panel's tick labels lie over the note; so must they here."""
    renderer = SteadyRenderer(draw_reaching, (6.0, 3.0))
    renderer(a=1.0)
    for a in (1.0, 1.0, 2.0):
        np.testing.assert_array_equal(pixels(renderer(a=a)), whole(renderer, {"a": a}))
    assert renderer.frames_reused == 0


@fast_path_only
def test_same_limits_paste_every_frame_back_and_new_limits_draw_that_frame():
    def draw(fig, a=1.0, top=1.0):
        left, right = fig.subplots(1, 2)
        left.plot([0, 1], [0, a])
        left.set_ylim(0, 4)
        right.plot([0, 1], [0, a])
        right.set_ylim(0, top)

    renderer = SteadyRenderer(draw, (6.0, 3.0))
    renderer(a=1.0)
    renderer(a=2.0)  # the same limits: both frames pasted back
    assert renderer.frames_reused == 2
    renderer(a=2.0, top=5.0)  # the right panel's range changes: only the left one is kept
    assert renderer.frames_reused == 3
    np.testing.assert_array_equal(
        pixels(renderer(a=3.0, top=5.0)), whole(renderer, {"a": 3.0, "top": 5.0})
    )
    assert renderer.frames_reused == 5


@fast_path_only
def test_texts_drawn_before_are_composited_from_kept_glyphs():
    def draw(fig, shift=0.0, label="plain text"):
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.text(0.2 + shift, 0.5, label)
        ax.set_title(r"math $\alpha^2$")

    renderer = SteadyRenderer(draw, (4.0, 3.0))
    for shift, label in (
        (0.0, "plain text"),
        (0.0, "plain text"),
        (0.001, "plain text"),
        (0.0, "other"),
    ):
        np.testing.assert_array_equal(
            pixels(renderer(shift=shift, label=label)),
            whole(renderer, {"shift": shift, "label": label}),
        )
    kept = [key[0] for key in renderer.agg.kept_texts]
    assert kept.count("plain text") == 2  # one per place it was drawn at
    assert "other" in kept
    assert not any("alpha" in text for text in kept)  # math text is drawn as usual


def draw_letters(fig, rows=5):
    fig.set_layout_engine(None)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    for i in range(rows):
        ax.text(0.1 + 0.013 * i, 0.1 + 0.15 * i, "abba" * 3)  # 12 glyphs, at another place


@fast_path_only
def test_each_glyph_is_rasterised_once_per_place_within_a_pixel():
    renderer = SteadyRenderer(draw_letters, (4.0, 3.0))
    renderer(rows=5)
    np.testing.assert_array_equal(pixels(renderer(rows=5)), whole(renderer, {"rows": 5}))
    assert len(renderer.agg.kept_texts) == 5
    assert 0 < len(renderer.agg.kept_glyphs) < 5 * 12  # "a" and "b" again and again


@pytest.mark.parametrize("name", EXPLORERS)
def test_the_public_path_draws_what_matplotlib_draws(name):
    """Without the speed layer (fast=False) every explorer draws matplotlib's own pixels.

    Its reference is a fresh plain Agg renderer at the same places: the public path keeps
    only the layout and the renderer, so moving a slider back and forth changes nothing.
    """
    build, control, values = EXPLORERS[name]
    box = build()
    public = SteadyRenderer(box.renderer.draw, box.renderer.figsize, fast=False)
    public(**box.values())  # the first state is laid out afresh; later ones keep its places
    for value in values:
        box.controls[control].value = value
        state = box.values()
        got = pixels(public(**state))
        plain = SteadyRenderer(public.draw, public.figsize, reuse=False, fast=False)
        plain.positions, plain.clear_edges = public.positions, public.clear_edges
        np.testing.assert_array_equal(got, pixels(plain(**state)))


def test_a_matplotlib_without_the_hooks_gets_the_public_path(monkeypatch):
    """A missing private name switches the explorers to the public path; they still draw."""
    from bpkit.widgets import _explorer

    _explorer.speed_layer.cache_clear()
    monkeypatch.setattr(_explorer, "_missing_hooks", lambda: ["ft2font.RenderMode"])
    try:
        decision = _explorer.speed_layer()
        assert not decision.ok
        assert "RenderMode" in str(decision)
        renderer = SteadyRenderer(draw_crowded, (5.0, 3.0))
        assert not renderer.fast
        assert renderer().startswith(b"\x89PNG")
    finally:
        _explorer.speed_layer.cache_clear()


def test_the_path_can_be_forced_from_the_environment(monkeypatch):
    """BPKIT_EXPLORER_PATH=public forces the public path (for bpkit doctor and comparisons)."""
    from bpkit.widgets import _explorer

    _explorer.speed_layer.cache_clear()
    monkeypatch.setenv("BPKIT_EXPLORER_PATH", "public")
    try:
        assert not _explorer.speed_layer().ok
    finally:
        _explorer.speed_layer.cache_clear()


def test_matplotlib_3_11_gets_the_fast_path():
    """On the matplotlib CI runs newest (3.11), the probe finds every hook: speed is kept."""
    import matplotlib

    major_minor = tuple(int(part) for part in matplotlib.__version__.split(".")[:2])
    if major_minor >= (3, 11):
        assert speed_layer().ok, str(speed_layer())
    else:
        assert not speed_layer().ok, "matplotlib < 3.11 lacks ft2font.RenderMode"
