"""Gradient checking: compare analytic gradients with finite differences.

Every backward pass in the course is checked with one of these:

* :func:`check_gradient` — a scalar function of an array and its claimed gradient;
* :func:`check_value` — a graph of :class:`bpkit.scalar.Value` nodes;
* :func:`check_layer` — any object with ``forward``/``backward``/``params``/``grads``
  (a layer, a ``Sequential``, an ``MLP``, an ``RNN``);
* :func:`check_model` — a model and a loss, checking every parameter.

Each returns a :class:`GradCheckReport` that is truthy when the check passes and whose
text names the worst entry.

Central differences with step h cannot resolve an absolute difference below about
ε/h + h² (rounding plus truncation, ≈ 2e-10 for h = 1e-6), so a relative error is never
taken over a denominator smaller than that noise divided by the tolerance: a true zero
gradient, such as that of x³ at 0 (whose central difference is h²), passes, while a
gradient of 1e-9 that is off by a factor of 2 still fails.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bpkit.calculus import gradient


def rel_error(analytic: Any, numeric: Any, eps: float = 1e-8) -> np.ndarray:
    """Return |a − n| / max(|a|, |n|, eps) elementwise (CS231n's relative error)."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    with np.errstate(invalid="ignore"):  # inf vs inf gives NaN, quietly
        return np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), eps)


@dataclass
class GradCheckReport:
    """The result of a gradient check; ``bool(report)`` says whether it passed."""

    max_rel_error: float
    worst: str
    analytic: float
    numeric: float
    tol: float
    errors: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.max_rel_error <= self.tol)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        mark = "✓" if self.ok else "✗"
        lines = [
            f"{mark} gradient check: max relative error {self.max_rel_error:.2e} "
            f"(tolerance {self.tol:.0e})",
            f"  worst entry {self.worst}: analytic {self.analytic:.6g}, numeric {self.numeric:.6g}",
        ]
        if len(self.errors) > 1:
            lines += [f"  {name:>12}: {err:.2e}" for name, err in self.errors.items()]
        return "\n".join(lines)

    __repr__ = __str__


def _noise_floor(h: float, tol: float) -> float:
    """The smallest denominator of a relative error: finite-difference noise / tolerance."""
    noise = np.finfo(np.float64).eps / h + h * h
    return max(1e-8, noise / tol)


def _compare(pairs: Iterable[tuple[str, Any, Any]], tol: float, h: float = 1e-6) -> GradCheckReport:
    """Build one report from (name, analytic, numeric) triples (numeric: step ``h``)."""
    floor = _noise_floor(h, tol)
    errors: dict[str, float] = {}
    worst = ("", 0.0, 0.0, -1.0)
    for name, analytic, numeric in pairs:
        analytic = np.asarray(analytic, dtype=np.float64)
        numeric = np.asarray(numeric, dtype=np.float64)
        if analytic.shape != numeric.shape:
            raise ValueError(
                f"gradcheck: the analytic gradient for {name} has shape {analytic.shape}, "
                f"but {name} itself has shape {numeric.shape}; a gradient is shaped like "
                "what it differentiates."
            )
        err = rel_error(analytic, numeric, eps=floor)
        if err.size == 0:
            continue
        # a NaN or inf on either side fails the check (a NaN error would compare as "passed")
        err = np.where(np.isfinite(analytic) & np.isfinite(numeric), err, np.inf)
        i = int(np.argmax(err))
        errors[name] = float(err.flat[i])
        if err.flat[i] > worst[3]:
            index = np.unravel_index(i, err.shape) if err.ndim else ()
            label = f"{name}[{', '.join(map(str, index))}]" if index else name
            worst = (label, float(analytic.flat[i]), float(numeric.flat[i]), float(err.flat[i]))
    return GradCheckReport(worst[3], worst[0], worst[1], worst[2], tol, errors)


def check_gradient(
    f: Callable[[np.ndarray], Any],
    x: Any,
    grad: Any,
    h: float = 1e-6,
    tol: float = 1e-6,
    name: str = "x",
) -> GradCheckReport:
    """Check that ``grad`` is the gradient of the scalar function ``f`` at ``x``."""
    return _compare([(name, grad, gradient(f, x, h=h))], tol, h)


def check_value(
    f: Callable[..., Any], *inputs: float, h: float = 1e-6, tol: float = 1e-6
) -> GradCheckReport:
    """Check ``Value.backward`` on the graph that ``f(*values)`` builds.

    >>> check_value(lambda a, b: (a * b).tanh(), 0.5, -1.2).ok
    True
    """
    from bpkit.scalar import Value

    values = [Value(float(x)) for x in inputs]
    f(*values).backward()
    analytic = np.array([v.grad for v in values])
    numeric = gradient(lambda xs: f(*[Value(float(x)) for x in xs]).data, list(inputs), h=h)
    names = [f"input{i}" for i in range(len(inputs))]
    return _compare(zip(names, analytic, numeric, strict=True), tol, h)


def _perturbation_loss(module: Any, x: np.ndarray, dout: np.ndarray) -> float:
    return float(np.sum(np.asarray(module.forward(x)) * dout))


def check_layer(
    layer: Any, x: Any, seed: int = 0, h: float = 1e-6, tol: float = 1e-6
) -> GradCheckReport:
    """Check ``backward`` of a layer (or any forward/backward module) at input ``x``.

    The scalar checked is L = sum(forward(x) * R) for a fixed random R, so
    dL/dout = R; the report covers dx and every parameter in ``layer.params``.
    """
    x = np.array(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    dout = rng.standard_normal(np.shape(layer.forward(x.copy())))
    layer.forward(x.copy())
    dx = _backward_with_dx(layer, dout.copy())
    grads = {name: np.array(g, dtype=np.float64) for name, g in layer.grads.items()}
    pairs = [("x", dx, gradient(lambda xp: _perturbation_loss(layer, xp, dout), x, h=h))]
    for name, param in layer.params.items():
        pairs.append(
            (
                name,
                grads[name],
                _param_gradient(param, lambda: _perturbation_loss(layer, x.copy(), dout), h),
            )
        )
    return _compare(pairs, tol, h)


def _backward_with_dx(module: Any, dout: np.ndarray) -> Any:
    """Run ``module.backward(dout)`` and return dx; a model returns it only if asked."""
    if "input_grad" in inspect.signature(module.backward).parameters:
        return module.backward(dout, input_grad=True)
    return module.backward(dout)


def _param_gradient(param: np.ndarray, loss: Callable[[], float], h: float) -> np.ndarray:
    """Central differences of ``loss()`` with respect to ``param``, nudged in place and restored."""
    grad = np.zeros_like(param, dtype=np.float64)
    flat, gflat = param.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + h
        f_plus = loss()
        flat[i] = saved - h
        f_minus = loss()
        flat[i] = saved
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def check_model(
    model: Any, loss: Any, x: Any, y: Any, h: float = 1e-6, tol: float = 1e-6
) -> GradCheckReport:
    """Check every parameter gradient of ``model`` under ``loss`` on the batch (x, y).

    ``model`` has ``forward``, ``backward`` and ``parameters()`` yielding
    ``(name, param, grad)``; ``loss`` has ``forward(pred, target)`` and ``backward()``.
    """
    x = np.array(x, dtype=np.float64)

    def value() -> float:
        return float(loss.forward(model.forward(x.copy()), y))

    value()
    model.backward(loss.backward())
    analytic = [(name, np.array(grad, dtype=np.float64)) for name, _, grad in model.parameters()]
    params = {name: param for name, param, _ in model.parameters()}
    return _compare(
        [(name, grad, _param_gradient(params[name], value, h)) for name, grad in analytic],
        tol,
        h,
    )
