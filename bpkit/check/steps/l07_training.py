"""Lesson 07's your-turns: the softmax-cross-entropy gradient, a mini-batch loop, and init."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.steps import Case, Step, call
from bpkit.nn import MLP, SGD, SoftmaxCrossEntropy


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))  # the largest exponent is 0: no overflow
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy_grad(z, y):
    """∂L/∂z for L = mean over the batch of −log softmax(z)[y]: (p − onehot(y)) / N."""
    p = softmax(z)  # (batch, classes)
    onehot = np.eye(z.shape[1])[y]  # (batch, classes)
    return (p - onehot) / len(y)


def train(model, loss, x, y, epochs, batch_size, lr, seed=0):
    """Mini-batch SGD; return the mean training loss of each epoch."""
    optimizer, rng, losses = SGD(model, lr), np.random.default_rng(seed), []
    for _ in range(epochs):
        order = rng.permutation(len(x))  # a new shuffle every epoch
        total = 0.0
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            total += loss.forward(model.forward(x[batch]), y[batch]) * len(batch)
            model.backward(loss.backward())
            optimizer.step()  # W ← W − lr · dW for every parameter
        losses.append(total / len(x))
    return losses


def init_std(init, n_in, n_out):
    """The standard deviation of the weights: Xavier √(2/(n_in + n_out)), He √(2/n_in)."""
    if init == "xavier":
        return np.sqrt(2 / (n_in + n_out))
    if init == "he":
        return np.sqrt(2 / n_in)
    raise ValueError(f"init_std: unknown init {init!r}; choose 'xavier' or 'he'")


def _z(seed: int, n: int, k: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, k))


def _no_mean(case: Case, got: Any, expected: Any) -> str | None:
    n = len(case.args[1])
    if n > 1 and np.allclose(got, expected * n):
        return "L is the mean over the batch: divide by N = len(y)"
    return None


def _sign(case: Case, got: Any, expected: Any) -> str | None:
    if np.allclose(got, -expected):
        return "the sign is flipped: it is p − onehot, not onehot − p"
    return None


def _train_case(epochs: int, batch_size: int, label: str) -> Case:
    """Train a small 2-4-3 net on 12 points; compare the losses and the final weights."""

    def run(candidate: Any) -> np.ndarray:
        rng = np.random.default_rng(7)
        x, y = rng.normal(size=(12, 2)), rng.integers(0, 3, size=12)
        model = MLP([2, 4, 3], activation="tanh", seed=3)
        losses = candidate(model, SoftmaxCrossEntropy(), x, y, epochs, batch_size, 0.5, seed=5)
        weights = [p.ravel() for _, p, _ in model.parameters()]
        return np.concatenate([np.asarray(losses, dtype=float), *weights])

    return Case(label=label, run=run, kwargs={"epochs": epochs})


def _no_step(case: Case, got: Any, expected: Any) -> str | None:
    start = MLP([2, 4, 3], activation="tanh", seed=3).parameters()
    weights = np.concatenate([p.ravel() for _, p, _ in start])
    if np.allclose(got[-len(weights) :], weights):
        return "the weights never change: call optimizer.step() after model.backward(...)"
    return None


def _variance(case: Case, got: Any, expected: Any) -> str | None:
    if np.isclose(got, expected**2):
        return "that is the variance; the standard deviation is its square root"
    return None


STEPS = [
    Step(
        "cross_entropy_grad",
        cross_entropy_grad,
        [
            call(np.array([[2.0, 0.0, 0.0]]), np.array([1])),
            call(_z(0, 5, 4), np.array([0, 3, 1, 1, 2])),
            call(np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]]), np.array([0, 2])),
        ],
        mistakes=[_no_mean, _sign],
    ),
    Step(
        "train",
        train,
        [
            _train_case(1, 12, "1 epoch, one batch of all 12 points"),
            _train_case(2, 4, "2 epochs, batches of 4"),
            _train_case(3, 5, "3 epochs, batches of 5 (the last one has 2 points)"),
        ],
        mistakes=[_no_step],
    ),
    Step(
        "init_std",
        init_std,
        [call("he", 64, 64), call("xavier", 64, 64), call("xavier", 64, 10), call("he", 3, 5)],
        mistakes=[_variance],
    ),
]
