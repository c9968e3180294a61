"""Learner mistakes for exercises 05 and 08 (backpropagation, BPTT): see ``ex01_04.py``."""

_TWO_LAYER = """\
import numpy as np
def two_layer_backprop(x, y, W1, b1, W2, b2):
    z1 = x @ W1 + b1
    a1 = 1 / (1 + np.exp(-z1))
    y_pred = a1 @ W2 + b2
    delta2 = {delta2}
    dW2, db2 = a1.T @ delta2, delta2.sum(axis=0)
    delta1 = {delta1}
    dW1, db1 = x.T @ delta1, delta1.sum(axis=0)
    return dW1, db1, dW2, db2
"""

_RNN = """\
import numpy as np
def rnn_backward(dhs, xs, hs, h0, Wxh, Whh):
    dxs = np.zeros_like(xs)
    dWxh, dWhh = np.zeros_like(Wxh), np.zeros_like(Whh)
    dbh = np.zeros(Whh.shape[0])
    dh_next = np.zeros_like(h0)
    for t in reversed(range(len(xs))):
        h_prev = hs[t - 1] if t > 0 else h0
        {body}
    return dxs, dWxh, dWhh, dbh
"""
_GOOD_STEP = """dz = (dhs[t] + dh_next) * (1 - hs[t] ** 2)
        dWxh += xs[t].T @ dz
        dWhh += h_prev.T @ dz
        dbh += dz.sum(axis=0)
        dxs[t] = dz @ Wxh.T
        dh_next = dz @ Whh.T"""

MISTAKES = [
    # mse_backward
    (["½"], "def mse_backward(y_pred, y):\n    return 2 * (y_pred - y) / len(y)\n"),
    (["batch"], "def mse_backward(y_pred, y):\n    return y_pred - y\n"),
    (["size"], "def mse_backward(y_pred, y):\n    return (y_pred - y) / y.size\n"),
    # dense_backward
    (
        ["order", "dx, dw, db"],
        "def dense_backward(dout, x, W, b):\n    return dout @ W.T, dout.sum(axis=0), x.T @ dout\n",
    ),
    (["sum"], "def dense_backward(dout, x, W, b):\n    return dout @ W.T, x.T @ dout, dout\n"),
    (
        ["x.t @ dout"],
        "def dense_backward(dout, x, W, b):\n    return dout @ W.T, x @ dout, dout.sum(0)\n",
    ),
    (
        ["tuple"],
        "def dense_backward(dout, x, W, b):\n"
        "    return {'dx': dout @ W.T, 'dW': x.T @ dout, 'db': dout.sum(axis=0)}\n",
    ),
    # two_layer_backprop
    (
        ["activation's derivative"],
        _TWO_LAYER.format(delta2="(y_pred - y) / len(x)", delta1="delta2 @ W2.T"),
    ),
    (
        ["σ′"],
        _TWO_LAYER.format(delta2="(y_pred - y) / len(x)", delta1="z1 * (1 - z1) * (delta2 @ W2.T)"),
    ),
    (
        ["batch"],
        _TWO_LAYER.format(delta2="(y_pred - y)", delta1="a1 * (1 - a1) * (delta2 @ W2.T)"),
    ),
    (
        ["sigmoid"],
        "import numpy as np\n"
        "def two_layer_backprop(x, y, W1, b1, W2, b2):\n"
        "    a1 = sigmoid(x @ W1 + b1)\n"
        "    return a1, a1, a1, a1\n",
    ),
    # rnn_forward
    (
        ["h0"],
        "import numpy as np\n"
        "def rnn_forward(xs, h0, Wxh, Whh, bh):\n"
        "    h, hs = np.zeros_like(h0), []\n"
        "    for x_t in xs:\n"
        "        h = np.tanh(x_t @ Wxh + h @ Whh + bh)\n"
        "        hs.append(h)\n"
        "    return np.array(hs)\n",
    ),
    (
        ["tanh"],
        "import numpy as np\n"
        "def rnn_forward(xs, h0, Wxh, Whh, bh):\n"
        "    h, hs = h0, []\n"
        "    for x_t in xs:\n"
        "        h = x_t @ Wxh + h @ Whh + bh\n"
        "        hs.append(h)\n"
        "    return np.array(hs)\n",
    ),
    (
        ["h_{t−1}"],
        "import numpy as np\n"
        "def rnn_forward(xs, h0, Wxh, Whh, bh):\n"
        "    hs = []\n"
        "    for x_t in xs:\n"
        "        hs.append(np.tanh(x_t @ Wxh + h0 @ Whh + bh))\n"
        "    return np.array(hs)\n",
    ),
    # rnn_backward
    (["tanh′"], _RNN.format(body=_GOOD_STEP.replace(" * (1 - hs[t] ** 2)", ""))),
    (["+="], _RNN.format(body=_GOOD_STEP.replace("dWhh += h_prev", "dWhh = h_prev"))),
    (["carry"], _RNN.format(body=_GOOD_STEP.replace("(dhs[t] + dh_next)", "dhs[t]"))),
    (
        ["in place", "dhs"],
        _RNN.format(
            body=_GOOD_STEP.replace(
                "dz = (dhs[t] + dh_next)", "dhs[t] += dh_next\n        dz = dhs[t]"
            )
        ),
    ),
    # clip_by_norm
    (
        ["np.clip", "norm"],
        "import numpy as np\n"
        "def clip_by_norm(grads, max_norm):\n"
        "    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))\n"
        "    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, norm\n",
    ),
    (
        ["each"],
        "import numpy as np\n"
        "def clip_by_norm(grads, max_norm):\n"
        "    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))\n"
        "    out = {}\n"
        "    for k, g in grads.items():\n"
        "        n = np.linalg.norm(g)\n"
        "        out[k] = g * (max_norm / n if n > max_norm else 1.0)\n"
        "    return out, norm\n",
    ),
    (
        ["already below"],
        "import numpy as np\n"
        "def clip_by_norm(grads, max_norm):\n"
        "    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))\n"
        "    return {k: g * max_norm / norm for k, g in grads.items()}, norm\n",
    ),
]

ANSWERS = {
    "mse_backward": ["(y_pred - y) / len"],
    "dense_backward": ["x.t @ dout, dout.sum"],
    "clip_by_norm": ["max_norm / norm"],
}
