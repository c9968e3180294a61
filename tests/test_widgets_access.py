"""bpkit.widgets._access: alt text from the drawing, accessible names, the page's helper."""

import html

import ipywidgets as widgets
import pytest

import bpkit
from bpkit.plot import _style
from bpkit.widgets import (
    backprop_stepper,
    backward_stepper,
    descent_explorer,
    explorer,
    gated_flow_explorer,
    gradient_flow_explorer,
    init_explorer,
    neuron_explorer,
    tangent_explorer,
)
from bpkit.widgets._access import (
    alt_text,
    control_name,
    control_text,
    describe_figure,
    helper_markup,
    plain,
)


def lesson06_graph():
    x, w, b = bpkit.scalar.Value(2.0), bpkit.scalar.Value(-3.0), bpkit.scalar.Value(1.0)
    return backward_stepper((x * w + b).tanh() * x, step=2)


# (build, a control to move, a value to move it to) for every explorer of the course.
EXPLORERS = {
    "tangent": (tangent_explorer, "h", 0.01),
    "backward": (lesson06_graph, "step", 4),
    "descent": (descent_explorer, "lr", 0.95),
    "neuron": (neuron_explorer, "gate", "XOR"),
    "backprop": (backprop_stepper, "step", 6),
    "init": (init_explorer, "gain", 3.0),
    "gradient_flow": (gradient_flow_explorer, "radius", 1.5),
    "gated_flow": (gated_flow_explorer, "forget_bias", 4.5),
}


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_every_explorer_says_what_its_picture_shows_and_follows_each_move(name):
    """The alt text names the title, each control's value and each panel, and follows a move."""
    build, control, value = EXPLORERS[name]
    box = build()
    before = box.alt()
    for key, widget in box.controls.items():
        assert control_name(key, widget), f"{name}: control {key!r} has no accessible name"
        assert f"{control_name(key, widget)} = {control_text(widget)}" in before
    assert "Panel 1" in before or "The plot" in before
    assert f'data-alt="{html.escape(before, quote=True)}"' in box.helper.value
    box.controls[control].value = value
    after = box.alt()
    assert after != before
    assert f"= {control_text(box.controls[control])}" in after
    assert f'data-alt="{html.escape(after, quote=True)}"' in box.helper.value


def test_a_log_slider_is_said_as_its_readout_not_its_exponent():
    """h = 10^-2.8 reads 0.00158, as the slider's readout shows it, not -2.8."""
    slider = widgets.FloatLogSlider(value=10**-2.8, base=10, min=-3, max=0, readout_format=".3g")
    assert control_text(slider) == "0.00158"
    assert control_text(widgets.Dropdown(options=[("three", 3)], value=3)) == "three"
    assert control_text(widgets.IntSlider(value=7)) == "7"
    assert control_text(widgets.Checkbox(value=True)) == "on"


def test_the_figure_is_described_from_what_was_drawn():
    """Titles, axis labels (math text made plain), log scales and legend entries."""
    fig = _style.new_figure()
    ax, bx = fig.subplots(1, 2)
    ax.plot([1, 2], [1, 10], label=r"$\rho^\tau$")
    ax.set(title="loss", xlabel="step", ylabel="loss", yscale="log")
    ax.legend()
    bx.set_axis_off()
    bx.text(0.5, 0.5, "δ = 0.25")
    said = describe_figure(fig)
    assert said == (
        "Panel 1, 'loss': loss against step (y on a log scale); legend: ρ^τ. "
        "Panel 2: a diagram: δ = 0.25."
    )
    assert plain("$\\partial L / \\partial h$\nline two") == "∂ L / ∂ h line two"


def test_alt_text_puts_title_controls_and_drawing_in_sentences():
    slider = widgets.FloatSlider(value=0.5, description="lr η:", readout_format=".2f")
    said = alt_text("Does it converge?", {"lr": slider}, "The plot: loss against step.")
    assert said == "Does it converge? Controls: lr η = 0.50. The plot: loss against step."


def test_helper_keeps_keys_from_the_notebook_and_escapes_the_alt_text():
    """The page script marks the explorer for Lumino and receives the alt text intact."""
    markup = helper_markup('a "quoted" <b>alt</b> & more')
    assert "data-lm-suppress-shortcuts" in html.unescape(markup)
    assert 'data-alt="a &quot;quoted&quot; &lt;b&gt;alt&lt;/b&gt; &amp; more"' in markup
    assert "Shift+Enter" in markup


def test_explorer_helper_line_sits_under_the_picture():
    def draw(fig, a=1.0):
        fig.add_subplot().plot([0, 1], [0, a])

    box = explorer(draw, {"a": widgets.FloatSlider(value=1.0, description="a")})
    assert box.children[-3].children == (box.image, box.row)  # beside it, or above it
    assert box.children[-2] is box.helper
    assert box.children[-1] is box.screen
    assert box.screen.layout.display == "none"
    assert box.row.children == (box.controls["a"],)


@pytest.mark.parametrize("build", [backprop_stepper, lesson06_graph])
def test_stepper_buttons_are_greyed_out_at_either_end(build):
    """◀ is disabled at the first step and ▶ at the last, so neither looks active for nothing."""
    box = build()
    back, forward = box.buttons
    step = box.controls["step"]
    step.value = step.min
    assert (back.disabled, forward.disabled) == (True, False)
    step.value = step.max
    assert (back.disabled, forward.disabled) == (False, True)
    step.value = step.min + 1
    assert (back.disabled, forward.disabled) == (False, False)


def test_input_size_is_greyed_out_where_it_changes_nothing():
    """Under the linear activation the gradient does not depend on the input: no silent slider."""
    box = gradient_flow_explorer()
    scale = box.controls["input_scale"]
    assert not scale.disabled
    box.controls["activation"].value = "linear"
    assert scale.disabled
    png = box.render(input_scale=0.0)
    assert box.render(input_scale=2.0) == png  # what greying it out says
    box.controls["activation"].value = "tanh"
    assert not scale.disabled


def test_the_gain_readout_says_what_the_title_says():
    """A log slider showed 2.99 for g = 3; the gain slider's stops are the numbers themselves."""
    box = init_explorer(gain=3.0)
    assert box.controls["gain"].label == "3"
    box.controls["gain"].value = 2**0.5
    assert box.controls["gain"].label == "1.41 (√2)"
    with pytest.raises(ValueError, match="gain must be one of"):
        init_explorer(gain=2.99)


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        ("850 1", (1.25, 1.0)),  # a wide page: 25 % larger at most
        ("540 1", (1.0, 1.0)),
        ("520 2", (1.9, 2.0)),  # a narrower page on a 2× screen: 95 %, twice the pixels
        ("100 1", (0.6, 1.0)),  # never below 60 % (the page then shrinks the picture)
        ("540 4", (3.0, 3.0)),  # at most three pixels per pixel
        ("", None),
        ("0 1", None),
        ("wide 2", None),
    ],
)
def test_screen_fit_zooms_to_the_page_and_draws_for_its_pixels(report, expected):
    from bpkit.widgets._explorer import screen_fit

    assert screen_fit(report, 540.0) == expected


def test_a_2x_screen_gets_twice_the_pixels_at_the_same_css_size():
    """The page's report redraws the picture with its pixel ratio; the layout is unchanged."""
    from test_widgets_explorer import png_size

    box = gradient_flow_explorer()
    width, height = png_size(box.image.value)
    box.screen.value = f"{width} 2"
    assert png_size(box.image.value) == (2 * width, 2 * height)
    assert box.image.layout.width == f"{width}px"
    box.controls["radius"].value = 1.5  # moves keep the new size
    assert png_size(box.image.value) == (2 * width, 2 * height)
    box.screen.value = "not a report"
    assert png_size(box.image.value) == (2 * width, 2 * height)
    box.screen.value = "2000 1"  # 540 px × 1.25 = 675 px
    assert box.image.layout.width == f"{png_size(box.image.value)[0]}px" == "675px"


def test_the_css_width_is_the_pngs_own_when_the_zoom_gives_a_fraction():
    """7.5 in × 90 dpi × 1.25 = 843.75: matplotlib draws 843 px, the page shows 843 px."""
    from test_widgets_explorer import png_size

    box = neuron_explorer()
    box.screen.value = "2000 1"
    assert png_size(box.image.value)[0] == 843
    assert box.image.layout.width == "843px"
    box.screen.value = "2000 2"
    assert box.image.layout.width == f"{png_size(box.image.value)[0] / 2:g}px"


def test_a_scaled_picture_is_matplotlibs_own_drawing():
    """At 2× the kept frames and glyphs still give matplotlib's pixels, move after move."""
    from bpkit.plot.rnn import draw_gradient_flow
    from bpkit.widgets._explorer import SteadyRenderer

    fast, whole = (
        SteadyRenderer(draw_gradient_flow),
        SteadyRenderer(draw_gradient_flow, reuse=False),
    )
    for renderer in (fast, whole):
        renderer.rescale(2.0)
    for radius in (1.0, 1.2, 0.8, 1.2):
        assert fast(radius=radius) == whole(radius=radius)


def title_overlaps(fig) -> list[tuple[str, str]]:
    """The pairs of axes titles on ``fig`` whose boxes overlap, and titles past its edge."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    titles = [t for ax in fig.axes for t in (ax.title, ax._left_title) if t.get_text()]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in titles]
    found = [(name, "the figure's edge") for name, box in boxes if box.x1 > fig.bbox.x1 + 1]
    for i, (name, box) in enumerate(boxes):
        for other, box2 in boxes[i + 1 :]:
            if box.overlaps(box2):
                found.append((name, other))
    return found


@pytest.mark.parametrize("bias", [-2.0, 2.0, 5.0])
@pytest.mark.parametrize("lag", [0, 50, 99])
def test_lesson_09_titles_stay_apart_at_every_corner(bias, lag):
    """At forget bias 5, lag 99 the left title ran 55 px into the right panel's (6-inch figure)."""
    import matplotlib as mpl

    from bpkit.widgets._explorer import _course_rc

    box = gated_flow_explorer()
    with mpl.rc_context(_course_rc()):
        fig = _style.new_figure(box.renderer.figsize)
        fig.set_layout_engine("constrained")
        box.renderer.draw(fig, forget_bias=bias, lag=lag, top=box.values()["top"])
        assert title_overlaps(fig) == []


def test_the_suptitle_comes_first_and_once():
    fig = _style.new_figure()
    fig.add_subplot().set(xlabel="x", ylabel="y")
    fig.text(0.5, 0.02, "a note")
    fig.suptitle("The point")
    assert describe_figure(fig) == "The point. The plot: y against x. a note."


def smallest_text_px(box) -> float:
    """The smallest text of ``box``'s picture as drawn now, in CSS px (at pixel ratio 1)."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bpkit.widgets._explorer import _course_rc, drawn_texts

    with mpl.rc_context(_course_rc()):
        fig = box.renderer.figure()
        box.renderer.draw(fig, **box.values())
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        texts = drawn_texts(fig, canvas.get_renderer())
    return min(text.get_fontsize() * fig.dpi / 72 for text, _ in texts)


def test_text_shrink_keeps_texts_larger_than_the_zoom_within_half_the_inches():
    from bpkit.widgets._explorer import text_shrink

    assert text_shrink(1.25, 1.1) == 1.0  # zoomed in: the picture's own inches
    assert text_shrink(0.8, 1.1) == pytest.approx(0.727)  # texts 1.1 of their size
    assert text_shrink(0.6, 0.8) == 0.75
    assert text_shrink(0.5, 1.1) == 0.5  # never less than half the inches


def test_a_narrow_page_gets_larger_texts_on_the_same_pixels():
    """900-px window (438 CSS px): 9-pt ticks 11.25 px, not 9 px; the PNG keeps its width.

    At 1.1 of their size (shrink 0.727) the right panel's two-line title runs past the
    edge: the first size at which nothing clashes is their own (shrink 0.8 = the zoom).
    """
    from test_widgets_explorer import png_size

    box = gradient_flow_explorer()
    box.screen.value = "438 1"  # zoom 0.8: 540 px shown as 432 px
    assert box.renderer.shrink == 0.8
    assert png_size(box.image.value)[0] == 432 == int(box.image.layout.width[:-2])
    assert smallest_text_px(box) == pytest.approx(9 * 1.25, abs=0.05)  # 9 pt as at zoom 1
    assert not box.renderer.clashed
    box.screen.value = "438 2"  # a 2× screen: twice the pixels, the same inches
    assert png_size(box.image.value)[0] == 864
    assert box.renderer.shrink == 0.8


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_no_texts_clash_in_a_900_px_window_however_the_controls_move(name):
    """A state whose texts would clash at the larger size is drawn on more inches instead."""
    import matplotlib as mpl

    from bpkit.widgets._explorer import (
        _course_rc,
        _kept_canvas_class,
        _wrap_titles,
        text_clashes,
    )

    build, control, value = EXPLORERS[name]
    box = build()
    box.screen.value = "468 1"
    for state in (value, box.controls[control].value):
        box.controls[control].value = state
        assert not box.renderer.clashed
        with mpl.rc_context(_course_rc()):  # the state as drawn, in the places kept
            fig = box.renderer.figure()
            box.renderer.draw(fig, **box.values())
            canvas = _kept_canvas_class()(fig)
            if box.renderer.shrink < 1.0:  # as SteadyRenderer._render: before placing
                _wrap_titles(fig, canvas.get_renderer())
            fig.set_layout_engine(None)
            for ax, position in zip(fig.axes, box.renderer.positions, strict=True):
                ax.set_position(position)
            canvas.draw()
            assert text_clashes(fig, canvas.get_renderer()) == []


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_every_explorer_keeps_its_text_readable_in_a_900_px_window(name):
    """At 468 CSS px (a 900-px JupyterLab window) no text is under 11.2 CSS px (as README says).

    That is 9-pt text at its size at zoom 1.0 (11.25 px), or larger: on matplotlib 3.8 the
    gradient flow explorer's texts clash at 1.1 of their size and fall back to it; on 3.11
    the smallest is 11.7 px.

    Before the steppers had a narrow shape, their node texts were 7.1 and 7.9 px there,
    and lesson 09's 8-pt legend was 11.0 px.
    """
    build, control, value = EXPLORERS[name]
    box = build()
    box.screen.value = "468 1"
    for state in (box.controls[control].value, value):
        box.controls[control].value = state
        assert smallest_text_px(box) >= 11.2, f"{name} at {control}={state!r}"


@pytest.mark.parametrize("build", [lesson06_graph, backprop_stepper])
def test_a_stepper_takes_its_narrow_shape_on_a_narrow_page_and_gives_it_back(build):
    """Below 0.85 of its width the stepper draws its narrow figure; wider, its usual one."""
    from test_widgets_explorer import png_size

    from bpkit.widgets._explorer import NARROW_BELOW

    box = build()
    usual = box.renderer.figsize
    assert usual[0] > 1.3 * usual[1]  # wide: the graph across, the formulas on one line
    too_narrow = int(usual[0] * _style.DPI * NARROW_BELOW) - 1
    box.screen.value = f"{too_narrow} 1"
    narrow = box.renderer.figsize
    assert narrow[0] < usual[0]
    assert narrow[0] < 1.3 * narrow[1]
    width, height = png_size(box.image.value)
    assert width <= too_narrow  # the room it has, in steps of 5 %, or 1.25 × its own width
    assert width >= min(0.95 * too_narrow, 1.2 * narrow[0] * _style.DPI)
    assert height / width == pytest.approx(narrow[1] / narrow[0], abs=0.02)
    box.screen.value = f"{too_narrow + 2} 1"  # wide enough again
    assert box.renderer.figsize == usual
    assert png_size(box.image.value)[0] / png_size(box.image.value)[1] > 1.3


def test_a_long_title_breaks_at_a_pause_near_its_middle_never_in_math_text():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bpkit.widgets._explorer import _wrap

    fig = _style.new_figure()
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.add_subplot()
    cases = {
        "forget bias +0.5: LSTM / RNN at lag 50 = 0.34×":
            "forget bias +0.5:\nLSTM / RNN at lag 50 = 0.34×",
        "the path leaves this picture at step 1": "the path leaves this\npicture at step 1",
        "$a + b + c + d$ and more": "$a + b + c + d$\nand more",
        "short": "short",
    }  # fmt: skip
    for title, wrapped in cases.items():
        text = ax.set_title(title)
        _wrap(text, 40.0 if title != "short" else 1000.0, renderer)
        assert text.get_text() == wrapped


def test_a_matplotlib_without_the_internals_read_draws_at_full_inches(monkeypatch):
    """The clash check reads matplotlib internals; without them, the old full-size picture."""
    import bpkit.widgets._explorer as explorer_module

    def missing(*args, **kwargs):
        raise AttributeError("'Axes' object has no attribute '_axis_map'")

    monkeypatch.setattr(explorer_module, "text_clashes", missing)
    box = gradient_flow_explorer()
    box.screen.value = "438 1"
    assert box.renderer.shrink == 1.0
    assert not box.renderer.clashed
    assert box.image.layout.width == "432px"
