"""Mistake detectors for exercise 08_bptt: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.hints import as_array, close, part


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
    clipped = part(got, 0)
    if isinstance(clipped, dict) and all(close(clipped.get(k), v) for k, v in per_array.items()):
        return (
            "you clipped each array by its own norm; clip by the norm of all of them together, "
            "so the whole gradient keeps its direction."
        )
    return None


def clip_always(case, got, expected, error):
    grads, max_norm = case["args"]
    norm = expected[1]
    clipped = part(got, 0)
    if norm <= max_norm and isinstance(clipped, dict):
        scaled = {k: np.asarray(v) * max_norm / norm for k, v in grads.items()}
        if all(close(clipped.get(k), v) for k, v in scaled.items()):
            return "the norm was already below max_norm: then leave the gradients unchanged."
    return None
