"""Lesson 09's your-turns: the backward of one LSTM step, and one GRU step.

The lesson keeps each gate's weights apart (``Wxi``, ``Whi``, ``bi``, …), as its equations do.
``lstm_backward(params, dh, dc_next, cache)`` returns ``(dx, dh_prev, dc_prev, grads)``;
``gru_step(params, x, h_prev)`` returns ``h``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.steps import Case, Step, call
from bpkit.gated import sigmoid

GATES = "ifgo"


def lstm_backward(params, dh, dc_next, cache):
    """Backward of one LSTM step: return dx, dh_prev, dc_prev and the step's parameter grads."""
    x, h_prev, c_prev, i, f, g, o, c = cache
    tanh_c = np.tanh(c)
    dc = dc_next + dh * o * (1 - tanh_c**2)  # both paths into c_t
    dz = {
        "i": dc * g * i * (1 - i),
        "f": dc * c_prev * f * (1 - f),
        "g": dc * i * (1 - g**2),
        "o": dh * tanh_c * o * (1 - o),
    }
    grads, dx, dh_prev = {}, 0.0, 0.0
    for n in GATES:
        grads["Wx" + n], grads["Wh" + n] = x.T @ dz[n], h_prev.T @ dz[n]
        grads["b" + n] = dz[n].sum(axis=0)
        dx = dx + dz[n] @ params["Wx" + n].T
        dh_prev = dh_prev + dz[n] @ params["Wh" + n].T
    return dx, dh_prev, dc * f, grads


def gru_step(params, x, h_prev):
    """One GRU step (PyTorch's equations). Shapes: x (batch, n_in), h_prev (batch, H) → h."""
    r = sigmoid(x @ params["Wxr"] + h_prev @ params["Whr"] + params["br"])
    u = sigmoid(x @ params["Wxu"] + h_prev @ params["Whu"] + params["bu"])
    n = np.tanh(x @ params["Wxn"] + params["bn"] + r * (h_prev @ params["Whn"] + params["bhn"]))
    return (1 - u) * n + u * h_prev


def lstm_params(n_in: int, H: int, seed: int) -> dict[str, np.ndarray]:
    """Random per-gate LSTM weights, as the lesson builds them."""
    rng = np.random.default_rng(seed)
    params = {}
    for n in GATES:
        params["Wx" + n] = rng.standard_normal((n_in, H)) / np.sqrt(n_in)
        params["Wh" + n] = rng.standard_normal((H, H)) / np.sqrt(H)
        params["b" + n] = 0.3 * rng.standard_normal(H)
    return params


def gru_params(n_in: int, H: int, seed: int) -> dict[str, np.ndarray]:
    """Random per-gate GRU weights (r: reset, u: update, n: candidate), plus bhn."""
    rng = np.random.default_rng(seed)
    params = {}
    for n in "run":
        params["Wx" + n] = rng.standard_normal((n_in, H)) / np.sqrt(n_in)
        params["Wh" + n] = rng.standard_normal((H, H)) / np.sqrt(H)
        params["b" + n] = 0.3 * rng.standard_normal(H)
    params["bhn"] = 0.3 * rng.standard_normal(H)
    return params


def lstm_cache(params: dict, x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray) -> tuple:
    """The forward step's cache (x, h_prev, c_prev, i, f, g, o, c), as the lesson keeps it."""
    z = {n: x @ params["Wx" + n] + h_prev @ params["Wh" + n] + params["b" + n] for n in GATES}
    i, f, o, g = sigmoid(z["i"]), sigmoid(z["f"]), sigmoid(z["o"]), np.tanh(z["g"])
    c = f * c_prev + i * g
    return (x, h_prev, c_prev, i, f, g, o, c)


def _lstm_case(batch: int, n_in: int, H: int, seed: int, carried: bool = True) -> Case:
    rng = np.random.default_rng(seed + 100)
    params = lstm_params(n_in, H, seed)
    x = rng.standard_normal((batch, n_in))
    h_prev, c_prev = rng.standard_normal((2, batch, H)) * 0.5
    dh = rng.standard_normal((batch, H))
    dc_next = rng.standard_normal((batch, H)) if carried else np.zeros((batch, H))
    case = call(params, dh, dc_next, lstm_cache(params, x, h_prev, c_prev))
    case.label = f"batch {batch}, n_in {n_in}, H {H}" + ("" if carried else ", dc_next = 0")
    return case


def _gru_case(batch: int, n_in: int, H: int, seed: int) -> Case:
    rng = np.random.default_rng(seed + 200)
    params = gru_params(n_in, H, seed)
    x, h_prev = rng.standard_normal((batch, n_in)), 0.5 * rng.standard_normal((batch, H))
    case = call(params, x, h_prev)
    case.label = f"batch {batch}, n_in {n_in}, H {H}"
    return case


def _dropped_dc_next(case: Case, got: Any, expected: Any) -> str | None:
    """dc misses the part carried back from step t + 1."""
    params, dh, dc_next, cache = case.args
    if not np.any(dc_next):
        return None
    no_carry = lstm_backward(params, dh, np.zeros_like(dc_next), cache)
    if np.allclose(got[2], no_carry[2]) and not np.allclose(got[2], expected[2]):
        return "dc_t has two parts: dh ⊙ o ⊙ (1 − tanh² c_t) and dc_next carried back from t + 1."
    return None


def _sigmoid_slope(case: Case, got: Any, expected: Any) -> str | None:
    """The gates' dz forgot σ' = σ(1 − σ) (or tanh')."""
    grads = got[3]
    if isinstance(grads, dict) and "bi" in grads and "bi" in expected[3]:
        _, dh, dc_next, cache = case.args
        g, o, c = cache[5], cache[6], cache[7]
        dc = dc_next + dh * o * (1 - np.tanh(c) ** 2)
        if np.allclose(grads["bi"], (dc * g).sum(axis=0)):
            return "through i = σ(z_i), multiply by σ'(z_i) = i ⊙ (1 − i)."
    return None


def _update_swapped(case: Case, got: Any, expected: Any) -> str | None:
    """h = u ⊙ n + (1 − u) ⊙ h_prev: the update gate's two sides swapped."""
    params, x, h_prev = case.args
    u = sigmoid(x @ params["Wxu"] + h_prev @ params["Whu"] + params["bu"])
    n = (expected - u * h_prev) / (1 - u)
    if np.allclose(got, u * n + (1 - u) * h_prev):
        return "PyTorch's GRU keeps the old state with u: h = (1 − u) ⊙ n + u ⊙ h_prev."
    return None


STEPS = [
    Step(
        name="lstm_backward",
        reference=lstm_backward,
        cases=[
            _lstm_case(1, 2, 3, seed=0, carried=False),
            _lstm_case(2, 3, 4, seed=1),
            _lstm_case(5, 4, 6, seed=2),
        ],
        mistakes=[_dropped_dc_next, _sigmoid_slope],
    ),
    Step(
        name="gru_step",
        reference=gru_step,
        cases=[_gru_case(1, 2, 3, seed=0), _gru_case(3, 4, 5, seed=1)],
        mistakes=[_update_swapped],
    ),
]
