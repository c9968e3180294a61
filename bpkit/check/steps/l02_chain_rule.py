"""Lesson 02's your-turn steps: a neuron's local derivatives, a layer's Jacobian, a tiny Value."""

from __future__ import annotations

import math

import numpy as np

from bpkit.check.steps import Case, Step, call


def neuron_local_grads(w, b, x, y):
    """The local derivatives along w → z → a → L for z = w x + b, a = tanh z, L = (a − y)²."""
    a = math.tanh(w * x + b)
    dL_da = 2 * (a - y)
    da_dz = 1 - a**2
    dz_dw = x
    return dL_da, da_dz, dz_dw


def tanh_layer_jacobian(x, W1, b1, W2):
    """∂ŷ/∂x for ŷ = tanh(x W1 + b1) W2 + b2 at one sample x: W2ᵀ diag(1 − a²) W1ᵀ."""
    a = np.tanh(x @ W1 + b1)  # (n_hidden,)
    return W2.T @ np.diag(1 - a**2) @ W1.T  # (n_out, n_hid) (n_hid, n_hid) (n_hid, n_in)


class TinyValue:
    """A scalar that remembers its parents and the local derivatives to them."""

    def __init__(self, data, parents=(), local_grads=()):
        self.data, self.grad = data, 0.0
        self.parents, self.local_grads = parents, local_grads

    def __add__(self, other):
        return TinyValue(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        return TinyValue(self.data * other.data, (self, other), (other.data, self.data))

    def topological_order(self):
        """Every node of the graph, each one after all of its parents."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((parent, False) for parent in node.parents)
        return order

    def backward(self):
        self.grad = 1.0  # the seed: ∂self/∂self
        for node in reversed(self.topological_order()):
            for parent, local in zip(node.parents, node.local_grads, strict=True):
                parent.grad += local * node.grad  # one term per use: uses add up


# --- cases -------------------------------------------------------------------------------


def _neuron_mistakes(case: Case, got, expected):
    got = tuple(float(g) for g in got)
    if len(got) != 3:
        return "return the three local derivatives (dL_da, da_dz, dz_dw), in that order."
    if np.isclose(got[0], expected[0] / 2):
        return "∂L/∂a of (a − y)² is 2(a − y): the exponent comes down as a factor."
    w, b, x, _ = case.args
    if np.isclose(got[1], math.tanh(w * x + b)):
        return "∂a/∂z is the slope of tanh, 1 − tanh²(z) = 1 − a², not tanh itself."
    if np.isclose(got[2], w):
        return "∂z/∂w of z = w x + b is x, the number that multiplies w."
    return None


def _jacobian_mistakes(case: Case, got, expected):
    got = np.asarray(got)
    if got.shape == expected.shape[::-1]:
        return (
            f"your Jacobian is {got.shape}; one row per output and one column per input makes"
            f" it {expected.shape}. Transpose the product (W2ᵀ … W1ᵀ)."
        )
    _, W1, _, W2 = case.args
    if got.shape == expected.shape and np.allclose(got, W2.T @ W1.T):
        return "tanh sits between the layers: multiply by diag(1 − a²) in the middle."
    return None


def _grads(*values):
    return np.array([v.grad for v in values])


def _shared_node(V):
    """y = x·x + x·w: x is used three times; its grad is the sum of all its uses."""
    x, w = V(3.0), V(-2.0)
    y = x * x + x * w
    y.backward()
    return np.array([y.data, *_grads(x, w)])


def _neuron_sum(V):
    """The lesson's neuron before tanh: x1·w1 + x1·w2 + b, x1 used twice."""
    x1, w1, w2, b = V(2.0), V(-3.0), V(1.5), V(0.5)
    z = x1 * w1 + x1 * w2 + b
    z.backward()
    return np.array([z.data, *_grads(x1, w1, w2, b)])


def _product(V):
    a, b = V(2.0), V(-4.0)
    c = a * b
    c.backward()
    return np.array([c.data, *_grads(a, b)])


def _tiny_value_mistakes(case: Case, got, expected):
    got = np.asarray(got, dtype=float)
    if not np.isclose(got[0], expected[0]):
        return "check the forward values first: + adds the .data, × multiplies them."
    if np.allclose(got[1:], 0.0):
        return "backward starts from a seed: set self.grad = 1.0 before the loop."
    others_right = np.allclose(got[2:], expected[2:])
    if others_right and not np.isclose(got[1], expected[1]):
        return (
            "a node used more than once gets one term per use: add them with"
            " `parent.grad += local * node.grad`, do not overwrite."
        )
    if case.label.startswith("a·b") and np.allclose(got[1:], expected[1:][::-1]):
        return "∂(a·b)/∂a is b and ∂(a·b)/∂b is a: each local derivative is the other factor."
    return None


_RNG = np.random.default_rng(2)
_W1, _W2 = _RNG.normal(size=(3, 4)), _RNG.normal(size=(4, 2))

STEPS = [
    Step(
        name="neuron_local_grads",
        reference=neuron_local_grads,
        cases=[call(0.8, -0.3, 1.5, 0.2), call(-1.2, 0.4, 0.5, -0.7), call(0.0, 0.0, 2.0, 1.0)],
        mistakes=[_neuron_mistakes],
    ),
    Step(
        name="tanh_layer_jacobian",
        reference=tanh_layer_jacobian,
        cases=[
            call(np.array([0.5, -1.0, 0.3]), _W1, np.zeros(4), _W2),
            call(np.array([1.0, 2.0, -0.5]), _W1, np.full(4, 0.1), _W2),
            call(np.array([0.2, -0.4]), _W1[:2, :3], np.zeros(3), _W2[:3]),
        ],
        mistakes=[_jacobian_mistakes],
    ),
    Step(
        name="TinyValue",
        reference=TinyValue,
        cases=[
            Case("a·b with a = 2, b = −4: data and grads", _product),
            Case("x·x + x·w with x = 3, w = −2: data and grads", _shared_node),
            Case("x1·w1 + x1·w2 + b: data and grads", _neuron_sum),
        ],
        mistakes=[_tiny_value_mistakes],
    ),
]
