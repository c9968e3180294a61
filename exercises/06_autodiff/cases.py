"""Public cases for exercise 06 (autodiff engine), smallest graph first."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.check.drivers import function_of, plain, two_sided
from bpkit.check.graph import Node, add
from bpkit.check.oracles import grads, numeric_grad

NOTEBOOK = "06_autodiff"


def _label(spec: list, leaves: dict) -> str:
    """Describe a graph spec the way you would write it: x = 2; a = mul(x, y); ..."""
    parts = [f"{name} = {value:g}" for name, value in leaves.items()]
    parts += [f"{name} = {op}({', '.join(inputs)})" for name, op, *inputs in spec]
    return "; ".join(parts) + f"   (root {spec[-1][0]})"


def public_cases(seed: int | None = None) -> list[dict]:
    """The same cases for every learner: this exercise has no variants yet."""
    once = [["a", "mul", "x", "y"], ["L", "tanh", "a"]], {"x": 0.5, "y": -1.0}
    reused_leaf = [["a", "mul", "x", "y"], ["L", "add", "a", "x"]], {"x": 2.0, "y": 3.0}
    diamond = (
        [
            ["a", "tanh", "x"],
            ["b", "mul", "a", "y"],
            ["c", "add", "a", "b"],
            ["L", "mul", "c", "c"],
        ],
        {"x": 0.3, "y": -0.7},
    )
    mul = {
        "function": "mul",
        "driver": "node_op",
        "oracle": "mul_node",
        "mistakes": ["swapped_local_grads", "wrong_parents"],
    }
    tanh = {
        "function": "tanh",
        "driver": "node_op",
        "oracle": "tanh_node",
        "options": {"rtol": 1e-6, "atol": 1e-9},
        "mistakes": [
            "missing_activation_derivative",
            "tanh_of_input",
            "tanh_not_squared",
            "wrong_parents",
        ],
    }
    topo = {
        "function": "topological_order",
        "driver": "topo",
        "oracle": "topo",
        "compare": "topological",
        "expected_text": "every node once, each after all of its parents (the root last)",
        "mistakes": ["topo_reversed", "topo_repeats"],
    }
    back = {
        "function": "backward",
        "driver": "backprop",
        "oracle": "backprop",
        "options": {"rtol": 1e-5, "atol": 1e-8},
        "mistakes": ["overwrite_not_accumulate", "no_seed", "forward_order"],
    }
    deep = {"x": 0.5}
    return [
        {**mul, "args": [2.0, -3.0], "label": "a = Node(2.0), b = Node(-3.0)"},
        {**mul, "args": [0.5, 4.0], "label": "a = Node(0.5), b = Node(4.0)"},
        {**tanh, "args": [0.5], "label": "a = Node(0.5)"},
        {**tanh, "args": [-1.2], "label": "a = Node(-1.2)"},
        *({**topo, "args": list(g), "label": _label(*g)} for g in (once, reused_leaf, diamond)),
        {
            **topo,
            "args": ["chain:5000", deep],
            "label": "x = 0.5; t0 = tanh(x); t1 = tanh(t0); ...; t4999 = tanh(t4998)"
            "   (root t4999)",
        },
        *({**back, "args": list(g), "label": _label(*g)} for g in (once, reused_leaf, diamond)),
    ]


# --- drivers: call the learner's function on a case's plain inputs --------------------


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


def root_of(spec: Any) -> str:
    """The name of a spec's root: its last line (``"chain:N"``: the last tanh, t{N−1})."""
    if isinstance(spec, str) and spec.startswith("chain:"):
        return f"t{int(spec[6:]) - 1}"
    return spec[-1][0]


def build_graph(spec: Any, leaves: dict[str, float]) -> dict[str, Node]:
    """Build nodes from ``leaves`` and a spec ``[[name, op, input, ...], ...]``.

    The last line is the root; the others may come in any order (a line is built once its
    inputs exist). The spec ``"chain:N"`` makes x → tanh → ... (N tanh nodes). Returns every
    node by name, the root first and the others sorted by name: an order that no topological
    sort could copy, since the notebook's half of the ``topo`` driver sees this dict.
    """
    nodes = {name: Node(value, label=name) for name, value in leaves.items()}
    if isinstance(spec, str) and spec.startswith("chain:"):
        spec = [[f"t{i}", "tanh", f"t{i - 1}" if i else "x"] for i in range(int(spec[6:]))]
    lines = {line[0]: line for line in spec}
    missing = {name: {i for i in line[2:] if i not in nodes} for name, line in lines.items()}
    waiting: dict[str, list[str]] = {}
    for name, needs in missing.items():
        for need in needs:
            waiting.setdefault(need, []).append(name)
    ready = [name for name, needs in missing.items() if not needs]
    while ready:  # Kahn's algorithm: build each line once all its inputs are built
        name = ready.pop()
        _, op, *inputs = lines[name]
        nodes[name] = _op(op, *(nodes[i] for i in inputs))
        nodes[name].label = name
        for child in waiting.pop(name, []):
            missing[child].discard(name)
            if not missing[child]:
                ready.append(child)
    if len(nodes) != len(leaves) + len(lines):
        raise ValueError("graph spec: an input that no line or leaf defines, or a cycle")
    root = root_of(spec)
    return {root: nodes[root], **{name: nodes[name] for name in sorted(nodes) if name != root}}


def graph_edges(spec: Any, leaves: dict[str, float]) -> dict:
    """The nodes and [parent, child] edges of a spec's graph, as plain data."""
    nodes = build_graph(spec, leaves)
    edges = [[p.label, n.label] for n in nodes.values() for p in n.parents]
    return {"nodes": list(nodes), "edges": edges}


INPUT_NAMES = ("a", "b")  # the parameters of mul(a, b) and tanh(a)


def name_parents(got: Any, *values: float) -> dict:
    """Say which nodes the learner's node named as its parents, in the task's words: "(a, b)".

    ``got["parents"]`` holds, per parent, the position of the input node it is (−1: another
    node, −2: not a node); this half decides whether that is right, in the grader's process.
    """
    if not isinstance(got, dict):
        return {"data": got, "local_grads": "<not a Node>", "parents": "not a Node"}
    found = got.get("parents")
    if not isinstance(found, (list, tuple)):
        return {**got, "parents": "not a Node"}
    words = {-1: "another node", -2: "not a Node"}
    names = [
        INPUT_NAMES[i] if type(i) is int and 0 <= i < len(values) else words.get(i, "?")
        for i in list(found)[:10]
    ]
    text = "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
    return {"data": got.get("data"), "local_grads": got.get("local_grads"), "parents": text}


@two_sided(name_parents)
def node_op(namespace: dict, function: str, *values: float) -> dict:
    """Call the learner's op on leaf nodes; return its value, local grads, and which input node
    each parent is (``name_parents`` turns that into words and the grader compares them)."""
    inputs = [Node(v, label=name) for v, name in zip(values, INPUT_NAMES, strict=False)]
    out = function_of(namespace, function)(*inputs)
    if not isinstance(out, Node):
        return {"data": plain(out), "local_grads": "<not a Node>", "parents": "<not a Node>"}
    parents = [
        next((i for i, q in enumerate(inputs) if p is q), -1) if isinstance(p, Node) else -2
        for p in list(out.parents)[:10]
    ]
    return {
        "data": out.data,
        "local_grads": np.array(out.local_grads, dtype=np.float64),
        "parents": parents,
    }


def with_graph(got: Any, spec: Any, leaves: dict[str, float]) -> dict:
    """The order the learner's function gave, beside the graph it is checked against."""
    order = got.get("order") if isinstance(got, dict) else got
    return {"order": order, **graph_edges(spec, leaves)}


@two_sided(with_graph)
def topo(namespace: dict, function: str, spec: Any, leaves: dict[str, float]) -> dict:
    """Call ``function(root)``; return the order of node names (``with_graph`` adds the graph)."""
    nodes = build_graph(spec, leaves)
    order = function_of(namespace, function)(nodes[root_of(spec)])
    names = [n.label if isinstance(n, Node) else f"<{type(n).__name__}>" for n in list(order)]
    return {"order": [name if type(name) is str else "<not a name>" for name in names]}


def backprop(namespace: dict, function: str, spec: Any, leaves: dict[str, float]) -> dict:
    """Call ``function(root)`` on a fresh graph; return the gradient of every leaf and of the
    root (∂root/∂root = 1), by name."""
    nodes = build_graph(spec, leaves)
    root_name = root_of(spec)
    root = nodes[root_name]
    function_of(namespace, function)(root)
    return {**{name: float(nodes[name].grad) for name in leaves}, root_name: float(root.grad)}


DRIVERS = {"node_op": node_op, "topo": topo, "backprop": backprop}


# --- oracles: the expected value of a public case, computed --------------------------


_NODE_FORWARD = {"mul": lambda a, b: a * b, "tanh": np.tanh}


def _node_oracle(op: str) -> Callable[..., dict]:
    def oracle(*values: float) -> dict:
        forward = _NODE_FORWARD[op]
        local = grads(lambda *v: float(forward(*v)), list(values))
        data = float(forward(*values))
        collected = {"data": data, "local_grads": np.array(local)}
        return name_parents({**collected, "parents": list(range(len(values)))}, *values)

    return oracle


def expected_topo(spec: Any, leaves: dict[str, float]) -> dict:
    return graph_edges(spec, leaves)


def expected_backprop(spec: Any, leaves: dict[str, float]) -> dict:
    names = list(leaves)

    def root_value(v: np.ndarray) -> float:
        nodes = build_graph(spec, dict(zip(names, v.tolist(), strict=True)))
        return nodes[root_of(spec)].data

    slopes = numeric_grad(root_value, [leaves[n] for n in names])
    root_name = root_of(spec)
    return {**{name: float(g) for name, g in zip(names, slopes, strict=True)}, root_name: 1.0}


ORACLES = {
    "mul_node": _node_oracle("mul"),
    "tanh_node": _node_oracle("tanh"),
    "topo": expected_topo,
    "backprop": expected_backprop,
}
