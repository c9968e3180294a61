"""Lesson 03's your-turn steps: the references pass, and the common mistakes get their hints."""

from __future__ import annotations

import numpy as np

from bpkit.check.steps import check_step, find


def _grad(x):
    return 2 * x


def test_a_step_uphill_is_named():
    """x + η·∇f fails with the hint that the step went uphill."""
    passed, message = check_step(find("descent_step"), lambda grad, x, lr: x + lr * grad(x))
    assert not passed
    assert "uphill" in message


def test_descent_step_works_on_an_array_of_learning_rates():
    """The lesson runs many learning rates side by side through one call."""
    step = find("descent_step").reference
    lrs = np.array([0.1, 0.5, 1.0])
    assert np.allclose(step(_grad, np.ones(3), lrs), 1 - 2 * lrs)


def test_momentum_that_steps_with_the_old_velocity_is_caught():
    """Stepping before updating v is the classic slip; its hint says the order."""

    def momentum_step(grad, x, v, lr, mu):
        x_new = x - lr * v
        return x_new, mu * v + grad(x)

    passed, message = check_step(find("momentum_step"), momentum_step)
    assert not passed
    assert "update v first" in message


def test_momentum_with_zero_mu_is_plain_descent():
    """With μ = 0 one momentum step from v = 0 is one plain step."""
    x_new, v_new = find("momentum_step").reference(_grad, 1.5, 0.0, 0.1, 0.0)
    assert np.isclose(x_new, 1.5 - 0.1 * 3.0)
    assert np.isclose(v_new, 3.0)


def test_a_forgotten_factor_two_is_named():
    """Half the gradient gets the hint about the square's derivative."""
    reference = find("line_mse_grad").reference
    passed, message = check_step(find("line_mse_grad"), lambda p, x, y: reference(p, x, y) / 2)
    assert not passed
    assert "factor 2" in message


def test_line_mse_grad_matches_finite_differences():
    """The reference is the gradient of the mean squared error, checked numerically."""
    from bpkit.calculus import gradient

    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 3, 20), rng.normal(size=20)
    params = np.array([0.7, -0.2])
    loss = lambda p: np.mean((x * p[0] + p[1] - y) ** 2)  # noqa: E731
    assert np.allclose(find("line_mse_grad").reference(params, x, y), gradient(loss, params))
