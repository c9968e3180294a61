"""bpkit.calculus: finite differences, numeric gradients and Jacobians, step-size errors."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpkit.calculus import (
    convergence_order,
    derivative,
    gradient,
    jacobian,
    step_errors,
)

coefficient = st.floats(-10, 10, allow_nan=False)
point = st.floats(-5, 5, allow_nan=False)
METHODS = ["central", "forward", "backward"]


@given(a=coefficient, b=coefficient, c=coefficient, x=point)
def test_central_difference_of_a_quadratic_is_exact_up_to_round_off(a, b, c, x):
    """For f = ax² + bx + c the central difference has no truncation error: only round-off."""
    h = 1e-3
    got = derivative(lambda t: a * t**2 + b * t + c, x, h=h)
    scale = abs(a) * (x * x + h * h) + abs(b * x) + abs(c) + 1.0  # size of the f values
    assert got == pytest.approx(2 * a * x + b, abs=20 * np.finfo(float).eps * scale / h)


@given(a=coefficient.filter(lambda v: abs(v) > 0.1), x=point)
def test_forward_difference_of_a_quadratic_is_off_by_a_times_h(a, x):
    """Forward differences of ax² are off by exactly a·h: the O(h) truncation term."""
    h = 1e-2
    got = derivative(lambda t: a * t**2, x, h=h, method="forward")
    assert got - 2 * a * x == pytest.approx(a * h, rel=1e-6, abs=1e-9)


def _f(t):
    return np.exp(t) + np.sin(3 * t)


def _df(t):
    return np.exp(t) + 3 * np.cos(3 * t)


# The leading truncation term: forward/backward ≈ f''(x)·h/2, central ≈ f'''(x)·h²/6.
LEADING = {
    "forward": lambda t: np.exp(t) - 9 * np.sin(3 * t),
    "backward": lambda t: np.exp(t) - 9 * np.sin(3 * t),
    "central": lambda t: np.exp(t) - 27 * np.cos(3 * t),
}


@pytest.mark.parametrize(("method", "order"), [("forward", 1), ("backward", 1), ("central", 2)])
@given(x=st.floats(-2, 2, allow_nan=False))
def test_error_shrinks_like_h_to_the_method_order(method, order, x):
    """The log-log slope of error against h is ≈1 (forward, backward) and ≈2 (central)."""
    assume(abs(LEADING[method](x)) > 1.0)  # where the leading term vanishes, the next one rules
    hs = np.logspace(-4, -2, 8)
    errors = step_errors(_f, _df, x, hs, method=method)
    assert convergence_order(hs, errors) == pytest.approx(order, abs=0.1)


def test_forward_and_central_orders_on_sine():
    """On sin at x = 1 the fitted orders round to 1.0 (forward) and 2.0 (central)."""
    hs = np.logspace(-4, -1, 10)
    forward = convergence_order(hs, step_errors(np.sin, np.cos, 1.0, hs, method="forward"))
    central = convergence_order(hs, step_errors(np.sin, np.cos, 1.0, hs, method="central"))
    assert round(forward, 1) == 1.0
    assert round(central, 1) == 2.0


def test_round_off_makes_tiny_steps_worse():
    """Below the best step, the error grows again as h shrinks (round-off ≈ ε/h)."""
    hs = np.array([1e-5, 1e-13])
    errors = step_errors(np.sin, np.cos, 1.0, hs, method="central")
    assert errors[1] > 100 * errors[0]


@pytest.mark.parametrize("method", METHODS)
@given(xs=hnp.arrays(np.float64, st.integers(1, 12), elements=point))
def test_derivative_works_elementwise_on_arrays(method, xs):
    """derivative(f, array) equals derivative(f, each entry), with the array's shape."""
    whole = derivative(np.tanh, xs, method=method)
    assert whole.shape == xs.shape
    each = [derivative(np.tanh, float(x), method=method) for x in xs]
    np.testing.assert_allclose(whole, each, rtol=1e-12, atol=1e-12)


def test_derivative_returns_a_float_for_a_number():
    """A scalar x gives a Python float, so it prints and rounds like one."""
    got = derivative(lambda x: x**3, 2.0)
    assert isinstance(got, float)
    assert round(got, 6) == 12.0


@given(
    W=hnp.arrays(np.float64, (3, 3), elements=st.floats(-3, 3)),
    b=hnp.arrays(np.float64, 3, elements=st.floats(-3, 3)),
    x=hnp.arrays(np.float64, 3, elements=st.floats(-2, 2)),
)
def test_gradient_of_a_random_quadratic_matches_the_formula(W, b, x):
    """For f(x) = xᵀWx + b·x the numeric gradient equals (W + Wᵀ)x + b."""
    grad = gradient(lambda v: v @ W @ v + b @ v, x)
    np.testing.assert_allclose(grad, (W + W.T) @ x + b, rtol=1e-6, atol=1e-6)


@given(
    c=hnp.arrays(np.float64, (2, 3), elements=st.floats(-2, 2)),
    x=hnp.arrays(np.float64, (2, 3), elements=st.floats(-1.5, 1.5)),
)
def test_gradient_of_a_cubic_polynomial_has_the_shape_of_x(c, x):
    """For f(x) = Σ c·x³ the gradient is 3c·x², shaped like the (2, 3) input."""
    grad = gradient(lambda v: np.sum(c * v**3), x)
    assert grad.shape == x.shape
    np.testing.assert_allclose(grad, 3 * c * x**2, rtol=1e-6, atol=1e-6)


@given(
    A=hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=point),
    seed=st.integers(0, 2**16),
)
def test_jacobian_of_a_linear_map_is_its_matrix(A, seed):
    """The Jacobian of x ↦ Ax + c is A, shaped (m, n)."""
    rng = np.random.default_rng(seed)
    x, c = rng.standard_normal(A.shape[1]), rng.standard_normal(A.shape[0])
    J = jacobian(lambda v: A @ v + c, x)
    assert J.shape == A.shape
    np.testing.assert_allclose(J, A, rtol=1e-7, atol=1e-7)


def test_jacobian_of_an_elementwise_map_is_diagonal():
    """The Jacobian of tanh applied entrywise is diag(1 − tanh²)."""
    x = np.array([-1.0, 0.2, 2.0])
    np.testing.assert_allclose(jacobian(np.tanh, x), np.diag(1 - np.tanh(x) ** 2), atol=1e-9)


@pytest.mark.parametrize(
    "helper",
    [
        lambda x: derivative(np.sin, x),
        lambda x: gradient(lambda v: np.sum(v**2), x),
        lambda x: jacobian(lambda v: v**2, x),
    ],
    ids=["derivative", "gradient", "jacobian"],
)
def test_numeric_helpers_never_modify_the_callers_array(helper):
    """The caller's array is unchanged after the helper nudges entries by ±h."""
    x = np.array([0.5, -1.0, 2.0])
    before = x.copy()
    helper(x)
    np.testing.assert_array_equal(x, before)


def test_f_never_receives_the_callers_array():
    """f is called on a private copy of x, so f cannot alias or change the caller's array."""
    seen = []
    x = np.array([1.0, 2.0])
    gradient(lambda v: seen.append(v) or float(np.sum(v)), x)
    assert all(v is not x for v in seen)


@pytest.mark.parametrize(
    "call",
    [
        lambda: derivative(3.0, 1.0),
        lambda: gradient("x**2", [1.0]),
        lambda: jacobian(None, [1.0]),
    ],
    ids=["derivative", "gradient", "jacobian"],
)
def test_non_callable_f_is_a_type_error_that_shows_an_example(call):
    """Passing a number or string as f says f must be a function, with an example."""
    with pytest.raises(TypeError, match=r"f must be a function such as `lambda x: x\*\*2`"):
        call()


@pytest.mark.parametrize("bad", [np.nan, np.inf, [1.0, np.nan]])
def test_nan_or_inf_in_x_is_refused(bad):
    """A NaN or inf point is refused with a message that says where."""
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        derivative(np.sin, bad)


def test_nan_position_is_named():
    """The message names the index of the first bad entry."""
    with pytest.raises(ValueError, match=r"at index \(1,\)"):
        gradient(np.sum, [0.0, np.nan, 1.0])


@pytest.mark.parametrize("bad", [None, "abc", [1.0, "x"]])
def test_non_numeric_x_is_a_type_error(bad):
    """None, strings and mixed lists are refused as x with a TypeError."""
    with pytest.raises(TypeError, match="x must be a number or an array of numbers"):
        derivative(np.sin, bad)


def test_unknown_method_lists_the_choices():
    """A misspelt method names itself and every valid choice."""
    with pytest.raises(ValueError, match=r"unknown method 'centre'.*central, forward, backward"):
        derivative(np.sin, 1.0, method="centre")


@pytest.mark.parametrize("h", [0.0, -1e-5, np.inf, np.nan])
def test_step_must_be_positive_and_finite(h):
    """h = 0, negative, inf or NaN is a ValueError that suggests 1e-5."""
    with pytest.raises(ValueError, match="h must be a positive, finite step size such as 1e-5"):
        derivative(np.sin, 1.0, h=h)


@pytest.mark.parametrize("h", ["1e-5", None, True])
def test_step_must_be_a_number(h):
    """A string, None or bool for h is a TypeError."""
    with pytest.raises(TypeError, match="h must be a positive number"):
        gradient(np.sum, [1.0], h=h)


def test_gradient_of_a_vector_function_points_to_jacobian():
    """gradient needs a scalar f; a vector output names its shape and suggests jacobian."""
    with pytest.raises(ValueError, match=r"single number, got an array of shape \(2,\).*jacobian"):
        gradient(lambda v: v * 2, np.ones(2))


def test_convergence_order_needs_two_nonzero_errors():
    """Fitting a slope to fewer than two nonzero errors is refused."""
    with pytest.raises(ValueError, match="at least two nonzero errors"):
        convergence_order([1e-3, 1e-2], [0.0, 1e-4])


@given(order=st.floats(0.5, 4), scale=st.floats(1e-3, 1e3))
def test_convergence_order_recovers_the_power_of_a_power_law(order, scale):
    """For errors = C·h^p the fitted slope is p."""
    hs = np.logspace(-4, -1, 6)
    assert convergence_order(hs, scale * hs**order) == pytest.approx(order, rel=1e-9)
