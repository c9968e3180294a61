"""``check()`` shows ✓ exactly when the grader gives full marks (issue 24: "✓ means the grade").

For every wrong version in the mistake corpus (``tests/mistakes/``), every function of every
reference solution and a few right answers written another way, the inline check's verdict
is compared with the grade the same code gets from the grader's cases, public and hidden. The
grader's side runs in this process, without a sandbox, but through the grader's own steps:
the exercise as ``bpkit grade`` loads it (expected values from the reference), each case's
driver as the sandbox looks it up, the same strict call, the harness's JSON and the
protocol's decoding, and ``report.score_case``.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import sys
from pathlib import Path

import pytest

from bpkit.check import _VARIANTS, NOTEBOOKS, check
from bpkit.check._run import call_strict
from bpkit.check.exercises import variant_seed
from bpkit.grading import _harness, codec, exercise, lookup, protocol, report, runner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_mistakes import CORPUS, function_of, graded

EXERCISES = Path(__file__).resolve().parents[1] / "exercises"


@functools.cache
def loaded(name: str, student: str | None = None) -> exercise.Exercise:
    """The exercise as the grader loads it; with ``student``, that learner's variant."""
    seed = None if student is None else variant_seed(name, student)
    return exercise.load(name, EXERCISES, seed)


@functools.cache
def reference(name: str) -> dict:
    return exercise.reference_namespace(EXERCISES / name / "source.ipynb")


def exercise_of(function: str) -> str:
    for name in exercise.available(EXERCISES):
        if function in loaded(name).points:
            return name
    raise LookupError(function)


def outcome(case: dict, namespace: dict) -> tuple[str, object]:
    """What the grader receives for one case: the sandbox's steps, run here."""
    try:
        driver = lookup.driver(case["driver"])
        args, kwargs = codec.decode(case["args"]), codec.decode(case["kwargs"])
        value = call_strict(driver, namespace, case["function"], args, kwargs)
        message = {"value": codec.encode(value)}
    except Exception as error:
        message = {"error": _harness._error_fields(error)}
    # The protocol's own decoding (it uses nothing of the watcher's state).
    return protocol.Watch._outcome(None, case, json.loads(_harness._json(message)))


def full_grade(function: str, namespace: dict, student: str | None = None) -> tuple[bool, list]:
    """Does ``namespace[function]`` score full marks on the grader's cases? And the misses."""
    every = loaded(exercise_of(function), student).cases
    cases = [c for c in every if c["function"] == function]
    missed = []
    for k, case in enumerate(cases):
        fraction, message = report.score_case(case, outcome(case, namespace), runner.Limits())
        if fraction < 1.0:
            kind = "public" if case["public"] else "hidden"
            missed.append(f"{kind} case {k + 1}: {fraction:.3g} {message}")
    return not missed, missed


def passes_check(fn, student: str | None = None) -> tuple[bool, str]:
    """Does ``check(fn)`` show ✓ (in ``student``'s variant, as their notebook's first cell sets)?"""
    out = io.StringIO()
    chosen = {name: variant_seed(name, student) for name in NOTEBOOKS} if student else {}
    saved = dict(_VARIANTS)
    _VARIANTS.clear()
    _VARIANTS.update(chosen)
    try:
        with contextlib.redirect_stdout(out):
            check(fn)
    finally:
        _VARIANTS.clear()
        _VARIANTS.update(saved)
    return out.getvalue().startswith("✓"), out.getvalue()


IDS = [f"{graded(e['code'])}-{i}" for i, e in enumerate(CORPUS)]


@pytest.mark.parametrize("student", [None, "s001"], ids=["default", "variant"])
@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_check_and_grade_agree_on_a_mistake(entry, student):
    """The default numbers, and one learner's variant (its own public and hidden cases)."""
    fn = function_of(entry["code"])
    namespace = {**fn.__globals__, fn.__name__: fn}
    ticked, text = passes_check(fn, student)
    full, missed = full_grade(fn.__name__, namespace, student)
    assert ticked == full, f"check {'✓' if ticked else '✗'} but grade misses {missed}:\n{text}"


SOLUTIONS = [
    (name, function) for name in exercise.available(EXERCISES) for function in loaded(name).points
]


@pytest.mark.parametrize(("name", "function"), SOLUTIONS, ids=[f for _, f in SOLUTIONS])
def test_check_and_grade_agree_on_a_solution(name, function):
    namespace = reference(name)
    ticked, text = passes_check(namespace[function])
    full, missed = full_grade(function, namespace)
    assert ticked, text
    assert full, missed


_NP = "import math\nimport numpy as np\n"
ALTERNATIVES = [  # right answers written another way than the reference: ✓ and full marks
    _NP + "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(np.asarray(z) / 2))\n",
    _NP + "def relu_prime(z):\n    return np.heaviside(z, 0.0)\n",
    _NP + "def dense_forward(x, W, b):\n    return np.dot(x, W) + b.reshape(1, -1)\n",
    _NP + "def mse_backward(y_pred, y):\n    return (y_pred - y) / y.shape[0]\n",
    _NP + "def momentum_descent(grad, x0, lr, beta, steps):\n"  # lesson 03's convention
    "    x, v, out = np.array(x0, dtype=float), 0.0, [np.array(x0, dtype=float)]\n"
    "    for _ in range(steps):\n"
    "        v = beta * v + grad(x)\n        x = x - lr * v\n        out.append(x)\n"
    "    return np.array(out)\n",
    _NP + "def clip_by_norm(grads, max_norm):\n"  # PyTorch's clip_grad_norm_ adds 1e-6
    "    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))\n"
    "    scale = min(1.0, max_norm / (norm + 1e-6))\n"
    "    return {k: g * scale for k, g in grads.items()}, norm\n",
]


@pytest.mark.parametrize("code", ALTERNATIVES, ids=[graded(c) for c in ALTERNATIVES])
def test_check_and_grade_agree_on_another_right_answer(code):
    fn = function_of(code)
    ticked, text = passes_check(fn)
    full, missed = full_grade(fn.__name__, {**fn.__globals__, fn.__name__: fn})
    assert ticked, text
    assert full, missed
