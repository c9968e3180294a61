"""Public cases for exercise 07 (training in practice), smallest input first."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.drivers import function_of, plain, two_sided
from bpkit.check.oracles import numeric_grad
from bpkit.data import digits, train_test_split

NOTEBOOK = "07_training"


def public_cases(seed: int | None = None) -> list[dict]:
    """The public cases; a variant (``seed``) draws its numbers and its digits split from it."""
    rng = np.random.default_rng(7 if seed is None else [seed, 70])
    split = variant_values(seed)["SPLIT"]
    fd = {"rtol": 1e-5, "atol": 1e-8}
    soft = {
        "function": "softmax",
        "oracle": "softmax",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["softmax_axis", "softmax_whole_array", "softmax_global_max"],
    }
    ce = {
        "function": "softmax_cross_entropy",
        "oracle": "softmax_cross_entropy",
        "options": fd,
        "names": ["loss", "dz"],
        "mistakes": ["not_averaged", "missing_one_hot"],
    }
    train = {
        "function": "train_classifier",
        "driver": "train_accuracy",
        "compare": "at_least",
        "options": {"threshold": 0.95},
        "quantity": "accuracy",
        "mistakes": ["params_unreadable", "not_trained"],
        "label": f"the 1348 training digits of train_test_split(X, y, 0.25, seed={split}); "
        "the check measures the accuracy on the other 449",
        "hint": "watch the loss fall: if it stalls, raise the learning rate or the number of "
        "epochs; if it grows or turns nan, lower the learning rate.",
    }
    return [
        {**soft, "args": [np.array([[1.0, 2.0, 3.0]])]},
        {**soft, "args": [np.array([[0.5, -0.5], [2.0, 2.0], [0.0, 1.0]])]},
        {**soft, "args": [np.array([[1000.0, 1000.0, 0.0], [-5.0, 0.0, 5.0]])]},
        # Scores far apart in one row: a shift by anything but the row's maximum overflows.
        {**soft, "args": [np.array([[-1000.0, 0.0, 1000.0]])]},
        {**ce, "args": [np.array([[1.0, 2.0, 0.5]]), np.array([1])]},
        {**ce, "args": [rng.standard_normal((3, 4)), np.array([0, 3, 1])]},
        {**ce, "args": [np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]), np.array([0, 2])]},
        # Confidently wrong: p of the true class underflows to 0, and log(0) must not appear.
        {**ce, "args": [np.array([[1000.0, 0.0, -1000.0]]), np.array([2])]},
        {**train, "args": [], "kwargs": {"split": split, "seed": 0}},
    ]


# --- drivers: call the learner's function on a case's plain inputs --------------------


TEST_FRACTION = 0.25  # of the 1797 digits: 449 held out, 1348 to train on


def variant_values(seed: int | None) -> dict:
    """The notebook's ``# variant`` line: the seed of the learner's train/test split."""
    if seed is None:
        return {"SPLIT": 0}
    return {"SPLIT": int(np.random.default_rng([seed, 7]).integers(1, 10_000))}


def _split(split: int) -> tuple[np.ndarray, ...]:
    X, y = digits()
    return train_test_split(X, y, TEST_FRACTION, seed=split)


def accuracy(params: Any, split: int = 0, seed: int = 0) -> float | str:
    """The test accuracy of the tanh net ``params`` (W1, b1, W2, b2) on the split's digits."""
    _, X_test, _, y_test = _split(split)
    try:
        W1, b1, W2, b2 = (np.array(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
        scores = np.tanh(X_test @ W1 + b1) @ W2 + b2  # (n_test, 10)
        right = np.argmax(scores, axis=1) == y_test
    except (TypeError, ValueError, KeyError, IndexError) as error:
        return f"<parameters that do not make the net: {str(error)[:80]}>"
    return float(np.mean(right)) if right.shape == y_test.shape else "<wrong output shape>"


@two_sided(accuracy)
def train_accuracy(namespace: dict, function: str, split: int = 0, seed: int = 0) -> Any:
    """Train ``function(X_train, y_train, seed=seed)`` on the 8×8 digits; return its params.

    The split is ``train_test_split(X, y, test_fraction=0.25, seed=split)``, as in the
    notebook; ``accuracy`` measures the params on the other 449 digits.
    """
    X_train, _, y_train, _ = _split(split)
    return plain(function_of(namespace, function)(X_train.copy(), y_train.copy(), seed=seed))


DRIVERS = {"train_accuracy": train_accuracy}


# --- oracles: the expected value of a public case, computed --------------------------


def expected_softmax(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z - np.logaddexp.reduce(z, axis=1, keepdims=True))


def expected_softmax_cross_entropy(z: Any, y: Any) -> tuple[float, np.ndarray]:
    y = np.asarray(y, dtype=int)

    def loss(v: np.ndarray) -> float:
        log_p = v - np.logaddexp.reduce(v, axis=1, keepdims=True)
        return float(-np.mean(log_p[np.arange(len(y)), y]))

    return loss(np.asarray(z, dtype=np.float64)), numeric_grad(loss, z)


ORACLES = {"softmax": expected_softmax, "softmax_cross_entropy": expected_softmax_cross_entropy}
