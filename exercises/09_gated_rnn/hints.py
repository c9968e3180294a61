"""Mistake detectors for exercise 09_gated_rnn: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``). Each one recomputes the mistaken answer on the case's problem and
answers only when the learner's result equals it.
"""

from __future__ import annotations

import numpy as np

from bpkit.check.exercises import sibling
from bpkit.check.hints import as_array, close, part


def _cases():
    return sibling(__file__, "cases")


def _step_backward(p, carry_forget=True, dc_from_dh=True):
    """The step gradients with (or without) the two parts of the cell-state gradient."""
    cases = _cases()
    x, h_prev, c_prev, Wx, Wh, b = p["xs"][0], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"]
    dh, dc = p["dhs"][0], p["dcs"][0]
    H = h_prev.shape[1]
    z = x @ Wx + h_prev @ Wh + b
    i, f = cases.sigmoid(z[:, :H]), cases.sigmoid(z[:, H : 2 * H])
    g, o = np.tanh(z[:, 2 * H : 3 * H]), cases.sigmoid(z[:, 3 * H :])
    tanh_c = np.tanh(f * c_prev + i * g)  # tanh(c_t)
    if dc_from_dh:
        dc = dc + dh * o * (1 - tanh_c**2)
    return dc * f if carry_forget else dc


def forget_path_missing(case, got, expected, error):
    dc_prev = as_array(part(got, 2))
    if dc_prev is None or close(dc_prev, expected[2]):
        return None
    p = _cases().lstm_problem(**case["kwargs"])
    if close(dc_prev, _step_backward(p, carry_forget=False)) or close(dc_prev, 0 * expected[2]):
        return (
            "dc_prev misses the forget gate: c = f ⊙ c_prev + i ⊙ g, so the gradient that flows "
            "back along the cell state is dc_prev = dc_total ⊙ f (not dc_total, not 0)."
        )
    return None


def dc_without_dh(case, got, expected, error):
    dc_prev = as_array(part(got, 2))
    if dc_prev is None or close(dc_prev, expected[2]):
        return None
    p = _cases().lstm_problem(**case["kwargs"])
    if close(dc_prev, _step_backward(p, dc_from_dh=False)):
        return (
            "the cell-state gradient has two parts: the dc that arrives from the next step, and "
            "the part through h = o ⊙ tanh(c): dc_total = dc + dh ⊙ o ⊙ (1 − tanh²(c))."
        )
    return None


def _sequence(p, carry_dc=True, shift=False):
    """Sequence gradients, optionally without carrying dc or with h_t in place of h_{t-1}."""
    cases = _cases()
    xs, Wx, Wh, b = p["xs"], p["Wx"], p["Wh"], p["b"]
    T, batch, _ = xs.shape
    H = Wh.shape[0]
    hs, cs, zs = [], [], []
    h, c = p["h0"], p["c0"]
    for x in xs:
        z = x @ Wx + h @ Wh + b  # the four gates' pre-activations
        zs.append(z)
        h, c = cases.step(x, h, c, Wx, Wh, b)
        hs.append(h)
        cs.append(c)
    dxs, dWx, dWh, db = np.zeros_like(xs), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next, dc_next = np.zeros((batch, H)), np.zeros((batch, H))
    for t in reversed(range(T)):
        z = zs[t]
        i, f = cases.sigmoid(z[:, :H]), cases.sigmoid(z[:, H : 2 * H])
        g, o = np.tanh(z[:, 2 * H : 3 * H]), cases.sigmoid(z[:, 3 * H :])
        c_prev = cs[t - 1] if t else p["c0"]
        h_prev = hs[t] if shift else (hs[t - 1] if t else p["h0"])
        tanh_c = np.tanh(cs[t])
        dh = p["dhs"][t] + dh_next
        dc = (dc_next if carry_dc else 0) + dh * o * (1 - tanh_c**2)
        dz = np.concatenate(
            [
                dc * g * i * (1 - i),
                dc * c_prev * f * (1 - f),
                dc * i * (1 - g**2),
                dh * tanh_c * o * (1 - o),
            ],
            axis=1,
        )
        dxs[t], dWx, dWh, db = dz @ Wx.T, dWx + xs[t].T @ dz, dWh + h_prev.T @ dz, db + dz.sum(0)
        dh_next, dc_next = dz @ Wh.T, dc * f
    return dxs, dWx, dWh, db


def _matches(got, want) -> bool:
    return (
        isinstance(got, tuple | list)
        and len(got) == 4
        and all(close(g, w) for g, w in zip(got, want, strict=True))
    )


def dc_not_carried(case, got, expected, error):
    p = _cases().lstm_problem(**case["kwargs"])
    if len(p["xs"]) > 1 and _matches(got, _sequence(p, carry_dc=False)):
        return (
            "you carry dh back in time but not dc: the cell state is a path of its own. Keep "
            "dc_next = dc_total ⊙ f from step t and add it into step t − 1's dc."
        )
    return None


def lstm_off_by_one(case, got, expected, error):
    p = _cases().lstm_problem(**case["kwargs"])
    if _matches(got, _sequence(p, shift=True)):
        return (
            "off-by-one time index: step t multiplies Wh by the previous state h_{t−1} (h0 at "
            "t = 0), so dWh += h_{t−1}ᵀ @ da_t, not h_tᵀ."
        )
    return None


def _gru_reference(p, direct=True, swapped=False, reset=True):
    """dh_prev of one GRU step, with (or without) one of two mistakes."""
    cases = _cases()
    x, h_prev, Wx, Wh, b, bhn, dh = (p[k] for k in ("x", "h_prev", "Wx", "Wh", "b", "bhn", "dh"))
    H = h_prev.shape[1]
    zx, zh = x @ Wx + b, h_prev @ Wh
    r = cases.sigmoid(zx[:, :H] + zh[:, :H])
    u = cases.sigmoid(zx[:, H : 2 * H] + zh[:, H : 2 * H])
    hn = zh[:, 2 * H :] + bhn
    n = np.tanh(zx[:, 2 * H :] + r * hn)
    keep, write = (1 - u, u) if swapped else (u, 1 - u)
    dz_n = dh * write * (1 - n**2)
    sign = -1.0 if swapped else 1.0
    dz_u = sign * dh * (h_prev - n) * u * (1 - u)
    dz_r = dz_n * hn * r * (1 - r)
    dzh = np.concatenate([dz_r, dz_u, dz_n * r if reset else dz_n], axis=1)
    return dzh @ Wh.T + (dh * keep if direct else 0.0)


def gru_direct_path_missing(case, got, expected, error):
    dh_prev = as_array(part(got, 1))
    if dh_prev is None or close(dh_prev, expected[1]):
        return None
    p = _cases().gru_problem(**case["kwargs"])
    if close(dh_prev, _gru_reference(p, direct=False)):
        return (
            "dh_prev misses the direct path: h = (1 − u) ⊙ n + u ⊙ h_prev sends dh ⊙ u "
            "straight to h_prev, besides what goes back through the gates' W_h."
        )
    return None


def gru_reset_missing(case, got, expected, error):
    dh_prev = as_array(part(got, 1))
    if dh_prev is None or close(dh_prev, expected[1]):
        return None
    p = _cases().gru_problem(**case["kwargs"])
    if close(dh_prev, _gru_reference(p, reset=False)):
        return (
            "the candidate reads h_prev through the reset gate, n = tanh(z_n + r ⊙ (h_prev W_hn + "
            "b_hn)), so the gradient into h_prev W_hn carries the factor r."
        )
    return None


def gru_update_swapped(case, got, expected, error):
    dh_prev = as_array(part(got, 1))
    if dh_prev is None or close(dh_prev, expected[1]):
        return None
    p = _cases().gru_problem(**case["kwargs"])
    if close(dh_prev, _gru_reference(p, swapped=True)):
        return (
            "the update gate's two sides are swapped: the GRU keeps the old state with u, "
            "h = (1 − u) ⊙ n + u ⊙ h_prev."
        )
    return None


def _step_all(p, prime_of_z=False):
    """All six gradients of one LSTM step; with ``prime_of_z``, each σ′ taken as z·(1 − z)."""
    cases = _cases()
    x, h_prev, c_prev, Wx, Wh, b = p["xs"][0], p["h0"], p["c0"], p["Wx"], p["Wh"], p["b"]
    dh, dc = p["dhs"][0], p["dcs"][0]
    H = h_prev.shape[1]
    z = x @ Wx + h_prev @ Wh + b
    zi, zf, zg, zo = z[:, :H], z[:, H : 2 * H], z[:, 2 * H : 3 * H], z[:, 3 * H :]
    i, f, g, o = cases.sigmoid(zi), cases.sigmoid(zf), np.tanh(zg), cases.sigmoid(zo)

    def prime(s, pre):
        return pre * (1 - pre) if prime_of_z else s * (1 - s)

    tanh_c = np.tanh(f * c_prev + i * g)
    dc_total = dc + dh * o * (1 - tanh_c**2)
    dz = np.concatenate(
        [
            dc_total * g * prime(i, zi),
            dc_total * c_prev * prime(f, zf),
            dc_total * i * (1 - g**2),
            dh * tanh_c * prime(o, zo),
        ],
        axis=1,
    )
    return (dz @ Wx.T, dz @ Wh.T, dc_total * f, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0))


def gate_prime_of_z(case, got, expected, error):
    """σ′ of a gate computed from its pre-activation z instead of its output σ(z)."""
    p = _cases().lstm_problem(**case["kwargs"])
    wrong = _step_all(p, prime_of_z=True)
    if close(part(got, 3), wrong[3]) and not close(wrong[3], expected[3]):
        return (
            "σ′ from the wrong variable: the identity σ′(z) = σ(z)·(1 − σ(z)) takes the gate's "
            "output (i, f or o), not its pre-activation z."
        )
    return None


# --- lstm_step_forward: each detector rebuilds one wrong step and compares (h, c) ---------


def _forward(case, order=(0, 1, 2, 3), squash=None, forget=True, squash_c=True):
    """(h, c) of one step, with the gates read from other blocks of z (``order`` gives the
    block of i, f, g, o), other squashing functions, no forget gate, or h = o ⊙ c."""
    cases = _cases()
    p = cases.lstm_problem(**case["kwargs"])
    x, h_prev, c_prev = p["xs"][0], p["h0"], p["c0"]
    H = h_prev.shape[1]
    z = x @ p["Wx"] + h_prev @ p["Wh"] + p["b"]
    blocks = [z[:, k * H : (k + 1) * H] for k in order]
    fns = squash or (cases.sigmoid, cases.sigmoid, np.tanh, cases.sigmoid)
    i, f, g, o = (fn(block) for fn, block in zip(fns, blocks, strict=True))
    c = (f * c_prev if forget else c_prev) + i * g
    return o * (np.tanh(c) if squash_c else c), c


def _same_step(got, want) -> bool:
    return isinstance(got, tuple | list) and len(got) == 2 and all(map(close, got, want))


def gates_out_of_order(case, got, expected, error):
    """The four gates read from the blocks of z in another order (i, f, o, g, say)."""
    from itertools import permutations

    for order in permutations(range(4)):
        if order != (0, 1, 2, 3) and _same_step(got, _forward(case, order=order)):
            return (
                "your gates read the wrong blocks of z: the task lays them side by side in "
                "the order i, f, g, o, H columns each. Check which block each gate takes."
            )
    return None


def gate_squashed_wrong(case, got, expected, error):
    """A tanh where a gate needs a sigmoid, or a sigmoid for the candidate g."""
    cases = _cases()
    s, t = cases.sigmoid, np.tanh
    for fns in [(s, s, s, s), (t, t, t, t), (s, s, t, t), (t, t, s, t), (s, t, t, s)]:
        if _same_step(got, _forward(case, squash=fns)):
            return (
                "a squashing function is swapped: a gate (i, f, o) is a fraction of what "
                "passes, between 0 and 1, so it is a sigmoid; the candidate g is a new value "
                "between −1 and 1, so it is a tanh."
            )
    return None


def cell_forgets_nothing(case, got, expected, error):
    if _same_step(got, _forward(case, forget=False)):
        return (
            "your cell keeps all of c_prev: the forget gate is what decides how much of the "
            "old cell state survives the step."
        )
    return None


def h_not_squashed(case, got, expected, error):
    if _same_step(got, _forward(case, squash_c=False)):
        return (
            "c is right but h is not: the cell state may grow without bound, so h shows it "
            "squashed into (−1, 1) before the output gate scales it."
        )
    return None
