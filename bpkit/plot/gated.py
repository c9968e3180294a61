"""Drawings for the gated-recurrence lesson: the gradient that survives through a cell state.

* :func:`gated_flow_norms` — input-gradient norms against lag, vanilla RNN and LSTM;
* :func:`draw_gated_flow` — one state of the forget-gate explorer;
* :func:`draw_highway` — the highway alone (W_h = 0) beside the full LSTM and the RNN;
* :func:`draw_lstm_cell` — a diagram of one LSTM step, the cell-state line highlighted.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from bpkit.plot._style import PALETTE, panels, power_of_ten

__all__ = ["draw_gated_flow", "draw_highway", "draw_lstm_cell", "flow_top", "gated_flow_norms"]

HIGHWAY = "highway alone (W_h = 0)"


def gated_flow_norms(
    forget_bias: float, T: int = 100, n_hidden: int = 32, seed: int = 0
) -> dict[str, np.ndarray]:
    """Return ‖∂L/∂x_{T−1−τ}‖ / ‖∂L/∂x_{T−1}‖ against τ for an RNN, an LSTM and its forget gates.

    Both layers are fresh (``seed``), read the same Gaussian inputs (scale 0.5) and have
    a loss at the last step. ``"forget gates"`` is the mean over units of f_{T−1} ⊙ ⋯ ⊙
    f_{T−τ}, the cell state's own path. ``HIGHWAY`` is the same LSTM with W_h = 0: every
    path through h_{t−1} cut, only the cell state carries the gradient back (it is divided
    by the full LSTM's value at τ = 0, so the two curves share one scale). Shapes: each (T,).
    """
    cached = _flow_norms(float(forget_bias), int(T), int(n_hidden), int(seed))
    return {name: curve.copy() for name, curve in cached.items()}


@functools.lru_cache(maxsize=64)
def _flow_norms(forget_bias: float, T: int, n_hidden: int, seed: int) -> dict[str, np.ndarray]:
    # Cached: moving the explorer's lag slider redraws without rerunning the layers.
    from bpkit.gated import LSTM, input_gradient_norms
    from bpkit.rnn import RNN

    xs = 0.5 * np.random.default_rng(seed).standard_normal((T, 4, 4))
    rnn_norms = input_gradient_norms(RNN(4, n_hidden, seed=seed), xs, seed=seed)
    lstm = LSTM(4, n_hidden, seed=seed, forget_bias=forget_bias)
    lstm_norms = input_gradient_norms(lstm, xs, seed=seed)
    cut = LSTM(4, n_hidden, seed=seed, forget_bias=forget_bias)
    cut.params["Wh"][...] = 0.0
    cut_norms = input_gradient_norms(cut, xs, seed=seed)
    with np.errstate(under="ignore"):
        # f_{T−1} ⊙ ⋯ ⊙ f_{T−τ} for τ = 1 … T − 1, as one running product backwards in time
        products = np.cumprod(lstm.gates["f"][::-1], axis=0).mean(axis=(1, 2))
        return {
            "vanilla RNN": rnn_norms / rnn_norms[0],
            "LSTM": lstm_norms / lstm_norms[0],
            HIGHWAY: cut_norms / lstm_norms[0],
            "forget gates": np.concatenate([[1.0], products[: T - 1]]),
        }


def flow_top(norms: dict[str, np.ndarray]) -> float:
    """The top of the gradient axis: the whole decade above twice the highest norm.

    A wide-open gate's gradient grows with the lag, so the axis must reach above it. A
    whole decade keeps the range while a slider moves within it.
    """
    highest = max(float(n.max()) for n in norms.values())
    return float(10.0 ** np.ceil(np.log10(max(2.0, 2.0 * highest))))


def draw_gated_flow(
    fig: Any, forget_bias: float = 2.0, lag: int = 50, T: int = 100, top: float | None = None
) -> Any:
    """Draw the gradient against lag for an RNN and an LSTM, with the values at ``lag``.

    The left panel plots :func:`gated_flow_norms` on a log axis; the right panel shows the
    two gradients ``lag`` steps back as bars, and the title says how many times larger
    the LSTM's is (short, so that a redraw never has to lay the figure out again). Both
    axes reach from 1e-16 to ``top`` (default: see :func:`flow_top`).
    """
    if not 0 <= lag < T:
        raise ValueError(f"draw_gated_flow: lag must be in 0 … T−1 = {T - 1}, got {lag}.")
    from matplotlib.ticker import (
        FixedFormatter,
        FixedLocator,
        MaxNLocator,
        NullFormatter,
        NullLocator,
    )

    # Text layout is the slow part of a redraw, so few ticks and no tick labels on the bars.

    norms = gated_flow_norms(forget_bias, T)
    ax, ax_bar = panels(fig, 2, width_ratios=(2.4, 1))
    tau = np.arange(T)
    colors = {"vanilla RNN": PALETTE["vermillion"], "LSTM": PALETTE["blue"]}
    colors["forget gates"], colors[HIGHWAY] = PALETTE["grey"], PALETTE["green"]
    for label, n in norms.items():
        shown = n > 0
        style = {"forget gates": ":", HIGHWAY: "--"}.get(label, "-")
        ax.semilogy(tau[shown], n[shown], style, color=colors[label], lw=2, label=label)
    ax.axvline(lag, color=PALETTE["orange"], lw=1)
    top = flow_top(norms) if top is None else top
    ax.set_ylim(1e-16, top)
    powers = np.arange(-16, 1, 8)
    ax.yaxis.set_major_locator(FixedLocator(10.0**powers))
    ax.yaxis.set_major_formatter(FixedFormatter([power_of_ten(10.0**p) for p in powers]))
    ax.yaxis.set_minor_locator(NullLocator())
    pad = max(1.0, 0.02 * (T - 1))  # the lag marker stays clear of the frame at 0 and T − 1
    ax.set_xlim(-pad, T - 1 + pad)
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_xlabel("time lag τ (steps back from the loss)")
    ax.set_ylabel("‖∂L/∂x‖, relative to τ = 0")
    ax.legend(loc="lower left", fontsize=9)  # as large as the tick labels
    rnn, lstm = norms["vanilla RNN"][lag], norms["LSTM"][lag]
    ratio = lstm / rnn if rnn > 0 else np.inf
    times = f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.2g}"
    ax.set_title(f"forget bias {forget_bias:+.1f}: LSTM / RNN at lag {lag} = {times}×", loc="left")
    ax_bar.bar([0, 1], [max(rnn, 1e-300), max(lstm, 1e-300)], color=list(colors.values())[:2])
    ax_bar.set_yscale("log")
    ax_bar.set_ylim(1e-16, top)
    ax_bar.yaxis.set_major_locator(FixedLocator(10.0**powers))
    ax_bar.yaxis.set_major_formatter(NullFormatter())  # same scale as the left panel
    ax_bar.yaxis.set_minor_locator(NullLocator())
    ax_bar.set_xticks([0, 1], ["RNN", "LSTM"])
    ax_bar.set_title(f"gradient at lag {lag}", fontsize=9)
    return fig


def draw_highway(
    fig: Any, biases: tuple[float, ...] = (2.0, 4.5), T: int = 100, seed: int = 0
) -> Any:
    """One panel per forget bias: the RNN, the full LSTM, the highway alone and the gates.

    The highway alone is the LSTM with W_h = 0 (:func:`gated_flow_norms`): where its curve
    lies far below the full LSTM's, the gradient travels mostly through the W_h paths.
    """
    axes = panels(fig, len(biases))
    styles = {
        "vanilla RNN": (PALETTE["vermillion"], "-"),
        "LSTM": (PALETTE["blue"], "-"),
        HIGHWAY: (PALETTE["green"], "--"),
        "forget gates": (PALETTE["grey"], ":"),
    }
    tau = np.arange(T)
    for ax, bias in zip(axes, biases, strict=True):
        norms = gated_flow_norms(bias, T, seed=seed)
        for label, (color, style) in styles.items():
            shown = norms[label] > 0
            ax.semilogy(tau[shown], norms[label][shown], style, color=color, lw=2, label=label)
        ax.set_ylim(1e-12, flow_top(norms))
        ax.set_xlim(0, T - 1)
        ax.set_xlabel("time lag τ (steps back from the loss)")
        ax.set_title(f"forget bias {bias:+.1f}", loc="left")
    axes[0].set_ylabel("‖∂L/∂x‖, relative to the LSTM at τ = 0")
    axes[0].legend(loc="lower left", fontsize=9)
    return fig


def draw_lstm_cell(ax: Any) -> Any:
    """Draw one LSTM step: the gates, the two states, and the cell-state line highlighted.

    The thick blue line is c_{t−1} → ×f → +i⊙g → c_t: along it the only factor is f.
    Everything else (thin, grey) passes through a weight matrix.
    """
    from matplotlib.patches import Circle, FancyBboxPatch

    grey, blue = PALETTE["grey"], PALETTE["blue"]
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.2, 6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((1, 0.6), 8, 4.4, boxstyle="round,pad=0.1", fc="#f4f4f4", ec=grey))

    def arrow(start: tuple, end: tuple, color: str = grey, lw: float = 1.2) -> None:
        ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": color, "lw": lw})

    def node(xy: tuple, text: str, color: str = "white", radius: float = 0.32) -> None:
        ax.add_patch(Circle(xy, radius, fc=color, ec="black", lw=1, zorder=3))
        ax.text(*xy, text, ha="center", va="center", fontsize=11, zorder=4)

    # the cell-state highway across the top
    arrow((0, 4.2), (3.1, 4.2), blue, 4)
    arrow((3.5, 4.2), (5.6, 4.2), blue, 4)
    arrow((6.0, 4.2), (10, 4.2), blue, 4)
    node((3.3, 4.2), "×")
    node((5.8, 4.2), "+")
    ax.text(0.1, 4.45, "$c_{t-1}$", fontsize=11, color=blue)
    ax.text(9.4, 4.45, "$c_t$", fontsize=11, color=blue)
    # the gates, fed by [x_t, h_{t-1}] through W
    ax.plot([0, 8.6], [1.0, 1.0], color=grey, lw=1.2)
    ax.text(1.2, 0.15, "$x_t$ and $h_{t-1}$, through $W_x$ and $W_h$, into every gate", fontsize=9)
    gates = {"f": (3.3, "σ"), "i": (4.9, "σ"), "g": (5.8, "tanh"), "o": (7.4, "σ")}
    for name, (x, act) in gates.items():
        arrow((x, 1.0), (x, 2.05))
        box = FancyBboxPatch((x - 0.38, 2.05), 0.76, 0.5, boxstyle="round,pad=0.03", fc="white")
        ax.add_patch(box)
        ax.text(x, 2.3, act, ha="center", va="center", fontsize=9)
        ax.text(x - 0.55, 2.75, f"${name}$", fontsize=11)
    arrow((3.3, 2.55), (3.3, 3.88))  # f into ×
    node((5.35, 3.2), "×", radius=0.26)  # i ⊙ g
    arrow((4.9, 2.55), (5.2, 3.0))
    arrow((5.8, 2.55), (5.5, 3.0))
    arrow((5.35, 3.46), (5.7, 3.9))
    # the output: h_t = o ⊙ tanh(c_t)
    node((8.2, 3.2), "×", radius=0.26)
    arrow((8.2, 4.2), (8.2, 3.46))
    ax.text(8.3, 3.75, "tanh", fontsize=9)
    arrow((7.4, 2.55), (7.95, 3.1))
    arrow((8.46, 3.2), (10, 3.2))
    ax.text(9.4, 2.8, "$h_t$", fontsize=11)
    ax.text(
        0.1,
        5.45,
        r"the blue line meets only $\times f_t$: "
        r"$\partial c_t/\partial c_{t-1} = \mathrm{diag}(f_t)$",
        fontsize=10,
        color=blue,
    )
    return ax
