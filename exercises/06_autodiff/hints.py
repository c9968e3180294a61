"""Mistake detectors for exercise 06_autodiff: each names one common mistake it recognizes.

A detector is ``detector(case, got, expected, error) -> str | None`` (see
``bpkit.check.hints``); a public case lists the ones to try under ``"mistakes"``.
"""

from __future__ import annotations

import math

from bpkit.check.exercises import sibling
from bpkit.check.hints import close


def swapped_local_grads(case, got, expected, error):
    if isinstance(got, dict) and close(got.get("local_grads"), expected["local_grads"][::-1]):
        return "swapped local gradients: ∂(a·b)/∂a is b, and ∂(a·b)/∂b is a."
    return None


def tanh_of_input(case, got, expected, error):
    (a,) = case["args"]
    if isinstance(got, dict) and close(got.get("local_grads"), [1 - a * a]):
        return "tanh'(a) = 1 − tanh(a)², the square of the output t, not of the input a."
    return None


def overwrite_not_accumulate(case, got, expected, error):
    """Leaves used once are right, a leaf used twice is wrong: its grad was overwritten."""
    if not isinstance(got, dict) or error is not None:
        return None
    spec, leaves = case["args"]
    uses = {name: sum(name in line[2:] for line in spec) for name in leaves}
    right = {n: close(got.get(n), expected[n]) for n in leaves}
    reused_wrong = [n for n in leaves if uses[n] > 1 and not right[n]]
    if reused_wrong and all(right[n] for n in leaves if uses[n] == 1):
        return (
            f"`=` instead of `+=` on a reused node: {reused_wrong[0]} is used "
            f"{uses[reused_wrong[0]]} times, and its grad must collect every use "
            "(add into it), not keep only the last."
        )
    return None


def _root(case) -> str:
    return sibling(__file__, "cases").root_of(case["args"][0])


def no_seed(case, got, expected, error):
    if isinstance(got, dict) and all(got.get(n) == 0.0 for n in expected):
        return "every gradient is 0, the root's too: the backward pass starts from ∂root/∂root."
    return None


def forward_order(case, got, expected, error):
    """Seeded, but walked leaves first: no parent receives anything before its child is done."""
    if not isinstance(got, dict) or got.get(_root(case)) != 1.0:
        return None
    leaves = [n for n in expected if n != _root(case)]
    if all(got.get(n) == 0.0 for n in leaves) and any(expected[n] != 0.0 for n in leaves):
        return (
            "the root's grad is 1 but nothing reached the leaves: a node may pass its grad on "
            "only when it is complete, so visit the nodes from the root back (the topological "
            "order, reversed)."
        )
    return None


def tanh_not_squared(case, got, expected, error):
    (a,) = case["args"]
    t = math.tanh(a)
    if isinstance(got, dict) and close(got.get("local_grads"), [1 - t]):
        return "tanh′ = 1 − t², with the output t squared; 1 − t is not its slope."
    return None


def missing_activation_derivative(case, got, expected, error):
    """A tanh node whose local gradient is 1."""
    if isinstance(got, dict) and close(got.get("local_grads"), [1.0]):
        return (
            "forgotten activation derivative: on its way back the gradient passes through the "
            "activation, so it must be multiplied by the activation's derivative at z "
            "(tanh'(z) = 1 − tanh(z)², σ'(z) = σ(z)(1 − σ(z)))."
        )
    return None


def _order(got):
    order = got.get("order") if isinstance(got, dict) else None
    return list(order) if isinstance(order, (list, tuple)) else None


def topo_reversed(case, got, expected, error):
    order = _order(got)
    if order and order[0] == _root(case) and len(order) > 1:
        return (
            "your list starts at the root: it is the order a walk from the root visits nodes. "
            "Backpropagation needs each node after all of its parents, so the root comes last "
            "(append a node only once all its parents are listed)."
        )
    return None


def topo_repeats(case, got, expected, error):
    order = _order(got)
    if order and len(order) > len(set(order)):
        twice = next(n for n in order if order.count(n) > 1)
        return (
            f"{twice} is listed more than once: a node reached along two paths must appear "
            "once only (remember which nodes you have already listed)."
        )
    return None


def wrong_parents(case, got, expected, error):
    """A node that keeps no parents, copies of its inputs, or an input twice."""
    if not isinstance(got, dict) or got.get("parents") == expected["parents"]:
        return None
    if got.get("parents") == "not a Node":
        return "return a Node (from bpkit.check.graph), not a number: backward() needs its parts."
    return (
        "a node's parents are the very input nodes it was computed from, one per local "
        "gradient and in the same order: backward() reaches the inputs only through them."
    )
