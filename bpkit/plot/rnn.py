"""Drawings for the BPTT lesson: the unrolled RNN and gradient flow through time.

* :func:`draw_unrolled_rnn` — the network unrolled over T steps, with the backward
  paths of one loss and the cuts that truncated BPTT makes;
* :func:`plot_gradient_norms` — gradient norm against time lag on a log axis;
* :func:`draw_gradient_flow` — one state of the vanishing/exploding-gradient explorer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bpkit.plot import alt
from bpkit.plot._style import PALETTE, panels, power_of_ten

__all__ = [
    "describe_gradient_flow",
    "draw_gradient_flow",
    "draw_unrolled_rnn",
    "gradient_flow_norms",
    "plot_gradient_norms",
]


def _box(ax: Any, x: float, y: float, text: str, color: str, width: float = 0.62) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - 0.22),
            width,
            0.44,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=color,
            edgecolor=PALETTE["black"],
            linewidth=0.8,
            alpha=0.9,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _arrow(ax: Any, start: tuple, end: tuple, color: str, style: str = "-", width=1.0) -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": color, "lw": width, "linestyle": style},
    )


def draw_unrolled_rnn(
    ax: Any, T: int = 4, loss_step: int | None = None, truncate: int | None = None
) -> Any:
    """Draw an RNN unrolled over ``T`` steps on ``ax``: x_t → h_t → y_t, h_{t-1} → h_t.

    ``loss_step=t`` draws (dashed, vermillion) every path by which the loss at step t
    sends gradient back to earlier states; ``truncate=k`` marks the chunk boundaries
    that truncated BPTT does not cross. Returns ``ax``.
    """
    if T < 1:
        raise ValueError(f"draw_unrolled_rnn: T must be ≥ 1, got {T}.")
    if loss_step is not None and not 0 <= loss_step < T:
        raise ValueError(f"draw_unrolled_rnn: loss_step must be in 0 … {T - 1}, got {loss_step}.")
    first = 0
    if loss_step is not None and truncate:
        first = (loss_step // truncate) * truncate
    gap = 1.5  # horizontal distance between steps
    xs = gap * (np.arange(T) + 1.0)
    black, red = PALETTE["black"], PALETTE["vermillion"]
    _box(ax, 0.0, 1.0, "$h_{0}$", PALETTE["grey"])
    for t, x in enumerate(xs):
        reached = loss_step is not None and first <= t <= loss_step
        _box(ax, x, 0.0, f"$x_{{{t + 1}}}$", PALETTE["sky"])
        _box(ax, x, 1.0, f"$h_{{{t + 1}}}$", PALETTE["orange"] if reached else PALETTE["yellow"])
        _box(ax, x, 2.0, f"$L_{{{t + 1}}}$", PALETTE["green"])
        _arrow(ax, (x, 0.22), (x, 0.78), black)
        _arrow(ax, (x, 1.22), (x, 1.78), black)
        _arrow(ax, (x - gap + 0.31, 1.05), (x - 0.31, 1.05), black)
        ax.text(x - gap / 2, 1.12, "$W_{hh}$", ha="center", va="bottom", fontsize=8)
    if loss_step is not None:
        x = xs[loss_step]
        _arrow(ax, (x + 0.15, 1.78), (x + 0.15, 1.22), red, "--", 1.6)
        for t in range(loss_step, first - 1, -1):
            if t == 0 and first == 0:
                _arrow(ax, (xs[0] - 0.31, 0.85), (0.31, 0.85), red, "--", 1.6)
            elif t > first:
                _arrow(ax, (xs[t] - 0.31, 0.85), (xs[t - 1] + 0.31, 0.85), red, "--", 1.6)
    if truncate:
        for boundary in range(truncate, T, truncate):
            edge = xs[boundary] - gap / 2
            ax.plot([edge, edge], [-0.45, 2.4], color=red, lw=1.2, ls=":")
            ax.text(edge, 2.45, "cut", ha="center", va="bottom", color=red, fontsize=9)
    ax.set_xlim(-0.5, xs[-1] + 0.5)
    ax.set_ylim(-0.5, 2.8)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_gradient_norms(ax: Any, norms: dict[str, np.ndarray], guide: bool = False) -> Any:
    """Plot ‖dL_t/dh_{t-τ}‖ against the lag τ on a log axis, one line per entry of ``norms``.

    With ``guide=True`` and labels like ``"ρ = 1.2"``, a dotted ρ^τ line is added for each.
    Zeros (steps that a truncated backward never reaches) are left out.
    """
    for i, (label, n) in enumerate(norms.items()):
        n = np.asarray(n, dtype=np.float64)
        lag = np.arange(n.size)
        shown = n > 0
        (line,) = ax.semilogy(lag[shown], n[shown], label=label, zorder=3 + i)
        color = line.get_color()  # the next colour of the axes' cycle
        if guide and "=" in label:
            rho = float(label.split("=")[1])
            ax.semilogy(lag, rho**lag, color=color, ls=":", lw=1)
    ax.set_xlabel("time lag τ (steps back from the loss)")
    ax.set_ylabel(r"$\|\partial L_t / \partial h_{t-\tau}\|$")
    ax.legend(loc="best")
    return ax


def gradient_flow_norms(
    radius: float,
    T: int,
    activation: str = "tanh",
    k: int | None = None,
    input_scale: float = 0.5,
    n_hidden: int = 32,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (gradient norms over the lag, eigenvalues of Whh) for one explorer state.

    A fresh ``RNN(4, n_hidden)`` gets Whh rescaled to spectral radius ``radius`` and runs
    T steps of Gaussian inputs times ``input_scale``. The loss sits at the last step, or,
    with truncation ``k``, at the last step of the last whole chunk, so that its gradient
    travels as far back as truncation allows (k − 1 steps). Shapes: norms: (T,).
    """
    from bpkit.rnn import RNN, gradient_norms_through_time, set_spectral_radius

    rnn = set_spectral_radius(RNN(4, n_hidden, seed=seed, activation=activation), radius)
    xs = input_scale * np.random.default_rng(seed).standard_normal((T, 4, 4))
    t = T - 1 if not k or k > T else (T // k) * k - 1
    norms = np.zeros(T)
    norms[: t + 1] = gradient_norms_through_time(rnn, xs, t=t, truncate=k or None, seed=seed)
    return norms, np.linalg.eigvals(rnn.params["Whh"])


def describe_gradient_flow(norms: np.ndarray) -> str:
    """Say in words what the curve does: the words must agree with the picture.

    The gradient is 1 at lag 0; where it ends decides the word: below 10⁻³ it vanishes,
    below 0.1 it fades, above 10³ it explodes, above 10 it grows, else it survives.
    """
    lag = int(np.flatnonzero(norms)[-1])
    norm = norms[lag]
    if lag < norms.size - 1:
        return f"stops after {lag} steps (truncated)"
    word = next(
        word
        for word, inside in [
            ("vanishes", norm < 1e-3),
            ("fades", norm < 0.1),
            ("explodes", norm > 1e3),
            ("grows", norm > 10),
            ("survives", True),
        ]
        if inside
    )
    shown = f"{norm:.0e}" if word in ("vanishes", "explodes") else f"{norm:.2g}"
    return f"{word} ({shown} after {lag} steps)"


def draw_gradient_flow(
    fig: Any,
    radius: float = 1.0,
    T: int = 50,
    activation: str = "tanh",
    k: int = 0,
    input_scale: float = 0.5,
) -> Any:
    """Draw gradient norm against lag (log y) and Whh's eigenvalues for one setting.

    ``k = 0`` (or None) means full BPTT; ``k > 0`` truncates to chunks of k steps.
    The dotted line is ρ^τ, the rate of repeated multiplication by Whh alone.
    """
    from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator, NullLocator

    # Text layout is the slow part of a redraw (< 150 ms is the goal), so this figure keeps
    # its text short: few ticks, plain-text powers of ten (no mathtext), no legend.
    norms, eig = gradient_flow_norms(radius, T, activation, k or None, input_scale)
    ax, ax_eig = panels(fig, 2, width_ratios=(2.4, 1))
    lag = np.arange(T)
    with np.errstate(under="ignore"):
        guide = np.clip(float(radius) ** lag, 1e-30, 1e30)
    ax.semilogy(lag, guide, ":", color=PALETTE["grey"])
    shown = norms > 0
    ax.semilogy(lag[shown], norms[shown], color=PALETTE["blue"], lw=2)
    if not shown.all():
        cut = int(np.argmin(shown))
        ax.axvspan(cut - 0.5, T - 0.5, color=PALETTE["vermillion"], alpha=0.12, lw=0)
        ax.text(cut, 1e-10, f" cut by truncation (k = {k})", fontsize=8)
    ax.set_ylim(1e-12, 1e12)
    powers = np.arange(-12, 13, 6)
    ax.yaxis.set_major_locator(FixedLocator(10.0**powers))
    ax.yaxis.set_major_formatter(FixedFormatter([power_of_ten(10.0**p) for p in powers]))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_xlim(0, max(T - 1, 1))
    ax.set_xlabel("time lag τ (steps back from the loss)")
    ax.set_ylabel(r"‖∂L/∂h‖ (solid), $\rho^\tau$ (dotted)")
    verdict = describe_gradient_flow(norms)
    ax.set_title(f"ρ = {radius:.2f}, {activation}: the gradient {verdict}", loc="left")
    circle = np.exp(1j * np.linspace(0, 2 * np.pi, 100))
    ax_eig.plot(circle.real, circle.imag, color=PALETTE["grey"], lw=1)
    ax_eig.scatter(eig.real, eig.imag, s=8, color=PALETTE["orange"])
    ax_eig.set_xlim(-2.1, 2.1)
    ax_eig.set_ylim(-2.1, 2.1)
    ax_eig.set_aspect("equal")
    ax_eig.axis("off")
    ax_eig.set_title("eigenvalues of Whh\n(circle: |λ| = 1)", fontsize=9)
    alt.note(ax, f"The dotted line ρ^τ is {guide[-1]:.0e} at lag {T - 1}")
    alt.note(ax_eig, f"{eig.size} eigenvalues, the largest |λ| = {np.abs(eig).max():.2f}")
    return fig
