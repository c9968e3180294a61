"""Lesson 08's your-turns: the references pass, stubs fall back, common mistakes get hints."""

from __future__ import annotations

import numpy as np
import pytest

from bpkit.check.steps import check_step, find
from bpkit.check.steps.l08_bptt import bptt_step, clip_by_global_norm
from bpkit.gradcheck import rel_error
from bpkit.rnn import RNN, clip_grad_norm


def test_bptt_step_looped_is_the_library_bptt():
    """Looping bptt_step from the last step to the first gives RNN.backward's gradients."""
    rng = np.random.default_rng(0)
    rnn = RNN(3, 4, seed=1)
    xs, dhs = rng.standard_normal((6, 2, 3)), rng.standard_normal((6, 2, 4))
    hs = rnn.forward(xs)
    dxs = rnn.backward(dhs)
    total = {name: np.zeros_like(p) for name, p in rnn.params.items()}
    dh_next = np.zeros((2, 4))
    for t in reversed(range(6)):
        h_prev = hs[t - 1] if t else np.zeros((2, 4))
        grads, dx, dh_next = bptt_step(rnn.params, xs[t], h_prev, hs[t], dhs[t] + dh_next)
        for name in total:
            total[name] += grads[name]
        assert np.allclose(dx, dxs[t])
    for name in total:
        assert rel_error(total[name], rnn.grads[name]).max() < 1e-12


def test_clip_by_global_norm_is_the_library_clip():
    """clip_by_global_norm returns what clip_grad_norm does in place, and the same norm."""
    rng = np.random.default_rng(2)
    grads = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    clipped, norm = clip_by_global_norm(grads, 0.5)
    in_place = {name: g.copy() for name, g in grads.items()}
    assert np.isclose(clip_grad_norm(in_place, 0.5), norm)
    for name in grads:
        assert np.allclose(clipped[name], in_place[name])


@pytest.mark.parametrize("name", ["bptt_step", "clip_by_global_norm"])
def test_references_pass_their_own_cases(name):
    """Each step's reference passes all its cases."""
    step = find(name)
    passed, message = check_step(step, step.reference)
    assert passed, message


def test_bptt_step_hints():
    """A missing tanh slope, hᵀδ for Whh and a missing transpose each get their hint."""

    def no_slope(params, x, h_prev, h, dh):
        delta = dh
        grads = {"Wxh": x.T @ delta, "Whh": h_prev.T @ delta, "bh": delta.sum(axis=0)}
        return grads, delta @ params["Wxh"].T, delta @ params["Whh"].T

    def wrong_state(params, x, h_prev, h, dh):
        delta = dh * (1 - h**2)
        grads = {"Wxh": x.T @ delta, "Whh": h.T @ delta, "bh": delta.sum(axis=0)}
        return grads, delta @ params["Wxh"].T, delta @ params["Whh"].T

    def no_transpose(params, x, h_prev, h, dh):
        grads, dx, _ = bptt_step(params, x, h_prev, h, dh)
        return grads, dx, dh * (1 - h**2) @ params["Whh"]

    step = find("bptt_step")
    for wrong, hint in [(no_slope, "slope"), (wrong_state, "h_{t-1}"), (no_transpose, "Whhᵀ")]:
        passed, message = check_step(step, wrong)
        assert not passed
        assert hint in message


def test_clip_hints():
    """Clipping by value, per parameter, or scaling a short gradient each get their hint."""

    def by_value(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        return {n: np.clip(g, -max_norm, max_norm) for n, g in grads.items()}, norm

    def always(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        return {n: g * max_norm / norm for n, g in grads.items()}, norm

    def per_parameter(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        return {n: g * min(1.0, max_norm / np.linalg.norm(g)) for n, g in grads.items()}, norm

    step = find("clip_by_global_norm")
    for wrong, hint in [
        (by_value, "by value"),
        (always, "stays as it is"),
        (per_parameter, "one norm"),
    ]:
        passed, message = check_step(step, wrong)
        assert not passed
        assert hint in message


def test_a_stub_says_not_yet():
    """A stub that still raises NotImplementedError gets "not yet"."""

    def bptt_step(params, x, h_prev, h, dh):
        raise NotImplementedError("Your turn: write `bptt_step`")

    passed, message = check_step(find("bptt_step"), bptt_step)
    assert not passed
    assert "not yet" in message
