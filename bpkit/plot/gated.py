"""Drawings for the gated-recurrence lesson: the gradient that survives through a cell state.

* :func:`gated_flow_norms` — input-gradient norms against lag, vanilla RNN and LSTM;
* :func:`draw_gated_flow` — one state of the forget-gate explorer.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from bpkit.plot._style import PALETTE, panels, power_of_ten

__all__ = ["draw_gated_flow", "flow_top", "gated_flow_norms"]


def gated_flow_norms(
    forget_bias: float, T: int = 100, n_hidden: int = 32, seed: int = 0
) -> dict[str, np.ndarray]:
    """Return ‖∂L/∂x_{T−1−τ}‖ / ‖∂L/∂x_{T−1}‖ against τ for an RNN, an LSTM and its forget gates.

    Both layers are fresh (``seed``), read the same Gaussian inputs (scale 0.5) and have
    a loss at the last step. ``"forget gates"`` is the mean over units of f_{T−1} ⊙ ⋯ ⊙
    f_{T−τ}, the cell state's own path. Shapes: each (T,).
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
    with np.errstate(under="ignore"):
        # f_{T−1} ⊙ ⋯ ⊙ f_{T−τ} for τ = 1 … T − 1, as one running product backwards in time
        products = np.cumprod(lstm.gates["f"][::-1], axis=0).mean(axis=(1, 2))
        return {
            "vanilla RNN": rnn_norms / rnn_norms[0],
            "LSTM": lstm_norms / lstm_norms[0],
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
    colors["forget gates"] = PALETTE["grey"]
    for label, n in norms.items():
        shown = n > 0
        style = ":" if label == "forget gates" else "-"
        ax.semilogy(tau[shown], n[shown], style, color=colors[label], lw=2, label=label)
    ax.axvline(lag, color=PALETTE["orange"], lw=1)
    top = flow_top(norms) if top is None else top
    ax.set_ylim(1e-16, top)
    powers = np.arange(-16, 1, 8)
    ax.yaxis.set_major_locator(FixedLocator(10.0**powers))
    ax.yaxis.set_major_formatter(FixedFormatter([power_of_ten(10.0**p) for p in powers]))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_xlim(0, T - 1)
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.set_xlabel("time lag τ (steps back from the loss)")
    ax.set_ylabel("‖∂L/∂x‖, relative to τ = 0")
    ax.legend(loc="lower left", fontsize=8)
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
