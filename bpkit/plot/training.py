"""Pictures of training: activations, decision boundaries, loss curves, a single neuron.

Each ``draw_*`` function draws onto the Axes or Figure it is given and returns it; none
calls ``plt.show`` or opens a pyplot figure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit import nn
from bpkit.plot._style import CYCLE, PALETTE, panels

MARKERS = ("o", "^", "s", "D", "v", "P")


def _grid(x: np.ndarray, resolution: int, padding: float) -> tuple[np.ndarray, tuple]:
    """Return grid points (resolution², 2) covering the data and the imshow extent."""
    lo, hi = x.min(axis=0) - padding, x.max(axis=0) + padding
    g0, g1 = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    points = np.column_stack([np.tile(g0, resolution), np.repeat(g1, resolution)])
    return points, (lo[0], hi[0], lo[1], hi[1])


def draw_points(ax: Any, x: Any, y: Any, size: float = 22) -> Any:
    """Scatter 2-D points with one palette colour and one marker shape per class."""
    x, y = np.asarray(x), np.asarray(y)
    for k in np.unique(y):
        mask = y == k
        ax.scatter(x[mask, 0], x[mask, 1], s=size, c=CYCLE[int(k) % len(CYCLE)],
                   marker=MARKERS[int(k) % len(MARKERS)], edgecolors="black", linewidths=0.5,
                   label=f"class {k}", zorder=3)  # fmt: skip
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def draw_decision_boundary(
    ax: Any,
    predict: Callable[[np.ndarray], Any],
    x: Any,
    y: Any,
    resolution: int = 150,
    padding: float = 0.5,
    threshold: float = 0.5,
    title: str | None = None,
) -> Any:
    """Shade the plane by the class ``predict`` assigns, draw the boundaries and the data.

    ``predict(points)`` gets points (m, 2) and returns class scores (m, n_classes) (the
    largest wins), integer labels (m,), or one score per point (m,) or (m, 1) compared
    with ``threshold``. The title reports the accuracy on (x, y) unless one is given.
    """
    from matplotlib.colors import ListedColormap

    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    points, extent = _grid(x, resolution, padding)

    def classes(p: np.ndarray) -> np.ndarray:
        out = np.asarray(predict(p))
        if out.ndim == 2 and out.shape[1] > 1:
            return out.argmax(axis=1)
        out = out.reshape(len(p))
        return out if out.dtype.kind in "iub" else (out > threshold).astype(int)

    regions = classes(points).reshape(resolution, resolution)
    n_classes = int(max(regions.max(), y.max())) + 1
    colours = ListedColormap([CYCLE[k % len(CYCLE)] for k in range(n_classes)])
    ax.imshow(regions, origin="lower", extent=extent, cmap=colours, alpha=0.25, aspect="auto",
              vmin=-0.5, vmax=n_classes - 0.5, interpolation="nearest")  # fmt: skip
    g0 = np.linspace(extent[0], extent[1], resolution)
    g1 = np.linspace(extent[2], extent[3], resolution)
    if regions.min() != regions.max():
        ax.contour(g0, g1, regions, levels=np.arange(n_classes) + 0.5, colors="black",
                   linewidths=1.0)  # fmt: skip
    draw_points(ax, x, y)
    accuracy = float(np.mean(classes(x) == y))
    ax.set_title(title if title is not None else f"Decision regions: {accuracy:.0%} accuracy")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    return ax


def draw_loss_curves(
    ax: Any,
    history: dict[str, list[float]],
    label: str = "",
    color: str | None = None,
    accuracy: bool = True,
    log: bool = False,
    title: str | None = "Training loss per epoch",
) -> Any:
    """Plot a ``fit`` history: loss (solid) and validation loss (dashed) per epoch.

    With ``accuracy=True`` and accuracies in the history, they go on a second y-axis on
    the right (dotted). Call it again with another ``label`` and ``color`` to compare runs.
    Returns the accuracy axis if drawn, else ``ax``.
    """
    prefix = f"{label}: " if label else ""
    color = color or PALETTE["blue"]
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], color=color, label=f"{prefix}training loss")
    if history.get("val_loss"):
        ax.plot(epochs, history["val_loss"], "--", color=color, label=f"{prefix}validation loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if log:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    lines, labels = ax.get_legend_handles_labels()
    target = ax
    keys = [k for k in ("accuracy", "val_accuracy") if history.get(k)] if accuracy else []
    if keys:
        target = ax.twinx()
        target.grid(False)
        target.spines["right"].set_visible(True)
        accent = PALETTE["green"] if color == PALETTE["blue"] else color
        for key, style in zip(keys, (":", "-."), strict=False):
            name = key.replace("val_", "validation ")
            target.plot(epochs, history[key], style, color=accent, label=f"{prefix}{name}")
        target.set_ylim(0, 1.02)
        target.set_ylabel("accuracy")
        more_lines, more_labels = target.get_legend_handles_labels()
        lines, labels = lines + more_lines, labels + more_labels
    target.legend(lines, labels, loc="best")
    return target


def draw_activations(
    fig: Any, names: tuple[str, ...] = ("sigmoid", "tanh", "relu"), z_max: float = 4.0
) -> Any:
    """Draw each activation f(z) (left) and its derivative f'(z) (right) from ``bpkit.nn``.

    The derivative is what the layer's ``backward`` returns for dout = 1.
    """
    z = np.linspace(-z_max, z_max, 401)[:, None]
    left, right = fig.subplots(1, 2, sharex=True)
    for name, color in zip(names, CYCLE, strict=False):
        layer = nn.ACTIVATIONS[name]()
        a = layer.forward(z)
        left.plot(z, a, color=color, label=name)
        slope = layer.backward(np.ones_like(z))[:, 0]
        jumps = np.flatnonzero(np.abs(np.diff(slope)) > 0.5)  # ReLU′ steps from 0 to 1 at z = 0
        z_gap = np.insert(z[:, 0], jumps + 1, np.nan)  # a gap, not a vertical segment
        right.plot(z_gap, np.insert(slope, jumps + 1, np.nan), color=color, label=name)
    left.set(title="Activations f(z)", xlabel="z", ylabel="f(z)")
    right.set(title="Derivatives f′(z)", xlabel="z", ylabel="f′(z)")
    left.legend()
    return fig


def draw_neuron(
    fig: Any,
    w1: float = 1.0,
    w2: float = 1.0,
    b: float = -0.5,
    activation: str = "sigmoid",
    gate: str = "AND",
    resolution: int = 80,
) -> Any:
    """Draw one neuron a = f(w1·x1 + w2·x2 + b) as a heat map over the plane, with the data.

    The line z = 0 is the neuron's decision boundary: points with z > 0 are called
    class 1. The right panel shows f(z) over the same colour scale, with every sample
    placed at its own z. Kept to two plain axes so that one redraw stays fast.
    """
    from matplotlib.ticker import MaxNLocator

    from bpkit.data import logic_gate

    x, y = logic_gate(gate, n=80, noise=0.12)
    f = nn.ACTIVATIONS[activation].f
    w = np.array([w1, w2], dtype=np.float64)
    points, extent = _grid(x, resolution, 0.5)
    z = x @ w + b
    z_lim = max(4.0, float(np.abs(z).max()) + 0.5)
    a_grid = f(points @ w + b)
    if activation == "relu":  # unbounded above: show all of it, never clipped
        a_lo, a_hi = 0.0, max(z_lim, float(a_grid.max()))
    else:
        a_lo, a_hi = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}[activation]
    # White sits at f(0), the output on the line z = 0: the colours change sides where the
    # class does. For ReLU f(0) = 0 is its floor, so all of z < 0 is white.
    a_mid = float(f(np.array(0.0)))
    span = max(a_hi - a_mid, a_mid - a_lo)
    style = {"cmap": _neuron_cmap(), "vmin": a_mid - span, "vmax": a_mid + span, "origin": "lower"}
    ax, curve = panels(fig, 2, width_ratios=(5, 3))
    ax.imshow(a_grid.reshape(resolution, resolution), extent=extent, aspect="auto",
              interpolation="bilinear", **style)  # fmt: skip
    ax.plot(*_line(w, b, extent), color=PALETTE["black"], linewidth=1.5, label="z = 0")
    draw_points(ax, x, y, size=18)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    accuracy = float(np.mean((z > 0) == (y == 1)))
    ax.set_title(f"{gate}: the line z = 0 classifies {accuracy:.0%}")
    ax.grid(False)  # the colours are the picture; grid lines would cross them
    # Right: f(z) drawn over a vertical strip of the same colours, so the y-axis is the key.
    curve.imshow(np.linspace(a_lo, a_hi, 64)[:, None], extent=(-z_lim, z_lim, a_lo, a_hi),
                 aspect="auto", alpha=0.6, **style)  # fmt: skip
    zs = np.linspace(-z_lim, z_lim, 200)
    curve.plot(zs, f(zs), color=PALETTE["black"], linewidth=1)
    for k in (0, 1):
        mask = y == k
        curve.scatter(z[mask], f(z[mask]), s=14, c=CYCLE[k],
                      marker=MARKERS[k], edgecolors="black", linewidths=0.4, zorder=3)  # fmt: skip
    curve.axvline(0.0, color=PALETTE["grey"], linewidth=1)
    pad = 0.03 * (a_hi - a_lo)  # the curve's flat ends stay visible inside the frame
    curve.set(xlim=(-z_lim, z_lim), ylim=(a_lo - pad, a_hi + pad), xlabel="z = w·x + b",
              ylabel="a = f(z)", title=f"{activation}: each sample at its z")  # fmt: skip
    curve.grid(False)
    for axis in (ax.xaxis, ax.yaxis, curve.xaxis, curve.yaxis):  # few tick labels: text is slow
        axis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
    return fig


def _line(w: np.ndarray, b: float, extent: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Return two end points of the line w·x + b = 0 across the box ``extent`` (NaN if w = 0)."""
    x_lo, x_hi, y_lo, y_hi = extent
    if abs(w[1]) >= abs(w[0]) and w[1] != 0:  # steep enough to solve for x2
        x1 = np.array([x_lo, x_hi])
        return x1, -(w[0] * x1 + b) / w[1]
    if w[0] != 0:
        x2 = np.array([y_lo, y_hi])
        return -(w[1] * x2 + b) / w[0], x2
    return np.array([np.nan, np.nan]), np.array([np.nan, np.nan])


def _neuron_cmap() -> Any:
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "neuron", [PALETTE["sky"], "#ffffff", PALETTE["orange"]]
    )
