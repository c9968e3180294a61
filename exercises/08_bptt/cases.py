"""Public cases for exercise 08 (backpropagation through time), smallest input first.

Variants: with a ``seed``, every problem gets its own sequence length, sizes and numbers
(see :func:`sizes`), and the clipping cases their own gradients; the task stays the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check._run import guarded
from bpkit.check.drivers import function_of, plain
from bpkit.check.oracles import grads

NOTEBOOK = "08_bptt"


DEFAULT_SIZES = {
    "forward": [(0, 1, 1, 2, 3), (1, 3, 2, 2, 3)],
    "backward": [(0, 1, 1, 2, 3), (1, 3, 2, 2, 3), (2, 5, 1, 3, 2)],
}
SIZE_NAMES = ("seed", "T", "batch", "n_in", "n_hidden")


def sizes(seed: int | None, kind: str, offset: int = 0) -> list[dict]:
    """The RNN problems of one kind (``forward``/``backward``): fixed, or a variant's own.

    A variant keeps the first problem one step long and draws the others' sequence length
    T (2 to 7), batch, input and hidden sizes and numbers from ``seed``; ``offset`` gives
    the hidden cases problems of their own.
    """
    if seed is None:
        return [dict(zip(SIZE_NAMES, row, strict=True)) for row in DEFAULT_SIZES[kind]]
    rng = np.random.default_rng([seed, offset, list(DEFAULT_SIZES).index(kind)])
    out = []
    for i in range(len(DEFAULT_SIZES[kind])):
        T = 1 if i == 0 else int(rng.integers(2, 8))
        row = (int(rng.integers(2**31)), T, *(int(v) for v in rng.integers(1, 5, size=3)))
        out.append(dict(zip(SIZE_NAMES, row, strict=True)))
    return out


def variant_values(seed: int | None) -> dict:
    """The notebook's ``# variant`` lines: the length and seed of the learner's own sequence."""
    if seed is None:
        return {"T": 4, "SEED": 8}
    rng = np.random.default_rng([seed, 88])
    return {"T": int(rng.integers(3, 9)), "SEED": int(rng.integers(1000))}


def clip_grads(seed: int | None) -> list[dict]:
    """Gradients for the clipping cases: fixed, or drawn from a variant's seed."""
    if seed is None:
        return [
            {"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])},
            {"Wxh": np.array([[1.0, 2.0], [2.0, 1.0]]), "bh": np.array([0.5, -0.5])},
        ]
    rng = np.random.default_rng([seed, 8])
    n = int(rng.integers(2, 5))
    return [
        {"W": rng.standard_normal((1, n)), "b": rng.standard_normal(1)},
        {"Wxh": rng.standard_normal((n, n)), "bh": rng.standard_normal(n)},
    ]


def public_cases(seed: int | None = None) -> list[dict]:
    def forward_args(**sizes):
        p = rnn_problem(**sizes)
        return [p["xs"], p["h0"], p["Wxh"], p["Whh"], p["bh"]]

    def problem(**sizes):
        text = ", ".join(f"{k}={v}" for k, v in sizes.items())
        return {"kwargs": sizes, "label": f"rnn_problem({text})"}

    forward = {
        "function": "rnn_forward",
        "oracle": "rnn_forward",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["forward_from_zero", "forward_no_tanh", "forward_h0_every_step"],
        "hint": "each state is computed from this step's input and the state just before it, "
        "starting from h0; hs[t] is the state after step t, so hs has T rows.",
    }
    backward = {
        "function": "rnn_backward",
        "driver": "rnn_gradients",
        "oracle": "rnn_backward",
        "options": {"rtol": 1e-5, "atol": 1e-8},
        "names": ["dxs", "dWxh", "dWhh", "dbh"],
        "mistakes": [
            "matmul_transpose",
            "bptt_no_tanh_prime",
            "summed_once_over_time",
            "bptt_no_carry",
            "bptt_off_by_one",
        ],
    }
    clip = {
        "function": "clip_by_norm",
        "oracle": "clip_by_norm",
        "names": ["clipped", "norm"],
        "mistakes": ["clip_per_array", "clip_elementwise", "clip_always"],
    }
    small, square = clip_grads(seed)
    norm = float(np.sqrt(sum(np.sum(g**2) for g in small.values())))  # 5 without a variant
    return [
        *({**forward, "args": forward_args(**s)} for s in sizes(seed, "forward")),
        *({**backward, **problem(**s)} for s in sizes(seed, "backward")),
        {**clip, "args": [small, norm / 5]},  # too long: rescaled
        {**clip, "args": [small, norm * 2]},  # short enough: unchanged
        {**clip, "args": [square, norm * 0.4]},
    ]


# --- drivers: call the learner's function on a case's plain inputs --------------------


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
    learner = function_of(namespace, function)
    return plain(guarded(learner, function, p["dhs"], p["xs"], hs, p["h0"], p["Wxh"], p["Whh"]))


DRIVERS = {"rnn_gradients": rnn_gradients}


# --- oracles: the expected value of a public case, computed --------------------------


def expected_rnn_forward(xs: Any, h0: Any, Wxh: Any, Whh: Any, bh: Any) -> np.ndarray:
    p = {"xs": xs, "h0": h0, "Wxh": Wxh, "Whh": Whh, "bh": bh}
    return rnn_states({k: np.asarray(v, dtype=np.float64) for k, v in p.items()})


def expected_rnn_backward(**sizes: int) -> tuple[np.ndarray, ...]:
    """Gradients of sum(dhs · hs) w.r.t. xs, Wxh, Whh, bh, by finite differences."""
    p = rnn_problem(**sizes)

    def loss(xs, Wxh, Whh, bh):
        hs = rnn_states({**p, "xs": xs, "Wxh": Wxh, "Whh": Whh, "bh": bh})
        return float(np.sum(p["dhs"] * hs))

    return grads(loss, [p["xs"], p["Wxh"], p["Whh"], p["bh"]])


def expected_clip_by_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in grads.items()}
    norm = float(np.sqrt(sum(np.sum(g**2) for g in arrays.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in arrays.items()}, norm


ORACLES = {
    "rnn_forward": expected_rnn_forward,
    "rnn_backward": expected_rnn_backward,
    "clip_by_norm": expected_clip_by_norm,
}
