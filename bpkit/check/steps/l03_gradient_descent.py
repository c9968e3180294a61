"""Lesson 03's your-turn steps: one descent step, one momentum step, a line's MSE gradient."""

from __future__ import annotations

import numpy as np

from bpkit.check.steps import Case, Step, call


def descent_step(grad, x, lr):
    """One step of gradient descent: x − η·∇f(x)."""
    return x - lr * grad(x)


def momentum_step(grad, x, v, lr, mu):
    """One step of momentum: v ← μ·v + ∇f(x), then x ← x − η·v. Returns (x, v), both new."""
    v = mu * v + grad(x)
    return x - lr * v, v


def line_mse_grad(params, x, y):
    """The gradient (∂L/∂w, ∂L/∂b) of L = mean((x·w + b − y)²) for the line ŷ = x·w + b."""
    w, b = params
    error = x * w + b - y  # ŷ − y, shape (n,)
    return np.array([2 * np.mean(error * x), 2 * np.mean(error)])


def _parabola_grad(x):
    return 2 * x


def _bowl_grad(p):
    return np.array([p[0], 4 * p[1]])


def _uphill(case: Case, got, expected):
    grad, x, lr = case.args
    if np.allclose(got, x + lr * grad(x)):
        return "that step goes uphill: subtract η·∇f(x), the gradient points up the slope."
    if np.allclose(got, x - grad(x)):
        return "multiply the gradient by the learning rate η before you subtract it."
    return None


def _momentum_mistakes(case: Case, got, expected):
    grad, x, v, lr, mu = case.args
    x_new, v_new = got
    if np.allclose(x_new, x - lr * (mu * v)) or np.allclose(x_new, x - lr * v):
        return "update v first, then step with the new v: v ← μv + ∇f(x), x ← x − ηv."
    if np.allclose(v_new, mu * v - grad(x)):
        return "here v adds the gradient (v ← μv + ∇f); the minus sign is in x ← x − ηv."
    if np.allclose(v_new, v + grad(x)):
        return "the old velocity fades: multiply it by μ before adding the gradient."
    return None


def _mse_mistakes(case: Case, got, expected):
    x = case.args[1]
    got = np.asarray(got, dtype=float)
    if got.shape == expected.shape and np.allclose(got, expected / 2):
        return "the square's derivative brings a factor 2: d(e²)/de = 2e."
    if got.shape == expected.shape and np.allclose(got, expected * len(x)):
        return "L is a mean over the n points, so average (np.mean), do not sum."
    if got.shape == expected.shape and np.allclose(got, -expected):
        return "the error is ŷ − y (prediction minus target); you have its sign flipped."
    if got.shape == expected.shape and np.allclose(got, expected[::-1]):
        return "return (∂L/∂w, ∂L/∂b) in that order, like params = (w, b)."
    return None


_X = np.array([0.0, 1.0, 2.0, 3.0])
_Y = np.array([-1.0, 0.4, 2.1, 3.4])

STEPS = [
    Step(
        name="descent_step",
        reference=descent_step,
        cases=[
            call(_parabola_grad, 1.8, 0.1),
            call(_parabola_grad, -0.5, 0.9),
            call(_bowl_grad, np.array([-1.5, 1.5]), 0.45),
        ],
        mistakes=[_uphill],
    ),
    Step(
        name="momentum_step",
        reference=momentum_step,
        cases=[
            call(_parabola_grad, 1.0, 0.0, 0.1, 0.7),
            call(_parabola_grad, 0.5, -2.0, 0.1, 0.7),
            call(_bowl_grad, np.array([-2.0, 1.0]), np.array([0.3, -0.4]), 0.45, 0.9),
        ],
        mistakes=[_momentum_mistakes],
    ),
    Step(
        name="line_mse_grad",
        reference=line_mse_grad,
        cases=[
            call(np.array([0.0, 0.0]), _X, _Y),
            call(np.array([1.5, -1.0]), _X, _Y),
            call(np.array([-0.3, 2.0]), np.linspace(0, 3, 7), np.linspace(1, -2, 7)),
        ],
        mistakes=[_mse_mistakes],
    ),
]
