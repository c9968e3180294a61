"""Scalar automatic differentiation: reverse mode (`Value`) and forward mode (`Dual`).

Every operation on a :class:`Value` makes a new node that remembers three things: its
op name, its parents, and the *local derivatives* ∂out/∂parent, computed right beside
the forward value. ``backward()`` then walks the nodes in reverse topological order and
applies the chain rule, one multiplication per edge::

    parent.grad += local_derivative × node.grad

There are no closures and no reference cycles: a graph is freed as soon as nothing
points at its output. The topological order is found with an explicit stack, so a
chain of 200,000 nodes works (no recursion limit; the tests check it).

:class:`Dual` carries a tangent next to each value instead: one forward pass gives
the derivative of every result with respect to one chosen input.

>>> x = Value(2.0)
>>> y = x * x + x.exp()
>>> y.backward()
>>> round(x.grad, 6)  # 2x + e^x
11.389056
>>> round((Dual(2.0, 1.0) * Dual(2.0, 1.0) + Dual(2.0, 1.0).exp()).tangent, 6)
11.389056
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Union

from bpkit.nn import sigmoid

Number = Union[int, float]  # noqa: UP007 - keeps the alias valid on Python 3.10 at runtime


# Each elementary function returns (f(x), f'(x)): forward and local derivative together.
# Value and Dual both use this one table.
def _exp(x: float) -> tuple[float, float]:
    if x > 709.78:  # math.exp would overflow float64 here
        raise OverflowError(
            f"exp: e**{x:g} is larger than the largest float64 (about 1.8e308). Scale the "
            "input down, or use a stable formula (e.g. sigmoid instead of 1/(1+exp(-x)))."
        )
    y = math.exp(x)
    return y, y  # d/dx e^x = e^x


def _log(x: float) -> tuple[float, float]:
    if not x > 0:
        raise ValueError(
            f"log: the natural log is defined for positive numbers only, got x = {x!r}. "
            "Check what feeds this log; add a small epsilon or clip if it can reach 0."
        )
    return math.log(x), 1.0 / x  # d/dx ln x = 1/x


def _tanh(x: float) -> tuple[float, float]:
    t = math.tanh(x)
    return t, 1.0 - t * t  # d/dx tanh x = 1 − tanh² x


def _sigmoid(x: float) -> tuple[float, float]:
    s = float(sigmoid(x))  # bpkit's one stable sigmoid (bpkit.nn.sigmoid)
    return s, s * (1.0 - s)  # σ' = σ(1 − σ)


def _relu(x: float) -> tuple[float, float]:
    return (x, 1.0) if x > 0 else (0.0, 0.0)  # we take relu'(0) = 0, as PyTorch does


def _pow(x: float, n: float) -> tuple[float, float]:
    if x < 0 and n != int(n):
        raise ValueError(
            f"pow: ({x!r})**{n!r} is not a real number (negative base, fractional exponent)."
        )
    if n == 0:
        return 1.0, 0.0  # x**0 = 1 everywhere, also at x = 0
    if x == 0 and n < 1:
        raise ZeroDivisionError(
            f"pow: 0**{n!r} (or its derivative) divides by zero; keep the base away from 0."
        )
    return x**n, n * x ** (n - 1)  # d/dx x^n = n x^(n−1)


UNARY = {"exp": _exp, "log": _log, "tanh": _tanh, "sigmoid": _sigmoid, "relu": _relu}


def _check_number(who: str, x: object) -> float:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(
            f"{who}: expected a real number (int or float), got {type(x).__name__} {x!r}."
        )
    return float(x)


class Value:
    """A scalar that remembers how it was computed, for reverse-mode autodiff.

    ``data`` is the number, ``grad`` is ∂(output of the last backward)/∂(this node).
    ``op``, ``parents`` and ``local_grads`` (∂self/∂parent, one per parent) describe the
    node; ``label`` is an optional name shown in drawings. PyTorch calls parents the
    node's inputs and keeps the local rule in ``grad_fn``.
    """

    __slots__ = ("data", "grad", "label", "local_grads", "op", "parents")
    __array_ufunc__ = None  # so `np.float64(2) * v` calls v.__rmul__ instead of numpy

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _check_number("Value", data)
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents: tuple[Value, ...] = ()
        self.local_grads: tuple[float, ...] = ()

    @classmethod
    def _result(cls, data: float, op: str, parents: tuple, local_grads: tuple) -> Value:
        """Make an interior node (skips the checks of ``__init__``: data is a float already)."""
        out = cls.__new__(cls)
        out.data, out.grad, out.label = data, 0.0, ""
        out.op, out.parents, out.local_grads = op, parents, local_grads
        return out

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name})"

    # --- binary ops: forward value, then (∂out/∂self, ∂out/∂other) ------------------
    def __add__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data + other.data, "+", (self, other), (1.0, 1.0))

    def __sub__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data - other.data, "-", (self, other), (1.0, -1.0))

    def __mul__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        return Value._result(self.data * other.data, "*", (self, other), (other.data, self.data))

    def __truediv__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        if b == 0:
            raise ZeroDivisionError(f"Value: division {a!r} / 0; the divisor must not be zero.")
        return Value._result(a / b, "/", (self, other), (1.0 / b, -a / (b * b)))

    def __pow__(self, n: Number) -> Value:
        if isinstance(n, Value):
            raise TypeError(
                "Value ** Value is not supported: the exponent must be a number. "
                "For x**y with both Values write (y * x.log()).exp()."
            )
        n = _check_number("Value ** n", n)
        y, dy = _pow(self.data, n)
        return Value._result(y, f"**{n:g}", (self,), (dy,))

    def __neg__(self) -> Value:
        return Value._result(-self.data, "neg", (self,), (-1.0,))

    # reflected forms: `2 * x` calls x.__rmul__(2), and so on
    __radd__ = __add__  # addition and multiplication commute
    __rmul__ = __mul__

    def __rsub__(self, other: Number) -> Value:
        return Value(other) - self

    def __rtruediv__(self, other: Number) -> Value:
        return Value(other) / self

    # --- unary functions: one line each, the math lives in the UNARY table ----------
    def _unary(self, name: str) -> Value:
        y, dy = UNARY[name](self.data)
        return Value._result(y, name, (self,), (dy,))

    def exp(self) -> Value:
        return self._unary("exp")

    def log(self) -> Value:
        return self._unary("log")

    def tanh(self) -> Value:
        return self._unary("tanh")

    def sigmoid(self) -> Value:
        return self._unary("sigmoid")

    def relu(self) -> Value:
        return self._unary("relu")

    # --- the graph ------------------------------------------------------------------
    def topological_order(self) -> list[Value]:
        """Return every node this one depends on, each after all of its parents.

        Depth-first search with an explicit stack: a node is appended once all of its
        parents have been appended (post-order), so no recursion limit applies.
        """
        order: list[Value] = []
        seen: set[Value] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))  # come back to it after its parents
                for parent in node.parents:
                    if parent not in seen:
                        stack.append((parent, False))
        return order

    def backward(self) -> None:
        """Fill ``.grad`` of every node with ∂self/∂node by the chain rule.

        Semantics of a second call (the same as PyTorch's): leaves (nodes made with
        ``Value(...)``) *accumulate*, so calling ``backward`` twice doubles their grads;
        interior nodes are reset first and hold the gradient of this call only. Call
        :meth:`zero_grad` to start the leaves from zero again.
        """
        order = self.topological_order()
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad += 1.0  # dself/dself = 1
        for node in reversed(order):  # every child before its parents
            dout = node.grad
            # (plain zip: the two tuples are made together, and strict=True costs 25 % here)
            for parent, local in zip(node.parents, node.local_grads):  # noqa: B905
                parent.grad += local * dout  # chain rule along one edge

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and every node it depends on."""
        for node in self.topological_order():
            node.grad = 0.0


class Dual:
    """A dual number value + tangent·ε with ε² = 0, for forward-mode autodiff.

    Seed the input you differentiate by with tangent 1 (the others with 0); every
    result's ``tangent`` is then its derivative with respect to that input. JAX calls
    this a JVP (Jacobian-vector product).
    """

    __slots__ = ("tangent", "value")
    __array_ufunc__ = None  # numpy scalars defer to our reflected ops

    def __init__(self, value: Number, tangent: Number = 0.0) -> None:
        self.value = _check_number("Dual value", value)
        self.tangent = _check_number("Dual tangent", tangent)

    def __repr__(self) -> str:
        return f"Dual(value={self.value:.6g}, tangent={self.tangent:.6g})"

    def __add__(self, other: Dual | Number) -> Dual:
        other = other if isinstance(other, Dual) else Dual(other)
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __sub__(self, other: Dual | Number) -> Dual:
        other = other if isinstance(other, Dual) else Dual(other)
        return Dual(self.value - other.value, self.tangent - other.tangent)

    def __mul__(self, other: Dual | Number) -> Dual:
        other = other if isinstance(other, Dual) else Dual(other)
        # (a + a'ε)(b + b'ε) = ab + (a'b + ab')ε
        return Dual(
            self.value * other.value, self.tangent * other.value + self.value * other.tangent
        )

    def __truediv__(self, other: Dual | Number) -> Dual:
        other = other if isinstance(other, Dual) else Dual(other)
        a, b = self.value, other.value
        if b == 0:
            raise ZeroDivisionError(f"Dual: division {a!r} / 0; the divisor must not be zero.")
        return Dual(a / b, self.tangent / b - a * other.tangent / (b * b))

    def __pow__(self, n: Number) -> Dual:
        if isinstance(n, Dual):
            raise TypeError("Dual ** Dual is not supported: the exponent must be a number.")
        y, dy = _pow(self.value, _check_number("Dual ** n", n))
        return Dual(y, dy * self.tangent)

    def __neg__(self) -> Dual:
        return Dual(-self.value, -self.tangent)

    __radd__ = __add__  # addition and multiplication commute
    __rmul__ = __mul__

    def __rsub__(self, other: Number) -> Dual:
        return Dual(other) - self

    def __rtruediv__(self, other: Number) -> Dual:
        return Dual(other) / self

    def _unary(self, name: str) -> Dual:
        y, dy = UNARY[name](self.value)
        return Dual(y, dy * self.tangent)  # chain rule: (f∘x)' = f'(x)·x'

    def exp(self) -> Dual:
        return self._unary("exp")

    def log(self) -> Dual:
        return self._unary("log")

    def tanh(self) -> Dual:
        return self._unary("tanh")

    def sigmoid(self) -> Dual:
        return self._unary("sigmoid")

    def relu(self) -> Dual:
        return self._unary("relu")
