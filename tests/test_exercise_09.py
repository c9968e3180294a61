"""Exercise 09 (gated recurrence): each hint is given for the mistaken code it names."""

from __future__ import annotations

import numpy as np
import pytest

from bpkit.check import check


def sigmoid(z):
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def gates(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), sigmoid(a[:, 3 * H :])
    return i, f, np.tanh(a[:, 2 * H : 3 * H]), o


def step_backward(dh, dc, x, h_prev, c_prev, Wx, Wh, b, forget=True, through_h=True):
    """One step backward, optionally with one of two mistakes in the cell-state gradient."""
    i, f, g, o = gates(x, h_prev, Wx, Wh, b)
    tanh_c = np.tanh(f * c_prev + i * g)
    dc_total = dc + dh * o * (1 - tanh_c**2) if through_h else dc
    parts = [dc_total * g * i * (1 - i), dc_total * c_prev * f * (1 - f), dc_total * i * (1 - g**2)]
    da = np.concatenate([*parts, dh * tanh_c * o * (1 - o)], axis=1)
    dc_prev = dc_total * f if forget else dc_total
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def no_forget_path(dh, dc, x, h_prev, c_prev, Wx, Wh, b):
    return step_backward(dh, dc, x, h_prev, c_prev, Wx, Wh, b, forget=False)  # dc_prev = dc


def dc_only_from_later_steps(dh, dc, x, h_prev, c_prev, Wx, Wh, b):
    return step_backward(dh, dc, x, h_prev, c_prev, Wx, Wh, b, through_h=False)


def sequence_backward(dhs, xs, h0, c0, Wx, Wh, b, carry_dc=True):
    """BPTT over a sequence, optionally without carrying dc from step to step."""
    hs, cs, h, c = [], [], h0, c0
    for x in xs:
        i, f, g, o = gates(x, h, Wx, Wh, b)
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
        cs.append(c)
    dxs, dWx, dWh, db = np.zeros_like(xs), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in reversed(range(len(xs))):
        h_prev, c_prev = (hs[t - 1], cs[t - 1]) if t else (h0, c0)
        dc_in = dc_next if carry_dc else np.zeros_like(c0)
        dx, dh_next, dc_next, dwx, dwh, dbt = step_backward(
            dhs[t] + dh_next, dc_in, xs[t], h_prev, c_prev, Wx, Wh, b
        )
        dxs[t] = dx
        dWx, dWh, db = dWx + dwx, dWh + dwh, db + dbt
    return dxs, dWx, dWh, db


def dc_not_carried(dhs, xs, h0, c0, Wx, Wh, b):
    return sequence_backward(dhs, xs, h0, c0, Wx, Wh, b, carry_dc=False)


def off_by_one(dhs, xs, h0, c0, Wx, Wh, b):
    """dWh += h_tᵀ da_t instead of h_{t−1}ᵀ da_t."""
    dxs, dWx, _, db = sequence_backward(dhs, xs, h0, c0, Wx, Wh, b)
    hs, cs, h, c = [], [], h0, c0
    for x in xs:
        i, f, g, o = gates(x, h, Wx, Wh, b)
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
        cs.append(c)
    dh_next, dc_next, dWh = np.zeros_like(h0), np.zeros_like(c0), np.zeros_like(Wh)
    for t in reversed(range(len(xs))):
        h_prev, c_prev = (hs[t - 1], cs[t - 1]) if t else (h0, c0)
        i, f, g, o = gates(xs[t], h_prev, Wx, Wh, b)
        tanh_c = np.tanh(cs[t])
        dh = dhs[t] + dh_next
        dc = dc_next + dh * o * (1 - tanh_c**2)
        parts = [dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2)]
        da = np.concatenate([*parts, dh * tanh_c * o * (1 - o)], axis=1)
        dWh += hs[t].T @ da  # should be h_prev
        dh_next, dc_next = da @ Wh.T, dc * f
    return dxs, dWx, dWh, db


MISTAKES = [
    ("lstm_step_backward", no_forget_path, "dc_prev misses the forget gate"),
    ("lstm_step_backward", dc_only_from_later_steps, "the cell-state gradient has two parts"),
    ("lstm_backward", dc_not_carried, "you carry dh back in time but not dc"),
    ("lstm_backward", off_by_one, "off-by-one time index"),
]


@pytest.mark.parametrize(("name", "buggy", "hint"), MISTAKES, ids=[m[1].__name__ for m in MISTAKES])
def test_check_names_the_lstm_mistake(capsys, name, buggy, hint):
    """A buggy LSTM backward gets ✗, the smallest failing input, and the named hint."""
    buggy.__name__ = name
    check(buggy)
    out = capsys.readouterr().out
    assert out.startswith(f"✗ {name}: ")
    assert "The smallest failing input:" in out
    assert hint in out.split("hint:")[-1]


def test_correct_code_passes(capsys):
    """The mistake-free versions used above pass every public case."""
    for name, fn in [("lstm_step_backward", step_backward), ("lstm_backward", sequence_backward)]:

        def correct(*args, fn=fn):
            return fn(*args)

        correct.__name__ = name
        check(correct)
        assert capsys.readouterr().out.startswith(f"✓ {name}: all")


def gru_backward(dh, x, h_prev, Wx, Wh, b, bhn, direct=True, swapped=False):
    """One GRU step backward, optionally with one of two mistakes."""
    H = h_prev.shape[1]
    zx, zh = x @ Wx + b, h_prev @ Wh
    r, z = sigmoid(zx[:, :H] + zh[:, :H]), sigmoid(zx[:, H : 2 * H] + zh[:, H : 2 * H])
    hn = zh[:, 2 * H :] + bhn
    n = np.tanh(zx[:, 2 * H :] + r * hn)
    keep, write, sign = (1 - z, z, -1.0) if swapped else (z, 1 - z, 1.0)
    dz_n = dh * write * (1 - n**2)
    dz_z = sign * dh * (h_prev - n) * z * (1 - z)
    dz_r = dz_n * hn * r * (1 - r)
    dzx = np.concatenate([dz_r, dz_z, dz_n], axis=1)
    dzh = np.concatenate([dz_r, dz_z, dz_n * r], axis=1)
    dh_prev = dzh @ Wh.T + (dh * keep if direct else 0.0)
    return dzx @ Wx.T, dh_prev, x.T @ dzx, h_prev.T @ dzh, dzx.sum(axis=0), (dz_n * r).sum(axis=0)


def gru_no_direct_path(dh, x, h_prev, Wx, Wh, b, bhn):
    return gru_backward(dh, x, h_prev, Wx, Wh, b, bhn, direct=False)


def gru_swapped(dh, x, h_prev, Wx, Wh, b, bhn):
    return gru_backward(dh, x, h_prev, Wx, Wh, b, bhn, swapped=True)


@pytest.mark.parametrize(
    ("buggy", "hint"),
    [(gru_no_direct_path, "misses the direct path"), (gru_swapped, "two sides are swapped")],
    ids=["no_direct_path", "swapped"],
)
def test_check_names_the_gru_mistake(capsys, buggy, hint):
    """A buggy GRU step backward gets ✗ and the named hint."""
    buggy.__name__ = "gru_step_backward"
    check(buggy)
    out = capsys.readouterr().out
    assert out.startswith("✗ gru_step_backward: ")
    assert hint in out.split("hint:")[-1]


def test_correct_gru_backward_passes_and_equals_the_library(capsys):
    """The reference passes every public case, and agrees with bpkit.gated.GRU's backward."""
    from bpkit.gated import GRU

    def gru_step_backward(*args):
        return gru_backward(*args)

    check(gru_step_backward)
    assert capsys.readouterr().out.startswith("✓ gru_step_backward: all")
    rng = np.random.default_rng(3)
    layer = GRU(3, 4, seed=3)
    layer.params["bhn"][...] = rng.standard_normal(4)
    x, h0, dh = (
        rng.standard_normal((2, 3)),
        rng.standard_normal((2, 4)),
        rng.standard_normal((2, 4)),
    )
    layer.forward(x[None], h0)
    dxs = layer.backward(dh[None])
    p = layer.params
    dx, dh_prev, dWx, dWh, db, dbhn = gru_backward(dh, x, h0, p["Wx"], p["Wh"], p["b"], p["bhn"])
    assert np.allclose(dxs[0], dx)
    assert np.allclose(layer.dh0, dh_prev)
    for name, mine in [("Wx", dWx), ("Wh", dWh), ("b", db), ("bhn", dbhn)]:
        assert np.allclose(layer.grads[name], mine), name
