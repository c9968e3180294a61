"""Lesson 08's your-turns: one step of BPTT, and clipping by the global norm."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.steps import Case, Step, call


def bptt_step(params, x, h_prev, h, dh):
    """One step back through h = tanh(x Wxh + h_prev Whh + bh), given dh = dL/dh_t.

    Returns (grads, dx, dh_prev): this step's share of dL/dWxh, dL/dWhh, dL/dbh, then
    dL/dx_t and the gradient sent on to h_{t-1}.
    """
    delta = dh * (1 - h**2)  # δ_t = dL/dz_t
    grads = {
        "Wxh": x.T @ delta,
        "Whh": h_prev.T @ delta,
        "bh": delta.sum(axis=0),
    }
    dx = delta @ params["Wxh"].T
    dh_prev = delta @ params["Whh"].T
    return grads, dx, dh_prev


def clip_by_global_norm(grads, max_norm):
    """Return (clipped grads, norm before): all gradients scaled by min(1, max_norm / ‖g‖)."""
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    scale = min(1.0, max_norm / norm)
    return {name: g * scale for name, g in grads.items()}, norm


def _bptt_case(batch: int, n_in: int, n_hidden: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    params = {
        "Wxh": rng.standard_normal((n_in, n_hidden)),
        "Whh": rng.standard_normal((n_hidden, n_hidden)),
        "bh": rng.standard_normal(n_hidden),
    }
    x = rng.standard_normal((batch, n_in))
    h_prev = np.tanh(rng.standard_normal((batch, n_hidden)))
    h = np.tanh(x @ params["Wxh"] + h_prev @ params["Whh"] + params["bh"])
    return call(params, x, h_prev, h, rng.standard_normal((batch, n_hidden)))


def _grads(got: Any) -> dict:
    return got[0]


def _forgot_tanh_slope(case: Case, got: Any, expected: Any) -> str | None:
    x, dh = case.args[1], case.args[4]
    if np.allclose(_grads(got)["Wxh"], x.T @ dh):
        return "δ_t = dL/dh_t ⊙ (1 − h_t²): multiply by tanh's slope before using it."
    return None


def _used_h_for_whh(case: Case, got: Any, expected: Any) -> str | None:
    h, dh = case.args[3], case.args[4]
    delta = dh * (1 - h**2)
    if np.allclose(_grads(got)["Whh"], h.T @ delta):
        return "W_hh multiplies the state coming in, h_{t-1}: dL/dWhh = h_prevᵀ δ, not hᵀ δ."
    return None


def _forgot_transpose(case: Case, got: Any, expected: Any) -> str | None:
    params, h, dh = case.args[0], case.args[3], case.args[4]
    delta = dh * (1 - h**2)
    if np.allclose(got[2], delta @ params["Whh"]):
        return "going back through h_prev @ Whh multiplies by Whhᵀ: dh_prev = δ Whhᵀ."
    return None


def _scaled_always(case: Case, got: Any, expected: Any) -> str | None:
    grads, max_norm = case.args
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    if norm < max_norm and not np.allclose(got[0]["W"], grads["W"]):
        return "a gradient already shorter than max_norm stays as it is: scale by min(1, c/‖g‖)."
    return None


def _per_parameter(case: Case, got: Any, expected: Any) -> str | None:
    grads, max_norm = case.args
    each = {n: g * min(1.0, max_norm / np.linalg.norm(g)) for n, g in grads.items()}
    if all(np.allclose(got[0][n], each[n]) for n in grads):
        return "take one norm over all gradients together (one long vector), not one per array."
    return None


def _by_value(case: Case, got: Any, expected: Any) -> str | None:
    grads, max_norm = case.args
    if all(np.allclose(got[0][n], np.clip(g, -max_norm, max_norm)) for n, g in grads.items()):
        return "that clips each entry (by value); clip by norm scales every gradient by one number."
    return None


def _clip_cases() -> list[Case]:
    rng = np.random.default_rng(8)
    big = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    return [
        call({"W": np.array([2.0, 1.0]), "b": np.array([2.0])}, 1.0),
        call({"W": np.array([0.2, 0.1]), "b": np.array([0.2])}, 1.0),
        call(big, 0.5),
    ]


STEPS = [
    Step(
        name="bptt_step",
        reference=bptt_step,
        cases=[_bptt_case(1, 1, 2, 0), _bptt_case(2, 3, 4, 1), _bptt_case(5, 2, 6, 2)],
        mistakes=[_forgot_tanh_slope, _used_h_for_whh, _forgot_transpose],
    ),
    Step(
        name="clip_by_global_norm",
        reference=clip_by_global_norm,
        cases=_clip_cases(),
        mistakes=[_scaled_always, _by_value, _per_parameter],
    ),
]
