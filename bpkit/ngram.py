"""Character n-gram models: the baselines a character RNN must beat.

An n-gram model predicts the next character from the n − 1 before it, by counting. Raw
counts give probability 0 to anything unseen, and one unseen character in held-out text
makes its loss infinite, so the counts are smoothed by *interpolated absolute discounting*
(Ney, Essen & Kneser 1994): take a fixed ``discount`` d off every seen count and give the
freed mass to the model one order lower,

    p(c | h) = max(N(h c) − d, 0) / N(h)  +  d · K(h) / N(h) · p(c | h'),

with N counts, K(h) the number of distinct characters seen after h, and h' the context h
without its oldest character. The lowest order is the unigram, smoothed towards uniform
the same way. A context never seen falls straight back to h'.

The counting is done with numpy: a string of m characters from a vocabulary of V becomes
one integer, its digits in base V, so counting m-grams is ``np.unique`` on integers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NGram"]


class NGram:
    """A character n-gram model of ``order`` n (1 = unigram, 2 = bigram, 3 = trigram…).

    ``NGram(3, text, vocab)`` counts ``text``; ``loss(other)`` is the mean cross-entropy
    in nats per character of ``other``, each character predicted from the ones before it.
    A model of order n holds every lower order too: ``loss(other, order=2)`` is its bigram.
    """

    def __init__(self, order: int, text: str, vocab: list[str] | str, discount: float = 0.75):
        if isinstance(order, bool) or not isinstance(order, int) or order < 1:
            raise ValueError(f"NGram: order must be a whole number ≥ 1, got {order!r}.")
        if not 0 < discount < 1:
            raise ValueError(f"NGram: discount must lie between 0 and 1, got {discount!r}.")
        self.order, self.discount, self.vocab = order, discount, sorted(set(vocab))
        unknown = sorted(set(text) - set(self.vocab))
        if unknown:
            raise ValueError(f"NGram: characters {unknown} of the text are not in vocab.")
        self.index = {c: i for i, c in enumerate(self.vocab)}
        ids, V = self._encode(text), len(self.vocab)
        # For each context length k = 0 … order − 1, from the (k + 1)-grams of the text:
        #   grams[k]    = (sorted codes of the (k + 1)-grams seen, N(h c) for each)
        #   contexts[k] = (sorted codes of the contexts h seen, N(h), K(h))
        self.grams, self.contexts = [], []
        for k in range(order):
            codes, counts = np.unique(self._codes(ids, k + 1), return_counts=True)
            heads, first = np.unique(codes // V, return_index=True)
            totals = np.add.reduceat(counts, first) if len(codes) else counts
            kinds = np.diff(np.append(first, len(codes)))
            self.grams.append((codes, counts))
            self.contexts.append((heads, totals, kinds))

    def __repr__(self) -> str:
        return f"NGram(order={self.order}, {self.entries} counts)"

    @property
    def entries(self) -> int:
        """How many numbers the model stores: one count per (context, next character) seen."""
        return self.entries_up_to(self.order)

    def entries_up_to(self, order: int) -> int:
        """The counts an n-gram of ``order`` ≤ this one stores (it holds every lower order)."""
        return sum(len(codes) for codes, _ in self.grams[: self._order(order)])

    def _encode(self, text: str) -> np.ndarray:
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"{self!r}: characters {unknown} are not in its vocabulary.")
        return np.array([self.index[c] for c in text], dtype=np.int64)

    def _codes(self, ids: np.ndarray, m: int) -> np.ndarray:
        """Every run of m consecutive ids as one integer, in base V. (n,) → (n − m + 1,)."""
        n = len(ids) - m + 1
        codes = np.zeros(max(n, 0), dtype=np.int64)
        for j in range(m):
            codes = codes * len(self.vocab) + ids[j : j + n]
        return codes

    def _order(self, order: int | None) -> int:
        if order is None:
            return self.order
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= self.order:
            raise ValueError(
                f"{self!r}: order must be a whole number 1…{self.order}, got {order!r}."
            )
        return order

    def probs(self, text: str, order: int | None = None) -> np.ndarray:
        """p(text[i] | the characters before it), for every i, smoothed as above. (len,)

        Character i sees at most ``order − 1`` characters back (fewer near the start).
        """
        order, ids, d, V = self._order(order), self._encode(text), self.discount, len(self.vocab)
        p = np.full(len(ids), 1.0 / V)  # below the unigram: uniform
        for k in range(min(order, len(ids))):  # lowest order first, each on top of the last
            gram = self._codes(ids, k + 1)  # the (k + 1)-gram ending at each i ≥ k
            codes, counts = self.grams[k]
            heads, totals, kinds = self.contexts[k]
            n_hc = _lookup(codes, counts, gram)  # N(h c)
            total = _lookup(heads, totals, gram // V)  # N(h): gram // V drops the last character
            kind = _lookup(heads, kinds, gram // V)  # K(h)
            seen = total > 0
            safe = np.where(seen, total, 1)
            lower = p[k:]
            p[k:] = np.where(seen, np.maximum(n_hc - d, 0) / safe + d * kind / safe * lower, lower)
        return p

    def prob(self, context: str, char: str, order: int | None = None) -> float:
        """p(char | the last order − 1 characters of context): the last entry of :meth:`probs`."""
        return float(self.probs(context + char, order)[-1])

    def loss(self, text: str, order: int | None = None) -> float:
        """Mean −log p of each character of ``text`` after the first, in nats per character.

        The first character has nothing before it; a character model scored on the same
        text (``bpkit.charmodel.evaluate``) does not predict it either.
        """
        if len(text) < 2:
            raise ValueError("NGram.loss: the text needs at least two characters.")
        return float(-np.mean(np.log(self.probs(text, order)[1:])))


def _lookup(keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """values[keys == q] for each query q, or 0 where q is not among the sorted keys."""
    at = np.searchsorted(keys, queries)
    found = at < len(keys)
    found[found] = keys[at[found]] == queries[found]
    return np.where(found, values[np.minimum(at, len(keys) - 1)], 0)
