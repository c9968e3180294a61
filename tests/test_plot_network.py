"""Tests for the network diagram, the 2-2-1 walk-through and its step-through widget."""

import itertools
import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from bpkit.calculus import gradient
from bpkit.nn import sigmoid, tiny_network
from bpkit.plot import PALETTE
from bpkit.plot.network import (
    BACKPROP_STEPS,
    backprop_steps,
    draw_backprop_step,
    draw_network,
)


def _axes() -> object:
    return Figure(figsize=(6, 3.5)).subplots()


def _tiny_loss(params: np.ndarray, net: dict) -> float:
    """L = ½ (ŷ − y)² of the 2-2-1 network with all 9 parameters packed in one vector."""
    W1, b1, W2, b2 = params[:4].reshape(2, 2), params[4:6], params[6:8].reshape(2, 1), params[8:]
    a2 = sigmoid(sigmoid(net["x"] @ W1 + b1) @ W2 + b2)
    return float(0.5 * (a2[0] - net["y"]) ** 2)


def test_draw_network_draws_one_circle_per_neuron_and_one_edge_per_weight():
    """Every neuron is a circle and every weight an edge, whatever the layer sizes."""
    sizes = [4, 8, 8, 3]
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(m, n)) for m, n in itertools.pairwise(sizes)]
    ax = draw_network(_axes(), sizes, weights)
    circles = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    edges = sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection))
    assert circles == sum(sizes)
    assert edges == sum(m * n for m, n in itertools.pairwise(sizes))


def test_draw_network_writes_activations_deltas_and_small_weights():
    """Activations, δ values and (for small nets) weights appear as text on the diagram."""
    ax = draw_network(
        _axes(),
        [2, 1],
        weights=[np.array([[0.5], [-1.25]])],
        activations=[np.array([0.1, 0.2]), np.array([0.75])],
        deltas=[None, np.array([-0.03])],
    )
    texts = {t.get_text() for t in ax.texts}
    assert {"0.10", "0.20", "0.75", "δ -0.03", "0.50", "-1.25"} <= texts


def test_draw_network_shows_unknown_values_as_question_marks():
    """A NaN activation (not computed yet) is written as '?'."""
    ax = draw_network(_axes(), [1, 1], activations=[[0.5], [np.nan]])
    assert "?" in {t.get_text() for t in ax.texts}


def _glows(ax: object) -> int:
    """Count the yellow (highlight) collections on ``ax``."""
    yellow = to_rgba(PALETTE["yellow"])
    return sum(
        any(tuple(c) == yellow for c in [*coll.get_facecolors(), *coll.get_edgecolors()])
        for coll in ax.collections
    )


def test_draw_network_highlight_adds_a_glow():
    """Highlighting a neuron and an edge adds a yellow glow behind each, and nothing else does."""
    weights = [np.ones((2, 2))]
    assert _glows(draw_network(_axes(), [2, 2], weights)) == 0
    assert _glows(draw_network(_axes(), [2, 2], weights, highlight=[(1, 0), (0, 1, 1)])) == 2


def test_draw_network_rejects_transposed_weights_with_a_hint():
    """Weights of shape (n_out, n_in) are refused with a message naming the expected shape."""
    with pytest.raises(ValueError, match=r"weights\[0\] should have shape \(2, 3\).*transposed"):
        draw_network(_axes(), [2, 3], [np.zeros((3, 2))])


def test_draw_network_rejects_activations_of_the_wrong_length():
    """An activation array that does not match its layer's size names the layer."""
    with pytest.raises(ValueError, match=r"activations\[1\] should hold 3 values"):
        draw_network(_axes(), [2, 3], activations=[[0, 0], [0, 0]])


@given(st.integers(0, 10_000))
def test_tiny_network_gradients_match_finite_differences(seed):
    """At full precision the walk-through's gradients equal central differences of the loss."""
    net = tiny_network(seed, digits=None)
    params = np.concatenate([net[k].ravel() for k in ("W1", "b1", "W2", "b2")])
    analytic = np.concatenate([net[k].ravel() for k in ("dW1", "db1", "dW2", "db2")])
    numeric = gradient(lambda p: _tiny_loss(p, net), params, h=1e-6)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


@given(st.integers(0, 10_000))
def test_tiny_network_by_hand_stays_within_rounding_of_the_exact_one(seed):
    """Rounding every number to 4 decimals moves no gradient by more than 1e-3."""
    by_hand, exact = tiny_network(seed), tiny_network(seed, digits=None)
    for k in ("a1", "a2", "delta1", "delta2", "dW1", "dW2"):
        np.testing.assert_allclose(by_hand[k], exact[k], atol=1e-3)


@given(st.integers(0, 10_000))
def test_tiny_network_update_lowers_the_loss(seed):
    """One step against the gradient lowers the loss of the 2-2-1 example (small and η = 1)."""
    assert (
        tiny_network(seed, lr=0.1, digits=None)["loss_after"]
        < tiny_network(seed, lr=0.1, digits=None)["loss"]
    )
    net = tiny_network(seed, lr=1.0)
    assert net["loss_after"] < net["loss"]


_PRODUCT = re.compile(r"(-?\(?-?\d+\.\d+\)?(?:\s*×\s*\(?-?\d+\.\d+\)?)+)\s*=\s*(-?\d+\.\d+)")


@given(st.integers(0, 10_000))
def test_every_printed_product_follows_from_its_printed_factors(seed):
    """Each "a × b (× c) = d" in the walk-through holds for the numbers as printed, rounded."""
    found = 0
    for step in backprop_steps(tiny_network(seed)):
        for line in step.lines:
            for factors, result in _PRODUCT.findall(line):
                if "+" in line[: line.find(factors)].split("=")[-1]:
                    continue  # part of a sum (z = w·x + …), not a product on its own
                numbers = [float(f.strip(" ()")) for f in factors.split("×")]
                product, digits = float(np.prod(numbers)), len(result.split(".")[1])
                assert abs(product - float(result)) <= 0.5 * 10.0**-digits + 1e-12, line
                found += 1
    assert found == 6  # δ_out, two δ_h, two output-layer gradients, one hidden-layer one


@given(st.integers(0, 10_000))
def test_tiny_network_target_is_the_class_the_network_gets_wrong(seed):
    """The target is always on the other side of 0.5 from the prediction (a real error)."""
    net = tiny_network(seed)
    assert (net["a2"][0] >= 0.5) != (net["y"] == 1.0)


def test_backprop_steps_print_the_numbers_they_compute():
    """The output-error step writes δ = f'(z)(ŷ − y) with the value tiny_network computed."""
    net = tiny_network(3)
    steps = backprop_steps(net)
    assert len(steps) == BACKPROP_STEPS
    output_error = next(s for s in steps if "output error" in s.title)
    assert f"= {net['delta2'][0]:.4f}" in output_error.lines[0]


def test_draw_backprop_step_rejects_steps_out_of_range():
    """A step outside 0 … BACKPROP_STEPS-1 is refused with the valid range."""
    with pytest.raises(ValueError, match=r"step must be in 0 … 9"):
        draw_backprop_step(Figure(), step=BACKPROP_STEPS)


def test_backprop_stepper_renders_every_step_without_warnings_or_open_figures():
    """The stepper renders every (step, example) on a grid: no error, no warning, no figure left."""
    from bpkit.widgets import backprop_stepper

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        widget = backprop_stepper(seed=0)
        for step, seed in itertools.product(range(BACKPROP_STEPS), (0, 1, 7)):
            png = widget.render(step=step, seed=seed)
            assert png.startswith(b"\x89PNG")
    assert plt.get_fignums() == []


def test_backprop_stepper_buttons_move_the_step_within_range():
    """The ◀ / ▶ buttons change the step by one and stop at both ends."""
    from bpkit.widgets import backprop_stepper

    widget = backprop_stepper()
    back, ahead = widget.buttons
    back.click()
    assert widget.controls["step"].value == 0
    for _ in range(BACKPROP_STEPS + 2):
        ahead.click()
    assert widget.controls["step"].value == BACKPROP_STEPS - 1
    back.click()
    assert widget.controls["step"].value == BACKPROP_STEPS - 2


def test_backprop_stepper_shows_and_stores_the_step_it_is_given():
    """backprop_stepper(step=k) starts on step k, and its stored PNG is that step's picture."""
    from bpkit.widgets import backprop_stepper

    widget = backprop_stepper(seed=0, step=5)
    assert widget.controls["step"].value == 5
    assert widget.image.value == widget.render(step=5, seed=0)
    assert widget.image.value != widget.render(step=0, seed=0)


@pytest.mark.parametrize("step", [-1, BACKPROP_STEPS])
def test_backprop_stepper_rejects_a_start_step_out_of_range(step):
    """A start step outside 0 … BACKPROP_STEPS-1 is refused with a message naming the range."""
    from bpkit.widgets import backprop_stepper

    with pytest.raises(ValueError, match=r"backprop_stepper: step must be in 0 … 9, got"):
        backprop_stepper(step=step)
