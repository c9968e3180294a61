"""Drivers: call a learner's function on a case's inputs and return plain data.

A driver is ``driver(namespace, function, *args, **kwargs) -> plain data``: it finds
``namespace[function]``, builds whatever the function needs from the case's plain
arguments (a named test function, a graph of nodes, random arrays from a seed), calls it,
and turns the result into plain data (floats, float64 arrays, strings, tuples, lists and
dicts of them) with :func:`plain`. The same driver runs for the inline ``check`` and, in
the grader, once on the learner's notebook and once on the trusted reference.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.check.graph import Node, add

# Named test functions, so that cases can pass a function as a plain string.
FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "square": lambda x: x**2,
    "cube": lambda x: x**3,
    "sin": np.sin,
    "exp": np.exp,
    "sum_squares": lambda x: np.sum(x**2),
    "rosenbrock": lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2,
    "mixed": lambda x: np.sum(np.sin(x) * np.arange(1, np.size(x) + 1).reshape(np.shape(x))),
}

# Gradients for gradient descent: the gradient of ½(x0² + 10·x1²) and of (x − 3)².
GRADIENTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "bowl": lambda x: np.array([1.0, 10.0]) * x,
    "parabola": lambda x: 2 * (x - 3.0),
}


def plain(x: Any, depth: int = 0) -> Any:
    """Turn a learner's return value into plain data without trusting its type."""
    if depth > 8:
        return "<nested too deeply>"
    if x is None or type(x) in (bool, int, float, str):
        return x
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int.__int__(x) if isinstance(x, int) else int(np.array(x).astype(object).item())
    if isinstance(x, (tuple, list)):
        items = [plain(item, depth + 1) for item in list(x)[:10_000]]
        return tuple(items) if isinstance(x, tuple) else items
    if isinstance(x, dict):
        return {str(key): plain(value, depth + 1) for key, value in list(dict.items(x))[:1000]}
    try:
        arr = np.array(x, copy=True, subok=False)
        if arr.dtype.kind in "biuf":
            return arr.astype(np.float64)
    except (ValueError, TypeError, OverflowError):
        pass
    return f"<{type(x).__name__}>"


def run_case(case: dict, namespace: dict) -> Any:
    """Run one case's driver on fresh copies of its arguments; return plain data."""
    driver = DRIVERS[case.get("driver", "call")]
    args = copy.deepcopy(list(case.get("args", [])))
    kwargs = copy.deepcopy(dict(case.get("kwargs", {})))
    return driver(namespace, case["function"], *args, **kwargs)


def _function(namespace: dict, function: str) -> Callable[..., Any]:
    fn = namespace.get(function)
    if fn is None:
        raise NameError(f"no function named {function!r}: did you rename it?")
    return fn


def call(namespace: dict, function: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``namespace[function](*args, **kwargs)`` and return its result as plain data."""
    return plain(_function(namespace, function)(*args, **kwargs))


def difference(namespace: dict, function: str, f: str, x: float, **kwargs: Any) -> Any:
    """Call ``function(FUNCTIONS[f], x, ...)``: a finite difference of a named function."""
    return plain(_function(namespace, function)(FUNCTIONS[f], x, **kwargs))


def gradient(namespace: dict, function: str, f: str, x: list, **kwargs: Any) -> dict:
    """Call ``function(FUNCTIONS[f], x, ...)`` on an array; also report whether x survived."""
    x = np.array(x, dtype=np.float64)
    before = x.copy()
    grad = plain(_function(namespace, function)(FUNCTIONS[f], x, **kwargs))
    return {"grad": grad, "x_unchanged": float(np.array_equal(x, before))}


def descent(namespace: dict, function: str, grad: str, x0: Any, lr: float, steps: int) -> Any:
    """Run ``function(GRADIENTS[grad], x0, lr, steps)`` and return the history it makes."""
    x0 = np.array(x0, dtype=np.float64)
    return plain(_function(namespace, function)(GRADIENTS[grad], x0, lr, steps))


def _stable_sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def xor_predictions(namespace: dict, function: str) -> list[int]:
    """Run the XOR net ``function()`` returns on the four inputs; return its 0/1 outputs."""
    W1, b1, W2, b2 = (np.array(p, dtype=np.float64) for p in _function(namespace, function)())
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    a1 = _stable_sigmoid(x @ W1 + b1)  # (4, n_hidden)
    y = _stable_sigmoid(a1 @ W2 + b2).reshape(4)
    return [int(v > 0.5) for v in y]


# --- exercise 06: graphs of Nodes built from a plain spec ----------------------------------


def _op(name: str, *inputs: Node) -> Node:
    """The trusted ops that build the test graphs (the learner writes their own)."""
    if name == "add":
        return add(*inputs)
    if name == "mul":
        a, b = inputs
        return Node(a.data * b.data, (a, b), (b.data, a.data), "*")
    if name == "tanh":
        t = math.tanh(inputs[0].data)
        return Node(t, (inputs[0],), (1.0 - t * t,), "tanh")
    raise ValueError(f"unknown op {name!r}")


def build_graph(spec: Any, leaves: dict[str, float]) -> dict[str, Node]:
    """Build nodes from ``leaves`` and a spec ``[[name, op, input, ...], ...]``.

    The last line is the root. The spec ``"chain:N"`` makes x → tanh → ... (N tanh nodes).
    Returns every node by name, in creation order.
    """
    nodes = {name: Node(value, label=name) for name, value in leaves.items()}
    if isinstance(spec, str) and spec.startswith("chain:"):
        spec = [[f"t{i}", "tanh", f"t{i - 1}" if i else "x"] for i in range(int(spec[6:]))]
    for name, op, *inputs in spec:
        nodes[name] = _op(op, *(nodes[i] for i in inputs))
        nodes[name].label = name
    return nodes


def graph_edges(spec: Any, leaves: dict[str, float]) -> dict:
    """The nodes and [parent, child] edges of a spec's graph, as plain data."""
    nodes = build_graph(spec, leaves)
    edges = [[p.label, n.label] for n in nodes.values() for p in n.parents]
    return {"nodes": list(nodes), "edges": edges}


def node_op(namespace: dict, function: str, *values: float) -> dict:
    """Call the learner's op on leaf nodes; return its value, local grads and parents."""
    inputs = [Node(v, label=f"in{i}") for i, v in enumerate(values)]
    out = _function(namespace, function)(*inputs)
    if not isinstance(out, Node):
        return {"data": plain(out), "local_grads": "<not a Node>", "parents_ok": 0.0}
    parents_ok = len(out.parents) == len(inputs) and all(
        p is q for p, q in zip(out.parents, inputs, strict=True)
    )
    return {
        "data": out.data,
        "local_grads": np.array(out.local_grads, dtype=np.float64),
        "parents_ok": float(parents_ok),
    }


def topo(namespace: dict, function: str, spec: Any, leaves: dict[str, float]) -> dict:
    """Call ``function(root)``; return the order of node names and the graph it came from."""
    nodes = build_graph(spec, leaves)
    root = list(nodes.values())[-1]
    order = _function(namespace, function)(root)
    names = [n.label if isinstance(n, Node) else f"<{type(n).__name__}>" for n in list(order)]
    return {"order": names, **graph_edges(spec, leaves)}


def backprop(namespace: dict, function: str, spec: Any, leaves: dict[str, float]) -> dict:
    """Call ``function(root)`` on a fresh graph; return every leaf's gradient by name."""
    nodes = build_graph(spec, leaves)
    _function(namespace, function)(list(nodes.values())[-1])
    return {name: float(nodes[name].grad) for name in leaves}


# --- exercise 07: a small classification task ----------------------------------------------


def spirals(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """Return interleaved 2-D spirals ``(X: (n, 2), y: (n,) int)`` from a seeded rng."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(n_classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        angle = np.linspace(0, 4.0, n_per_class) + 2 * np.pi * k / n_classes
        angle = angle + noise * rng.standard_normal(n_per_class)
        X.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
        y.append(np.full(n_per_class, k))
    return np.concatenate(X), np.concatenate(y)


def train_accuracy(namespace: dict, function: str, seed: int = 0) -> float:
    """Train with ``function(X, y, seed=seed)`` on spirals; return accuracy on fresh spirals."""
    X, y = spirals(seed=seed)
    params = _function(namespace, function)(X.copy(), y.copy(), seed=seed)
    W1, b1, W2, b2 = (np.array(params[k], dtype=np.float64) for k in ("W1", "b1", "W2", "b2"))
    X_test, y_test = spirals(seed=seed + 1000)
    scores = np.tanh(X_test @ W1 + b1) @ W2 + b2  # (n, n_classes)
    return float(np.mean(np.argmax(scores, axis=1) == y_test))


# --- exercise 08: random RNN problems from a seed ------------------------------------------


def rnn_problem(seed: int, T: int, batch: int, n_in: int, n_hidden: int) -> dict:
    """Random inputs, weights and upstream gradients for an RNN, from a seed."""
    rng = np.random.default_rng(seed)
    return {
        "xs": rng.standard_normal((T, batch, n_in)),
        "h0": 0.5 * rng.standard_normal((batch, n_hidden)),
        "Wxh": 0.5 * rng.standard_normal((n_in, n_hidden)),
        "Whh": 0.5 * rng.standard_normal((n_hidden, n_hidden)),
        "bh": 0.1 * rng.standard_normal(n_hidden),
        "dhs": rng.standard_normal((T, batch, n_hidden)),
    }


def rnn_states(p: dict) -> np.ndarray:
    """The hidden states of the course's RNN, h_t = tanh(x_t Wxh + h_{t−1} Whh + bh)."""
    h, hs = p["h0"], []
    for x_t in p["xs"]:
        h = np.tanh(x_t @ p["Wxh"] + h @ p["Whh"] + p["bh"])
        hs.append(h)
    return np.array(hs)


def rnn_gradients(namespace: dict, function: str, **sizes: int) -> Any:
    """Call ``function(dhs, xs, hs, h0, Wxh, Whh)`` on a seeded random RNN problem."""
    p = rnn_problem(**sizes)
    hs = rnn_states(p)
    return plain(_function(namespace, function)(p["dhs"], p["xs"], hs, p["h0"], p["Wxh"], p["Whh"]))


DRIVERS: dict[str, Callable[..., Any]] = {
    "call": call,
    "difference": difference,
    "gradient": gradient,
    "descent": descent,
    "xor_predictions": xor_predictions,
    "node_op": node_op,
    "topo": topo,
    "backprop": backprop,
    "train_accuracy": train_accuracy,
    "rnn_gradients": rnn_gradients,
}
