"""Learner mistakes for exercise 09 (the LSTM and the GRU): see ``ex01_04.py``."""

_SOLUTION_FORWARD = """\
import numpy as np
def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    z = x @ Wx + h_prev @ Wh + b
    def sigmoid(v):
        return {sigmoid}
    i, f, o = sigmoid(z[:, :H]), sigmoid(z[:, H : 2 * H]), sigmoid(z[:, 3 * H :])
    g = np.tanh(z[:, 2 * H : 3 * H])
    c = {c}
    return {h}, c
"""

_STEP_BACKWARD = """\
import numpy as np
def lstm_step_backward(dh, dc, x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    z = x @ Wx + h_prev @ Wh + b
    s = lambda v: 0.5 + 0.5 * np.tanh(0.5 * v)
    zi, zf, zg, zo = z[:, :H], z[:, H : 2 * H], z[:, 2 * H : 3 * H], z[:, 3 * H :]
    i, f, g, o = s(zi), s(zf), np.tanh(zg), s(zo)
    tanh_c = np.tanh(f * c_prev + i * g)
    dc_total = {dc_total}
    dz = np.concatenate([dc_total * g * {pi}, dc_total * c_prev * {pf},
                         dc_total * i * (1 - g**2), dh * tanh_c * {po}], axis=1)
    return dz @ Wx.T, dz @ Wh.T, {dc_prev}, x.T @ dz, h_prev.T @ dz, dz.sum(axis=0)
"""
_GOOD = {
    "dc_total": "dc + dh * o * (1 - tanh_c**2)",
    "pi": "i * (1 - i)",
    "pf": "f * (1 - f)",
    "po": "o * (1 - o)",
    "dc_prev": "dc_total * f",
}

_SEQUENCE = """\
import numpy as np
def lstm_backward(dhs, xs, h0, c0, Wx, Wh, b):
    H = h0.shape[1]
    s = lambda v: 0.5 + 0.5 * np.tanh(0.5 * v)
    hs, cs, h, c = [], [], h0, c0
    for x in xs:
        z = x @ Wx + h @ Wh + b
        i, f, o = s(z[:, :H]), s(z[:, H : 2 * H]), s(z[:, 3 * H :])
        c = f * c + i * np.tanh(z[:, 2 * H : 3 * H])
        h = o * np.tanh(c)
        hs.append(h)
        cs.append(c)
    dxs, dWx, dWh, db = np.zeros_like(xs), np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh_next, dc_next = np.zeros_like(h0), np.zeros_like(c0)
    for t in reversed(range(len(xs))):
        h_prev, c_prev = (hs[t - 1], cs[t - 1]) if t > 0 else (h0, c0)
        z = xs[t] @ Wx + h_prev @ Wh + b
        i, f, o = s(z[:, :H]), s(z[:, H : 2 * H]), s(z[:, 3 * H :])
        g, tanh_c = np.tanh(z[:, 2 * H : 3 * H]), np.tanh(cs[t])
        dh = dhs[t] + dh_next
        dc = {dc}
        gates = [dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2)]
        dz = np.concatenate([*gates, dh * tanh_c * o * (1 - o)], axis=1)
        dxs[t] = dz @ Wx.T
        {accumulate}
        dh_next, dc_next = dz @ Wh.T, dc * f
    return dxs, dWx, dWh, db
"""
_ADD = "dWx += xs[t].T @ dz\n        dWh += h_prev.T @ dz\n        db += dz.sum(axis=0)"

MISTAKES = [
    # lstm_step_forward
    (
        ["overflow"],
        _SOLUTION_FORWARD.format(
            sigmoid="1 / (1 + np.exp(-v))", c="f * c_prev + i * g", h="o * np.tanh(c)"
        ),
    ),
    (
        ["c is right but h is not", "squashed"],
        _SOLUTION_FORWARD.format(
            sigmoid="0.5 + 0.5 * np.tanh(0.5 * v)", c="f * c_prev + i * g", h="o * c"
        ),
    ),
    (
        ["forget gate", "old cell state"],
        _SOLUTION_FORWARD.format(
            sigmoid="0.5 + 0.5 * np.tanh(0.5 * v)", c="c_prev + i * g", h="o * np.tanh(c)"
        ),
    ),
    (
        ["wrong blocks", "i, f, g, o"],
        _SOLUTION_FORWARD.format(
            sigmoid="0.5 + 0.5 * np.tanh(0.5 * v)", c="f * c_prev + i * g", h="o * np.tanh(c)"
        )
        .replace("sigmoid(z[:, 3 * H :])", "sigmoid(z[:, 2 * H : 3 * H])")
        .replace("np.tanh(z[:, 2 * H : 3 * H])", "np.tanh(z[:, 3 * H :])"),
    ),
    (
        ["squashing function is swapped"],
        _SOLUTION_FORWARD.format(
            sigmoid="0.5 + 0.5 * np.tanh(0.5 * v)", c="f * c_prev + i * g", h="o * np.tanh(c)"
        ).replace("np.tanh(z[:, 2 * H : 3 * H])", "sigmoid(z[:, 2 * H : 3 * H])"),
    ),
    # lstm_step_backward
    (["forget gate"], _STEP_BACKWARD.format(**{**_GOOD, "dc_prev": "dc_total"})),
    (["two parts"], _STEP_BACKWARD.format(**{**_GOOD, "dc_total": "dc"})),
    (
        ["σ′ from the wrong variable"],
        _STEP_BACKWARD.format(
            **{**_GOOD, "pi": "zi * (1 - zi)", "pf": "zf * (1 - zf)", "po": "zo * (1 - zo)"}
        ),
    ),
    # lstm_backward
    (
        ["+="],
        _SEQUENCE.format(
            dc="dc_next + dh * o * (1 - tanh_c**2)", accumulate=_ADD.replace("+=", "=", 3)
        ),
    ),
    (["dc"], _SEQUENCE.format(dc="dh * o * (1 - tanh_c**2)", accumulate=_ADD)),
    (
        ["in place"],
        _SEQUENCE.format(dc="dc_next + dh * o * (1 - tanh_c**2)", accumulate=_ADD).replace(
            "dh = dhs[t] + dh_next", "dhs[t] += dh_next\n        dh = dhs[t]"
        ),
    ),
]

_GRU = """\
import numpy as np
def gru_step_backward(dh, x, h_prev, Wx, Wh, b, bhn):
    H = h_prev.shape[1]
    s = lambda v: 0.5 + 0.5 * np.tanh(0.5 * v)
    zx, zh = x @ Wx + b, h_prev @ Wh
    r = s(zx[:, :H] + zh[:, :H])
    z = s(zx[:, H : 2 * H] + zh[:, H : 2 * H])
    hn = zh[:, 2 * H :] + bhn
    n = np.tanh(zx[:, 2 * H :] + r * hn)
    dz_n = dh * {write} * (1 - n**2)
    dz_z = {sign}dh * (h_prev - n) * z * (1 - z)
    dz_r = dz_n * hn * r * (1 - r)
    dzx = np.concatenate([dz_r, dz_z, dz_n], axis=1)
    dzh = np.concatenate([dz_r, dz_z, {n_part}], axis=1)
    dh_prev = dzh @ Wh.T{direct}
    return dzx @ Wx.T, dh_prev, x.T @ dzx, h_prev.T @ dzh, dzx.sum(axis=0), (dz_n * r).sum(axis=0)
"""
_GRU_GOOD = {"write": "(1 - z)", "sign": "", "n_part": "dz_n * r", "direct": " + dh * z"}

MISTAKES += [
    (["direct path"], _GRU.format(**{**_GRU_GOOD, "direct": ""})),
    (
        ["swapped"],
        _GRU.format(**{**_GRU_GOOD, "write": "z", "sign": "-", "direct": " + dh * (1 - z)"}),
    ),
    (["reset gate"], _GRU.format(**{**_GRU_GOOD, "n_part": "dz_n"})),
]

ANSWERS = {
    "lstm_backward": ["dwx += xs[t].t @ dz"],
    "lstm_step_backward": [],
    "lstm_step_forward": ["f ⊙ c_prev + i ⊙ g", "o ⊙ tanh(c)", "x @ wx + h_prev @ wh + b"],
}
