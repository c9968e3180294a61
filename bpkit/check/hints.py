"""Hints: recognize common mistakes from what a learner's function returned, and name them.

A detector is ``detector(case, got, expected, error) -> str | None``: ``got`` is the plain
data the driver returned (``None`` if the call raised ``error``), ``expected`` the right
answer. A detector answers only when it recognizes its mistake; :func:`diagnose` asks the
general ones first, then the ones a case lists under ``"mistakes"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.check import drivers
from bpkit.check.compare import Unreadable, to_array

Detector = Callable[[dict, Any, Any, "BaseException | None"], "str | None"]


def _arr(x: Any) -> np.ndarray | None:
    try:
        return to_array(x)
    except Unreadable:
        return None


def _close(a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    a, b = _arr(a), _arr(b)
    if a is None or b is None or a.shape != b.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def _part(x: Any, i: int) -> Any:
    return x[i] if isinstance(x, (tuple, list)) and len(x) > i else None


# --- general detectors ------------------------------------------------------------------------


def returned_none(case, got, expected, error):
    if error is None and got is None and expected is not None:
        return "your function returned None: did you forget the `return` line?"
    return None


def recursion(case, got, expected, error):
    if isinstance(error, RecursionError):
        return (
            "recursion too deep: Python stops at about a thousand nested calls, and a graph "
            "can be deeper. Walk it with your own stack (a list you append to and pop from)."
        )
    return None


def overflow(case, got, expected, error):
    if isinstance(error, (RuntimeWarning, FloatingPointError)):
        return (
            f"numpy warned: {error}. exp() of a large number overflows; rearrange so that exp "
            "only ever sees numbers ≤ 0 (e.g. use exp(−|z|), or subtract the row maximum)."
        )
    return None


def transposed(case, got, expected, error):
    g, e = _arr(got), _arr(expected)
    if g is None or e is None or e.ndim != 2 or e.shape[0] == e.shape[1]:
        return None
    if g.shape == e.shape[::-1]:
        return (
            f"transposed weight: your result has shape {g.shape}, the transpose of the "
            f"expected {e.shape}. The course uses rows for examples: z = x @ W + b with "
            "x (batch, n_in) and W (n_in, n_out)."
        )
    return None


GENERAL: list[Detector] = [returned_none, recursion, overflow, transposed]


# --- 01 derivatives -------------------------------------------------------------------------


def central_used_forward(case, got, expected, error):
    f, x = case["args"]
    h = case.get("kwargs", {}).get("h", 1e-5)
    fn = drivers.FUNCTIONS[f]
    if _close(got, (fn(x + h) - fn(x)) / h, rtol=1e-9):
        return "that is the forward difference; the central one probes both x + h and x − h."
    return None


def central_missing_half(case, got, expected, error):
    if _close(got, 2 * np.asarray(expected), rtol=1e-4):
        return "your answer is twice the slope: the two probes are 2h apart, so divide by 2h."
    return None


def gradient_changed_x(case, got, expected, error):
    if isinstance(got, dict) and got.get("x_unchanged") == 0.0:
        return (
            "your function changed the caller's x: after probing x[i] ± h, put the old value "
            "back (or work on x.copy())."
        )
    return None


def gradient_one_sided(case, got, expected, error):
    if isinstance(got, dict) and _close(got.get("grad"), expected["grad"], rtol=1e-3, atol=1e-4):
        return (
            "close, but only to about h: use central differences (f(x+h) − f(x−h)) / 2h for "
            "each entry, which are accurate to about h²."
        )
    return None


# --- 02 chain rule --------------------------------------------------------------------------


def missing_activation_derivative(case, got, expected, error):
    """dloss_dw without tanh'(w·x), or a local gradient of tanh set to 1."""
    if case["function"] == "dloss_dw":
        w, x, y = case["args"]
        wrong = 2 * (np.tanh(w * x) - y) * x
        found = _close(got, wrong) and not _close(wrong, expected)
    elif case["function"] == "tanh":
        found = isinstance(got, dict) and _close(got.get("local_grads"), [1.0])
    elif case["function"] == "two_layer_backprop":
        found = _close(_part(got, 2), _part(expected, 2)) and _close(_part(got, 3), expected[3])
        found = found and not _close(_part(got, 0), expected[0])
    else:
        found = False
    if found:
        return (
            "forgotten activation derivative: on its way back the gradient passes through the "
            "activation, so it must be multiplied by the activation's derivative at z "
            "(tanh'(z) = 1 − tanh(z)², σ'(z) = σ(z)(1 − σ(z)))."
        )
    return None


def missed_path(case, got, expected, error):
    (x,) = case["args"]
    if _close(got, np.cos(x) * x**2) or _close(got, 2 * x * np.sin(x)):
        return (
            "you followed only one path: x reaches f through both u = sin(x) and v = x², and "
            "the multivariate chain rule adds the contributions of all paths."
        )
    return None


# --- 03 gradient descent --------------------------------------------------------------------


def _history(case, got):
    g = _arr(got)
    x0 = np.asarray(case["args"][1], dtype=np.float64)
    return g, x0


def ascent(case, got, expected, error):
    g, x0 = _history(case, got)
    grad, lr = drivers.GRADIENTS[case["args"][0]], case["args"][2]
    if g is not None and len(g) > 1 and _close(g[1], x0 + lr * grad(x0)):
        return "you stepped uphill: gradient descent moves against the gradient, x ← x − lr·∇f(x)."
    return None


def aliased_history(case, got, expected, error):
    g, _ = _history(case, got)
    if g is not None and len(g) > 2 and np.all(g == g[-1]) and not _close(expected[0], g[-1]):
        return (
            "every row of your history is the same array: you stored x and then changed it in "
            "place (x -= …). Store a copy, or write x = x - lr * grad(x), which makes a new array."
        )
    return None


def history_length(case, got, expected, error):
    g, _ = _history(case, got)
    if g is not None and len(g) == len(expected) - 1:
        return f"{len(g)} rows: the history starts with x0, so `steps` steps make steps + 1 rows."
    return None


# --- 04 / 05 layers -------------------------------------------------------------------------


def missing_bias(case, got, expected, error):
    b = case["args"][2]
    if _close(got, np.asarray(expected) - np.asarray(b)):
        return "the bias is missing: z = x @ W + b."
    return None


def bias_not_summed(case, got, expected, error):
    db, want = _arr(_part(got, 2)), expected[2]
    dout = np.asarray(case["args"][0], dtype=np.float64)
    if db is None:
        return None
    if db.shape == dout.shape and db.shape != want.shape:
        return (
            f"bias gradient not summed over the batch: db has shape {db.shape}. b is added to "
            "every row of x @ W, so db collects dout from every row: sum over axis 0."
        )
    if len(dout) > 1 and _close(db, want / len(dout)):
        return "db is averaged over the batch; each row adds its own contribution, so sum it."
    return None


def transposed_weight(case, got, expected, error):
    dW, want = _arr(_part(got, 1)), expected[1]
    if dW is not None and want.shape[0] != want.shape[1] and dW.shape == want.shape[::-1]:
        return (
            f"transposed weight: dW has shape {dW.shape}, but a gradient is shaped like what it "
            f"differentiates, W {want.shape}. With z = x @ W, dW = (something) @ (something): "
            "match the shapes (n_in, batch) @ (batch, n_out)."
        )
    dx = _arr(_part(got, 0))
    if dx is not None and dx.shape != expected[0].shape:
        return f"dx has shape {dx.shape}, expected x's shape {expected[0].shape}: is W transposed?"
    return None


def not_averaged(case, got, expected, error):
    """A mean-over-the-batch loss whose gradient misses the 1/batch."""
    grad, want = (_part(got, 1), expected[1]) if isinstance(expected, tuple) else (got, expected)
    batch = len(np.asarray(case["args"][0]))
    if batch > 1 and _close(grad, batch * np.asarray(want)):
        return (
            f"your gradient is {batch}× too big: the loss is a mean over the batch of {batch}, "
            f"so its gradient carries the same 1/{batch}."
        )
    return None


# --- 06 autodiff ----------------------------------------------------------------------------


def swapped_local_grads(case, got, expected, error):
    if isinstance(got, dict) and _close(got.get("local_grads"), expected["local_grads"][::-1]):
        return "swapped local gradients: ∂(a·b)/∂a is b, and ∂(a·b)/∂b is a."
    return None


def tanh_of_input(case, got, expected, error):
    (a,) = case["args"]
    if isinstance(got, dict) and _close(got.get("local_grads"), [1 - a * a]):
        return "tanh'(a) = 1 − tanh(a)², the square of the output t, not of the input a."
    return None


def overwrite_not_accumulate(case, got, expected, error):
    """Leaves used once are right, a leaf used twice is wrong: its grad was overwritten."""
    if not isinstance(got, dict) or error is not None:
        return None
    spec, leaves = case["args"]
    uses = {name: sum(name in line[2:] for line in spec) for name in leaves}
    right = {n: _close(got.get(n), expected[n]) for n in leaves}
    reused_wrong = [n for n in leaves if uses[n] > 1 and not right[n]]
    if reused_wrong and all(right[n] for n in leaves if uses[n] == 1):
        return (
            f"`=` instead of `+=` on a reused node: {reused_wrong[0]} is used "
            f"{uses[reused_wrong[0]]} times, and its grad must collect every use "
            "(parent.grad += local_grad * node.grad), not keep only the last."
        )
    return None


def no_seed(case, got, expected, error):
    if isinstance(got, dict) and all(got.get(n) == 0.0 for n in expected):
        return "every gradient is 0: start the backward pass with root.grad = 1.0 (∂root/∂root)."
    return None


# --- 07 training ----------------------------------------------------------------------------


def softmax_axis(case, got, expected, error):
    g = _arr(got)
    if g is not None and g.ndim == 2 and _close(g.sum(axis=0), np.ones(g.shape[1])):
        return (
            "your columns sum to 1: each row is one example, so normalize over axis=1 "
            "(with keepdims=True so the division broadcasts)."
        )
    return None


def missing_one_hot(case, got, expected, error):
    z = np.asarray(case["args"][0], dtype=np.float64)
    p = np.exp(z - np.logaddexp.reduce(z, axis=1, keepdims=True))
    if _close(_part(got, 1), p / len(z)) or _close(_part(got, 1), p):
        return "dz misses the label: subtract 1 at each example's true class (p − onehot(y))."
    return None


# --- 08 BPTT --------------------------------------------------------------------------------


def bptt_off_by_one(case, got, expected, error):
    if not isinstance(got, tuple) or len(got) != 4:
        return None
    ok = [_close(g, e, rtol=1e-4, atol=1e-6) for g, e in zip(got, expected, strict=True)]
    if ok[0] and ok[1] and ok[3] and not ok[2]:
        return (
            "off-by-one time index: everything is right except dWhh. Step t multiplies Whh by "
            "the previous state h_{t−1} (h0 at t = 0), so dWhh += h_{t−1}ᵀ @ dz_t, not h_tᵀ."
        )
    return None


def bptt_no_carry(case, got, expected, error):
    dxs, want = _arr(_part(got, 0)), expected[0]
    if dxs is None or dxs.shape != want.shape or len(want) < 2:
        return None
    if _close(dxs[-1], want[-1]) and not _close(dxs[:-1], want[:-1]):
        return (
            "the last step is right but earlier ones are not: carry the gradient back in time. "
            "dh_{t−1} gets dhs[t−1] plus dz_t @ Whhᵀ from step t."
        )
    return None


def clip_per_array(case, got, expected, error):
    grads, max_norm = case["args"]
    per_array = {k: np.asarray(v) * min(1, max_norm / np.linalg.norm(v)) for k, v in grads.items()}
    clipped = _part(got, 0)
    if isinstance(clipped, dict) and all(_close(clipped.get(k), v) for k, v in per_array.items()):
        return (
            "you clipped each array by its own norm; clip by the norm of all of them together, "
            "so the whole gradient keeps its direction."
        )
    return None


def clip_always(case, got, expected, error):
    grads, max_norm = case["args"]
    norm = expected[1]
    clipped = _part(got, 0)
    if norm <= max_norm and isinstance(clipped, dict):
        scaled = {k: np.asarray(v) * max_norm / norm for k, v in grads.items()}
        if all(_close(clipped.get(k), v) for k, v in scaled.items()):
            return "the norm was already below max_norm: then leave the gradients unchanged."
    return None


DETECTORS: dict[str, Detector] = {
    name: fn
    for name, fn in list(globals().items())
    if callable(fn)
    and getattr(fn, "__module__", "") == __name__
    and not name.startswith("_")
    and name not in {"diagnose"}
}


def diagnose(case: dict, got: Any, expected: Any, error: BaseException | None = None) -> str | None:
    """Return the first hint a detector gives for this result, or the case's own hint."""
    names = case.get("mistakes", [])
    for detector in [*GENERAL, *(DETECTORS[n] for n in names if n in DETECTORS)]:
        try:
            hint = detector(case, got, expected, error)
        except Exception:  # a detector that cannot read this result has nothing to say
            hint = None
        if hint:
            return hint
    return case.get("hint")
