"""Public cases for exercise 08 (backpropagation through time), smallest input first."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.drivers import function_of, plain
from bpkit.check.oracles import grads

NOTEBOOK = "08_bptt"


def public_cases() -> list[dict]:
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
        "hint": "h_t = tanh(x_t @ Wxh + h_{t−1} @ Whh + bh), starting from h0; "
        "hs[t] is the state after step t, so hs has T rows.",
    }
    backward = {
        "function": "rnn_backward",
        "driver": "rnn_gradients",
        "oracle": "rnn_backward",
        "options": {"rtol": 1e-5, "atol": 1e-8},
        "names": ["dxs", "dWxh", "dWhh", "dbh"],
        "mistakes": ["bptt_no_carry", "bptt_off_by_one"],
    }
    clip = {
        "function": "clip_by_norm",
        "oracle": "clip_by_norm",
        "names": ["clipped", "norm"],
        "mistakes": ["clip_per_array", "clip_always"],
    }
    return [
        {**forward, "args": forward_args(seed=0, T=1, batch=1, n_in=2, n_hidden=3)},
        {**forward, "args": forward_args(seed=1, T=3, batch=2, n_in=2, n_hidden=3)},
        {**backward, **problem(seed=0, T=1, batch=1, n_in=2, n_hidden=3)},
        {**backward, **problem(seed=1, T=3, batch=2, n_in=2, n_hidden=3)},
        {**backward, **problem(seed=2, T=5, batch=1, n_in=3, n_hidden=2)},
        {**clip, "args": [{"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}, 1.0]},
        {**clip, "args": [{"W": np.array([[3.0, 0.0]]), "b": np.array([4.0])}, 10.0]},
        {
            **clip,
            "args": [{"Wxh": np.array([[1.0, 2.0], [2.0, 1.0]]), "bh": np.array([0.5, -0.5])}, 2.0],
        },
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
    return plain(
        function_of(namespace, function)(p["dhs"], p["xs"], hs, p["h0"], p["Wxh"], p["Whh"])
    )


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
