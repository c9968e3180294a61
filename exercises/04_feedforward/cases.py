"""Public cases for exercise 04 (feed-forward networks), smallest input first."""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.check.drivers import function_of, plain, two_sided
from bpkit.check.oracles import numeric_grad

NOTEBOOK = "04_feedforward"


def public_cases(seed: int | None = None) -> list[dict]:
    """The public cases; a variant (``seed``) draws its random inputs from its own seed."""
    rng = np.random.default_rng(4 if seed is None else [seed, 4])
    sig = {
        "function": "sigmoid",
        "oracle": "sigmoid",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["sigmoid_sign"],
    }
    dsig = {
        "function": "sigmoid_prime",
        "oracle": "sigmoid_prime",
        "mistakes": [
            "sigmoid_prime_of_z",
            "sigmoid_prime_plus",
            "sigmoid_prime_is_sigmoid",
        ],
        "options": {"rtol": 1e-6, "atol": 1e-10},
    }
    drelu = {
        "function": "relu_prime",
        "oracle": "relu_prime",
        "driver": "floats",
        "mistakes": ["relu_not_float", "relu_itself", "relu_prime_at_zero"],
    }
    dense = {
        "function": "dense_forward",
        "oracle": "dense_forward",
        "options": {"rtol": 1e-9, "atol": 1e-12},
        "mistakes": ["missing_bias", "elementwise_product", "columns_for_examples"],
    }
    xor = {
        "function": "xor_weights",
        "driver": "xor_predictions",
        "compare": "exact",
        "expected": [0, 1, 1, 0],
        "label": "your weights, run on the inputs (0,0), (0,1), (1,0), (1,1)",
        "mistakes": ["xor_not_a_network", "xor_not_separated"],
    }
    return [
        {**sig, "args": [0.0]},
        {**sig, "args": [np.array([-2.0, 0.0, 3.0])]},
        {**sig, "args": [np.array([[-1000.0, 1000.0], [-30.0, 30.0]])]},
        {**dsig, "args": [0.0]},
        {**dsig, "args": [np.array([-2.0, 1.0, 4.0])]},
        {**dsig, "args": [np.array([-800.0, 800.0])]},
        {**drelu, "args": [3.0]},
        {**drelu, "args": [np.array([-1.0, 0.0, 2.0])]},
        {**drelu, "args": [np.array([0.0, 0.5])]},
        {
            **dense,
            "args": [
                np.array([[1.0, 2.0]]),
                np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]]),
                np.array([0.1, 0.2, 0.3]),
            ],
        },
        {
            **dense,
            "args": [
                rng.standard_normal((4, 3)),
                rng.standard_normal((3, 2)),
                rng.standard_normal(2),
            ],
        },
        {**xor, "args": []},
    ]


# --- drivers: call the learner's function on a case's plain inputs --------------------


def _stable_sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


XOR_INPUTS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]


NOT_A_NETWORK = "not the weights of a 2-2-1 network"


def predictions(weights: Any) -> list[int] | str:
    """The 0/1 outputs of the net ``(W1, b1, W2, b2)`` on the four XOR inputs, or a sentence
    saying why ``weights`` are no such net (the hints read it)."""
    if isinstance(weights, dict):
        return f"a dict with keys {sorted(weights)[:4]}: {NOT_A_NETWORK}"
    if not isinstance(weights, (tuple, list)) or len(weights) != 4:
        count = f"{len(weights)} values" if isinstance(weights, (tuple, list)) else "one value"
        return f"{count}: {NOT_A_NETWORK}"
    try:
        W1, b1, W2, b2 = (np.array(p, dtype=np.float64) for p in weights)
        a1 = _stable_sigmoid(np.array(XOR_INPUTS) @ W1 + b1)  # (4, n_hidden)
        y = _stable_sigmoid(a1 @ W2 + b2).reshape(4)
    except (TypeError, ValueError):
        shapes = ", ".join(str(np.shape(p)) for p in weights)
        return f"four arrays shaped {shapes}: {NOT_A_NETWORK}"
    return [int(v > 0.5) for v in y]


@two_sided(predictions)
def xor_predictions(namespace: dict, function: str) -> Any:
    """Return the weights ``function()`` gives; ``predictions`` runs them on the inputs."""
    return plain(function_of(namespace, function)())


def floats(namespace: dict, function: str, *args: Any) -> Any:
    """Call ``function(*args)``; the task asks for a float64 array, so another dtype is an error."""
    got = function_of(namespace, function)(*args)
    kind = getattr(getattr(got, "dtype", None), "kind", "f")
    if kind != "f":
        raise TypeError(f"{function} returned an array of {got.dtype}; the task asks for float64")
    return np.array(got, dtype=np.float64)


DRIVERS = {"xor_predictions": xor_predictions, "floats": floats}


# --- oracles: the expected value of a public case, computed --------------------------


def _sigmoid(z: Any) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


def expected_sigmoid(z: Any) -> np.ndarray:
    return _sigmoid(z)


def expected_sigmoid_prime(z: Any) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    return np.vectorize(lambda v: float(numeric_grad(lambda u: float(_sigmoid(u)), v)))(z)


def expected_relu_prime(z: Any) -> np.ndarray:
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def expected_dense_forward(x: Any, W: Any, b: Any) -> np.ndarray:
    return np.einsum("bi,io->bo", np.asarray(x, float), np.asarray(W, float)) + np.asarray(b)


ORACLES = {
    "sigmoid": expected_sigmoid,
    "sigmoid_prime": expected_sigmoid_prime,
    "relu_prime": expected_relu_prime,
    "dense_forward": expected_dense_forward,
}
