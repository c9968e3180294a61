"""Tests for bpkit.plot.training and bpkit.widgets.training: drawings and the neuron explorer."""

from __future__ import annotations

import itertools
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from bpkit import data, nn
from bpkit.plot import new_figure
from bpkit.plot.training import (
    draw_activations,
    draw_decision_boundary,
    draw_loss_curves,
    draw_neuron,
)
from bpkit.widgets.training import neuron_explorer


def _xor_points() -> tuple[np.ndarray, np.ndarray]:
    return data.xor(40, noise=0.1, seed=2)


@pytest.mark.parametrize("kind", ["scores", "labels", "probability", "column"])
def test_decision_boundary_accepts_every_prediction_form(kind):
    """Scores, labels, one probability per point or a single column all shade the plane."""
    x, y = _xor_points()

    def truth(p):  # the XOR rule itself: a perfect classifier
        label = ((p[:, 0] > 0.5) != (p[:, 1] > 0.5)).astype(int)
        return {
            "scores": np.eye(2)[label],
            "labels": label,
            "probability": label * 0.8 + 0.1,
            "column": (label * 0.8 + 0.1)[:, None],
        }[kind]

    ax = new_figure().subplots()
    draw_decision_boundary(ax, truth, x, y)
    assert ax.get_title() == "Decision regions: 100% accuracy"
    assert len(ax.images) == 1
    regions = ax.images[0].get_array()
    assert set(np.unique(regions)) == {0, 1}


def test_decision_boundary_of_a_constant_classifier_has_no_boundary_line():
    """A predictor that says 0 everywhere scores the class-0 share and draws no contour."""
    x, y = _xor_points()
    ax = new_figure().subplots()
    draw_decision_boundary(ax, lambda p: np.zeros(len(p), dtype=int), x, y, title="all zero")
    assert ax.get_title() == "all zero"
    assert len(ax.images) == 1
    assert all(type(c).__name__ == "PathCollection" for c in ax.collections)  # scatter only


def test_loss_curves_plot_each_history_entry():
    """Loss and validation loss go on the left axis; accuracies on a right twin axis."""
    history = {
        "loss": [1.0, 0.5, 0.25],
        "accuracy": [0.5, 0.7, 0.9],
        "val_loss": [1.1, 0.6, 0.4],
        "val_accuracy": [0.4, 0.6, 0.8],
    }
    ax = new_figure().subplots()
    twin = draw_loss_curves(ax, history)
    assert twin is not ax
    assert [line.get_label() for line in ax.lines] == ["training loss", "validation loss"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert [line.get_label() for line in twin.lines] == ["accuracy", "validation accuracy"]
    assert twin.get_ylim() == (0, 1.02)


def test_loss_curves_compare_runs_by_label():
    """Two calls with labels give two prefixed loss lines and no twin axis when asked."""
    ax = new_figure().subplots()
    out = draw_loss_curves(ax, {"loss": [2.0, 1.0]}, label="lr 0.1", accuracy=False, log=True)
    draw_loss_curves(ax, {"loss": [2.0, 1.5]}, label="lr 0.01", color="#E69F00")
    assert out is ax
    assert [line.get_label() for line in ax.lines] == [
        "lr 0.1: training loss",
        "lr 0.01: training loss",
    ]
    assert ax.get_yscale() == "log"


def test_activation_plot_shows_functions_and_their_derivatives():
    """draw_activations draws f and f′ for each name; tanh′(0) = 1 on the right panel."""
    fig = draw_activations(new_figure())
    left, right = fig.axes
    assert [line.get_label() for line in left.lines] == ["sigmoid", "tanh", "relu"]
    z, dtanh = right.lines[1].get_xdata(), right.lines[1].get_ydata()
    assert dtanh[np.argmin(np.abs(z))] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("gate", "w1", "w2", "b", "expected"),
    [
        ("AND", 1.0, 1.0, -1.5, "100%"),
        ("OR", 1.0, 1.0, -0.5, "100%"),
        ("XOR", 1.0, 1.0, -0.5, "75%"),
    ],
)
def test_neuron_title_reports_the_line_accuracy(gate, w1, w2, b, expected):
    """A line solves AND and OR; the OR line gets three of XOR's four corners right."""
    fig = draw_neuron(new_figure(), w1=w1, w2=w2, b=b, gate=gate)
    assert fig.axes[0].get_title() == f"{gate}: the line z = 0 classifies {expected}"


def test_neuron_heat_map_is_the_neuron_output():
    """The heat map's pixels equal f(w·x + b) at the grid points."""
    fig = draw_neuron(new_figure(), w1=2.0, w2=-1.0, b=0.5, activation="tanh", resolution=20)
    image = fig.axes[0].images[0]
    left, right, bottom, top = image.get_extent()
    corner = np.tanh(2.0 * left - 1.0 * bottom + 0.5)
    assert image.get_array()[0, 0] == pytest.approx(corner)
    assert image.get_array()[-1, -1] == pytest.approx(np.tanh(2.0 * right - 1.0 * top + 0.5))


def _grid_of_controls():
    """Every activation and data set at one setting, plus extreme weights for one pair."""
    settings = itertools.cycle(
        [(-4.0, 4.0, 0.0), (4.0, 4.0, -4.0), (0.0, 0.0, 0.0), (0.0, 3.0, -1.0)]
    )
    for (activation, gate), (w1, w2, b) in zip(
        itertools.product(["sigmoid", "tanh", "relu"], ["AND", "OR", "NAND", "XOR"]),
        settings,
        strict=False,
    ):
        yield {"activation": activation, "gate": gate, "w1": w1, "w2": w2, "b": b}
    for w1, w2, b in itertools.product([-4.0, 0.0, 4.0], [-4.0, 0.0, 4.0], [-4.0, 4.0]):
        yield {"activation": "relu", "gate": "XOR", "w1": w1, "w2": w2, "b": b}


def test_neuron_explorer_renders_a_grid_of_controls_cleanly():
    """Every control setting renders a PNG with no warning and leaves no pyplot figure open."""
    widget = neuron_explorer()
    assert set(widget.controls) == {"w1", "w2", "b", "activation", "gate"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pngs = [widget.render(**values) for values in _grid_of_controls()]
    assert all(png.startswith(b"\x89PNG") for png in pngs)
    assert len(set(pngs)) == len(pngs)  # each setting draws a different picture
    assert plt.get_fignums() == []


def test_moving_a_slider_redraws_the_image():
    """Changing w1 on the widget replaces the image shown."""
    widget = neuron_explorer()
    before = widget.image.value
    widget.controls["w1"].value = -2.0
    assert widget.image.value != before
    assert widget.values()["w1"] == -2.0


def test_drawings_leave_no_pyplot_figures_open():
    """The library drawings work on a detached Figure and open nothing in pyplot."""
    x, y = data.moons(60)
    model = nn.MLP([2, 4, 2])
    ax = new_figure().subplots()
    draw_decision_boundary(ax, model.forward, x, y)
    draw_loss_curves(new_figure().subplots(), {"loss": [1.0, 0.5]})
    draw_activations(new_figure())
    assert plt.get_fignums() == []


def test_relu_neuron_is_drawn_unclipped():
    """With large weights the ReLU panel shows a = z rising past 2, never a false plateau."""
    fig = draw_neuron(new_figure(), w1=4.0, w2=4.0, b=0.0, activation="relu", resolution=20)
    curve = fig.axes[1]
    zs, a = curve.lines[0].get_data()
    assert np.allclose(a, np.maximum(zs, 0.0))
    assert a.max() > 8
    assert curve.get_ylim()[1] >= a.max()


@pytest.mark.parametrize(("activation", "f0"), [("sigmoid", 0.5), ("tanh", 0.0), ("relu", 0.0)])
def test_neuron_colour_midpoint_is_the_output_on_the_line(activation, f0):
    """White, the colour scale's middle, sits at f(0): the output on the decision line z = 0."""
    fig = draw_neuron(new_figure(), w1=3.0, w2=-2.0, b=0.5, activation=activation, resolution=20)
    low, high = fig.axes[0].images[0].get_clim()
    assert (low + high) / 2 == pytest.approx(f0)


def test_relu_neuron_is_not_clipped_and_its_white_sits_on_the_line():
    """ReLU's curve reaches f(z) at the largest z shown, and the colour middle is f(0) = 0."""
    fig = draw_neuron(new_figure(), w1=4.0, w2=4.0, b=-4.0, activation="relu", gate="AND")
    heat, curve = fig.axes
    line = curve.lines[0]
    assert np.nanmax(line.get_ydata()) == pytest.approx(np.max(line.get_xdata()))
    assert np.nanmax(line.get_ydata()) > 2.0
    low, high = heat.images[0].get_clim()
    assert (low + high) / 2 == pytest.approx(0.0)


@pytest.mark.parametrize(("activation", "middle"), [("sigmoid", 0.5), ("tanh", 0.0)])
def test_neuron_colour_middle_is_f_of_zero(activation, middle):
    """The white middle of the colour scale is f(0): the decision line z = 0."""
    fig = draw_neuron(new_figure(), activation=activation)
    low, high = fig.axes[0].images[0].get_clim()
    assert (low + high) / 2 == pytest.approx(middle)


def test_relu_derivative_has_a_gap_at_zero_not_a_vertical_segment():
    """ReLU′ is drawn as two flat pieces: no segment joins 0 and 1 at z = 0."""
    fig = draw_activations(new_figure())
    relu = fig.axes[1].lines[2]
    z, slope = relu.get_xdata(), relu.get_ydata()
    assert np.isnan(slope).sum() == 1
    finite = ~np.isnan(slope)
    assert set(np.unique(slope[finite])) == {0.0, 1.0}
    assert np.all(np.diff(slope[finite][z[finite] < 0]) == 0)
