"""Mistake detectors for exercise 08_bptt: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.exercises import sibling
from bpkit.check.hints import as_array, close, part, transpose_in_matmul

cases = sibling(__file__, "cases")


def bptt_off_by_one(case, got, expected, error):
    if not isinstance(got, tuple) or len(got) != 4:
        return None
    ok = [close(g, e, rtol=1e-4, atol=1e-6) for g, e in zip(got, expected, strict=True)]
    if ok[0] and ok[1] and ok[3] and not ok[2]:
        return (
            "off-by-one time index: everything is right except dWhh. Step t multiplies Whh by "
            "the previous state h_{t−1} (h0 at t = 0), so dWhh += h_{t−1}ᵀ @ dz_t, not h_tᵀ."
        )
    return None


def bptt_no_carry(case, got, expected, error):
    dxs, want = as_array(part(got, 0)), expected[0]
    if dxs is None or dxs.shape != want.shape or len(want) < 2:
        return None
    if close(dxs[-1], want[-1]) and not close(dxs[:-1], want[:-1]):
        return (
            "the last step is right but earlier ones are not: carry the gradient back in time. "
            "dh_{t−1} gets dhs[t−1] plus dz_t @ Whhᵀ from step t."
        )
    return None


def clip_per_array(case, got, expected, error):
    grads, max_norm = case["args"]
    per_array = {k: np.asarray(v) * min(1, max_norm / np.linalg.norm(v)) for k, v in grads.items()}
    capped = {k: np.clip(np.asarray(v), -max_norm, max_norm) for k, v in grads.items()}
    clipped = part(got, 0)
    if not isinstance(clipped, dict) or not all(
        close(clipped.get(k), v) for k, v in per_array.items()
    ):
        return None
    if all(close(per_array[k], capped[k]) for k in grads):  # this case cannot tell them apart
        return (
            "you clipped each part on its own (each array by its own norm, or each number with "
            "np.clip); clip by the norm of all of them together, so the whole gradient keeps "
            "its direction."
        )
    return (
        "you clipped each array by its own norm; clip by the norm of all of them together, "
        "so the whole gradient keeps its direction."
    )


def clip_always(case, got, expected, error):
    grads, max_norm = case["args"]
    norm = expected[1]
    clipped = part(got, 0)
    if norm <= max_norm and isinstance(clipped, dict):
        scaled = {k: np.asarray(v) * max_norm / norm for k, v in grads.items()}
        if all(close(clipped.get(k), v) for k, v in scaled.items()):
            return "the norm was already below max_norm: then leave the gradients unchanged."
    return None


def matmul_transpose(case, got, expected, error):
    """``dz @ Wxh`` where ``dz @ Wxh.T`` belongs: numpy's shape error, explained."""
    sizes = case.get("kwargs", {})
    if not {"batch", "n_in", "n_hidden"} <= set(sizes):
        return None
    batch, n_in, n_hidden = sizes["batch"], sizes["n_in"], sizes["n_hidden"]
    operands = [
        ("dz", (batch, n_hidden)),
        ("Wxh", (n_in, n_hidden)),
        ("Whh", (n_hidden, n_hidden)),
        ("xs[t]", (batch, n_in)),
    ]
    return transpose_in_matmul(error, operands)


def _forward_args(case):
    return [np.asarray(a, dtype=np.float64) for a in case["args"]]


def forward_from_zero(case, got, expected, error):
    xs, h0, Wxh, Whh, bh = _forward_args(case)
    zero = cases.expected_rnn_forward(xs, np.zeros_like(h0), Wxh, Whh, bh)
    if close(got, zero) and not close(zero, expected):
        return "you started from zeros: the first step's previous state is h0, the one given."
    return None


def forward_no_tanh(case, got, expected, error):
    xs, h, Wxh, Whh, bh = _forward_args(case)
    states = []
    for x_t in xs:
        h = x_t @ Wxh + h @ Whh + bh
        states.append(h)
    if close(got, np.array(states)):
        return "your states are the pre-activations: each step ends by passing z_t through tanh."
    return None


def forward_h0_every_step(case, got, expected, error):
    xs, h0, Wxh, Whh, bh = _forward_args(case)
    frozen = np.array([np.tanh(x_t @ Wxh + h0 @ Whh + bh) for x_t in xs])
    if len(xs) > 1 and close(got, frozen):
        return (
            "every step used h0 as its previous state: the recurrence feeds each new state, "
            "h_{t−1}, into the next step."
        )
    return None


def bptt_no_tanh_prime(case, got, expected, error):
    if not isinstance(got, tuple) or len(got) != 4:
        return None
    p = cases.rnn_problem(**case.get("kwargs", {}))
    dh_next, dxs = np.zeros_like(p["h0"]), np.zeros_like(p["xs"])
    for t in reversed(range(len(p["xs"]))):
        dz = p["dhs"][t] + dh_next  # tanh′ left out
        dxs[t] = dz @ p["Wxh"].T
        dh_next = dz @ p["Whh"].T
    if close(got[0], dxs):
        return (
            "the gradient skipped tanh′: on its way back through h_t = tanh(z_t) it is "
            "multiplied by tanh′(z_t) = 1 − h_t² before it reaches the weights, the input and "
            "the step before."
        )
    return None


def clip_elementwise(case, got, expected, error):
    grads, max_norm = case["args"]
    clipped = part(got, 0)
    capped = {k: np.clip(np.asarray(v), -max_norm, max_norm) for k, v in grads.items()}
    if isinstance(clipped, dict) and all(close(clipped.get(k), v) for k, v in capped.items()):
        return (
            "np.clip caps each number on its own, which bends the gradient's direction; clipping "
            "by norm rescales all of them by one factor, so the direction stays."
        )
    return None
