"""bpkit.plot.gated and bpkit.widgets.gated: the forget-gate explorer."""

import itertools
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from bpkit.plot.gated import (
    HIGHWAY,
    draw_gated_flow,
    draw_highway,
    draw_lstm_cell,
    gated_flow_norms,
)


def test_gated_flow_norms_start_at_one_and_the_lstm_keeps_more():
    """All curves start at 1; with forget bias 2 the LSTM keeps > 100× the RNN's at lag 50."""
    norms = gated_flow_norms(2.0, T=60)
    assert set(norms) == {"vanilla RNN", "LSTM", "forget gates", HIGHWAY}
    for curve in norms.values():
        assert curve.shape == (60,)
        if curve is not norms[HIGHWAY]:
            assert curve[0] == pytest.approx(1.0)
    assert norms["LSTM"][50] > 100 * norms["vanilla RNN"][50]


def test_a_larger_forget_bias_keeps_more_of_the_cell_state_path():
    """The forget-gate product at lag 50 grows with the forget bias."""
    products = [gated_flow_norms(b, T=60)["forget gates"][50] for b in (-1.0, 1.0, 3.0)]
    assert products[0] < products[1] < products[2]


@pytest.mark.parametrize(("forget_bias", "lag"), [(2.0, 50), (-2.0, 80), (0.0, 0)])
def test_title_states_the_ratio_drawn_in_the_bars(forget_bias, lag):
    """The title's ratio is the ratio of the two bar heights at the chosen lag."""
    fig = Figure()
    draw_gated_flow(fig, forget_bias=forget_bias, lag=lag)
    title = fig.axes[0].get_title(loc="left")
    rnn, lstm = (bar.get_height() for bar in fig.axes[1].patches)
    quoted = float(re.search(r"= ([\d.,e+-]+)×", title)[1].replace(",", ""))
    assert quoted == pytest.approx(lstm / rnn, rel=0.06)
    assert f"lag {lag}" in title
    assert plt.get_fignums() == []


def test_bad_lag_is_rejected():
    """A lag outside 0 … T−1 raises a ValueError naming the range."""
    with pytest.raises(ValueError, match="0 … T−1 = 99"):
        draw_gated_flow(Figure(), lag=100)


def test_gated_flow_explorer_renders_its_settings():
    """Slider settings render without warnings, differ, and leave no figure open."""
    from bpkit.widgets import gated_flow_explorer

    widget = gated_flow_explorer()
    assert set(widget.controls) == {"forget_bias", "lag"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pngs = {
            widget.render(forget_bias=b, lag=lag)
            for b, lag in itertools.product([-2.0, 1.0, 5.0], [0, 50, 99])
        }
    assert len(pngs) == 9
    assert all(png.startswith(b"\x89PNG") for png in pngs)
    assert plt.get_fignums() == []
    assert np.isfinite(gated_flow_norms(5.0)["LSTM"]).all()


@pytest.mark.parametrize("forget_bias", [-2.0, 2.0, 4.5])
def test_every_curve_stays_inside_the_plot(forget_bias):
    """The y-axis reaches above every curve: a wide-open gate's gradient can grow past 1."""
    fig = Figure()
    draw_gated_flow(fig, forget_bias=forget_bias, lag=50)
    ax = fig.axes[0]
    highest = max(line.get_ydata().max() for line in ax.get_lines() if len(line.get_ydata()) > 2)
    assert ax.get_ylim()[1] >= highest


def test_the_explorer_keeps_one_gradient_range_for_every_forget_bias():
    """The axis top covers both ends of the slider, so moving it never rescales the axis."""
    from bpkit.plot.gated import flow_top, gated_flow_norms
    from bpkit.widgets import gated_flow_explorer

    box = gated_flow_explorer()
    slider = box.controls["forget_bias"]
    needed = max(
        flow_top(gated_flow_norms(b)) for b in np.arange(slider.min, slider.max + 0.1, 1.0)
    )
    assert box.values()["top"] == needed
    assert needed > flow_top(gated_flow_norms(slider.value))  # the default alone needs less


def test_the_highway_alone_is_small_at_bias_2_and_close_to_the_lstm_at_bias_5():
    """W_h = 0 leaves < 5 % of the LSTM's gradient at lag 50 with bias 2, > 10 % at bias 5."""
    low, high = gated_flow_norms(2.0, T=60), gated_flow_norms(5.0, T=60)
    assert low[HIGHWAY][50] < 0.05 * low["LSTM"][50]
    assert high[HIGHWAY][50] > 0.1 * high["LSTM"][50]


def test_draw_highway_and_the_cell_diagram_draw_without_warnings():
    """One panel per bias with four labelled curves; the diagram has its blue highway."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = Figure()
        draw_highway(fig, biases=(2.0, 4.5), T=60)
        assert len(fig.axes) == 2
        assert {line.get_label() for line in fig.axes[0].get_lines()} >= {"LSTM", HIGHWAY}
        cell = Figure()
        ax = draw_lstm_cell(cell.subplots())
        cell.canvas.draw()
    assert any("diag}(f_t)" in text.get_text() for text in ax.texts)
    assert plt.get_fignums() == []


@pytest.mark.parametrize("lag", [0, 99])
def test_the_lag_marker_stays_inside_the_frame_at_either_end(lag):
    """At lag 0 and T − 1 the marker is drawn inside the axes, not on the frame's edge."""
    import matplotlib.pyplot as plt

    fig = plt.figure()
    draw_gated_flow(fig, forget_bias=5.0, lag=lag, T=100)
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert low < lag < high
    assert min(lag - low, high - lag) >= 1.0  # at least one step of room
    plt.close(fig)
