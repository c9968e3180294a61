"""Tests for bpkit.check: cases agree with the reference, mistakes are named, check never raises."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpkit.check import (
    NOTEBOOKS,
    check,
    compare,
    drivers,
    exercises,
    hints,
    oracles,
    public_cases,
)
from bpkit.check.graph import Node
from bpkit.release import graded_functions, reference_namespace

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"


def _source(notebook: str) -> Path:
    return EXERCISES / notebook / "source.ipynb"


def _grading_module(notebook: str):
    return exercises.load_file(EXERCISES / notebook / "hidden.py")


@pytest.fixture(scope="module")
def references() -> dict[str, dict]:
    return {nb: reference_namespace(_source(nb)) for nb in NOTEBOOKS}


def _output(capsys, fn) -> str:
    check(fn)
    return capsys.readouterr().out


# --- the cases agree with the notebooks and with the reference solutions -----------------


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_points_cases_and_functions_agree(notebook):
    """POINTS, public cases and hidden cases name exactly the notebook's graded functions."""
    import json

    functions = graded_functions(json.loads(_source(notebook).read_text()))
    module = _grading_module(notebook)
    assert 2 <= len(functions) <= 5
    assert list(module.POINTS) == functions
    assert {c["function"] for c in public_cases(notebook)} == set(functions)
    assert {c["function"] for c in module.grading_cases()} == set(functions)
    for case in [*public_cases(notebook), *module.grading_cases()]:
        assert case.get("driver", "call") in drivers.DRIVERS
        assert case.get("compare", "allclose") in compare.COMPARISONS
        assert set(case.get("mistakes", [])) <= set(hints.detectors_for(case))


def test_function_names_are_unique_across_notebooks():
    """check() finds cases by name, so no graded function name appears in two notebooks."""
    names = [c["function"] for nb in NOTEBOOKS for c in public_cases(nb)]
    owners = {
        name: {nb for nb in NOTEBOOKS for c in public_cases(nb) if c["function"] == name}
        for name in names
    }
    assert all(len(nbs) == 1 for nbs in owners.values())


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_public_expectations_match_the_reference(notebook, references):
    """Every public case's expected value (literal or oracle) accepts the reference's answer."""
    for case in public_cases(notebook):
        got = drivers.run_case(case, references[notebook])
        fraction, message = compare.score(case, got, oracles.expected_for(case))
        assert fraction == 1.0, (case["function"], message)


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_grading_cases_run_on_the_reference(notebook, references):
    """Every hidden case runs on the reference, returns plain data and matches itself."""
    for case in _grading_module(notebook).grading_cases():
        got = drivers.run_case(case, references[notebook])
        again = drivers.run_case(case, references[notebook])
        assert compare.score(case, got, again)[0] == 1.0, case["function"]


def test_reference_passes_every_check(capsys, references):
    """check() prints exactly one ✓ line for every reference solution."""
    for notebook, namespace in references.items():
        for name in dict.fromkeys(c["function"] for c in public_cases(notebook)):
            out = _output(capsys, namespace[name])
            assert out.startswith(f"✓ {name}: "), out
            assert out.count("\n") == 1


def test_pass_message_wording(capsys, references):
    """The ✓ line reads like the course's example."""
    out = _output(capsys, references["01_derivatives"]["central_difference"])
    assert out == "✓ central_difference: all 4 checks passed\n"


# --- named mistakes ------------------------------------------------------------------------


def bias_not_summed(dout, x, W, b):
    return dout @ W.T, x.T @ dout, dout


def transposed_dW(dout, x, W, b):
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


def missing_sigma_prime(x, y, W1, b1, W2, b2):
    a1 = 0.5 * (1 + np.tanh(0.5 * (x @ W1 + b1)))
    delta2 = (a1 @ W2 + b2 - y) / len(x)
    delta1 = delta2 @ W2.T  # σ'(z1) forgotten
    return x.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def missing_tanh_prime(w, x, y):
    return 2 * (np.tanh(w * x) - y) * x


def _order(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack += [(node, True), *((p, False) for p in node.parents)]
    return order


def overwrite_grad(root):
    root.grad = 1.0
    for node in reversed(_order(root)):
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            parent.grad = local * node.grad  # should be +=


def off_by_one_bptt(dhs, xs, hs, h0, Wxh, Whh):
    dxs, dWxh, dWhh = np.zeros_like(xs), np.zeros_like(Wxh), np.zeros_like(Whh)
    dbh, dh_next = np.zeros(len(Whh)), np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        dz = (dhs[t] + dh_next) * (1 - hs[t] ** 2)
        dWxh += xs[t].T @ dz
        dWhh += hs[t].T @ dz  # should be h_{t−1}
        dbh += dz.sum(axis=0)
        dxs[t] = dz @ Wxh.T
        dh_next = dz @ Whh.T
    return dxs, dWxh, dWhh, dbh


def no_carry_bptt(dhs, xs, hs, h0, Wxh, Whh):
    dxs, dWxh, dWhh = np.zeros_like(xs), np.zeros_like(Wxh), np.zeros_like(Whh)
    dbh = np.zeros(len(Whh))
    for t in reversed(range(len(xs))):
        dz = dhs[t] * (1 - hs[t] ** 2)  # nothing carried from step t + 1
        dWxh += xs[t].T @ dz
        dWhh += (hs[t - 1] if t else h0).T @ dz
        dbh += dz.sum(axis=0)
        dxs[t] = dz @ Wxh.T
    return dxs, dWxh, dWhh, dbh


def forward_not_central(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def mutating_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        grad[i] = (up - f(x)) / (2 * h)
    return grad


def aliased_descent(grad, x0, lr, steps):
    x = np.array(x0, dtype=float)
    history = [x]
    for _ in range(steps):
        x -= lr * grad(x)
        history.append(x)
    return np.array(history)


def naive_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def recursive_order(root):
    order, seen = [], set()

    def visit(node):
        if id(node) not in seen:
            seen.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def columns_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=0, keepdims=True)


def per_array_clip(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(g**2)) for g in grads.values()))
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}, norm


MISTAKES = [
    ("dense_backward", bias_not_summed, "bias gradient not summed over the batch"),
    ("dense_backward", transposed_dW, "transposed weight"),
    ("two_layer_backprop", missing_sigma_prime, "forgotten activation derivative"),
    ("dloss_dw", missing_tanh_prime, "forgotten activation derivative"),
    ("backward", overwrite_grad, "`=` instead of `+=` on a reused node"),
    ("rnn_backward", off_by_one_bptt, "off-by-one time index"),
    ("rnn_backward", no_carry_bptt, "carry the gradient back in time"),
    ("central_difference", forward_not_central, "that is the forward difference"),
    ("numeric_gradient", mutating_gradient, "changed the caller's x"),
    ("gradient_descent", aliased_descent, "every row of your history is the same array"),
    ("sigmoid", naive_sigmoid, "overflow"),
    ("topological_order", recursive_order, "recursion too deep"),
    ("softmax", columns_softmax, "normalize over axis=1"),
    ("clip_by_norm", per_array_clip, "clip by the norm of all of them together"),
]


@pytest.mark.parametrize(("name", "buggy", "hint"), MISTAKES, ids=[m[1].__name__ for m in MISTAKES])
def test_check_names_the_mistake(capsys, name, buggy, hint):
    """A buggy implementation gets ✗, the smallest failing input, and the named hint."""
    buggy.__name__ = name
    out = _output(capsys, buggy)
    assert out.startswith(f"✗ {name}: ")
    assert "The smallest failing input:" in out
    assert f"hint: {hint}" in out or hint in out.split("hint:")[-1]


def test_failure_shows_expected_and_got(capsys):
    """The ✗ report shows the failing part's expected value against what was returned."""
    bias_not_summed.__name__ = "dense_backward"
    out = _output(capsys, bias_not_summed)
    assert "db: shape (1, 3), expected shape (3,)" in out
    assert "expected  db = [ 1., -1.,  2.]" in out
    assert "got       db = [[ 1., -1.,  2.]]" in out


# --- check never raises --------------------------------------------------------------------


class LyingArray(np.ndarray):
    """An ndarray whose comparisons always claim equality."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


class ExitOnRead:
    def __array__(self, *args, **kwargs):
        raise SystemExit("gotcha")

    def __len__(self):
        raise SystemExit("gotcha")


def _returning(value):
    def count_paths(depth, width):
        return value

    return count_paths


def _exiting(depth, width):
    sys.exit(1)


HOSTILE = [
    float("nan"),
    float("inf"),
    "9",
    [1, 2, 3],
    {"a": 1},
    np.zeros(3).view(LyingArray),
    ExitOnRead(),
    object(),
    complex(3, 1),
    True,
]


@pytest.mark.parametrize("value", HOSTILE, ids=[type(v).__name__ for v in HOSTILE])
def test_check_survives_garbage(capsys, value):
    """Whatever the learner returns, check prints one ✗ report and does not raise."""
    out = _output(capsys, _returning(value))
    assert out.startswith("✗ count_paths: ")


def test_lying_array_cannot_pass(capsys):
    """An ndarray subclass whose == always says True still fails a numeric comparison."""

    def dense_forward(x, W, b):
        return np.zeros((len(x), W.shape[1])).view(LyingArray)

    assert _output(capsys, dense_forward).startswith("✗ dense_forward: ")


def test_check_survives_sys_exit(capsys):
    """A function that calls sys.exit is reported, and the notebook keeps running."""
    _exiting.__name__ = "count_paths"
    out = _output(capsys, _exiting)
    assert out.startswith("✗ count_paths: ")
    assert "SystemExit" in out


def test_check_lets_keyboard_interrupt_through():
    """Interrupting a long check still works: KeyboardInterrupt is not swallowed."""

    def count_paths(depth, width):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check(count_paths)


def test_not_implemented_is_not_a_failure(capsys):
    """An unimplemented stub gets the calm "not implemented yet", not a wall of ✗."""

    def backward(root):
        raise NotImplementedError("Exercise 6.4: implement backward")

    out = _output(capsys, backward)
    assert out.startswith("… backward: not implemented yet")
    assert "✗" not in out


def test_waiting_for_an_earlier_exercise(capsys):
    """A function that calls an unimplemented earlier one says which one it waits for."""

    def backward(root):
        raise NotImplementedError("Exercise 6.3: implement topological_order")

    assert _output(capsys, backward).startswith("… backward: waits for topological_order")


@pytest.mark.parametrize("thing", [42, None, "central_difference", print])
def test_check_of_a_non_exercise(capsys, thing):
    """Passing something that is not an exercise function prints a message, never raises."""
    out = _output(capsys, thing)
    assert out.startswith(("✗", "?"))


# --- comparisons ---------------------------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=finite))
def test_allclose_accepts_equal_arrays(x):
    """Any finite array compares equal to a copy of itself."""
    assert compare.allclose(x.copy(), x) == (1.0, "")


@given(hnp.arrays(np.float64, st.integers(1, 6), elements=finite), st.integers(0, 5))
def test_allclose_rejects_a_changed_entry(x, i):
    """Changing one entry by much more than the tolerance fails the comparison."""
    y = x.copy()
    y[i % len(y)] += 1.0 + abs(y[i % len(y)])
    assert compare.allclose(y, x)[0] == 0.0


def test_allclose_structures_give_partial_credit():
    """A tuple with one of three parts wrong scores 2/3 and names the part."""
    got = (np.ones(2), np.zeros(2), np.ones((2, 2)))
    frac, msg = compare.allclose(got, (np.ones(2), np.ones(2), np.ones((2, 2))))
    assert frac == pytest.approx(2 / 3)
    assert msg.startswith("value 2:")


@pytest.mark.parametrize(
    ("got", "reason"),
    [
        (np.ones((3, 2)), "shape"),
        (float("nan"), "got nan"),
        ("1.0", "str"),
        (None, "NoneType"),
        ([1, [2, 3]], "cannot be read"),
        (np.array([1 + 1j]), "complex"),
    ],
)
def test_allclose_explains_bad_values(got, reason):
    """Wrong shapes, NaN, strings, None, ragged lists and complex numbers score 0 with a reason."""
    frac, msg = compare.allclose(got, np.ones(1) if reason != "shape" else np.ones((2, 3)))
    assert frac == 0.0
    assert reason in msg


def test_exact_integers_are_exact():
    """10**30 must be an exact integer: the float 1e30 is not accepted."""
    assert compare.exact(10**30, 10**30)[0] == 1.0
    assert compare.exact(1e30, 10**30)[0] == 0.0
    assert compare.exact(True, 1)[0] == 0.0


def test_exact_int_subclass_cannot_lie():
    """An int subclass with a lying __eq__/__int__ is read by its true value."""

    class Liar(int):
        def __eq__(self, other):
            return True

        def __int__(self):
            return 3

        __hash__ = int.__hash__

    assert compare.exact(Liar(5), 3)[0] == 0.0


def test_topological_accepts_any_valid_order():
    """Two different valid orders both score 1; a parent after its child scores 1/2."""
    graph = {"nodes": ["x", "y", "a", "L"], "edges": [["x", "a"], ["y", "a"], ["a", "L"]]}
    assert compare.topological({"order": ["x", "y", "a", "L"]}, graph)[0] == 1.0
    assert compare.topological({"order": ["y", "x", "a", "L"]}, graph)[0] == 1.0
    assert compare.topological({"order": ["a", "x", "y", "L"]}, graph)[0] == 0.5
    assert compare.topological({"order": ["x", "a", "L"]}, graph)[0] == 0.0


def test_score_never_raises():
    """An unknown comparison or a hostile value scores 0 with a message instead of raising."""
    assert compare.score({"compare": "nope"}, 1.0, 1.0)[0] == 0.0
    assert compare.score({}, ExitOnRead(), 1.0)[0] == 0.0


def test_at_least_gives_partial_credit():
    """An accuracy below the threshold earns credit in proportion; NaN earns none."""
    assert compare.at_least(0.95, None, threshold=0.9) == (1.0, "")
    assert compare.at_least(0.45, None, threshold=0.9)[0] == pytest.approx(0.5)
    assert compare.at_least(float("nan"), None, threshold=0.9)[0] == 0.0


def test_plain_turns_results_into_plain_data():
    """Driver results are plain: base float64 arrays, tuples, dicts with str keys."""
    out = drivers.plain((np.int64(3), np.ones(2).view(LyingArray), {1: [np.float32(2)]}))
    assert out[0] == 3
    assert type(out[1]) is np.ndarray
    assert out[1].dtype == np.float64
    assert out[2] == {"1": [2.0]}


def test_oracle_gradients_do_not_store_the_answer():
    """The dense-layer oracle agrees with the closed form it never writes down."""
    rng = np.random.default_rng(0)
    dout, x, W, b = (
        rng.standard_normal((3, 2)),
        rng.standard_normal((3, 4)),
        rng.standard_normal((4, 2)),
        rng.standard_normal(2),
    )
    oracle = exercises.part("05_backpropagation", "cases").ORACLES["dense_backward"]
    dx, dW, db = oracle(dout, x, W, b)
    np.testing.assert_allclose(dx, dout @ W.T, rtol=1e-6)
    np.testing.assert_allclose(dW, x.T @ dout, rtol=1e-6)
    np.testing.assert_allclose(db, dout.sum(axis=0), rtol=1e-6)


def test_graph_node_repr_and_add():
    """The provided add records both parents with local gradients 1."""
    from bpkit.check.graph import add

    a, b = Node(2.0, label="a"), Node(-1.0)
    s = add(a, b)
    assert s.data == 1.0
    assert s.parents == (a, b)
    assert s.local_grads == (1.0, 1.0)
    assert repr(a) == "Node(a: data=2, grad=0)"
