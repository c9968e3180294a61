"""Oracles: expected values for the public cases, computed without storing the answer.

Where an exercise asks for a derivative, the oracle takes central finite differences of
the *forward* computation, which the exercise states openly; so the check knows the right
gradient without this file containing the formula you are asked to derive. Each oracle
takes the same arguments as the case's driver (without ``namespace`` and ``function``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.check import drivers


def numeric_grad(f: Callable[[np.ndarray], float], x: Any, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function at a copy of ``x``; shaped like ``x``."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x.copy())
        x[i] = old - h
        down = f(x.copy())
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def _grads(f: Callable[..., float], arrays: list[Any]) -> tuple[np.ndarray, ...]:
    """∂f/∂arrays[k] for every k, by central differences, holding the others fixed."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    out = []
    for k in range(len(arrays)):

        def f_k(v, k=k):
            return f(*arrays[:k], v, *arrays[k + 1 :])

        out.append(numeric_grad(f_k, arrays[k]))
    return tuple(out)


def _sigmoid(z: Any) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


_DERIVATIVES = {"square": lambda x: 2 * x, "cube": lambda x: 3 * x**2, "sin": np.cos, "exp": np.exp}


def derivative(f: str, x: float, **_: Any) -> float:
    """The exact derivative of a named function (central differences agree to ~h²)."""
    return float(_DERIVATIVES[f](x))


def gradient(f: str, x: Any, **_: Any) -> dict:
    """Finite differences with a smaller step (1e-7 relative agreement); x must be unchanged."""
    return {"grad": numeric_grad(lambda v: float(drivers.FUNCTIONS[f](v)), x), "x_unchanged": 1.0}


def dloss_dw(w: float, x: float, y: float) -> float:
    """d/dw of (tanh(w·x) − y)²."""
    return float(numeric_grad(lambda v: float((np.tanh(v * x) - y) ** 2), w))


def df_dx(x: float) -> float:
    """d/dx of sin(x)·x²."""
    return float(numeric_grad(lambda v: float(np.sin(v) * v**2), x))


def sigmoid(z: Any) -> np.ndarray:
    return _sigmoid(z)


def sigmoid_prime(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    return np.vectorize(lambda v: float(numeric_grad(lambda u: float(_sigmoid(u)), v)))(z)


def relu_prime(z: Any) -> np.ndarray:
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def dense_forward(x: Any, W: Any, b: Any) -> np.ndarray:
    return np.einsum("bi,io->bo", np.asarray(x, float), np.asarray(W, float)) + np.asarray(b)


def mse_backward(y_pred: Any, y: Any) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    return numeric_grad(lambda p: float(np.sum((p - y) ** 2) / (2 * len(y))), y_pred)


def dense_backward(dout: Any, x: Any, W: Any, b: Any) -> tuple[np.ndarray, ...]:
    """Gradients of sum(dout · z) where z = x W + b, by finite differences."""
    dout = np.asarray(dout, dtype=np.float64)
    return _grads(lambda x, W, b: float(np.sum(dout * dense_forward(x, W, b))), [x, W, b])


def two_layer_loss(x, y, W1, b1, W2, b2) -> float:
    """½·mean over the batch of ‖ŷ − y‖², ŷ = σ(x W1 + b1) W2 + b2."""
    y_pred = _sigmoid(x @ W1 + b1) @ W2 + b2
    return float(np.sum((y_pred - y) ** 2) / (2 * len(x)))


def two_layer_backprop(x: Any, y: Any, W1: Any, b1: Any, W2: Any, b2: Any) -> tuple:
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return _grads(lambda *p: two_layer_loss(x, y, *p), [W1, b1, W2, b2])


_NODE_FORWARD = {"mul": lambda a, b: a * b, "tanh": np.tanh}


def node_op(op: str) -> Callable[..., dict]:
    def oracle(*values: float) -> dict:
        forward = _NODE_FORWARD[op]
        local = _grads(lambda *v: float(forward(*v)), list(values))
        data = float(forward(*values))
        return {"data": data, "local_grads": np.array(local), "parents_ok": 1.0}

    return oracle


def topo(spec: Any, leaves: dict[str, float]) -> dict:
    return drivers.graph_edges(spec, leaves)


def backprop(spec: Any, leaves: dict[str, float]) -> dict:
    names = list(leaves)

    def root_value(v: np.ndarray) -> float:
        nodes = drivers.build_graph(spec, dict(zip(names, v.tolist(), strict=True)))
        return list(nodes.values())[-1].data

    grads = numeric_grad(root_value, [leaves[n] for n in names])
    return {name: float(g) for name, g in zip(names, grads, strict=True)}


def softmax(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z - np.logaddexp.reduce(z, axis=1, keepdims=True))


def softmax_cross_entropy(z: Any, y: Any) -> tuple[float, np.ndarray]:
    y = np.asarray(y, dtype=int)

    def loss(v: np.ndarray) -> float:
        log_p = v - np.logaddexp.reduce(v, axis=1, keepdims=True)
        return float(-np.mean(log_p[np.arange(len(y)), y]))

    return loss(np.asarray(z, dtype=np.float64)), numeric_grad(loss, z)


def rnn_forward(xs: Any, h0: Any, Wxh: Any, Whh: Any, bh: Any) -> np.ndarray:
    p = {"xs": xs, "h0": h0, "Wxh": Wxh, "Whh": Whh, "bh": bh}
    return drivers.rnn_states({k: np.asarray(v, dtype=np.float64) for k, v in p.items()})


def rnn_backward(**sizes: int) -> tuple[np.ndarray, ...]:
    """Gradients of sum(dhs · hs) w.r.t. xs, Wxh, Whh, bh, by finite differences."""
    p = drivers.rnn_problem(**sizes)

    def loss(xs, Wxh, Whh, bh):
        hs = drivers.rnn_states({**p, "xs": xs, "Wxh": Wxh, "Whh": Whh, "bh": bh})
        return float(np.sum(p["dhs"] * hs))

    return _grads(loss, [p["xs"], p["Wxh"], p["Whh"], p["bh"]])


def clip_by_norm(grads: dict, max_norm: float) -> tuple[dict, float]:
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in grads.items()}
    norm = float(np.sqrt(sum(np.sum(g**2) for g in arrays.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in arrays.items()}, norm


ORACLES: dict[str, Callable[..., Any]] = {
    "derivative": derivative,
    "gradient": gradient,
    "dloss_dw": dloss_dw,
    "df_dx": df_dx,
    "sigmoid": sigmoid,
    "sigmoid_prime": sigmoid_prime,
    "relu_prime": relu_prime,
    "dense_forward": dense_forward,
    "mse_backward": mse_backward,
    "dense_backward": dense_backward,
    "two_layer_backprop": two_layer_backprop,
    "mul_node": node_op("mul"),
    "tanh_node": node_op("tanh"),
    "topo": topo,
    "backprop": backprop,
    "softmax": softmax,
    "softmax_cross_entropy": softmax_cross_entropy,
    "rnn_forward": rnn_forward,
    "rnn_backward": rnn_backward,
    "clip_by_norm": clip_by_norm,
}


def expected_for(case: dict) -> Any:
    """The expected value of a public case: its ``expected`` or its oracle's answer."""
    if "oracle" in case:
        return ORACLES[case["oracle"]](*case.get("args", []), **case.get("kwargs", {}))
    return case.get("expected")
