"""Tests for bpkit.scalar: every op's gradient, the graph walk, and the error messages."""

from __future__ import annotations

import gc
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit.gradcheck import check_value
from bpkit.scalar import Dual, Value


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


ANY = _floats(-3.0, 3.0)
POSITIVE = _floats(0.1, 3.0)
AWAY_FROM_0 = st.one_of(_floats(-3.0, -0.1), _floats(0.1, 3.0))

# The one registry of ops: (name, function of Values or Duals, strategy per input).
# Adding a line here checks the new op's gradient and its forward mode.
OPS = [
    ("add", lambda a, b: a + b, [ANY, ANY]),
    ("radd", lambda a: 2.5 + a, [ANY]),
    ("sub", lambda a, b: a - b, [ANY, ANY]),
    ("rsub", lambda a: 2.5 - a, [ANY]),
    ("mul", lambda a, b: a * b, [ANY, ANY]),
    ("rmul", lambda a: 2.5 * a, [ANY]),
    ("div", lambda a, b: a / b, [ANY, AWAY_FROM_0]),
    ("rdiv", lambda a: 2.5 / a, [AWAY_FROM_0]),
    ("neg", lambda a: -a, [ANY]),
    ("square", lambda a: a**2, [ANY]),
    ("cube", lambda a: a**3, [ANY]),
    ("inverse", lambda a: a**-1, [AWAY_FROM_0]),
    ("sqrt", lambda a: a**0.5, [POSITIVE]),
    ("exp", lambda a: a.exp(), [ANY]),
    ("log", lambda a: a.log(), [POSITIVE]),
    ("tanh", lambda a: a.tanh(), [ANY]),
    ("sigmoid", lambda a: a.sigmoid(), [ANY]),
    ("relu", lambda a: a.relu(), [AWAY_FROM_0]),  # the kink at 0 has no derivative
    ("reuse", lambda a: a * a + a, [ANY]),
]
OP_IDS = [name for name, _, _ in OPS]


@pytest.mark.parametrize(("name", "f", "strategies"), OPS, ids=OP_IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_op_gradient_matches_finite_differences(name, f, strategies, data):
    """Every op's backward equals the central finite difference at random inputs."""
    inputs = [data.draw(s) for s in strategies]
    report = check_value(f, *inputs, tol=1e-6)
    assert report.ok or abs(report.analytic - report.numeric) < 1e-8, f"{name}: {report}"


@pytest.mark.parametrize(("name", "f", "strategies"), OPS, ids=OP_IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_dual_tangent_equals_reverse_mode_gradient(name, f, strategies, data):
    """Forward mode (one Dual pass per input) gives the same derivatives as backward()."""
    inputs = [data.draw(s) for s in strategies]
    values = [Value(x) for x in inputs]
    out = f(*values)
    out.backward()
    for i in range(len(inputs)):
        duals = [Dual(x, 1.0 if j == i else 0.0) for j, x in enumerate(inputs)]
        result = f(*duals)
        assert result.value == pytest.approx(out.data, rel=1e-12, abs=1e-12), name
        assert result.tangent == pytest.approx(values[i].grad, rel=1e-10, abs=1e-12), name


# Ops that are smooth and total on [-2, 2], for random expression trees.
TREE_UNARY = [lambda a: a.tanh(), lambda a: a.sigmoid(), lambda a: -a, lambda a: a**2]
TREE_BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b]


@st.composite
def expressions(draw, depth: int = 4):
    """Draw a random expression of 3 inputs as a nested tuple of op indices."""
    if depth == 0 or draw(st.booleans()):
        return ("input", draw(st.integers(0, 2)))
    if draw(st.booleans()):
        return ("unary", draw(st.integers(0, len(TREE_UNARY) - 1)), draw(expressions(depth - 1)))
    i = draw(st.integers(0, len(TREE_BINARY) - 1))
    return ("binary", i, draw(expressions(depth - 1)), draw(expressions(depth - 1)))


def evaluate(tree, xs):
    """Evaluate a drawn expression on inputs xs (Values, Duals or floats alike)."""
    kind = tree[0]
    if kind == "input":
        return xs[tree[1]]
    if kind == "unary":
        return TREE_UNARY[tree[1]](evaluate(tree[2], xs))
    return TREE_BINARY[tree[1]](evaluate(tree[2], xs), evaluate(tree[3], xs))


@settings(max_examples=60, deadline=None)
@given(tree=expressions(), inputs=st.lists(_floats(-2.0, 2.0), min_size=3, max_size=3))
def test_random_expression_gradient_matches_finite_differences(tree, inputs):
    """backward() is right on random expression trees, where inputs are reused freely."""

    def f(a, b, c):
        return evaluate(tree, [a, b, c]) + 0.0 * a  # `+ 0·a` makes a bare input a graph

    report = check_value(f, *inputs, tol=1e-5)
    assert report.ok or abs(report.analytic - report.numeric) < 1e-7, report


def test_reused_node_gets_every_contribution():
    """b = a + a gives da = 2; c = b·b gives dc/da = 8a (both uses summed)."""
    a = Value(1.5)
    b = a + a
    b.backward()
    assert a.grad == 2.0
    a.zero_grad()
    a = Value(1.5)
    c = (a + a) * (a + a)
    c.backward()
    assert a.grad == pytest.approx(8 * 1.5)


def test_reused_interior_node_in_a_diamond():
    """A node used by two children gets the sum of both paths (h used twice)."""
    a = Value(3.0)
    h = a * 2.0  # interior node
    y = h + h  # y = 4a
    y.backward()
    assert (h.grad, a.grad) == (2.0, 4.0)


def test_deep_chain_of_200k_nodes_has_no_recursion_limit():
    """backward() on a chain of 200,000 nodes works and is exact (iterative sort)."""
    x = Value(0.5)
    y = x
    for _ in range(200_000):
        y = -y
    order = y.topological_order()
    assert len(order) == 200_001
    assert order[0] is x
    assert order[-1] is y
    y.backward()
    assert x.grad == 1.0  # (−1)^200000
    del order, y  # freeing the chain must not overflow the C stack either


def test_second_backward_accumulates_into_leaves_only():
    """A second backward() doubles leaf grads, leaves interior grads at one pass's value."""
    a, b = Value(2.0), Value(-3.0)
    h = a * b
    y = h.tanh()
    y.backward()
    first = (a.grad, b.grad, h.grad, y.grad)
    y.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    assert (h.grad, y.grad) == (first[2], first[3])


def test_zero_grad_resets_every_node():
    """zero_grad() sets the grad of the output and of every node it depends on to 0."""
    a, b = Value(2.0), Value(-3.0)
    y = (a * b + a).exp()
    y.backward()
    assert a.grad != 0.0
    y.zero_grad()
    assert all(node.grad == 0.0 for node in y.topological_order())
    y.backward()
    assert a.grad == pytest.approx((b.data + 1) * y.data)


def test_topological_order_puts_parents_first():
    """Every node appears after all its parents, and each node appears once."""
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c + b.relu()
    order = e.topological_order()
    position = {id(node): i for i, node in enumerate(order)}
    assert len(position) == len(order)
    assert all(position[id(p)] < position[id(node)] for node in order for p in node.parents)


def test_graph_is_freed_without_the_cycle_collector():
    """Nodes hold no reference cycles: deleting the output frees the graph by refcount."""
    gc.collect()
    gc.disable()
    try:
        a = Value(1.0)
        y = ((a * 2.0).tanh() + a).sigmoid()
        y.backward()
        del a, y
        assert gc.collect() == 0
    finally:
        gc.enable()


@pytest.mark.parametrize("x", [1000.0, -1000.0, 800.0, -800.0])
def test_sigmoid_is_stable_for_huge_inputs(x):
    """sigmoid(±1000) gives 1 or 0 with gradient 0 and no overflow warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        d = Dual(x, 1.0).sigmoid()
    assert s.data == (1.0 if x > 0 else 0.0)
    assert v.grad == 0.0
    assert d.tangent == 0.0


def test_values_and_grads_match_closed_form():
    """A neuron tanh(w·x + b) has the textbook gradient (1 − tanh²)·x."""
    w, x, b = Value(0.7), Value(-1.3), Value(0.2)
    y = (w * x + b).tanh()
    y.backward()
    t = math.tanh(0.7 * -1.3 + 0.2)
    assert y.data == pytest.approx(t)
    assert w.grad == pytest.approx((1 - t * t) * -1.3)
    assert b.grad == pytest.approx(1 - t * t)


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive_number_says_so(x):
    """log(x ≤ 0) raises ValueError naming log, the bad x and the positive domain."""
    with pytest.raises(ValueError, match=r"log.*positive.*got x = -?[01]\.0"):
        Value(x).log()
    with pytest.raises(ValueError, match="positive"):
        Dual(x, 1.0).log()


def test_clear_errors_for_bad_inputs():
    """Bad operands raise errors that say what was expected and how to fix it."""
    with pytest.raises(TypeError, match=r"expected a real number.*str"):
        Value("3")
    with pytest.raises(TypeError, match=r"exponent must be a number.*log\(\)\)\.exp\(\)"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ZeroDivisionError, match="divisor must not be zero"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match="divisor must not be zero"):
        Dual(1.0, 1.0) / Dual(0.0)
    with pytest.raises(ValueError, match="not a real number"):
        Value(-2.0) ** 0.5
    with pytest.raises(OverflowError, match="larger than the largest float64"):
        Value(1000.0).exp()
    with pytest.raises(TypeError, match="real number"):
        Value(True)


def test_repr_shows_data_grad_and_label():
    """repr names data, grad and the label so printed nodes are readable."""
    v = Value(1.25, label="w")
    assert repr(v) == "Value(data=1.25, grad=0, label='w')"
    assert repr(Dual(2.0, 1.0)) == "Dual(value=2, tangent=1)"


def test_power_zero_at_zero_is_one_with_zero_slope():
    """x**0 = 1 with derivative 0 also at x = 0 (no division by zero)."""
    x = Value(0.0)
    y = x**0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)


def test_numpy_scalars_on_the_left_give_values():
    """np.float64 ⊕ Value returns a Value (numpy defers to the reflected op), same for Dual."""
    v = Value(2.0)
    for result in (np.float64(3.0) * v, np.float64(3.0) - v, np.float64(3.0) / v):
        assert isinstance(result, Value)
    assert isinstance(np.float64(3.0) + Dual(1.0, 1.0), Dual)
    y = np.float64(3.0) * v
    y.backward()
    assert v.grad == 3.0
