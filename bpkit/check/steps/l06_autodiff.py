"""Lesson 06's your-turns: the engine's `mul`, `tanh` and `backward`.

The lesson builds its own node class, ``Node``. The references below work on whatever node
class they are given (``type(a)``), so when the lesson falls back to them they build the
lesson's nodes. The cases build their inputs from the candidate's own ``Node`` (the one in
the notebook where it was written), or from the small ``Node`` here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from bpkit.check.steps import Case, Step


class Node:
    """A scalar that remembers its parents and the local derivatives to them (lesson 06)."""

    def __init__(self, data, parents=(), local_grads=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads
        self.op = op


def topological_order(root):
    """Every node reachable from root, each after all of its parents (root last)."""
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if p not in seen)
    return order


def mul(a, b):
    """a·b as a new node; ∂(ab)/∂a = b and ∂(ab)/∂b = a."""
    Node = type(a)  # the lesson's node class (a is a node: `x * 2` and `2 * x` call mul(x, 2))
    b = b if isinstance(b, Node) else Node(b)
    return Node(a.data * b.data, (a, b), (b.data, a.data), "*")


def tanh(a):
    """tanh(a) as a new node; d tanh(a)/da = 1 − tanh²(a), from the forward value."""
    t = math.tanh(a.data)
    return type(a)(t, (a,), (1.0 - t * t,), "tanh")


def backward(root):
    """Fill every node's grad with ∂root/∂node (leaves add to what they already hold)."""
    order = topological_order(root)
    for node in order:
        if node.parents:  # an interior node holds this call's gradient only
            node.grad = 0.0
    root.grad = 1.0  # ∂root/∂root
    for node in reversed(order):  # every node after all of its users
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            parent.grad += local * node.grad  # the chain rule, one edge


def _node_class(candidate: Any) -> type:
    """The ``Node`` of the notebook (or module) where ``candidate`` was written."""
    found = getattr(candidate, "__globals__", {}).get("Node")
    return found if isinstance(found, type) else Node


def _result(node: Any, inputs: tuple) -> np.ndarray:
    """What an operation's new node holds: data, local derivatives, and 1 per parent kept."""
    kept = [float(p is q) for p, q in zip(node.parents, inputs, strict=False)]
    return np.array([node.data, *node.local_grads, *kept, len(node.parents)])


def _op_case(a: float, b: float | None, label: str) -> Case:
    def run(candidate: Any) -> np.ndarray:
        make = _node_class(candidate)
        inputs = (make(a),) if b is None else (make(a), make(b))
        return _result(candidate(*inputs), inputs)

    return Case(label=label, run=run)


def _number_case(a: float, b: float, label: str) -> Case:
    """`x * 3.0`: the number is wrapped into a leaf node first."""

    def run(candidate: Any) -> np.ndarray:
        node = candidate(_node_class(candidate)(a), b)
        return np.array([node.data, *node.local_grads, node.parents[1].data])

    return Case(label=label, run=run)


def _swapped(case: Case, got: Any, expected: Any) -> str | None:
    if np.allclose(got[:3], expected[[0, 2, 1]]) and not np.allclose(got[1:3], expected[1:3]):
        return "∂(ab)/∂a is b, the *other* factor: write (b.data, a.data)"
    return None


def _forgot_parents(case: Case, got: Any, expected: Any) -> str | None:
    if got[-1] != expected[-1]:
        return "the new node needs its parents, in order: (a, b) for mul, (a,) for tanh"
    return None


def _tanh_prime(case: Case, got: Any, expected: Any) -> str | None:
    t = expected[0]
    if np.isclose(got[1], 1.0 - t) or np.isclose(got[1], 1.0 + t * t):
        return "the local derivative is 1 − t², with t = tanh(a) squared"
    return None


# Graphs for `backward`, built from explicit parents and local derivatives (no operators,
# so the cases work before the lesson's operators exist).
def _reused(make: type) -> list:
    """h = 2a, y = h·h + h: h is used three times."""
    a, two = make(3.0), make(2.0)
    h = make(6.0, (two, a), (3.0, 2.0), "*")
    hh = make(36.0, (h, h), (6.0, 6.0), "*")
    y = make(42.0, (hh, h), (1.0, 1.0), "+")
    return [y, a, two]


def _neuron(make: type) -> list:
    """tanh(x·w + b) at x = 2, w = −0.5, b = 0.3."""
    x, w, b = make(2.0), make(-0.5), make(0.3)
    xw = make(-1.0, (x, w), (w.data, x.data), "*")
    z = make(-0.7, (xw, b), (1.0, 1.0), "+")
    t = math.tanh(z.data)
    y = make(t, (z,), (1.0 - t * t,), "tanh")
    return [y, x, w, b]


def _backward_case(graph: Any, label: str, times: int = 1) -> Case:
    def run(candidate: Any) -> np.ndarray:
        root, *leaves = graph(_node_class(candidate))
        for _ in range(times):
            candidate(root)
        return np.array([leaf.grad for leaf in leaves])

    return Case(label=label, run=run)


def _only_last_use(case: Case, got: Any, expected: Any) -> str | None:
    if "used three times" in case.label and not np.allclose(got, expected):
        return "a node used several times gets one contribution per use: add them with +="
    return None


def _wrong_order(case: Case, got: Any, expected: Any) -> str | None:
    if np.allclose(got, 0):
        return "walk `reversed(order)`, starting from the root, whose grad is 1"
    return None


STEPS = [
    Step(
        "mul",
        mul,
        [
            _op_case(2.0, -0.5, "a = Node(2.0), b = Node(-0.5)"),
            _op_case(-3.0, 4.0, "a = Node(-3.0), b = Node(4.0)"),
            _number_case(1.5, 3.0, "Node(1.5) * 3.0"),
        ],
        mistakes=[_swapped, _forgot_parents],
    ),
    Step(
        "tanh",
        tanh,
        [
            _op_case(0.5, None, "a = Node(0.5)"),
            _op_case(-2.0, None, "a = Node(-2.0)"),
            _op_case(0.0, None, "a = Node(0.0)"),
        ],
        mistakes=[_tanh_prime, _forgot_parents],
    ),
    Step(
        "backward",
        backward,
        [
            _backward_case(_neuron, "y = tanh(x·w + b): grads of x, w, b"),
            _backward_case(_reused, "y = h·h + h, h = 2a (h used three times): grads of a, 2"),
            _backward_case(_reused, "backward() twice on y = h·h + h: the leaves add", times=2),
        ],
        mistakes=[_wrong_order, _only_last_use],
    ),
]
