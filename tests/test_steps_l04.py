"""Lesson 04's your-turn steps: the references pass, and the common mistakes get their hints."""

from __future__ import annotations

import numpy as np

from bpkit import nn
from bpkit.check.steps import check_step, find


def test_relu_with_np_max_is_named():
    """np.max(z, 0) reduces instead of comparing; the hint says np.maximum."""
    passed, message = check_step(find("relu"), lambda z: np.max(z, 0))
    assert not passed
    assert "np.maximum" in message


def test_relu_slope_instead_of_relu_is_named():
    """Returning the 0/1 slope is a mix-up with relu'; the hint says so."""
    passed, message = check_step(find("relu"), lambda z: (z > 0).astype(float))
    assert not passed
    assert "slope" in message


def test_dense_forward_without_bias_is_named():
    """Forgetting b gets the hint to add it after the product."""
    passed, message = check_step(find("dense_forward"), lambda x, W, b, f: f(x @ W))
    assert not passed
    assert "bias" in message


def test_dense_forward_equals_a_linear_layer_then_its_activation():
    """The reference is bpkit's Linear followed by Tanh, on the same weights."""
    layer = nn.Linear(3, 4, seed=0)
    x = np.random.default_rng(1).normal(size=(5, 3))
    expected = np.tanh(layer.forward(x))
    got = find("dense_forward").reference(x, layer.params["W"], layer.params["b"], np.tanh)
    assert np.allclose(got, expected)


def test_cross_entropy_without_the_minus_is_named():
    """A loss of log p (negative) gets the hint to keep the minus."""
    reference = find("cross_entropy").reference
    passed, message = check_step(find("cross_entropy"), lambda s, y: -reference(s, y))
    assert not passed
    assert "minus" in message


def test_cross_entropy_is_log_two_for_a_coin_flip_and_matches_the_layer():
    """Equal scores cost log 2 per sample; random scores give nn.SoftmaxCrossEntropy's loss."""
    cross_entropy = find("cross_entropy").reference
    assert np.isclose(cross_entropy(np.zeros((3, 2)), np.array([0, 1, 0])), np.log(2))
    rng = np.random.default_rng(0)
    scores, labels = rng.normal(size=(8, 3)) * 5, rng.integers(0, 3, size=8)
    assert np.isclose(
        cross_entropy(scores, labels), nn.SoftmaxCrossEntropy().forward(scores, labels)
    )


def test_cross_entropy_does_not_overflow_on_large_scores():
    """Scores of 1000 would overflow exp; the reference subtracts each row's maximum."""
    cross_entropy = find("cross_entropy").reference
    with np.errstate(over="raise"):
        assert np.isclose(cross_entropy(np.array([[1000.0, 0.0]]), np.array([0])), 0.0)
