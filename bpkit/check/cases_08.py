"""Public cases for exercise 08 (backpropagation through time), smallest input first."""

from __future__ import annotations

import numpy as np

from bpkit.check.drivers import rnn_problem

NOTEBOOK = "08_bptt"


def public_cases() -> list[dict]:
    def forward_args(**sizes):
        p = rnn_problem(**sizes)
        return [p["xs"], p["h0"], p["Wxh"], p["Whh"], p["bh"]]

    def problem(**sizes):
        text = ", ".join(f"{k}={v}" for k, v in sizes.items())
        return {"kwargs": sizes, "label": f"bpkit.check.drivers.rnn_problem({text})"}

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
