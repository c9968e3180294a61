"""Drawings for lessons 01 and 03: tangents, step-size errors, gradients, descent.

Functions of two variables are written with ``p[0]`` and ``p[1]`` (for example
``lambda p: p[0]**2 + 3 * p[1]**2``), so the same function works on one point of
shape (2,) and on a whole grid of shape (2, ny, nx).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit import calculus
from bpkit.plot import alt
from bpkit.plot._style import PALETTE, panels, power_of_ten


def cubic(x: Any) -> Any:
    """The running example of lesson 01: f(x) = x³ − 3x + 1."""
    return x**3 - 3 * x + 1


def cubic_slope(x: Any) -> Any:
    """Its derivative: f'(x) = 3x² − 3."""
    return 3 * x**2 - 3


def bowl(p: Any) -> Any:
    """The running 2-D example of lesson 03: f(p) = ½·p₀² + 2·p₁² (curvatures 1 and 4)."""
    return 0.5 * p[0] ** 2 + 2 * p[1] ** 2


def bowl_grad(p: Any) -> np.ndarray:
    """Its gradient: (p₀, 4·p₁)."""
    return np.array([p[0], 4 * p[1]])


def _axes(target: Any) -> Any:
    """Return ``target`` if it is an Axes, else one Axes filling the Figure ``target``."""
    if hasattr(target, "add_subplot"):
        return panels(target, 1)[0]
    return target


def draw_tangent(
    fig: Any,
    x: float = 1.5,
    h: float = 0.5,
    f: Callable[[Any], Any] = cubic,
    df: Callable[[Any], Any] | None = cubic_slope,
    xlim: tuple[float, float] = (-2.2, 2.2),
    name: str = "x³ − 3x + 1",
) -> Any:
    """Draw f, the secant through x and x+h, and the tangent at x, with both slopes.

    ``fig`` is a Figure (one Axes is added) or an Axes. Without ``df`` the tangent's
    slope is the central difference of f. Returns the Axes.
    """
    if h == 0:
        raise ValueError("draw_tangent: h must be nonzero (the secant needs two points).")
    ax = _axes(fig)
    grid = np.linspace(*xlim, 300)
    y = f(grid)
    fx, fxh = float(f(x)), float(f(x + h))
    secant = (fxh - fx) / h
    tangent = float(df(x)) if df is not None else calculus.derivative(f, x)
    ax.plot(grid, y, color=PALETTE["black"], lw=1.6, label=f"f(x) = {name}")
    ax.plot(
        grid,
        fx + tangent * (grid - x),
        color=PALETTE["blue"],
        lw=1.6,
        label=f"tangent at x: slope {tangent:.4f}",
    )
    (secant_line,) = ax.plot(
        grid,
        fx + secant * (grid - x),
        color=PALETTE["orange"],
        lw=1.6,
        ls="--",
        label=f"secant, h = {h:.3g}: slope {secant:.4f}",
    )
    # rise over run: the secant's slope is Δf / h
    ax.plot([x, x + h, x + h], [fx, fx, fxh], color=PALETTE["grey"], lw=1, ls=":")
    pad = 0.15 * (y.max() - y.min())
    ylim = (float(y.min() - pad), float(y.max() + pad))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.plot([x], [fx], "o", color=PALETTE["vermillion"], ms=5, zorder=3)
    note = _mark_second_point(ax, (x, fx), (x + h, fxh), xlim, ylim)
    secant_line.set_label(secant_line.get_label() + note)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(
        f"Secant slope {secant:.3f} → tangent slope {tangent:.3f} as h → 0 "
        f"(gap {abs(secant - tangent):.2g})"
    )
    ax.legend(loc="upper center")
    return ax


def _mark_second_point(
    ax: Any,
    start: tuple[float, float],
    end: tuple[float, float],
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> str:
    """Dot the secant's second point; if it is off the plot, mark where the secant leaves.

    The axes never move with the sliders (a steady picture), so a large h can put
    (x + h, f(x + h)) outside them: an arrowhead on the border then points the way, and
    the returned note (empty otherwise) is added to the secant's legend entry.
    """
    (x0, y0), (x1, y1) = start, end
    if xlim[0] <= x1 <= xlim[1] and ylim[0] <= y1 <= ylim[1]:
        ax.plot([x1], [y1], "o", color=PALETTE["vermillion"], ms=5, zorder=3)
        return ""
    # The largest fraction t of the way from start to end that stays inside the axes,
    # and the side it leaves through (which way the arrowhead points).
    t, marker = 1.0, "o"
    for lo, hi, a, b, (out_lo, out_hi) in [
        (*xlim, x0, x1, ("<", ">")),
        (*ylim, y0, y1, ("v", "^")),
    ]:
        for bound, side in ((hi, out_hi), (lo, out_lo)):
            if (b > hi and bound == hi) or (b < lo and bound == lo):
                fraction = (bound - a) / (b - a)
                if fraction < t:
                    t, marker = fraction, side
    edge = (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
    ax.plot(*edge, marker=marker, color=PALETTE["vermillion"], ms=8, clip_on=False, zorder=4)
    return f" (x + h = {x1:.3g}: off the plot)"


def draw_step_errors(
    ax: Any,
    f: Callable[[Any], Any] = np.sin,
    df: Callable[[Any], Any] = np.cos,
    x: float = 1.0,
    hs: Any = None,
    methods: tuple[str, ...] = ("forward", "central"),
    fit_range: tuple[float, float] = (1e-4, 1e-1),
) -> Any:
    """Plot |finite difference − f'(x)| against h on log-log axes, one line per method.

    Large h: truncation error (slope 1 for forward, 2 for central). Tiny h: round-off
    error, about ε/h, rises. The legend gives each method's slope fitted on
    ``fit_range`` with :func:`bpkit.calculus.convergence_order`. ``ax`` is an Axes or
    a Figure. Returns the Axes.
    """
    ax = _axes(ax)
    hs = np.logspace(-13, 0, 53) if hs is None else np.asarray(hs, dtype=np.float64)
    colours = {"forward": PALETTE["orange"], "central": PALETTE["blue"]}
    colours["backward"] = PALETTE["green"]
    fit = (hs >= fit_range[0]) & (hs <= fit_range[1])
    for method in methods:
        errors = calculus.step_errors(f, df, x, hs, method=method)
        order = calculus.convergence_order(hs[fit], errors[fit])
        shown = np.where(errors > 0, errors, np.nan)  # an exact 0 has no logarithm
        best = int(np.nanargmin(shown)) if np.isfinite(shown).any() else 0
        alt.note(ax, f"Smallest {method} error {errors[best]:.1e}, at h = {hs[best]:.0e}")
        label = f"{method} (fitted slope {order:.2f})"
        ax.loglog(hs, shown, "o-", ms=3, lw=1.2, color=colours.get(method), label=label)
        # a reference line of slope 1 or 2, drawn a factor 10 below the data on fit_range
        power = 2 if method == "central" else 1
        ref = hs[fit]
        guide = 0.1 * errors[fit][-1] * (ref / ref[-1]) ** power
        style, label = ("--", "slope 1 (∝ h)") if power == 1 else (":", "slope 2 (∝ h²)")
        ax.loglog(ref, guide, style, color=PALETTE["grey"], label=label)
    eps = np.finfo(np.float64).eps
    tiny = hs[hs < 1e-6]
    ax.loglog(tiny, eps / tiny, "-.", color=PALETTE["purple"], lw=1, label="round-off ≈ ε/h")
    ax.set_xlabel("step size h")
    ax.set_ylabel("|error| of f'(x)")
    ax.set_title("Truncation error falls with h; round-off rises as h → 0")
    low, high = ax.get_ylim()
    ax.set_ylim(low, high * 1e5)  # an empty band on top holds the legend, off the lines
    ax.legend(loc="upper center", ncol=2)
    return ax


def draw_contour_gradient(
    ax: Any,
    f: Callable[[Any], Any] = bowl,
    grad: Callable[[Any], Any] | None = bowl_grad,
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-2.0, 2.0),
    arrows: int = 7,
    levels: int = 12,
) -> Any:
    """Draw contour lines of f(p) and gradient arrows on an ``arrows × arrows`` grid.

    Each arrow points where f rises fastest and is perpendicular to the contour
    through its foot. Without ``grad`` the arrows use the numeric gradient
    (:func:`bpkit.calculus.gradient`). ``ax`` is an Axes or a Figure. Returns the Axes.
    """
    ax = _axes(ax)
    X, Y = np.meshgrid(np.linspace(*xlim, 120), np.linspace(*ylim, 120))
    contours = ax.contour(X, Y, f(np.stack([X, Y])), levels=levels, cmap="viridis", linewidths=1)
    ax.clabel(contours, fontsize=9, fmt="%.2g")
    px, py = np.meshgrid(np.linspace(*xlim, arrows + 2)[1:-1], np.linspace(*ylim, arrows + 2)[1:-1])
    points = np.stack([px.ravel(), py.ravel()], axis=1)  # (arrows², 2)
    if grad is None:
        g = np.array([calculus.gradient(f, p) for p in points])
    else:
        g = np.array([np.asarray(grad(p), dtype=np.float64) for p in points])  # (arrows², 2)
    ax.quiver(
        points[:, 0],
        points[:, 1],
        g[:, 0],
        g[:, 1],
        color=PALETTE["vermillion"],
        angles="xy",
        width=0.006,
    )
    ax.set_aspect("equal")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("p₀")
    ax.set_ylabel("p₁")
    ax.set_title("Arrows: ∇f points uphill, across the contours")
    return ax


def descent_path(
    grad: Callable[[Any], Any], x0: Any, lr: float, steps: int = 30, blowup: float = 1e6
) -> np.ndarray:
    """Run x ← x − lr·grad(x) from x0 and return every iterate, x0 included.

    Stops early, keeping the offending iterate, once an iterate is not finite or its
    norm exceeds ``blowup`` (the run has diverged; going on would overflow).

    Shapes: x0: () or (n,) → path: (k + 1,) or (k + 1, n) with k ≤ steps.
    """
    x = np.array(x0, dtype=np.float64)
    path = [x.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x = x - lr * np.asarray(grad(x), dtype=np.float64)
            path.append(x.copy())
            if not np.all(np.isfinite(x)) or np.linalg.norm(x) > blowup:
                break
    return np.array(path)


def classify_descent(
    grad: Callable[[Any], Any], path: np.ndarray, steps: int, blowup: float = 1e6
) -> str:
    """Name what a descent path did.

    One of "diverges" (it stopped early or its gradient grew), "oscillates" (steps
    flip back and forth and the gradient shrank by less than 10×), "converges
    (oscillating)", "converges" (gradient norm below 1% of its start) or "converges
    slowly" (the learning rate is too small for this many steps).
    """
    last = path[-1]
    if len(path) < steps + 1 or not np.all(np.isfinite(last)) or np.linalg.norm(last) > blowup:
        return "diverges"
    g0 = np.linalg.norm(np.asarray(grad(path[0]), dtype=np.float64))
    g = np.linalg.norm(np.asarray(grad(last), dtype=np.float64))
    if g > g0 * (1 + 1e-9):
        return "diverges"
    moves = np.diff(path.reshape(len(path), -1), axis=0)  # (k, n)
    flips = np.sum(moves[1:] * moves[:-1] < 0, axis=0)  # sign changes per coordinate
    oscillating = len(moves) > 2 and bool(np.any(flips >= (len(moves) - 1) // 2))
    if oscillating:
        return "converges (oscillating)" if g < 0.1 * g0 else "oscillates"
    return "converges" if g <= 1e-2 * g0 else "converges slowly"


def _draw_path(
    ax: Any,
    f: Callable,
    path: np.ndarray,
    losses: np.ndarray,
    colour: str,
    xlim: tuple[float, float],
    ylim: tuple[float, float],
) -> None:
    """Draw the iterates on f's graph (1-D) or on its contours (2-D)."""
    if path.ndim == 2:
        X, Y = np.meshgrid(np.linspace(*xlim, 80), np.linspace(*ylim, 80))
        ax.contour(X, Y, f(np.stack([X, Y])), levels=10, cmap="viridis", linewidths=0.8)
        ax.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1, color=colour)
        ax.plot(*path[0], "s", color=PALETTE["orange"], ms=6, label="start", zorder=3)
        ax.set_ylim(*ylim)
        ax.set_xlabel("p₀")
        ax.set_ylabel("p₁")
    else:
        grid = np.linspace(*xlim, 200)
        curve = f(grid)
        ax.plot(grid, curve, color=PALETTE["black"], lw=1.4)
        ax.plot(path, losses, "o-", ms=3, lw=1, color=colour)
        ax.plot(path[0], losses[0], "s", color=PALETTE["orange"], ms=6, label="start", zorder=3)
        pad = 0.1 * np.ptp(curve)
        ax.set_ylim(curve.min() - pad, curve.max() + pad)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
    ax.set_xlim(*xlim)
    ax.legend(loc="upper center")
    left = leaves_view(path, xlim, ylim)
    if left is not None:  # say so, rather than let the path vanish off the edge unexplained
        ax.text(0.5, 0.04, f"the path leaves this picture at step {left}", ha="center",
                va="bottom", transform=ax.transAxes, fontsize=9, color=colour, zorder=4,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})  # fmt: skip


def leaves_view(
    path: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float]
) -> int | None:
    """The first step k whose iterate lies outside the drawn box, or None if all stay inside.

    Shapes: path: (k + 1,) for 1-D (only x is tested) or (k + 1, 2) for 2-D.
    """
    points = path.reshape(len(path), -1)
    with np.errstate(invalid="ignore"):
        outside = (points[:, 0] < xlim[0]) | (points[:, 0] > xlim[1]) | ~np.isfinite(points[:, 0])
        if points.shape[1] == 2:
            outside |= (points[:, 1] < ylim[0]) | (points[:, 1] > ylim[1])
            outside |= ~np.isfinite(points[:, 1])
    found = np.flatnonzero(outside)
    return int(found[0]) if found.size else None


def _draw_losses(
    ax: Any,
    losses: np.ndarray,
    colour: str,
    steps: int,
    loss_range: tuple[float, float] | None = None,
) -> None:
    """Draw f(x_k) against k on a log axis (only finite, positive values have a place).

    The axis spans ``loss_range`` if given, else whole multiples of four decades around
    the losses.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    shown = np.where(np.isfinite(losses) & (losses > 0), losses, np.nan)
    ax.semilogy(np.arange(len(losses)), shown, "o-", ms=3, color=colour)
    # plain-text "10⁻⁵" labels and no minor ticks: mathtext tick labels cost ~100 ms per redraw
    ax.yaxis.set_major_locator(LogLocator(numticks=6))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(power_of_ten))
    ax.set_xlim(0, steps)
    # Whole multiples of four decades from below the lowest loss to above the highest: a
    # short range still has two labelled ticks, and while a slider moves the axis keeps
    # its range (and an explorer its drawn frame, see bpkit.widgets) across many values.
    finite = shown[np.isfinite(shown)]
    if loss_range is not None:  # labelled every four decades from the bottom
        from matplotlib.ticker import FixedLocator

        ax.set_ylim(*loss_range)
        low, high = np.ceil(np.log10(loss_range[0])), np.floor(np.log10(loss_range[1]))
        ax.yaxis.set_major_locator(FixedLocator(10.0 ** np.arange(low, high + 1, 4)))
    if finite.size and loss_range is None:
        low = 4 * np.floor(np.log10(finite.min()) / 4)
        high = 4 * np.ceil(np.log10(finite.max()) / 4)
        ax.set_ylim(10.0**low, 10.0 ** max(high, low + 4))
    elif not finite.size:
        if loss_range is None:
            ax.set_ylim(1e-2, 1e2)
        ax.text(0.5, 0.5, "f(x_k) = 0 at every step:\nthe start is the minimum", ha="center",
                va="center", transform=ax.transAxes, fontsize=9)  # fmt: skip
    zero = np.flatnonzero(losses == 0)
    if finite.size and zero.size:  # log 0 has no place on the axis: say it in words
        # Three short lines: two long ones ran into the tick labels of a narrow panel.
        ax.text(0.5, 0.5, f"f(x_k) = 0\nfrom step {zero[0]} on:\nthe exact minimum",
                ha="center", va="center", transform=ax.transAxes, fontsize=9)  # fmt: skip
    ax.set_xlabel("step k")
    ax.set_ylabel("f(x_k)")
    stopped = len(losses) < steps + 1
    ax.set_title(
        f"diverged: stopped at step {len(losses) - 1}, |x| > 10⁶" if stopped else "loss per step",
        fontsize=9,
    )


def draw_descent(
    fig: Any,
    lr: float = 0.1,
    x0: Any = 1.8,
    f: Callable[[Any], Any] | None = None,
    grad: Callable[[Any], Any] | None = None,
    steps: int = 30,
    xlim: tuple[float, float] = (-2.0, 2.0),
    ylim: tuple[float, float] = (-2.0, 2.0),
    loss_range: tuple[float, float] | None = None,
) -> Any:
    """Draw gradient descent: the path on f (1-D curve or 2-D contours) and loss vs step.

    A scalar ``x0`` runs 1-D descent (default f(x) = x², threshold lr < 1); a pair runs
    2-D descent (default :func:`bowl`, threshold lr < 0.5). Without ``grad`` the
    numeric derivative or gradient of f is used. The title says whether the run
    converges, oscillates or diverges; a diverging run stops before it overflows.
    ``loss_range`` fixes the loss axis (an explorer keeps it still, so that a faster or
    slower descent shows as a steeper or flatter curve). Returns the two Axes.
    """
    from matplotlib.ticker import MaxNLocator

    x0 = np.array(x0, dtype=np.float64)
    two_d = x0.shape == (2,)
    if not two_d and x0.ndim != 0:
        raise ValueError(f"draw_descent: x0 must be a number or a pair, got shape {x0.shape}.")
    if f is None:
        f, grad = (bowl, bowl_grad) if two_d else ((lambda x: x**2), (lambda x: 2 * x))
    if grad is None:
        numeric = calculus.gradient if two_d else calculus.derivative
        grad = lambda x: numeric(f, x)  # noqa: E731 - a one-line closure reads best here
    path = descent_path(grad, x0, lr, steps)
    verdict = classify_descent(grad, path, steps)
    with np.errstate(over="ignore", invalid="ignore"):
        losses = np.array([float(f(p)) for p in path])
    colour = PALETTE["vermillion"] if verdict == "diverges" else PALETTE["blue"]
    ax_path, ax_loss = panels(fig, 2)
    _draw_path(ax_path, f, path, losses, colour, xlim, ylim)
    ax_path.set_title(f"η = {lr:.3g}: {verdict}")
    _draw_losses(ax_loss, losses, colour, steps, loss_range)
    went = f"{losses[0]:.3g} to {losses[-1]:.3g} in {len(losses) - 1} steps"
    alt.note(ax_loss, f"The loss f(x_k) goes from {went}")
    # Few tick labels keep each redraw fast. On the path's axes, steps of 1, 2, 2.5 or 5
    # (times a power of ten), not 0.8: "−1.6" and "−0.8" met in a narrow window, "−2" and
    # "−1" do not.
    for axis in (ax_path.xaxis, ax_path.yaxis):
        axis.set_major_locator(MaxNLocator(5, steps=[1, 2, 2.5, 5, 10]))
    ax_loss.xaxis.set_major_locator(MaxNLocator(5))
    return ax_path, ax_loss
