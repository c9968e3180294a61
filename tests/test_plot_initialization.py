"""bpkit.plot.initialization and bpkit.widgets.init_explorer: signal and error per layer."""

import itertools
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from bpkit.plot.initialization import draw_init_flow, init_flow


def test_flow_has_one_row_per_hidden_layer_and_histograms_that_sum_to_one():
    flow = init_flow(1.0, "tanh", depth=5)
    assert flow["hist"].shape == (5, 41)
    assert flow["std"].shape == flow["delta"].shape == (5,)
    np.testing.assert_allclose(flow["hist"].sum(axis=1), 1.0)


def test_he_gain_carries_the_error_through_a_deep_relu_net_and_gain_one_does_not():
    he = init_flow(np.sqrt(2.0), "relu", depth=20)["delta"]
    lecun = init_flow(1.0, "relu", depth=20)["delta"]
    assert 0.3 < he[0] / he[-1] < 3.0
    assert lecun[0] / lecun[-1] < 1e-2


def test_small_tanh_gain_collapses_the_signal_and_large_saturates_it():
    assert init_flow(0.3, "tanh", depth=8)["std"][-1] < 1e-3
    saturated = init_flow(3.0, "tanh", depth=8)
    assert saturated["std"][-1] > 0.75
    assert saturated["hist"][-1, [0, -1]].sum() > 0.4  # piled up in the ±1 end bins


def test_sigmoid_error_shrinks_at_every_layer_at_gain_one():
    delta = init_flow(1.0, "sigmoid", depth=8)["delta"]
    assert np.all(np.diff(delta) > 0)  # δ grows towards the output, so it shrinks going back


def test_last_hidden_error_matches_a_hand_computed_delta():
    """δ at the last hidden layer = ((p − onehot)/N) W_outᵀ ⊙ tanh'(z), rebuilt by hand."""
    from bpkit import nn
    from bpkit.plot.initialization import _batch

    depth, gain = 3, 1.0
    x, y = _batch()
    rng = np.random.default_rng(0)
    sizes, a, zs, weights = [64, 64, 64, 64, 10], x, [], []
    for n_in, n_out in itertools.pairwise(sizes):
        w = nn.init_weights(n_in, n_out, "normal", rng, gain / np.sqrt(n_in))
        weights.append(w)
        zs.append(a @ w)
        a = np.tanh(zs[-1])
    logits = zs[-1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    delta = (p / len(y)) @ weights[-1].T * (1 - np.tanh(zs[-2]) ** 2)
    ours = init_flow(gain, "tanh", depth=depth)["delta"][-1]
    assert ours == pytest.approx(np.linalg.norm(delta), rel=1e-10)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"gain": 1.0, "activation": "softplus"}, "unknown activation 'softplus'"),
    ({"gain": 0.0}, "gain must be a positive number"),
    ({"gain": float("nan")}, "gain must be a positive number"),
])  # fmt: skip
def test_bad_settings_are_refused_with_a_clear_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        init_flow(**kwargs)


def test_title_states_the_ratio_the_curves_show():
    fig = Figure()
    draw_init_flow(fig, gain=1.0, activation="relu", depth=12)
    delta = init_flow(1.0, "relu", 12)["delta"]
    assert f"{delta[0] / delta[-1]:.2g} ×" in fig.get_suptitle()


def test_init_explorer_renders_every_corner_cleanly_and_redraws():
    from bpkit.widgets import init_explorer

    widget = init_explorer()
    assert set(widget.controls) == {"gain", "activation", "depth"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pngs = [
            widget.render(gain=gain, activation=activation, depth=depth)
            for gain in (0.1, 1.0, 10.0)
            for activation in ("tanh", "relu", "sigmoid")
            for depth in (2, 20)
        ]
    assert all(png.startswith(b"\x89PNG") for png in pngs)
    assert len(set(pngs)) == len(pngs)
    before = bytes(widget.image.value)
    widget.controls["gain"].value = 3.0
    assert bytes(widget.image.value) != before
    assert plt.get_fignums() == []


def test_the_two_factors_multiply_to_the_change_of_delta_per_layer():
    """‖δ‖ changes from layer k+1 to k by (through Wᵀ) × (through f′), at every layer."""
    flow = init_flow(3.0, "tanh", depth=6)
    delta = flow["delta"]
    np.testing.assert_allclose(
        delta[:-1] / delta[1:], flow["through_W"][:-1] * flow["through_f"][:-1], rtol=1e-12
    )
    assert np.all(flow["through_f"] <= 1.0)  # |tanh′| ≤ 1 can only shrink δ


def test_size_range_holds_every_value_in_whole_decades():
    """The axis range covers the curves, spans at least two decades, and skips nan and inf."""
    from bpkit.plot.initialization import size_range

    assert size_range(np.array([0.5, 17.0])) == (0.1, 100.0)
    lo, hi = size_range(np.array([3e-11, 2.0, np.nan, np.inf]))
    assert lo == pytest.approx(1e-11)
    assert hi == pytest.approx(10.0)
    lo, hi = size_range(np.array([1.0, 1.2]))
    assert hi / lo >= 100
    assert size_range(np.array([np.nan])) == (0.1, 10.0)
