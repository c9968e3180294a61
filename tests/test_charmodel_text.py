"""The Moby-Dick character model: the text and its split, n-gram baselines, streamed
training, held-out scoring, sampling in a batch, the real-word share and the shipped model."""

import re

import numpy as np
import pytest

from bpkit import charmodel
from bpkit.charmodel import CharModel, evaluate, fit_stream, real_word_share, sample, samples
from bpkit.data.sequences import char_corpus, english_words, moby_dick
from bpkit.ngram import NGram
from bpkit.nn import SoftmaxCrossEntropy

TEXT = char_corpus()
CHARS = sorted(set(TEXT))


def test_the_split_keeps_every_tenth_chapter_apart():
    """Training and held-out chapters share no chapter and together make the book."""
    train, held, book = moby_dick("train"), moby_dick("heldout"), moby_dick("all")
    chapters = book.rstrip("\n").split("\n\n")
    assert len(chapters) == 136  # 135 chapters and the epilogue
    assert held.rstrip("\n").split("\n\n") == chapters[9::10]
    rest = [c for i, c in enumerate(chapters) if i % 10 != 9]
    assert train.rstrip("\n").split("\n\n") == rest
    assert chapters[0].startswith("call me ishmael.")
    assert set(book) <= set("abcdefghijklmnopqrstuvwxyz .,;:!?'\"-\n")
    with pytest.raises(ValueError, match="split must be"):
        moby_dick("test")


def test_the_word_list_has_words_and_no_names():
    words = english_words()
    assert {"whale", "harpoon", "ocean", "stow"} <= words
    assert not {"ishmael", "queequeg", "vory", "steil"} & words
    assert all(w.isalpha() and w.islower() for w in words)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_ngram_probabilities_sum_to_one(order):
    """Smoothing keeps a distribution: over the vocabulary, p(· | context) sums to 1."""
    gram = NGram(order, TEXT, [*CHARS, "z", "!"])  # two characters the text never uses
    for context in ["", "t", "th", "the", "xq!", "zzz"]:
        total = sum(gram.prob(context, c) for c in gram.vocab)
        assert total == pytest.approx(1.0, abs=1e-12), context


def test_ngram_counts_and_discount_by_hand():
    """On 'abab' the bigram after 'a' saw 'b' twice: p(b|a) = (2 - d)/2 + d·1/2·p_uni(b)."""
    gram = NGram(2, "abab", "ab", discount=0.5)
    unigram_b = (2 - 0.5) / 4 + 0.5 * 2 / 4 * 0.5  # two distinct characters, uniform below
    assert gram.prob("a", "b") == pytest.approx((2 - 0.5) / 2 + 0.5 * 1 / 2 * unigram_b)
    assert gram.prob("b", "a") == pytest.approx((1 - 0.5) / 1 + 0.5 * 1 / 1 * (1 - unigram_b))
    assert gram.entries == 2 + 2  # unigram: a, b; bigram: a→b, b→a
    assert gram.loss("ab") == pytest.approx(-np.log(gram.prob("a", "b")))


def test_longer_contexts_fit_the_training_text_better_and_never_give_zero():
    losses = [NGram(n, TEXT, CHARS).loss(TEXT[:2000]) for n in (1, 2, 3)]
    assert losses[0] > losses[1] > losses[2]
    unseen = NGram(3, "aaaa", "ab").loss("abba")  # 'b' never seen: small, not zero
    assert np.isfinite(unseen)


def test_ngram_rejects_bad_arguments():
    with pytest.raises(ValueError, match="order must be a whole number"):
        NGram(0, TEXT, CHARS)
    with pytest.raises(ValueError, match="discount must lie between 0 and 1"):
        NGram(2, TEXT, CHARS, discount=1.0)
    with pytest.raises(ValueError, match=r"characters \['#'\] of the text are not in vocab"):
        NGram(2, "a#", "ab")


def test_streams_read_the_text_in_order():
    data = charmodel.streams(np.arange(23), 4)
    assert data.shape == (5, 4)
    assert data[:, 1].tolist() == [5, 6, 7, 8, 9]  # column b: the b-th slice, in order
    with pytest.raises(ValueError, match="cannot fill 4 streams"):
        charmodel.streams(np.arange(7), 4)


def test_evaluate_equals_the_loss_of_one_full_pass():
    """With one stream and a window longer than the text, evaluate is one forward's loss."""
    model = CharModel(CHARS, n_hidden=8, seed=1)
    text = TEXT[:300]
    ids = np.array([CHARS.index(c) for c in text])
    logits = model.forward(ids[:-1, None])
    expected = SoftmaxCrossEntropy().forward(logits.reshape(-1, len(CHARS)), ids[1:])
    assert evaluate(model, text, T=1000, batch=1) == pytest.approx(expected, rel=1e-12)
    # carried state: cutting the same stream into windows of 7 changes nothing
    assert evaluate(model, text, T=7, batch=1) == pytest.approx(expected, rel=1e-12)


def test_fit_stream_learns_the_text():
    model = CharModel(CHARS, n_hidden=24, seed=0)
    before = evaluate(model, TEXT)
    history = fit_stream(model, TEXT, epochs=3, T=20, batch=8, lr=0.02, seed=0)
    assert len(history["loss"]) == len(history["grad_norm"]) > 50
    assert evaluate(model, TEXT) < before - 0.8


def test_samples_side_by_side_equal_samples_one_at_a_time():
    model = CharModel(CHARS, n_hidden=8, seed=2)
    batch = samples(model, "the ", 30, 0.7, seeds=[3, 4, 5])
    assert batch == [sample(model, "the ", 30, 0.7, seed=s) for s in (3, 4, 5)]
    assert len(set(batch)) == 3


def test_save_and_load_round_trip(tmp_path):
    model = CharModel(CHARS, n_hidden=6, cell="gru", seed=4)
    path = tmp_path / "m.npz"
    charmodel.save(model, path, dtype=np.float64)
    back = charmodel.load(path)
    assert (back.cell, back.chars, back.layer.n_hidden) == ("gru", CHARS, 6)
    for name, p in model.params.items():
        np.testing.assert_array_equal(back.params[name], p)


def test_real_word_share_counts_words_of_four_letters_or_more():
    known = {"whale", "ship"}
    assert real_word_share("the whale and the shipp, a ship!", known) == (2 / 3, 3)
    share, count = real_word_share("a to be", known)
    assert count == 0
    assert np.isnan(share)


def test_the_shipped_model_beats_the_trigram_on_held_out_text():
    """The weights in the package: their size, and their loss on a slice of unread text."""
    assert charmodel.PRETRAINED.stat().st_size < 2_000_000
    model = charmodel.pretrained()
    train, held = moby_dick("train"), moby_dick("heldout")[:10_000]
    trigram = NGram(3, train, model.chars).loss(held)
    assert evaluate(model, held) < trigram - 0.2
    known = english_words() | set(re.findall("[a-z]+", train))
    texts = samples(model, "the whale ", 400, 0.5, seeds=range(4))
    assert np.mean([real_word_share(t[10:], known)[0] for t in texts]) > 0.75
