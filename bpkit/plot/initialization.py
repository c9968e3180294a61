"""Lesson 07's picture of initialization: how a deep net's signal and error change per layer.

:func:`init_flow` sends one batch of digits forward and the cross-entropy error back
through a deep MLP whose weights have standard deviation ``gain / √n_in``. It records,
at every layer, how the activations are spread and how big the error δ = ∂L/∂z is.
:func:`draw_init_flow` draws both; the explorer ``bpkit.widgets.init_explorer`` puts
sliders on the gain, the depth and the activation.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np

from bpkit import nn
from bpkit.plot._style import PALETTE, panels, power_of_ten

__all__ = ["draw_init_flow", "init_flow", "size_range"]

# Where the histograms of a = f(z) are drawn; ReLU values above the top land in the top bin.
_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "relu": (0.0, 3.0)}
_BINS = 41


# 128 samples fill the histograms well and keep every matrix product of a redraw small.
BATCH = 128


@functools.lru_cache(maxsize=1)
def _batch(n: int = BATCH) -> tuple[np.ndarray, np.ndarray]:
    from bpkit.data import digits

    x, y = digits()
    return x[:n] - x[:n].mean(axis=0), y[:n]  # centred pixels: mean-zero inputs


def init_flow(gain: float, activation: str = "tanh", depth: int = 8, width: int = 64,
              seed: int = 0) -> dict[str, np.ndarray]:  # fmt: skip
    """Run one batch through a fresh deep MLP; return per-layer statistics.

    The batch is the first 128 digits, centred. The MLP is 64 → ``width`` × ``depth``
    hidden layers → 10, every weight drawn from N(0, (gain/√n_in)²), biases zero.
    Returns arrays over the hidden layers 1 … depth:
    ``"hist"`` (depth, bins) the share of a = f(z) in each bin of the activation's
    range; ``"std"`` the standard deviation of a; ``"delta"`` ‖δ‖ = ‖∂L/∂z‖ at each
    hidden layer, for the mean cross-entropy over the batch. The two factors of
    δ⁽ᵏ⁾ = f′(z⁽ᵏ⁾) ⊙ δ⁽ᵏ⁺¹⁾W⁽ᵏ⁺¹⁾ᵀ, per hidden layer k: ``"through_W"`` is
    ‖δ⁽ᵏ⁺¹⁾W⁽ᵏ⁺¹⁾ᵀ‖ / ‖δ⁽ᵏ⁺¹⁾‖ and ``"through_f"`` is ‖δ⁽ᵏ⁾‖ / ‖δ⁽ᵏ⁺¹⁾W⁽ᵏ⁺¹⁾ᵀ‖, so
    ``delta[k - 1] / delta[k] == through_W[k - 1] * through_f[k - 1]``.
    """
    if activation not in _RANGES:
        raise ValueError(
            f"init_flow: unknown activation {activation!r}; choose one of {', '.join(_RANGES)}."
        )
    if not (gain > 0 and np.isfinite(gain)):
        raise ValueError(f"init_flow: gain must be a positive number, got {gain!r}.")
    x, y = _batch()
    sizes = [x.shape[1], *[width] * depth, 10]
    rng = np.random.default_rng(seed)
    layers: list[Any] = []
    for n_in, n_out in itertools.pairwise(sizes):
        linear = nn.Linear(n_in, n_out, init="normal", scale=gain / np.sqrt(n_in), seed=rng)
        layers += [linear, nn.ACTIVATIONS[activation]()]
    model = nn.Sequential(*layers[:-1])  # the last layer outputs logits
    loss = nn.SoftmaxCrossEntropy()
    with np.errstate(over="ignore", invalid="ignore"):  # a huge gain may overflow: shown as is
        a, spread, hist = x, [], []
        for layer in model.layers:
            a = layer.forward(a)
            if not isinstance(layer, nn.Linear):  # an activation: a = f(z)
                spread.append(a.std())
                lo, hi = _RANGES[activation]
                counts, _ = np.histogram(np.clip(a, lo, hi), bins=_BINS, range=(lo, hi))
                hist.append(counts / a.size)
        loss.forward(a, y)
        dout, delta, through_W, through_f = loss.backward(), [], [], []
        for layer in reversed(model.layers[1:]):  # the input needs no gradient
            before = np.linalg.norm(dout)
            dout = layer.backward(dout)
            after = np.linalg.norm(dout)
            if isinstance(layer, nn.Linear):  # dout: δ W.T, the error of the layer's input a
                through_W.insert(0, after / before)
            else:  # dout: f′(z) ⊙ (δ W.T) = δ of this hidden layer
                through_f.insert(0, after / before)
                delta.insert(0, after)
    return {"hist": np.array(hist), "std": np.array(spread), "delta": np.array(delta),
            "through_W": np.array(through_W), "through_f": np.array(through_f)}  # fmt: skip


def size_range(*values: np.ndarray, decades: int = 2) -> tuple[float, float]:
    """Powers of ten that hold every finite positive value, at least ``decades`` apart."""
    finite = np.concatenate([np.ravel(v) for v in values])
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if finite.size == 0:
        return 1e-1, 1e1
    lo = np.floor(np.log10(finite.min()) - 0.05)
    hi = np.ceil(np.log10(finite.max()) + 0.05)
    short = decades - (hi - lo)
    if short > 0:  # widen evenly around the values
        lo, hi = lo - np.ceil(short / 2), hi + np.floor(short / 2)
    return float(10.0**lo), float(10.0**hi)


def draw_init_flow(fig: Any, gain: float = 1.0, activation: str = "tanh", depth: int = 8) -> Any:
    """Draw the activations of every hidden layer (left) and std(a), ‖δ‖ per layer (right)."""
    from matplotlib.colors import PowerNorm
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

    flow = init_flow(gain, activation, depth)
    layers = np.arange(1, depth + 1)
    ax_hist, ax_size = panels(fig, 2, width_ratios=(1, 1))
    lo, hi = _RANGES[activation]
    extent = (0.5, depth + 0.5, lo, hi)
    # A square-root-like colour scale, so that a spread-out layer is still visible.
    shade = PowerNorm(gamma=0.4, vmin=0.0, vmax=1.0)
    ax_hist.imshow(flow["hist"].T, origin="lower", aspect="auto", cmap="Blues", norm=shade,
                   extent=extent, interpolation="nearest")  # fmt: skip
    ax_hist.set(xlabel="hidden layer", ylabel=f"a = {activation}(z)",
                title="Where the activations are")  # fmt: skip
    ax_hist.grid(False)
    ax_size.semilogy(layers, flow["std"], "o-", ms=4, color=PALETTE["blue"], label="std of a (→)")
    ax_size.semilogy(layers, flow["delta"], "s-", ms=4, color=PALETTE["vermillion"],
                     label="‖δ‖ = ‖∂L/∂z‖ (←)")  # fmt: skip
    # The axis follows the curves (a 17× change must not look flat on a 1e24 scale).
    lo, hi = np.log10(size_range(flow["std"], flow["delta"]))
    ax_size.set_ylim(10.0**lo, 10.0**hi)
    step = max(1, int(np.ceil((hi - lo) / 5)))  # at most about 6 labelled decades
    ax_size.yaxis.set_major_locator(FixedLocator(10.0 ** np.arange(lo, hi + 1, step)))
    ax_size.yaxis.set_minor_locator(NullLocator())
    ax_size.yaxis.set_major_formatter(FuncFormatter(power_of_ten))
    ax_size.set(xlabel="hidden layer", title="Signal forward, error backward")
    ax_size.legend(loc="lower left", fontsize=9)
    for ax in (ax_hist, ax_size):  # few tick labels: drawing text is most of a redraw
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax_hist.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ratio = flow["delta"][0] / flow["delta"][-1]
    fig.suptitle(f"gain {gain:.2g}, {activation}, {depth} layers: ‖δ‖ at layer 1 is "
                 f"{ratio:.2g} × ‖δ‖ at layer {depth}", fontsize=11)  # fmt: skip
    return fig
