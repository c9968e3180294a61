"""Lesson 07's your-turns: references pass, stubs fall back, typical mistakes get hints."""

from __future__ import annotations

import numpy as np
import pytest

from bpkit.check.steps import check_step, find, your_turn
from bpkit.check.steps import l07_training as l07


def test_the_references_pass_their_own_cases():
    """Each of cross_entropy_grad, train and init_std passes every case."""
    for name in ("cross_entropy_grad", "train", "init_std"):
        passed, message = check_step(find(name), find(name).reference)
        assert passed, message


@pytest.mark.parametrize("name", ["cross_entropy_grad", "train", "init_std"])
def test_a_stub_gets_not_yet_and_the_reference(name, capsys):
    """A stub still raising NotImplementedError is told "not yet" and replaced."""

    def stub(*args, **kwargs):
        raise NotImplementedError("Your turn")

    assert your_turn(stub, name) is find(name).reference
    assert "not yet" in capsys.readouterr().out


def test_the_gradient_without_the_mean_gets_a_hint():
    """Forgetting the 1/N is named."""

    def cross_entropy_grad(z, y):
        return l07.softmax(z) - np.eye(z.shape[1])[y]

    passed, message = check_step(find("cross_entropy_grad"), cross_entropy_grad)
    assert not passed
    assert "divide by N" in message


def test_a_loop_without_the_step_gets_a_hint():
    """A loop that never calls optimizer.step() is named."""

    def train(model, loss, x, y, epochs, batch_size, lr, seed=0):
        losses = []
        for _ in range(epochs):
            losses.append(loss.forward(model.forward(x), y))
            model.backward(loss.backward())
        return losses

    passed, message = check_step(find("train"), train)
    assert not passed
    assert "optimizer.step()" in message


def test_the_variance_in_place_of_the_std_gets_a_hint():
    """Returning 2/n_in for He is named as the variance."""

    def init_std(init, n_in, n_out):
        return 2 / n_in if init == "he" else 2 / (n_in + n_out)

    passed, message = check_step(find("init_std"), init_std)
    assert not passed
    assert "square root" in message


def test_init_std_matches_bpkits_linear():
    """The reference's std is the spread bpkit.nn.Linear draws (within 5 % for 64×64)."""
    from bpkit.nn import Linear

    for init in ("xavier", "he"):
        W = Linear(64, 64, init=init, seed=0).params["W"]
        assert abs(W.std() / l07.init_std(init, 64, 64) - 1) < 0.05
