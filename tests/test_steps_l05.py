"""Lesson 05's your-turn steps: right answers pass, stubs fall back, common mistakes get hints."""

from __future__ import annotations

import numpy as np
import pytest

from bpkit.check.steps import find, your_turn
from bpkit.check.steps import l05_backpropagation as l05
from bpkit.gradcheck import rel_error


def _run(candidate, name, capsys):
    result = your_turn(candidate, name=name)
    return result, capsys.readouterr().out


def test_the_three_steps_are_registered_under_their_names():
    """output_delta, linear_backward and activation_delta are lesson 05's steps."""
    for name in ("output_delta", "linear_backward", "activation_delta"):
        assert find(name).lesson == "l05_backpropagation"


@pytest.mark.parametrize("name", ["output_delta", "linear_backward", "activation_delta"])
def test_the_reference_passes_its_own_cases(name, capsys):
    """Each reference, handed in as the learner's answer, passes every case."""
    reference = find(name).reference
    result, out = _run(reference, name, capsys)
    assert result is reference
    assert out.startswith(f"✓ {name}")


@pytest.mark.parametrize("name", ["output_delta", "linear_backward", "activation_delta"])
def test_a_stub_says_not_yet(name, capsys):
    """A stub that raises NotImplementedError gets "not yet" and the reference."""

    def stub(*args):
        raise NotImplementedError("Your turn")

    result, out = _run(stub, name, capsys)
    assert result is find(name).reference
    assert "not yet" in out


def test_output_delta_hints():
    """Forgetting 1/N or f'(z) in the output error is named."""
    step = find("output_delta")
    assert any(
        "1/N" in (m(case, case.run(lambda a, f, y: f * (a - y)), step.expected(case)) or "")
        for case in step.cases
        for m in step.mistakes
    )
    hints = {
        m(case, case.run(lambda a, f, y: (a - y) / len(y)), step.expected(case))
        for case in step.cases
        for m in step.mistakes
    }
    assert any(h and "f'(z)" in h for h in hints)


def test_linear_backward_mistakes_get_hints(capsys):
    """A missing transpose or db summed over the wrong axis is explained."""

    def no_transpose(x, W, delta):
        return x @ delta, delta.sum(axis=0), delta @ W

    def wrong_axis(x, W, delta):
        return x.T @ delta, delta.sum(axis=1), delta @ W.T

    out = _run(no_transpose, "linear_backward", capsys)[1]
    assert "Hint: let the shapes decide" in out
    out = _run(wrong_axis, "linear_backward", capsys)[1]
    assert "Hint: db has the shape of b" in out


def test_activation_delta_without_transpose_is_caught(capsys):
    """Using W instead of Wᵀ is named, even on a square layer where the shapes fit."""

    def square_bug(fprime, delta_next, W_next):
        return fprime * (delta_next @ W_next)

    out = _run(square_bug, "activation_delta", capsys)[1]
    assert "✗ activation_delta" in out
    assert "transposed" in out or "W_next.T" in out


def test_the_steps_compose_to_the_gradient():
    """output_delta, activation_delta and linear_backward give a 2-3-1 net's dW1 by chain rule."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 2)), rng.uniform(size=(4, 1))
    W1, W2 = rng.normal(size=(2, 3)), rng.normal(size=(3, 1))

    def loss(W):
        a = 1 / (1 + np.exp(-(np.tanh(x @ W) @ W2)))
        return 0.5 * np.sum((a - y) ** 2) / len(y)

    h = np.tanh(x @ W1)
    a = 1 / (1 + np.exp(-(h @ W2)))
    delta2 = l05.output_delta(a, a * (1 - a), y)
    delta1 = l05.activation_delta(1 - h**2, delta2, W2)
    dW1 = l05.linear_backward(x, W1, delta1)[0]
    from bpkit.calculus import gradient

    assert rel_error(dW1, gradient(loss, W1)).max() < 1e-7
