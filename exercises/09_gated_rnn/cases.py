"""Public cases for exercise 09 (gated recurrence: the LSTM and the GRU), smallest input first.

Variants: with a ``seed``, every problem but the first (one step, one unit) gets its own
sequence length, sizes and numbers (see :func:`sizes`); the task stays the same.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check._run import guarded
from bpkit.check.drivers import function_of, plain
from bpkit.check.oracles import grads

NOTEBOOK = "09_gated_rnn"


DEFAULT_SIZES = [(0, 1, 1, 1, 1), (1, 1, 2, 3, 2)]  # step cases: (seed, T, batch, n_in, n_hidden)
DEFAULT_SEQUENCES = [(0, 1, 1, 1, 1), (1, 3, 2, 2, 2), (2, 5, 1, 1, 3)]
SIZE_NAMES = ("seed", "T", "batch", "n_in", "n_hidden")


def sizes(seed: int | None, kind: str, offset: int = 0) -> list[dict]:
    """The LSTM problems of one kind (``step`` or ``sequence``): fixed, or a variant's own.

    A variant keeps the public cases' first problem (one step, one unit) and draws the
    others' numbers, batch, input and hidden sizes, and for sequences their length T (2 to
    6), from ``seed``; ``offset`` (non-zero) draws every problem, for the hidden cases.
    """
    rows = DEFAULT_SIZES if kind == "step" else DEFAULT_SEQUENCES
    if seed is None:
        return [dict(zip(SIZE_NAMES, row, strict=True)) for row in rows]
    rng = np.random.default_rng([seed, offset, 9, int(kind == "step")])
    out = [] if offset else [dict(zip(SIZE_NAMES, rows[0], strict=True))]
    for _ in rows[len(out) :]:
        T = 1 if kind == "step" else int(rng.integers(2, 7))
        row = (int(rng.integers(2**31)), T, *(int(v) for v in rng.integers(1, 4, size=3)))
        out.append(dict(zip(SIZE_NAMES, row, strict=True)))
    return out


def public_cases(seed: int | None = None) -> list[dict]:
    """The public cases; a variant (``seed``) gets problems of its own (see :func:`sizes`)."""

    def problem(**sizes):
        text = ", ".join(f"{k}={v}" for k, v in sizes.items())
        return {"kwargs": sizes, "label": f"lstm_problem({text})"}

    step_forward = {
        "function": "lstm_step_forward",
        "driver": "lstm_step_outputs",
        "oracle": "lstm_step_forward",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "names": ["h", "c"],
        "mistakes": [
            "gates_out_of_order",
            "gate_squashed_wrong",
            "cell_forgets_nothing",
            "h_not_squashed",
        ],
        "hint": "compare each piece with the LSTM of lesson 09: which columns of a each gate "
        "takes, which squashing function each gets, and which gate scales which term of c "
        "and of h.",
    }
    step_backward = {
        "function": "lstm_step_backward",
        "driver": "lstm_step_gradients",
        "oracle": "lstm_step_backward",
        "options": {"rtol": 1e-5, "atol": 1e-8},
        "names": ["dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"],
        "mistakes": ["forget_path_missing", "dc_without_dh", "gate_prime_of_z"],
    }
    backward = {
        "function": "lstm_backward",
        "driver": "lstm_sequence_gradients",
        "oracle": "lstm_backward",
        "options": {"rtol": 1e-5, "atol": 1e-8},
        "names": ["dxs", "dWx", "dWh", "db"],
        "mistakes": ["dc_not_carried", "lstm_off_by_one", "summed_once_over_time"],
    }
    gru_backward = {
        "function": "gru_step_backward",
        "driver": "gru_step_gradients",
        "oracle": "gru_step_backward",
        "options": {"rtol": 1e-5, "atol": 1e-8},
        "names": ["dx", "dh_prev", "dWx", "dWh", "db", "dbhn"],
        "mistakes": ["gru_direct_path_missing", "gru_update_swapped", "gru_reset_missing"],
    }
    steps, sequences = sizes(seed, "step"), sizes(seed, "sequence")
    return [
        *({**step_forward, **problem(**s)} for s in steps),
        # The task asks for a sigmoid that never overflows: gates at ±1000 test it.
        {**step_forward, **problem(seed=3, T=1, batch=2, n_in=2, n_hidden=2, scale=2000.0)},
        *({**step_backward, **problem(**s)} for s in steps),
        *({**backward, **problem(**s)} for s in sequences),
        *({**gru_backward, **problem(**s)} for s in steps),
    ]


# --- a seeded problem and a plain reference LSTM ------------------------------------------


def lstm_problem(
    seed: int, T: int, batch: int, n_in: int, n_hidden: int, scale: float = 1.0
) -> dict:
    """Random inputs, states, weights and upstream gradients for an LSTM, from a seed.

    ``scale`` multiplies the weights and biases: at 2000 some gates' pre-activations reach
    ±1000, where a sigmoid written as 1 / (1 + exp(−z)) overflows.
    """
    rng = np.random.default_rng(seed)
    H = n_hidden
    return {
        "xs": rng.standard_normal((T, batch, n_in)),
        "h0": 0.5 * rng.standard_normal((batch, H)),
        "c0": 0.5 * rng.standard_normal((batch, H)),
        "Wx": 0.5 * scale * rng.standard_normal((n_in, 4 * H)),
        "Wh": 0.5 * scale * rng.standard_normal((H, 4 * H)),
        "b": 0.3 * scale * rng.standard_normal(4 * H),
        "dhs": rng.standard_normal((T, batch, H)),
        "dcs": rng.standard_normal((T, batch, H)),
    }


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def step(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step (gates i, f, g, o side by side): return h, c."""
    H = h_prev.shape[1]
    z = x @ Wx + h_prev @ Wh + b
    i, f, o = sigmoid(z[:, :H]), sigmoid(z[:, H : 2 * H]), sigmoid(z[:, 3 * H :])
    c = f * c_prev + i * np.tanh(z[:, 2 * H : 3 * H])
    return o * np.tanh(c), c


def states(xs, h0, c0, Wx, Wh, b) -> np.ndarray:
    """Every hidden state of the LSTM over the sequence xs."""
    h, c, hs = h0, c0, []
    for x in xs:
        h, c = step(x, h, c, Wx, Wh, b)
        hs.append(h)
    return np.array(hs)


def gru_problem(seed: int, T: int, batch: int, n_in: int, n_hidden: int) -> dict:
    """Random input, state, GRU weights (gates r, u, n side by side) and dh, from a seed.

    Only the first step is used; ``T`` is accepted so that GRU cases share the LSTM's sizes.
    """
    rng = np.random.default_rng(seed + 500)
    H = n_hidden
    return {
        "x": rng.standard_normal((batch, n_in)),
        "h_prev": 0.5 * rng.standard_normal((batch, H)),
        "Wx": 0.5 * rng.standard_normal((n_in, 3 * H)),
        "Wh": 0.5 * rng.standard_normal((H, 3 * H)),
        "b": 0.3 * rng.standard_normal(3 * H),
        "bhn": 0.3 * rng.standard_normal(H),
        "dh": rng.standard_normal((batch, H)),
    }


def gru_step(x, h_prev, Wx, Wh, b, bhn):
    """One GRU step (PyTorch's equations; gates r, u, n side by side, PyTorch's r, z, n): h."""
    H = h_prev.shape[1]
    zx, zh = x @ Wx + b, h_prev @ Wh
    r = sigmoid(zx[:, :H] + zh[:, :H])
    u = sigmoid(zx[:, H : 2 * H] + zh[:, H : 2 * H])
    n = np.tanh(zx[:, 2 * H :] + r * (zh[:, 2 * H :] + bhn))
    return (1 - u) * n + u * h_prev


# --- drivers: call the learner's function on a case's plain inputs ------------------------


def lstm_step_outputs(namespace: dict, function: str, **sizes: int) -> Any:
    """Call ``function(x, h_prev, c_prev, Wx, Wh, b)`` on the first step of a problem."""
    p = lstm_problem(**sizes)
    args = (p["xs"][0], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])
    return plain(guarded(function_of(namespace, function), function, *args))


def lstm_step_gradients(namespace: dict, function: str, **sizes: int) -> Any:
    """Call ``function(dh, dc, x, h_prev, c_prev, Wx, Wh, b)`` on the first step."""
    p = lstm_problem(**sizes)
    args = (p["dhs"][0], p["dcs"][0], p["xs"][0], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])
    return plain(guarded(function_of(namespace, function), function, *args))


def lstm_sequence_gradients(namespace: dict, function: str, **sizes: int) -> Any:
    """Call ``function(dhs, xs, h0, c0, Wx, Wh, b)`` on a problem."""
    p = lstm_problem(**sizes)
    args = (p["dhs"], p["xs"], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])
    return plain(guarded(function_of(namespace, function), function, *args))


def gru_step_gradients(namespace: dict, function: str, **sizes: int) -> Any:
    """Call ``function(dh, x, h_prev, Wx, Wh, b, bhn)`` on a GRU problem."""
    p = gru_problem(**sizes)
    args = (p["dh"], p["x"], p["h_prev"], p["Wx"], p["Wh"], p["b"], p["bhn"])
    return plain(guarded(function_of(namespace, function), function, *args))


DRIVERS = {
    "gru_step_gradients": gru_step_gradients,
    "lstm_step_outputs": lstm_step_outputs,
    "lstm_step_gradients": lstm_step_gradients,
    "lstm_sequence_gradients": lstm_sequence_gradients,
}


# --- oracles: the expected value of a public case, computed -------------------------------


def expected_step_forward(**sizes: int) -> tuple[np.ndarray, np.ndarray]:
    p = lstm_problem(**sizes)
    return step(p["xs"][0], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"])


def expected_step_backward(**sizes: int) -> tuple[np.ndarray, ...]:
    """Gradients of <dh, h> + <dc, c> for one step, by finite differences."""
    p = lstm_problem(**sizes)

    def loss(x, h_prev, c_prev, Wx, Wh, b):
        h, c = step(x, h_prev, c_prev, Wx, Wh, b)
        return float(np.sum(p["dhs"][0] * h) + np.sum(p["dcs"][0] * c))

    return grads(loss, [p["xs"][0], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"]])


def expected_backward(**sizes: int) -> tuple[np.ndarray, ...]:
    """Gradients of Σ_t <dhs[t], h_t> w.r.t. xs, Wx, Wh, b, by finite differences."""
    p = lstm_problem(**sizes)

    def loss(xs, Wx, Wh, b):
        return float(np.sum(p["dhs"] * states(xs, p["h0"], p["c0"], Wx, Wh, b)))

    return grads(loss, [p["xs"], p["Wx"], p["Wh"], p["b"]])


def expected_gru_step_backward(**sizes: int) -> tuple[np.ndarray, ...]:
    """Gradients of <dh, h> for one GRU step, by finite differences."""
    p = gru_problem(**sizes)

    def loss(x, h_prev, Wx, Wh, b, bhn):
        return float(np.sum(p["dh"] * gru_step(x, h_prev, Wx, Wh, b, bhn)))

    return grads(loss, [p["x"], p["h_prev"], p["Wx"], p["Wh"], p["b"], p["bhn"]])


ORACLES = {
    "gru_step_backward": expected_gru_step_backward,
    "lstm_step_forward": expected_step_forward,
    "lstm_step_backward": expected_step_backward,
    "lstm_backward": expected_backward,
}
