"""A tiny scalar graph for exercise 06: each node keeps its parents and its local derivatives.

Where the lesson's ``Value`` stores a ``_backward`` closure, a :class:`Node` stores the
numbers that closure would use: ``local_grads[i]`` is ∂node/∂parents[i], evaluated at the
forward values. Backpropagation is then one rule applied everywhere:
``parent.grad += local_grad * node.grad``, visiting nodes from the output back.
"""

from __future__ import annotations


class Node:
    """A scalar in a computational graph.

    ``data`` is the forward value, ``grad`` the accumulated ∂root/∂node (0.0 until a
    backward pass), ``parents`` the nodes it was computed from, and ``local_grads`` the
    partial derivatives ∂node/∂parent, one per parent, in the same order.
    """

    __slots__ = ("data", "grad", "label", "local_grads", "op", "parents")

    def __init__(
        self,
        data: float,
        parents: tuple[Node, ...] = (),
        local_grads: tuple[float, ...] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.local_grads = tuple(float(g) for g in local_grads)
        self.op = op
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Node({name}data={self.data:.4g}, grad={self.grad:.4g})"


def add(a: Node, b: Node) -> Node:
    """Return the node a + b; ∂(a+b)/∂a = 1 and ∂(a+b)/∂b = 1."""
    return Node(a.data + b.data, parents=(a, b), local_grads=(1.0, 1.0), op="+")
