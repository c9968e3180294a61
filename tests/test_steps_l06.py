"""Lesson 06's your-turns: references pass, stubs fall back, typical mistakes get hints."""

from __future__ import annotations

import math

import pytest

from bpkit.check.steps import check_step, find, your_turn
from bpkit.check.steps import l06_autodiff as l06


def test_the_references_pass_their_own_cases():
    """Each of mul, tanh and backward passes every case."""
    for name in ("mul", "tanh", "backward"):
        passed, message = check_step(find(name), find(name).reference)
        assert passed, message


@pytest.mark.parametrize("name", ["mul", "tanh", "backward"])
def test_a_stub_gets_not_yet_and_the_reference(name, capsys):
    """A stub still raising NotImplementedError is told "not yet" and replaced."""

    def stub(*args):
        raise NotImplementedError("Your turn")

    assert your_turn(stub, name) is find(name).reference
    assert "not yet" in capsys.readouterr().out


def test_mul_with_swapped_local_derivatives_gets_a_hint():
    """Writing (a.data, b.data) as the local derivatives of a·b is named."""

    def mul(a, b):
        return l06.Node(a.data * b.data, (a, b), (a.data, b.data), "*")

    passed, message = check_step(find("mul"), mul)
    assert not passed
    assert "other* factor" in message


def test_tanh_with_1_minus_t_gets_a_hint():
    """1 − t instead of 1 − t² is named."""

    def tanh(a):
        t = math.tanh(a.data)
        return l06.Node(t, (a,), (1.0 - t,), "tanh")

    passed, message = check_step(find("tanh"), tanh)
    assert not passed
    assert "1 − t²" in message


def test_backward_that_overwrites_instead_of_adding_gets_a_hint():
    """`=` in place of `+=` loses the uses of a reused node, and the hint says so."""

    def backward(root):
        order = l06.topological_order(root)
        root.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad = local * node.grad

    passed, message = check_step(find("backward"), backward)
    assert not passed
    assert "+=" in message


def test_the_reference_backward_resets_interior_grads():
    """A second backward() doubles the leaves' grads (a: 26 → 52) as Value's does."""
    y, a, two = l06._reused(l06.Node)
    l06.backward(y)
    assert (a.grad, two.grad) == (26.0, 39.0)
    l06.backward(y)
    assert (a.grad, two.grad) == (52.0, 78.0)


def test_the_reference_ops_build_the_callers_node_class():
    """mul and tanh return nodes of their input's class, so a lesson's fallback stays its own."""

    class Other(l06.Node):
        pass

    product = l06.mul(Other(2.0), 3.0)
    assert type(product) is Other
    assert type(product.parents[1]) is Other
    assert type(l06.tanh(Other(0.1))) is Other
