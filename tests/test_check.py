"""Tests for bpkit.check: cases agree with the reference, mistakes are named, check never raises."""

from __future__ import annotations

import math
import sys
import warnings
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
from bpkit.check._run import call_strict, verdict
from bpkit.check.graph import Node
from bpkit.grading import _harness, codec, lookup, report, runner
from bpkit.grading import exercise as grading_exercise
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
    assert out == "✓ central_difference: all 6 checks passed\n"


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


def dx_without_transpose(dout, x, W, b):
    return dout @ W, x.T @ dout, dout.sum(axis=0)  # dx needs W.T


def dW_without_transpose(dout, x, W, b):
    return dout @ W.T, x @ dout, dout.sum(axis=0)  # dW needs x.T


def rnn_without_transpose(dhs, xs, hs, h0, Wxh, Whh):
    dxs, dWxh, dWhh = np.zeros_like(xs), np.zeros_like(Wxh), np.zeros_like(Whh)
    dbh, dh_next = np.zeros(len(Whh)), np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        dz = (dhs[t] + dh_next) * (1 - hs[t] ** 2)
        dWxh += xs[t].T @ dz
        dWhh += (hs[t - 1] if t else h0).T @ dz
        dbh += dz.sum(axis=0)
        dxs[t] = dz @ Wxh  # should be Wxh.T
        dh_next = dz @ Whh.T
    return dxs, dWxh, dWhh, dbh


def overwrite_bptt(dhs, xs, hs, h0, Wxh, Whh):
    dxs, dh_next = np.zeros_like(xs), np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        dz = (dhs[t] + dh_next) * (1 - hs[t] ** 2)
        dWxh = xs[t].T @ dz  # should be +=
        dWhh = (hs[t - 1] if t else h0).T @ dz
        dbh = dz.sum(axis=0)
        dxs[t] = dz @ Wxh.T
        dh_next = dz @ Whh.T
    return dxs, dWxh, dWhh, dbh


def mse_without_half(y_pred, y):
    return 2 * (y_pred - y) / len(y)


def mse_over_size(y_pred, y):
    return (y_pred - y) / y.size


def _two_layer(x, y, W1, b1, W2, b2, sigma_prime, lr=0.0):
    z1 = x @ W1 + b1
    a1 = 0.5 * (1 + np.tanh(0.5 * z1))
    delta2 = (a1 @ W2 + b2 - y) / len(x)
    dW2, db2 = a1.T @ delta2, delta2.sum(axis=0)
    W2 -= lr * dW2  # lr > 0: the weight changes before δ1 is computed
    delta1 = sigma_prime(z1, a1) * (delta2 @ W2.T)
    return x.T @ delta1, delta1.sum(axis=0), dW2, db2


def sigma_prime_of_z(x, y, W1, b1, W2, b2):
    return _two_layer(x, y, W1, b1, W2, b2, lambda z, a: z * (1 - z))


def updated_W2_first(x, y, W1, b1, W2, b2):
    return _two_layer(x, y, W1, b1, W2, b2, lambda z, a: a * (1 - a), lr=0.1)


def sigmoid_prime_of_z(z):
    return z * (1 - z)


MISTAKES = [
    ("dense_backward", dx_without_transpose, "You probably want dout @ W.T"),
    ("dense_backward", dW_without_transpose, "You probably want x.T @ dout"),
    ("rnn_backward", rnn_without_transpose, "You probably want dz @ Wxh.T"),
    ("rnn_backward", overwrite_bptt, "accumulate them with +="),
    ("mse_backward", mse_without_half, "the loss is ½·mean‖ŷ − y‖²"),
    ("mse_backward", mse_over_size, "you divided by y.size = 6"),
    (
        "two_layer_backprop",
        sigma_prime_of_z,
        "σ′ from the wrong variable: you computed z1·(1 − z1)",
    ),
    ("two_layer_backprop", updated_W2_first, "you changed a weight before the backward pass"),
    ("sigmoid_prime", sigmoid_prime_of_z, "σ′ from the wrong variable: you computed z·(1 − z)"),
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


@pytest.mark.parametrize("buggy", [sigma_prime_of_z, updated_W2_first])
def test_a_derivative_that_is_there_is_not_called_forgotten(capsys, buggy):
    """z·(1 − z) and a W2 changed before δ1 used to be told "forgotten activation derivative"."""
    buggy.__name__ = "two_layer_backprop"
    out = _output(capsys, buggy)
    assert "hint: " in out
    assert "forgotten activation derivative" not in out


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
    assert msg.startswith("value [1]:")


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


# --- check() and the grader reach the same verdict on every public case -------------------

MISTAKEN = {  # plausible wrong answers; each must fail in both check() and the grader
    "04_feedforward": [
        "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))",  # overflows for z ≪ 0
        "def sigmoid_prime(z):\n    return z * (1 - z)",
        "def dense_forward(x, W, b):\n    return x @ W",
    ],
    "05_backpropagation": [
        "def mse_backward(y_pred, y):\n    return (y_pred - y) / y.size",
        "def dense_backward(dout, x, W, b):\n    return dout @ W.T, x.T @ dout, dout",
    ],
    "08_bptt": [
        "def clip_by_norm(grads, max_norm):\n"  # right numbers, but it changes the caller's grads
        "    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))\n"
        "    if norm > max_norm:\n"
        "        for g in grads.values():\n"
        "            g *= max_norm / norm\n"
        "    return grads, norm",
    ],
}


class _Channel:
    """Collects what the harness would send to the grader."""

    def __init__(self) -> None:
        self.results: dict[int, tuple[str, object]] = {}

    def send(self, kind: str, **fields: object) -> None:
        if kind == "result":
            if "error" in fields:
                self.results[fields["k"]] = ("error", fields["error"])
            else:
                self.results[fields["k"]] = ("value", codec.decode(fields["value"]))


def _grader_fractions(exercise, namespace: dict) -> list[float]:
    """Score the public cases as ``bpkit grade`` does: the harness's loop, then report."""
    public = [case for case in exercise.cases if case["public"]]
    channel = _Channel()
    env = {"codec": codec, "drivers": lookup.driver, "seconds": 60.0, "first": 0, "skip": []}
    env["call"] = call_strict
    _harness._run_cases(public, namespace, env, channel)
    limits = runner.Limits()
    return [report.score_case(c, channel.results.get(k), limits)[0] for k, c in enumerate(public)]


@pytest.fixture(scope="module")
def loaded() -> dict:
    """Every exercise as the grader loads it: public and hidden cases, expected values."""
    return {nb: grading_exercise.load(nb, EXERCISES) for nb in NOTEBOOKS}


def _namespaces(notebook: str, references: dict) -> list[tuple[str, dict]]:
    """The reference solution, and the reference with each mistaken function in its place."""
    found = [("reference", references[notebook])]
    for code in MISTAKEN.get(notebook, []):
        namespace = dict(references[notebook])
        exec(code, namespace)
        found.append((code.split("(")[0][4:], namespace))
    return found


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_check_and_grader_agree_on_every_public_case(notebook, references, loaded):
    """Same cases, same call rules, same comparison: the same verdict inline and graded."""
    inline_cases = public_cases(notebook)
    for label, namespace in _namespaces(notebook, references):
        with warnings.catch_warnings():  # as in a notebook or the sandbox, not as under pytest
            warnings.simplefilter("ignore")
            inline = [verdict(case, namespace)[0] for case in inline_cases]
            graded = _grader_fractions(loaded[notebook], namespace)
        assert [f == 1 for f in inline] == [f == 1 for f in graded], label
        if label != "reference":  # the mistake is caught, in both
            assert min(inline) < 1, label
            assert min(graded) < 1, label


@pytest.mark.parametrize("notebook", list(NOTEBOOKS))
def test_reference_passes_every_case_under_the_grading_rules(notebook, references, loaded):
    """Public and hidden: the reference solution neither warns nor changes its arguments."""
    exercise = loaded[notebook]
    channel = _Channel()
    env = {"codec": codec, "drivers": lookup.driver, "seconds": 60.0, "first": 0, "skip": []}
    env["call"] = call_strict
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _harness._run_cases(exercise.cases, dict(references[notebook]), env, channel)
    limits = runner.Limits()
    scored = [
        report.score_case(c, channel.results.get(k), limits) for k, c in enumerate(exercise.cases)
    ]
    assert [message for fraction, message in scored if fraction < 1] == []


def test_naive_sigmoid_and_mutating_clip_fail_in_check(capsys, references):
    """check() names the overflow and the changed argument."""
    namespace = dict(references["04_feedforward"])
    exec(MISTAKEN["04_feedforward"][0], namespace)
    out = _output(capsys, namespace["sigmoid"])
    assert "raised RuntimeWarning: overflow encountered in exp" in out
    assert "hint: numpy warned" in out
    namespace = dict(references["08_bptt"])
    exec(MISTAKEN["08_bptt"][0], namespace)
    out = _output(capsys, namespace["clip_by_norm"])
    assert "clip_by_norm changed its argument `grads` in place" in out


OFF_BY_ONE = """
def rnn_backward(dhs, xs, hs, h0, Wxh, Whh):
    dxs = np.zeros_like(xs)
    dWxh, dWhh = np.zeros_like(Wxh), np.zeros_like(Whh)
    dbh = np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        dz = (dhs[t] + dh_next) * (1 - hs[t] ** 2)
        dWxh += xs[t].T @ dz
        dWhh += hs[t].T @ dz  # h_t where h_{t-1} belongs
        dbh += dz.sum(axis=0)
        dxs[t] = dz @ Wxh.T
        dh_next = dz @ Whh.T
    return dxs, dWxh, dWhh, dbh
"""


def test_feedback_file_has_the_hint_names_and_exact_partial_credit(references, loaded):
    """The grader's feedback says what check() says: dWhh (not value [2]), 0.75, the hint."""
    namespace = dict(references["08_bptt"])
    exec(OFF_BY_ONE, namespace)
    exercise = loaded["08_bptt"]
    channel = _Channel()
    env = {"codec": codec, "drivers": lookup.driver, "seconds": 60.0, "first": 0, "skip": []}
    env["call"] = call_strict
    _harness._run_cases(exercise.cases, namespace, env, channel)
    run = runner.Run(results=channel.results)
    feedback = report.feedback_md(report.grade("x", exercise, run, runner.Limits()))
    line = next(x for x in feedback.splitlines() if x.startswith("- ◐ public case 1"))
    assert line.startswith("- ◐ public case 1 earned 0.75 of its credit: dWhh: 9 of 9 entries")
    assert "hint: off-by-one time index" in line
    assert "value [2]" not in feedback
    assert "½" not in feedback


def test_a_slow_function_is_warned_about_the_graders_time_limit(capsys, monkeypatch):
    """A ✓ that the grader would turn into 0 for taking too long says so at once."""
    import time as clock

    from bpkit.check import _run

    monkeypatch.setattr(_run, "CASE_SECONDS", 0.05)

    def forward_difference(f, x, h=1e-5):
        clock.sleep(0.03)
        return (f(x + h) - f(x)) / h

    check(forward_difference)
    out = capsys.readouterr().out
    assert out.startswith("✓ forward_difference")
    assert "⚠ forward_difference: one check took" in out
    assert "stops a case after 0.05 s" in out


def test_the_check_warns_at_the_graders_own_default_limit():
    """The limit the check quotes is the one `bpkit grade` applies by default."""
    import argparse

    from bpkit.check import _run
    from bpkit.grading import cli

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert parser.get_default("timeout") == _run.CASE_SECONDS


def test_expected_and_got_print_with_digits_enough_to_differ(capsys):
    """Two results that differ only in the 6th digit are not both printed as the same number."""

    def central_difference(f, x, h=1e-5):
        return (f(x + h) - f(x - h)) / (2 * h) * (1 + 3e-6)

    check(central_difference)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    expected = next(line for line in lines if line.lstrip().startswith("expected"))
    got = next(line for line in lines if line.lstrip().startswith("got"))
    assert expected.split()[-1] != got.split()[-1], (expected, got)
