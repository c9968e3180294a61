"""bpkit.plot.rnn and bpkit.widgets.rnn: the unrolled RNN and the gradient-flow explorer."""

import itertools
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from bpkit.plot.rnn import (
    draw_gradient_flow,
    draw_unrolled_rnn,
    gradient_flow_norms,
    plot_gradient_norms,
)


@pytest.mark.parametrize("T", [1, 3, 8])
def test_unrolled_rnn_draws_three_boxes_per_step(T):
    """T steps give 3T + 1 boxes (x_t, h_t, L_t and h_0) and leave no pyplot figure open."""
    ax = Figure().subplots()
    assert draw_unrolled_rnn(ax, T) is ax
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len(boxes) == 3 * T + 1
    assert plt.get_fignums() == []


def test_unrolled_rnn_marks_the_cuts_of_truncation():
    """truncate=k draws one 'cut' label per chunk boundary, ⌈T/k⌉ − 1 of them."""
    ax = Figure().subplots()
    draw_unrolled_rnn(ax, 7, loss_step=5, truncate=3)
    assert [t.get_text() for t in ax.texts].count("cut") == 2


def test_unrolled_rnn_highlights_only_the_states_the_loss_reaches():
    """With loss_step=t and truncate=k, only h_s in t's chunk (s ≤ t) are highlighted."""
    from matplotlib.colors import to_rgba

    from bpkit.plot import PALETTE

    ax = Figure().subplots()
    draw_unrolled_rnn(ax, 6, loss_step=4, truncate=3)
    orange = to_rgba(PALETTE["orange"], 0.9)
    highlighted = [p for p in ax.patches if np.allclose(p.get_facecolor(), orange)]
    assert len(highlighted) == 2  # h_4 and h_5 (steps 3 and 4)


@pytest.mark.parametrize(
    ("kwargs", "match"), [({"T": 0}, "T must be ≥ 1"), ({"loss_step": 4}, "0 … 3")]
)
def test_unrolled_rnn_rejects_bad_arguments(kwargs, match):
    """T < 1 or a loss step outside the sequence raises a ValueError naming the range."""
    with pytest.raises(ValueError, match=match):
        draw_unrolled_rnn(Figure().subplots(), **{"T": 4, **kwargs})


def test_plot_gradient_norms_leaves_out_zeros():
    """Zero norms (never reached) are not drawn: a log axis cannot show them."""
    ax = Figure().subplots()
    plot_gradient_norms(ax, {"ρ = 0.5": np.array([1.0, 0.5, 0.0])}, guide=True)
    solid, guide = ax.lines
    np.testing.assert_array_equal(solid.get_ydata(), [1.0, 0.5])
    np.testing.assert_allclose(guide.get_ydata(), [1.0, 0.5, 0.25])
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize(("T", "k"), [(50, 10), (50, 7), (20, 30), (9, 1)])
def test_gradient_flow_norms_reach_back_k_minus_one_steps(T, k):
    """With truncation k ≤ T the last whole chunk's loss reaches back exactly k − 1 steps."""
    norms, eig = gradient_flow_norms(1.0, T, k=k)
    assert norms.shape == (T,)
    reached = min(k, T)
    assert np.all(norms[:reached] > 0)
    assert np.all(norms[reached:] == 0)
    assert np.max(np.abs(eig)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"radius": 0.5, "T": 60}, "vanishes"),
        ({"radius": 2.0, "T": 60, "activation": "linear"}, "explodes"),
        ({"radius": 1.0, "T": 10, "activation": "linear"}, "survives"),
        ({"radius": 1.25, "T": 50}, "fades"),  # tanh squashes it even though ρ > 1
        ({"radius": 2.0, "T": 10, "activation": "linear"}, "grows"),
        ({"radius": 1.0, "T": 40, "k": 5}, "truncated"),
    ],
)
def test_gradient_flow_title_states_what_happens(kwargs, word):
    """The explorer's title says whether the gradient vanishes, explodes, survives or is cut."""
    fig = Figure()
    draw_gradient_flow(fig, **kwargs)
    title = fig.axes[0].get_title(loc="left")
    assert word in title
    if word != "truncated":  # the number in the title is where the drawn curve ends
        end = fig.axes[0].lines[1].get_ydata()[-1]
        assert f"({end:.2g}" in title or f"({end:.0e}" in title


def test_gradient_flow_explorer_renders_a_grid_of_settings():
    """Every slider combination renders without error or warning and leaves no figure open."""
    from bpkit.widgets import gradient_flow_explorer

    widget = gradient_flow_explorer()
    assert set(widget.controls) == {"radius", "T", "activation", "k", "input_scale"}
    grid = itertools.product([0.5, 1.3, 2.0], [5, 100], ["tanh", "linear"], [0, 7])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pngs = {
            widget.render(radius=r, T=T, activation=a, k=k, input_scale=2.0 * (i % 2))
            for i, (r, T, a, k) in enumerate(grid)
        }
    assert len(pngs) > 12  # the picture changes with the sliders (a few states coincide)
    assert all(png.startswith(b"\x89PNG") for png in pngs)
    assert plt.get_fignums() == []
