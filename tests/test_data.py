"""Tests for bpkit.data.datasets: shapes, labels, determinism, the shipped digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpkit
from bpkit import data

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
GENERATORS = {
    "xor": (data.xor, 2),
    "moons": (data.moons, 2),
    "spirals": (lambda n, noise, seed: data.spirals(n, classes=3, noise=noise, seed=seed), 3),
}


@pytest.mark.parametrize("name", GENERATORS)
@SETTINGS
@given(n=st.integers(3, 300), noise=st.floats(0.0, 0.5), seed=st.integers(0, 2**16))
def test_generators_return_float_points_and_int_labels(name, n, noise, seed):
    """Each generator returns x (n, 2) float64 and y (n,) ints covering every class."""
    make, n_classes = GENERATORS[name]
    x, y = make(n, noise=noise, seed=seed)
    assert x.shape == (n, 2)
    assert x.dtype == np.float64
    assert y.shape == (n,)
    assert y.dtype.kind == "i"
    assert set(np.unique(y)) == set(range(n_classes))
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_deterministic_per_seed(name):
    """The same seed gives the same data; another seed gives different points."""
    make, _ = GENERATORS[name]
    x1, y1 = make(100, noise=0.1, seed=3)
    x2, y2 = make(100, noise=0.1, seed=3)
    x3, _ = make(100, noise=0.1, seed=4)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


def test_xor_without_noise_is_the_truth_table():
    """xor(4, noise=0) is exactly the four corners labelled x₁ XOR x₂."""
    x, y = data.xor(4, noise=0.0)
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])


def test_moons_without_noise_lie_on_two_unit_arcs():
    """Noise-free moons sit on unit circles centred at (0, 0) and (1, 0.5)."""
    x, y = data.moons(50, noise=0.0)
    centres = np.array([[0.0, 0.0], [1.0, 0.5]])[y]
    np.testing.assert_allclose(np.linalg.norm(x - centres, axis=1), 1.0)


def test_spirals_balance_classes_and_stay_in_the_unit_disc():
    """Spiral arms share the samples evenly and have radius at most 1 without noise."""
    x, y = data.spirals(301, classes=4, noise=0.0)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    assert np.linalg.norm(x, axis=1).max() <= 1.0 + 1e-12


def test_digits_load_offline_from_the_package():
    """digits() reads the shipped npz: 1797 images of 64 pixels in [0, 1], labels 0–9."""
    shipped = Path(bpkit.__file__).parent / "data" / "digits.npz"
    assert shipped.is_file()
    x, y = data.digits()
    assert x.shape == (1797, 64)
    assert x.dtype == np.float64
    assert (x.min(), x.max()) == (0.0, 1.0)
    assert y.shape == (1797,)
    assert y.dtype.kind == "i"
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    np.testing.assert_array_equal(y[:10], np.arange(10))  # the file starts 0, 1, ..., 9


def test_train_test_split_partitions_the_data():
    """The split is a disjoint cover of all samples, sized by test_fraction, seeded."""
    x = np.arange(50.0)[:, None]
    y = np.arange(50)
    x_train, x_test, y_train, y_test = data.train_test_split(x, y, test_fraction=0.2, seed=1)
    assert (len(x_train), len(x_test)) == (40, 10)
    np.testing.assert_array_equal(x_train[:, 0], y_train)  # rows stay paired
    assert sorted(np.concatenate([y_train, y_test])) == list(range(50))
    again = data.train_test_split(x, y, test_fraction=0.2, seed=1)
    np.testing.assert_array_equal(again[3], y_test)
    with pytest.raises(ValueError, match="test_fraction must be between 0 and 1"):
        data.train_test_split(x, y, test_fraction=1.5)
    with pytest.raises(ValueError, match="x has 50 samples but y has 3"):
        data.train_test_split(x, y[:3])


@SETTINGS
@given(y=st.lists(st.integers(0, 6), min_size=1, max_size=20))
def test_one_hot_rows_have_a_single_one_at_the_label(y):
    """one_hot puts exactly one 1 per row, at the label's column."""
    encoded = data.one_hot(y, n_classes=7)
    assert encoded.shape == (len(y), 7)
    np.testing.assert_array_equal(encoded.sum(axis=1), 1.0)
    np.testing.assert_array_equal(encoded.argmax(axis=1), y)


def test_bad_arguments_are_explained():
    """Invalid sizes, class counts and labels raise messages naming the argument."""
    with pytest.raises(ValueError, match="n must be an integer"):
        data.moons(1)
    with pytest.raises(ValueError, match="classes must be at least 2"):
        data.spirals(10, classes=1)
    with pytest.raises(ValueError, match="does not fit in 2 classes"):
        data.one_hot([0, 2], n_classes=2)
    with pytest.raises(ValueError, match="non-negative integer labels"):
        data.one_hot([0.5, 1.0])


@pytest.mark.parametrize(
    ("gate", "truth"),
    [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("XOR", [0, 1, 1, 0]), ("NAND", [1, 1, 1, 0])],
)
def test_logic_gate_labels_follow_the_truth_table(gate, truth):
    """Each noise-free gate labels the corners (0,0), (0,1), (1,0), (1,1) by its truth table."""
    x, y = data.logic_gate(gate, n=8, noise=0.0)
    np.testing.assert_array_equal(x[:4], [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, truth * 2)


def test_logic_gate_rejects_unknown_gates():
    """An unknown gate name lists the gates there are."""
    with pytest.raises(ValueError, match="unknown gate 'NOR'; choose one of AND, OR, XOR, NAND"):
        data.logic_gate("NOR")
