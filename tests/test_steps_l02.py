"""Lesson 02's your-turn steps: right answers pass, the usual mistakes get their hint."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat
import numpy as np
import pytest

from bpkit.check.steps import check_step, find
from bpkit.check.steps.l02_chain_rule import TinyValue


def _check(name, candidate):
    return check_step(find(name), candidate)


@pytest.mark.parametrize("name", ["neuron_local_grads", "tanh_layer_jacobian"])
def test_a_stub_is_not_yet(name):
    """An untouched function stub gets "not yet", never ✗."""

    def stub(*args):
        raise NotImplementedError("Your turn")

    passed, message = _check(name, stub)
    assert not passed
    assert "not yet" in message


def test_neuron_local_grads_names_the_missing_factor_two():
    """Forgetting the 2 of (a − y)² is named in the hint."""

    def no_two(w, b, x, y):
        a = math.tanh(w * x + b)
        return a - y, 1 - a**2, x

    passed, message = _check("neuron_local_grads", no_two)
    assert not passed
    assert "2(a − y)" in message


def test_tanh_layer_jacobian_catches_the_transposed_layout():
    """An (n_in, n_out) Jacobian gets the hint about one row per output."""

    def transposed(x, W1, b1, W2):
        a = np.tanh(x @ W1 + b1)
        return W1 @ np.diag(1 - a**2) @ W2

    passed, message = _check("tanh_layer_jacobian", transposed)
    assert not passed
    assert "one row per output" in message


def _tiny_value_with(backward):
    """The reference TinyValue with another backward method (its results are of the new class)."""

    def add(self, other):
        return type(self)(self.data + other.data, (self, other), (1.0, 1.0))

    def mul(self, other):
        return type(self)(self.data * other.data, (self, other), (other.data, self.data))

    methods = {"backward": backward, "__add__": add, "__mul__": mul}
    return type("TinyValue", (TinyValue,), methods)


def test_tiny_value_passes_and_a_stub_is_not_yet():
    """The reference passes; a backward that still raises is "not yet"."""
    assert _check("TinyValue", TinyValue)[0]

    def backward(self):
        raise NotImplementedError("Your turn: write `TinyValue`")

    passed, message = _check("TinyValue", _tiny_value_with(backward))
    assert not passed
    assert "not yet" in message


def test_tiny_value_that_overwrites_grads_is_told_to_add():
    """`parent.grad = ...` instead of `+=` loses a use of a shared node, and the hint says so."""

    def backward(self):
        self.grad = 1.0
        for node in reversed(self.topological_order()):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad = local * node.grad

    passed, message = _check("TinyValue", _tiny_value_with(backward))
    assert not passed
    assert "+=" in message


def test_tiny_value_without_a_seed_is_told_to_seed():
    """A backward that never sets the output's grad to 1 leaves every grad 0: hint at the seed."""

    def backward(self):
        for node in reversed(self.topological_order()):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad += local * node.grad

    passed, message = _check("TinyValue", _tiny_value_with(backward))
    assert not passed
    assert "seed" in message


def test_the_lesson_has_its_three_your_turn_cells():
    """Lesson 02 asks for its three steps, each a stub in the learner's lesson, checked next."""
    path = Path(__file__).resolve().parents[1] / "lessons" / "02_chain_rule.ipynb"
    sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    for name, starts in [
        ("neuron_local_grads", "def neuron_local_grads("),
        ("tanh_layer_jacobian", "def tanh_layer_jacobian("),
        ("TinyValue", "class TinyValue:"),
    ]:
        stub = next(i for i, s in enumerate(sources) if s.startswith(starts))
        assert "raise NotImplementedError" in sources[stub]
        assert sources[stub + 1] == f"{name} = your_turn({name})"
