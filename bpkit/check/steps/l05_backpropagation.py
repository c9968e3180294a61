"""Lesson 05's your-turn steps: the output error, one layer backwards, a hidden error.

Each reference is written the way the lesson writes it (row-major batches, δ = ∂L/∂z).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.steps import Case, Step, call

_rng = np.random.default_rng(5)


def output_delta(a_out, fprime_out, y):
    """Step 2: the output error δ = f'(z) ⊙ (a − y) / N of the loss (1/N) Σ ½‖a − y‖²."""
    return fprime_out * (a_out - y) / len(y)  # (batch, n_out)


def linear_backward(x, W, delta):
    """One layer z = x W + b backwards: return dW = xᵀδ, db = Σ_n δ_n and dx = δ Wᵀ."""
    dW = x.T @ delta  # (n_in, n_out), summed over the batch
    db = delta.sum(axis=0)  # (n_out,)
    dx = delta @ W.T  # (batch, n_in)
    return dW, db, dx


def activation_delta(fprime, delta_next, W_next):
    """Step 3: a hidden layer's error δ = f'(z) ⊙ (δ_next W_nextᵀ)."""
    return fprime * (delta_next @ W_next.T)  # (batch, n_hidden)


def _sample(*shape: int) -> np.ndarray:
    return _rng.normal(size=shape).round(2)


def _forgot_batch_mean(case: Case, got: Any, expected: Any) -> str | None:
    y = case.args[2]
    if np.allclose(np.asarray(got), np.asarray(expected) * len(y)) and len(y) > 1:
        return "the loss averages over the batch, so δ carries a factor 1/N (divide by len(y))"
    return None


def _forgot_fprime(case: Case, got: Any, expected: Any) -> str | None:
    a_out, _, y = case.args
    if np.allclose(np.asarray(got), (a_out - y) / len(y)):
        return "δ = ∂L/∂z, not ∂L/∂a: multiply by the output's f'(z) as well"
    return None


def _db_over_neurons(case: Case, got: Any, expected: Any) -> str | None:
    if got is not None and np.shape(got[1]) != np.shape(expected[1]):
        return "db has the shape of b, (n_out,): sum δ over the batch, delta.sum(axis=0)"
    return None


def _shapes_hint(case: Case, got: Any, expected: Any) -> str | None:
    if got is None:
        return (
            "let the shapes decide: dW must be (n_in, n_out) = x.T @ delta, "
            "dx must be (batch, n_in) = delta @ W.T"
        )
    return None


def _no_transpose(case: Case, got: Any, expected: Any) -> str | None:
    fprime, delta_next, W_next = case.args
    if got is None:
        return "δ_next is (batch, n_next) and W_next is (n_hidden, n_next): use W_next.T"
    if W_next.shape[0] == W_next.shape[1] and np.allclose(got, fprime * (delta_next @ W_next)):
        return "the error flows back through W transposed: delta_next @ W_next.T"
    if np.allclose(got, delta_next @ W_next.T):
        return "multiply by this layer's slope f'(z) too, elementwise"
    return None


_y3 = np.array([[1.0], [0.0], [1.0]])
STEPS = [
    Step(
        name="output_delta",
        reference=output_delta,
        cases=[
            call(np.array([[0.8]]), np.array([[0.16]]), np.array([[1.0]])),
            call(np.array([[0.9], [0.2], [0.4]]), np.array([[0.09], [0.16], [0.24]]), _y3),
            call(_sample(4, 2), _sample(4, 2), _sample(4, 2)),
        ],
        mistakes=[_forgot_batch_mean, _forgot_fprime],
    ),
    Step(
        name="linear_backward",
        reference=linear_backward,
        cases=[
            call(np.array([[1.0, 2.0]]), np.array([[0.5], [-1.0]]), np.array([[2.0]])),
            call(_sample(5, 3), _sample(3, 4), _sample(5, 4)),
            call(_sample(2, 4), _sample(4, 1), _sample(2, 1)),
        ],
        mistakes=[_db_over_neurons, _shapes_hint],
    ),
    Step(
        name="activation_delta",
        reference=activation_delta,
        cases=[
            call(np.array([[0.5, 0.25]]), np.array([[2.0]]), np.array([[1.0], [-3.0]])),
            call(_sample(3, 2), _sample(3, 2), _sample(2, 2)),
            call(_sample(4, 3), _sample(4, 5), _sample(3, 5)),
        ],
        mistakes=[_no_transpose],
    ),
]
