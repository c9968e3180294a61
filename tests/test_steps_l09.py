"""Lesson 09's your-turns: lstm_backward and gru_step, their references and hints."""

import numpy as np
import pytest

from bpkit.calculus import gradient
from bpkit.check.steps import check_step, find
from bpkit.check.steps.l09_gated_rnn import (
    gru_params,
    gru_step,
    lstm_backward,
    lstm_cache,
    lstm_params,
)
from bpkit.gated import GRU


def test_lstm_backward_matches_finite_differences():
    """The reference's dx, dh_prev, dc_prev and grads are the step's true gradients."""
    rng = np.random.default_rng(0)
    params = lstm_params(3, 4, seed=0)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    R, S = rng.standard_normal((2, 2, 4))

    def loss(x=x, h=h, c=c, p=params):
        cache = lstm_cache(p, x, h, c)
        o, c_new = cache[6], cache[7]
        return np.sum(o * np.tanh(c_new) * R) + np.sum(c_new * S)

    dx, dh_prev, dc_prev, grads = lstm_backward(params, R, S, lstm_cache(params, x, h, c))
    assert np.allclose(dx, gradient(lambda v: loss(x=v), x), atol=1e-7)
    assert np.allclose(dh_prev, gradient(lambda v: loss(h=v), h), atol=1e-7)
    assert np.allclose(dc_prev, gradient(lambda v: loss(c=v), c), atol=1e-7)
    for name in params:
        numeric = gradient(lambda w, n=name: loss(p={**params, n: w}), params[name])
        assert np.allclose(grads[name], numeric, atol=1e-7), name


def test_gru_step_equals_the_library_gru():
    """gru_step with per-gate weights gives bpkit.gated.GRU's first state."""
    params = gru_params(3, 4, seed=1)
    x = np.random.default_rng(2).standard_normal((5, 3))
    h0 = 0.5 * np.random.default_rng(3).standard_normal((5, 4))
    layer = GRU(3, 4)
    for name in ("Wx", "Wh", "b"):
        layer.params[name][...] = np.concatenate([params[name + n] for n in "run"], axis=-1)
    layer.params["bhn"][...] = params["bhn"]
    assert np.allclose(layer.forward(x[None], h0)[0], gru_step(params, x, h0), atol=1e-13)


@pytest.mark.parametrize("name", ["lstm_backward", "gru_step"])
def test_the_reference_passes_and_a_stub_does_not(name):
    """Each step accepts its reference and calls a stub 'not yet'."""
    step = find(name)
    assert check_step(step, step.reference)[0]

    def stub(*args):
        raise NotImplementedError

    passed, message = check_step(step, stub)
    assert not passed
    assert "not yet" in message


def test_lstm_backward_without_dc_next_gets_the_hint():
    """Leaving dc_next out of dc is recognised and named."""

    def forgot(params, dh, dc_next, cache):
        return lstm_backward(params, dh, np.zeros_like(dc_next), cache)

    passed, message = check_step(find("lstm_backward"), forgot)
    assert not passed
    assert "dc_next carried back" in message


def test_gru_step_with_the_update_gate_swapped_gets_the_hint():
    """h = u ⊙ n + (1 − u) ⊙ h_prev is recognised."""

    def swapped(params, x, h_prev):
        from bpkit.gated import sigmoid

        u = sigmoid(x @ params["Wxu"] + h_prev @ params["Whu"] + params["bu"])
        h = gru_step(params, x, h_prev)
        n = (h - u * h_prev) / (1 - u)
        return u * n + (1 - u) * h_prev

    passed, message = check_step(find("gru_step"), swapped)
    assert not passed
    assert "(1 − u) ⊙ n + u ⊙ h_prev" in message
