"""bpkit.data.sequences: sine, echo and adding tasks, and the character corpus."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpkit.data import (
    adding_problem,
    char_corpus,
    char_vocab,
    char_windows,
    decode,
    echo_sequences,
    encode,
    one_hot_sequence,
    sine_sequences,
)
from bpkit.data.sequences import CORPUS


@given(st.integers(1, 8), st.integers(1, 40), st.integers(0, 1000))
def test_sine_targets_are_the_next_inputs(n_seq, T, seed):
    """ys[t] = xs[t + 1] for noise-free sine waves, all inside [−1, 1], shaped (T, n_seq, 1)."""
    xs, ys = sine_sequences(n_seq, T, seed=seed)
    assert xs.shape == ys.shape == (T, n_seq, 1)
    np.testing.assert_array_equal(ys[:-1], xs[1:])
    assert np.all(np.abs(xs) <= 1)


def test_sine_sequences_are_seeded():
    """The same seed gives the same waves; another seed gives other waves."""
    a, _ = sine_sequences(seed=3)
    b, _ = sine_sequences(seed=3)
    c, _ = sine_sequences(seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_sine_noise_touches_inputs_only():
    """With noise the inputs move away from the clean wave, the targets do not."""
    clean_x, clean_y = sine_sequences(seed=1)
    noisy_x, noisy_y = sine_sequences(seed=1, noise=0.1)
    np.testing.assert_array_equal(clean_y, noisy_y)
    assert 0.05 < np.std(noisy_x - clean_x) < 0.15


@given(st.integers(1, 6), st.integers(2, 30), st.data())
def test_echo_targets_are_the_inputs_lag_steps_earlier(n_seq, T, data):
    """ys[t] = xs[t − lag] for t ≥ lag, 0 before, and inputs are ±1."""
    lag = data.draw(st.integers(0, T - 1))
    xs, ys = echo_sequences(n_seq, T, lag, seed=lag)
    assert set(np.unique(xs)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(ys[lag:], xs[: T - lag])
    assert np.all(ys[:lag] == 0)


@pytest.mark.parametrize("lag", [-1, 10, 2.0, True])
def test_echo_rejects_a_lag_outside_the_sequence(lag):
    """A lag that is negative, ≥ T or not a whole number raises a ValueError that says so."""
    with pytest.raises(ValueError, match="lag must be a whole number"):
        echo_sequences(T=10, lag=lag)


@given(st.integers(1, 6), st.integers(2, 40), st.integers(0, 1000))
def test_adding_problem_target_is_the_sum_of_the_marked_numbers(n_seq, T, seed):
    """Exactly two marks per sequence, one in each half, and the target is their sum."""
    xs, ys = adding_problem(n_seq, T, seed)
    assert xs.shape == (T, n_seq, 2)
    assert ys.shape == (n_seq, 1)
    marks = xs[:, :, 1]
    np.testing.assert_array_equal(marks.sum(axis=0), 2)
    np.testing.assert_array_equal(marks[: T // 2].sum(axis=0), 1)
    np.testing.assert_allclose(ys[:, 0], (xs[:, :, 0] * marks).sum(axis=0))


def test_adding_problem_needs_two_steps():
    """T = 1 cannot hold two marks: a ValueError says so."""
    with pytest.raises(ValueError, match="T must be ≥ 2"):
        adding_problem(T=1)


@pytest.mark.parametrize("kwargs", [{"n_seq": 0}, {"T": -3}, {"T": 2.5}])
def test_sizes_must_be_positive_whole_numbers(kwargs):
    """n_seq and T must be whole numbers ≥ 1; the error names the argument."""
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"{name} must be a whole number ≥ 1"):
        sine_sequences(**kwargs)


def test_corpus_is_small_local_text():
    """The corpus ships in the package, is under 20 kB and has a small vocabulary."""
    text = char_corpus()
    assert CORPUS.stat().st_size < 20_000
    assert len(text) > 3000
    chars, stoi = char_vocab(text)
    assert chars == sorted(set(text))
    assert len(chars) < 40
    assert [stoi[c] for c in chars] == list(range(len(chars)))


@given(st.integers(0, 4000), st.integers(1, 200))
def test_encode_then_decode_gives_the_text_back(start, length):
    """decode(encode(text)) == text for any slice of the corpus."""
    text = char_corpus()
    chars, stoi = char_vocab(text)
    piece = text[start : start + length]
    assert decode(encode(piece, stoi), chars) == piece


def test_encode_names_unknown_characters():
    """A character outside the vocabulary raises a ValueError listing it."""
    _, stoi = char_vocab("abc")
    with pytest.raises(ValueError, match=r"\['z'\]"):
        encode("abz", stoi)


def test_one_hot_sequence_rows_pick_the_index():
    """one_hot_sequence puts a single 1 at each index, shaped (*indices.shape, n)."""
    indices = np.array([[0, 2], [1, 1]])
    out = one_hot_sequence(indices, 3)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.sum(axis=-1), 1)
    np.testing.assert_array_equal(out.argmax(axis=-1), indices)


@given(st.integers(1, 50), st.integers(1, 8), st.integers(0, 100))
def test_char_windows_targets_are_the_next_characters(T, n_seq, seed):
    """Each window's targets are its inputs shifted by one character along the text."""
    encoded = encode(char_corpus(), char_vocab(char_corpus())[1])
    inputs, targets = char_windows(encoded, T, n_seq, seed)
    assert inputs.shape == targets.shape == (T, n_seq)
    np.testing.assert_array_equal(inputs[1:], targets[:-1])


def test_char_windows_needs_a_long_enough_text():
    """A text shorter than T + 1 characters raises a ValueError with both lengths."""
    with pytest.raises(ValueError, match="has 5 characters; T = 8"):
        char_windows(np.arange(5), T=8)
