"""Hidden grading cases for exercise 06 (autodiff engine). Instructor only."""

from __future__ import annotations

import random

POINTS = {"mul": 1, "tanh": 1, "topological_order": 2, "backward": 3}


def _scrambled(spec: list, seed: int) -> list:
    """The spec's lines in an order that is not a topological one (the root stays last): a
    notebook that rewrites its half of the ``topo`` driver to copy the spec's order fails."""
    body = list(spec[:-1])
    random.Random(seed).shuffle(body)
    return [*body, spec[-1]]


_WIDE = (
    [
        ["a", "mul", "x", "x"],
        ["b", "tanh", "a"],
        ["c", "mul", "b", "y"],
        ["d", "add", "c", "a"],
        ["e", "add", "d", "b"],
        ["f", "mul", "e", "z"],
        ["L", "add", "f", "x"],
    ],
    {"x": 0.4, "y": -1.3, "z": 0.8},
)
_SQUARE = ([["L", "mul", "x", "x"]], {"x": -1.5})
_DEEP_REUSE = (
    [
        ["a", "add", "x", "x"],
        ["b", "add", "a", "a"],
        ["c", "add", "b", "b"],
        ["d", "mul", "c", "y"],
        ["L", "tanh", "d"],
    ],
    {"x": 0.05, "y": 2.0},
)


_CHAIN = _scrambled([[f"t{i}", "tanh", f"t{i - 1}" if i else "x"] for i in range(20000)], 6)


def grading_cases(seed: int | None = None) -> list[dict]:
    """The same cases for every learner: this exercise has no variants yet."""
    opts = {"rtol": 1e-9, "atol": 1e-12}
    cases = [
        {
            "function": "mul",
            "driver": "node_op",
            "args": list(a),
            "compare": "allclose",
            "options": opts,
        }
        for a in [(0.0, 7.0), (-2.5, -0.4), (1e3, 1e-3)]
    ]
    cases += [
        {
            "function": "tanh",
            "driver": "node_op",
            "args": [a],
            "compare": "allclose",
            "options": opts,
        }
        for a in (0.0, 3.0, -20.0)
    ]
    cases += [
        {
            "function": "topological_order",
            "driver": "topo",
            "args": [_scrambled(spec, k), leaves],
            "compare": "topological",
        }
        for k, (spec, leaves) in enumerate((_WIDE, _SQUARE, _DEEP_REUSE))
    ]
    cases += [
        {
            "function": "topological_order",
            "driver": "topo",
            "args": [_CHAIN, {"x": 0.1}],
            "compare": "topological",
        }
    ]
    cases += [
        {
            "function": "backward",
            "driver": "backprop",
            "args": list(g),
            "compare": "allclose",
            "options": opts,
        }
        for g in (_WIDE, _SQUARE, _DEEP_REUSE)
    ]
    return cases
