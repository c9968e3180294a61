"""Public cases for exercise 07 (training in practice), smallest input first."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.drivers import function_of
from bpkit.check.oracles import numeric_grad

NOTEBOOK = "07_training"


def public_cases() -> list[dict]:
    rng = np.random.default_rng(7)
    fd = {"rtol": 1e-5, "atol": 1e-8}
    soft = {
        "function": "softmax",
        "oracle": "softmax",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["softmax_axis"],
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
        "options": {"threshold": 0.9},
        "label": "300 points of 3 spirals (seed 0); the check measures accuracy on 300 new ones",
        "hint": "watch the loss fall: if it stalls, raise the learning rate or the number of "
        "epochs; if it grows or turns nan, lower the learning rate.",
    }
    return [
        {**soft, "args": [np.array([[1.0, 2.0, 3.0]])]},
        {**soft, "args": [np.array([[0.5, -0.5], [2.0, 2.0], [0.0, 1.0]])]},
        {**soft, "args": [np.array([[1000.0, 1000.0, 0.0], [-5.0, 0.0, 5.0]])]},
        {**ce, "args": [np.array([[1.0, 2.0, 0.5]]), np.array([1])]},
        {**ce, "args": [rng.standard_normal((3, 4)), np.array([0, 3, 1])]},
        {**ce, "args": [np.array([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]]), np.array([0, 2])]},
        {**train, "args": [], "kwargs": {"seed": 0}},
    ]


# --- drivers: call the learner's function on a case's plain inputs --------------------


def spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """Return interleaved 2-D spirals ``(X: (n, 2), y: (n,) int)`` from a seeded rng."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(n_classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        angle = np.linspace(0, 4.0, n_per_class) + 2 * np.pi * k / n_classes
        angle = angle + noise * rng.standard_normal(n_per_class)
        X.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
        y.append(np.full(n_per_class, k))
    return np.concatenate(X), np.concatenate(y)


def train_accuracy(namespace: dict, function: str, seed: int = 0) -> float:
    """Train with ``function(X, y, seed=seed)`` on spirals; return accuracy on fresh spirals."""
    X, y = spirals(seed=seed)
    params = function_of(namespace, function)(X.copy(), y.copy(), seed=seed)
    W1, b1, W2, b2 = (np.array(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    X_test, y_test = spirals(seed=seed + 1000)
    scores = np.tanh(X_test @ W1 + b1) @ W2 + b2  # (n, n_classes)
    return float(np.mean(np.argmax(scores, axis=1) == y_test))


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
