"""Public cases for exercise 06 (autodiff engine), smallest graph first."""

from __future__ import annotations

NOTEBOOK = "06_autodiff"


def _label(spec: list, leaves: dict) -> str:
    """Describe a graph spec the way you would write it: x = 2; a = mul(x, y); ..."""
    parts = [f"{name} = {value:g}" for name, value in leaves.items()]
    parts += [f"{name} = {op}({', '.join(inputs)})" for name, op, *inputs in spec]
    return "; ".join(parts) + f"   (root {spec[-1][0]})"


def public_cases() -> list[dict]:
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
        "mistakes": ["swapped_local_grads"],
    }
    tanh = {
        "function": "tanh",
        "driver": "node_op",
        "oracle": "tanh_node",
        "options": {"rtol": 1e-6, "atol": 1e-9},
        "mistakes": ["missing_activation_derivative", "tanh_of_input"],
    }
    topo = {
        "function": "topological_order",
        "driver": "topo",
        "oracle": "topo",
        "compare": "topological",
    }
    back = {
        "function": "backward",
        "driver": "backprop",
        "oracle": "backprop",
        "options": {"rtol": 1e-5, "atol": 1e-8},
        "mistakes": ["overwrite_not_accumulate", "no_seed"],
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
