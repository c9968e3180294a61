"""Network diagrams: neurons in columns, weights on the edges, activations and deltas on the nodes.

* :func:`draw_network` draws a small multilayer perceptron onto an Axes: each neuron a
  circle filled by its activation, each weight an edge coloured by its sign (blue
  positive, vermillion negative) and as thick as its size, each δ written beside its
  neuron.
* :func:`draw_backprop_step` draws one step of a forward and backward pass through the
  2-2-1 sigmoid network of :func:`bpkit.nn.tiny_network`, which computes every number (the
  picture behind ``bpkit.widgets.backprop_stepper``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bpkit.nn import tiny_network
from bpkit.plot._style import PALETTE, fill

__all__ = [
    "BACKPROP_STEPS",
    "backprop_steps",
    "draw_backprop_step",
    "draw_network",
    "tiny_network",
]

_NEG, _POS = PALETTE["vermillion"], PALETTE["blue"]
_DELTA = "#A65E00"  # a darker orange than the palette's, readable as text on white


def _fmt(v: float, digits: int = 2) -> str:
    """Format a node or edge value: ``digits`` decimals, or one significant digit when tiny."""
    if not np.isfinite(v):
        return "?"
    if v == 0 or abs(v) >= 0.5 * 10.0**-digits:
        return f"{v:.{digits}f}"
    return f"{v:.0e}".replace("e-0", "e-")


def _per_layer(who: str, what: str, values: Any, sizes: Sequence[int]) -> list[Any]:
    """Turn ``values`` (one entry per layer, entries may be None) into 1-D arrays."""
    if values is None:
        return [None] * len(sizes)
    values = list(values)
    if len(values) == len(sizes) - 1:  # nothing given for the input layer
        values = [None, *values]
    if len(values) != len(sizes):
        raise ValueError(
            f"{who}: {what} needs one entry per layer ({len(sizes)} for sizes {list(sizes)}), "
            f"got {len(values)}. Use None for a layer without values."
        )
    out = []
    for k, (v, n) in enumerate(zip(values, sizes, strict=True)):
        if v is None:
            out.append(None)
            continue
        v = np.asarray(v, dtype=np.float64)
        if v.ndim == 2:  # a batch: show its first sample
            v = v[0]
        if v.shape != (n,):
            raise ValueError(
                f"{who}: {what}[{k}] should hold {n} values (layer {k} has {n} neurons), "
                f"got shape {np.shape(values[k])}."
            )
        out.append(v)
    return out


def _check_weights(who: str, weights: Any, sizes: Sequence[int]) -> list[np.ndarray] | None:
    if weights is None:
        return None
    weights = [np.asarray(W, dtype=np.float64) for W in weights]
    if len(weights) != len(sizes) - 1:
        raise ValueError(
            f"{who}: expected {len(sizes) - 1} weight matrices for sizes {list(sizes)}, "
            f"got {len(weights)}."
        )
    for k, W in enumerate(weights):
        if W.shape != (sizes[k], sizes[k + 1]):
            raise ValueError(
                f"{who}: weights[{k}] should have shape {(sizes[k], sizes[k + 1])} "
                f"(n_in, n_out), got {W.shape}. Did you pass W transposed?"
            )
    return weights


def _positions(sizes: Sequence[int]) -> list[np.ndarray]:
    """Return, per layer, the (n, 2) centres of its neurons (columns, top to bottom)."""
    return [
        np.column_stack([np.full(n, k), (n - 1) / 2 - np.arange(n)]) for k, n in enumerate(sizes)
    ]


def draw_network(
    ax: Any,
    sizes: Sequence[int],
    weights: Sequence[Any] | None = None,
    activations: Sequence[Any] | None = None,
    deltas: Sequence[Any] | None = None,
    highlight: Sequence[tuple[int, ...]] | None = None,
    *,
    biases: Sequence[Any] | None = None,
    layer_names: Sequence[str] | None = None,
    show_weights: bool | str = "auto",
    node_size: float | None = None,
    font: float | None = None,
    title: str | None = None,
) -> Any:
    """Draw a multilayer perceptron on ``ax``: neurons as circles, weights as edges.

    ``sizes`` lists the neurons per layer, input first (``[2, 3, 1]``). Optional values:

    * ``weights``: one ``(n_in, n_out)`` matrix per connection (bpkit's ``Linear.params["W"]``);
      edge colour = sign (blue > 0, vermillion < 0), width ∝ |w|; the numbers are written on
      the edges when there are at most 12 edges (``show_weights="auto"``).
    * ``activations``: one array per layer (a 2-D batch shows its first sample); written
      inside each circle, which is shaded by the value; NaN shows as "?".
    * ``deltas``: one array per layer (None where absent), written beside each neuron as δ.
    * ``biases``: one array per non-input layer, written above each neuron as b.
    * ``highlight``: ``(layer, i)`` marks neuron i of a layer; ``(k, i, j)`` marks the edge
      of ``weights[k][i, j]``.

    Layers may also be given without the input layer (``len(sizes) - 1`` entries).
    ``font`` is the size in points of the numbers in the circles (weights and biases get
    1 pt less, layer names 1 pt more); by default 8, or 6.5 where the circles are small.
    Returns ``ax``.
    """
    who = "draw_network"
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"{who}: sizes needs at least two layers of ≥ 1 neuron, got {sizes}.")
    weights = _check_weights(who, weights, sizes)
    acts = _per_layer(who, "activations", activations, sizes)
    dels = _per_layer(who, "deltas", deltas, sizes)
    bias = _per_layer(who, "biases", biases, sizes)
    marks = {tuple(int(i) for i in h) for h in (highlight or [])}
    pos = _positions(sizes)
    n_max = max(sizes)
    if node_size is None:  # marker area in pt²: the circle takes ~85 % of a neuron's slot
        fig = ax.get_figure()
        height_pt = ax.get_position().height * fig.get_figheight() * 72
        node_size = float(np.clip(0.85 * height_pt / (max(n_max, 2.5) + 1.4), 14, 34) ** 2)
    radius_pt = np.sqrt(node_size) / 2
    font = font or (8 if radius_pt >= 13 else 6.5)
    digits = 2 if radius_pt >= 11 else 1  # fewer digits when the circles are small

    if weights is not None:
        _draw_edges(ax, pos, weights, marks, show_weights, font)
    for k, xy in enumerate(pos):
        _draw_nodes(ax, xy, acts[k], marks, k, node_size)
        _draw_node_labels(ax, xy, acts[k], dels[k], bias[k], radius_pt, font, digits)
    names = list(layer_names) if layer_names is not None else _default_names(len(sizes))
    bottom = -(n_max - 1) / 2 - 0.55
    for k, name in enumerate(names):
        ax.text(k, bottom, name, ha="center", va="top", fontsize=font + 1, color="0.3")
    ax.set_xlim(-0.45, len(sizes) - 0.55)
    ax.set_ylim(bottom - 0.35, (n_max - 1) / 2 + 0.5)
    ax.set_axis_off()
    for text in ax.texts:  # inside the axes anyway: skipping them keeps layout fast
        text.set_in_layout(False)
    if title:
        ax.set_title(title)
    return ax


def _draw_node_labels(
    ax: Any,
    xy: np.ndarray,
    a: np.ndarray | None,
    delta: np.ndarray | None,
    b: np.ndarray | None,
    radius_pt: float,
    font: float,
    digits: int,
) -> None:
    """Write one layer's activations (inside), deltas (lower right) and biases (above)."""
    for i, (px, py) in enumerate(xy):
        if a is not None:
            dark = np.isfinite(a[i]) and abs(np.tanh(a[i])) > 0.6  # the fill is dark there
            ax.text(px, py, _fmt(a[i], digits), ha="center", va="center", fontsize=font,
                    color="white" if dark else "black", zorder=5)  # fmt: skip
        if delta is not None and np.isfinite(delta[i]):
            ax.annotate(
                f"δ {_fmt(delta[i], digits)}",
                (px, py),
                xytext=(radius_pt * 0.8 + 2, -radius_pt * 0.9),
                textcoords="offset points",
                fontsize=font,
                color=_DELTA,
                fontweight="bold",
                va="center",
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85},
                zorder=6,
            )
        if b is not None:
            ax.annotate(f"b {_fmt(b[i])}", (px, py), xytext=(0, radius_pt * 1.45 + 3),
                        textcoords="offset points", ha="center", fontsize=font - 1,
                        color=PALETTE["grey"], zorder=6)  # fmt: skip


def _default_names(n_layers: int) -> list[str]:
    hidden = [f"hidden {k}" if n_layers > 3 else "hidden" for k in range(1, n_layers - 1)]
    return ["input", *hidden, "output"]


def _draw_edges(
    ax: Any,
    pos: list[np.ndarray],
    weights: list[np.ndarray],
    marks: set[tuple[int, ...]],
    show_weights: bool | str,
    font: float,
) -> None:
    from matplotlib.collections import LineCollection

    w_max = max(float(np.max(np.abs(W))) for W in weights) or 1.0
    n_edges = sum(W.size for W in weights)
    label = n_edges <= 12 if show_weights == "auto" else bool(show_weights)
    segments: list[list[Any]] = [[], []]  # plain edges, then highlighted ones (drawn on top)
    styles: list[list[Any]] = [[], []]
    for k, W in enumerate(weights):
        for i, j in np.ndindex(W.shape):
            top = int((k, i, j) in marks)
            segments[top].append([pos[k][i], pos[k + 1][j]])
            styles[top].append((_POS if W[i, j] >= 0 else _NEG, 0.6 + 3.4 * abs(W[i, j]) / w_max))
    if segments[1]:
        glow = LineCollection(segments[1], colors=PALETTE["yellow"], linewidths=9, zorder=2.2)
        ax.add_collection(glow)
    for top in (0, 1):
        if segments[top]:
            colours, widths = map(list, zip(*styles[top], strict=True))  # a list: mpl 3.8
            lines = LineCollection(segments[top], colors=colours, linewidths=widths, alpha=0.75)
            ax.add_collection(lines).set_zorder(2 + 0.4 * top)
    if not label:
        return
    for k, W in enumerate(weights):
        for i, j in np.ndindex(W.shape):
            (x0, y0), (x1, y1) = pos[k][i], pos[k + 1][j]
            # near the source, where edges out of one neuron are still apart, staggered so
            # that labels of crossing edges from neighbouring neurons do not meet (edges
            # into a single neuron never cross: label them past the middle, clear of the
            # deltas written at the lower right of the neurons they leave)
            t = 0.24 + 0.12 * (i % 2) if W.shape[1] > 1 else 0.6
            ax.text(
                x0 + t * (x1 - x0),
                y0 + t * (y1 - y0),
                _fmt(W[i, j]),
                ha="center",
                va="center",
                fontsize=font - 1,
                color=_POS if W[i, j] >= 0 else _NEG,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
                zorder=3.5,
                fontweight="bold" if (k, i, j) in marks else "normal",
            )


def _draw_nodes(
    ax: Any, xy: np.ndarray, a: np.ndarray | None, marks: set[tuple[int, ...]], k: int, size: float
) -> None:
    from matplotlib import colormaps

    cmap = colormaps["PuOr_r"]  # colour-blind safe, diverging: purple < 0 < orange
    if a is None:
        fill = ["white"] * len(xy)
    else:
        fill = [cmap(0.5 + 0.5 * np.tanh(v)) if np.isfinite(v) else "white" for v in a]
    ring = [PALETTE["black"] if (k, i) in marks else "0.35" for i in range(len(xy))]
    lw = [2.6 if (k, i) in marks else 1.0 for i in range(len(xy))]
    glow = [i for i in range(len(xy)) if (k, i) in marks]
    if glow:
        ax.scatter(*xy[glow].T, s=size * 2.0, c=PALETTE["yellow"], zorder=3, linewidths=0)
    ax.scatter(*xy.T, s=size, c=fill, edgecolors=ring, linewidths=lw, zorder=4)


# --------------------------------------------------------------------------------------
# A 2-2-1 network, step by step
# --------------------------------------------------------------------------------------


def _n(v: float, digits: int = 4) -> str:
    """A number inside a formula: negative numbers in parentheses."""
    s = f"{v:.{digits}f}"
    return f"({s})" if v < 0 else s


@dataclass
class Step:
    """One step of the walk-through: what to say, which formula, what is known so far."""

    title: str
    lines: list[str]
    highlight: list[tuple[int, ...]] = field(default_factory=list)
    n_forward: int = 0  # how many non-input neurons have their activation computed
    n_delta: int = 0  # how many deltas are known (output first)
    updated: bool = False  # show the weights after the update and their new forward pass


def backprop_steps(net: dict[str, Any]) -> list[Step]:
    """Return the steps of one forward + backward pass through ``tiny_network``'s numbers."""
    x, W1, b1, W2, b2 = net["x"], net["W1"], net["b1"], net["W2"], net["b2"]
    z1, a1, fp1, z2, a2, fp2 = net["z1"], net["a1"], net["fp1"], net["z2"], net["a2"], net["fp2"]
    d1, d2, y, dW1, dW2 = net["delta1"], net["delta2"][0], net["y"], net["dW1"], net["dW2"]
    sub = "₁₂"
    steps = [
        Step(
            "Start: an input and a target",
            [
                f"x = ({x[0]:.1f}, {x[1]:.1f}),   target y = {y:.0f},   loss L = ½ (ŷ − y)²",
                "Forward: compute every neuron's output a = σ(z) and keep f'(z) for later.",
            ],
            [(0, 0), (0, 1)],
        )
    ]
    for j in range(2):
        steps.append(
            Step(
                f"Forward ① hidden neuron h{sub[j]}",
                [
                    f"z = w₁{sub[j]}·x₁ + w₂{sub[j]}·x₂ + b = {_n(W1[0, j], 1)}×{_n(x[0], 1)}"
                    f" + {_n(W1[1, j], 1)}×{_n(x[1], 1)} + {_n(b1[j], 1)} = {z1[j]:.2f}",
                    f"a = σ(z) = {a1[j]:.4f},   store f'(z) = a (1 − a) = {fp1[j]:.4f}",
                ],
                [(1, j), (0, 0, j), (0, 1, j)],
                n_forward=j + 1,
            )
        )
    steps.append(
        Step(
            "Forward ① output neuron",
            [
                f"z = {_n(W2[0, 0], 1)}×{a1[0]:.4f} + {_n(W2[1, 0], 1)}×{a1[1]:.4f}"
                f" + {_n(b2[0], 1)} = {z2[0]:.4f}",
                f"ŷ = σ(z) = {a2[0]:.4f},   store f'(z) = ŷ (1 − ŷ) = {fp2[0]:.4f}",
                f"loss L = ½ (ŷ − y)² = ½ ({a2[0]:.4f} − {y:.0f})² = {net['loss']:.4f}",
            ],
            [(2, 0), (1, 0, 0), (1, 1, 0)],
            n_forward=3,
        )
    )
    steps.append(
        Step(
            "Backward ② the output error",
            [
                f"δ_out = f'(z) · (ŷ − y) = {fp2[0]:.4f} × {_n(a2[0] - y)} = {d2:.4f}",
                "δ = ∂L/∂z: how much the loss moves per unit change of this neuron's z.",
            ],
            [(2, 0)],
            n_forward=3,
            n_delta=1,
        )
    )
    for j in range(2):
        steps.append(
            Step(
                f"Backward ③ hidden error of h{sub[j]}",
                [
                    f"δ_h{sub[j]} = f'(z) · Σ w δ_next = {fp1[j]:.4f} × {_n(W2[j, 0], 1)}"
                    f" × {_n(d2)} = {d1[j]:.4f}",
                    "The error flows back along the weight the signal used going forward.",
                ],
                [(1, j), (1, j, 0)],
                n_forward=3,
                n_delta=2 + j,
            )
        )
    steps.append(
        Step(
            "Backward ④ weight gradients, output layer",
            [
                f"∂L/∂w = a_in · δ_out:   {a1[0]:.4f}×{_n(d2)} = {dW2[0, 0]:.4f},"
                f"   {a1[1]:.4f}×{_n(d2)} = {dW2[1, 0]:.4f}",
                f"∂L/∂b = δ_out = {d2:.4f}",
            ],
            [(1, 0, 0), (1, 1, 0)],
            n_forward=3,
            n_delta=3,
        )
    )
    steps.append(
        Step(
            "Backward ④ weight gradients, hidden layer",
            [
                "∂L/∂wᵢⱼ = xᵢ · δ_hⱼ,  e.g.  "
                f"∂L/∂w₁₁ = {_n(x[0], 1)} × {_n(d1[0])} = {dW1[0, 0]:.4f}",
                "all four:  "
                + ",   ".join(
                    f"w{sub[i]}{sub[j]}: {dW1[i, j]:.4f}" for i in range(2) for j in range(2)
                ),
                f"∂L/∂b = δ_h = ({d1[0]:.4f}, {d1[1]:.4f})",
            ],
            [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1)],
            n_forward=3,
            n_delta=3,
        )
    )
    steps.append(
        Step(
            "Update: every weight against its gradient",
            [
                f"w ← w − η · ∂L/∂w with η = {net['lr']:g}, only after every δ is known",
                f"forward again: ŷ {a2[0]:.4f} → {net['a2_after'][0]:.4f} (target {y:.0f}),"
                f"   loss {net['loss']:.4f} → {net['loss_after']:.4f}",
            ],
            [(2, 0)],
            n_forward=3,
            updated=True,
        )
    )
    return steps


BACKPROP_STEPS = 10  # len(backprop_steps(...)): the slider's range is 0 … 9


def draw_backprop_step(fig: Any, step: int = 0, seed: int = 0, lr: float = 1.0) -> Any:
    """Draw step ``step`` of backpropagation through the 2-2-1 network of ``tiny_network(seed)``.

    Top: the network, with the activations computed so far, the deltas known so far and
    the neuron or weights of this step highlighted. Bottom: the step's formula with numbers,
    each line broken to the figure's width (a narrow figure gives the formulas more room).
    """
    net = tiny_network(seed, lr)
    steps = backprop_steps(net)
    if not 0 <= int(step) < len(steps):
        raise ValueError(f"draw_backprop_step: step must be in 0 … {len(steps) - 1}, got {step}.")
    s = steps[int(step)]
    narrow = fig.get_figwidth() < 1.3 * fig.get_figheight()
    ax_net, ax_text = fig.subplots(2, 1, height_ratios=[3.0, 1.5 if narrow else 1.0])
    after = "_after" if s.updated else ""
    weights = net["new"] if s.updated else net
    hidden = np.where(np.arange(2) < s.n_forward, net["a1" + after], np.nan)
    out = net["a2" + after] if s.n_forward >= 3 else np.array([np.nan])
    d_out = net["delta2"] if s.n_delta >= 1 else None
    d_hidden = np.where(np.arange(2) < s.n_delta - 1, net["delta1"], np.nan)
    draw_network(
        ax_net,
        [2, 2, 1],
        weights=[weights["W1"], weights["W2"]],
        activations=[net["x"], hidden, out],
        deltas=[None, d_hidden if s.n_delta >= 2 else None, d_out],
        biases=[None, weights["b1"], weights["b2"]],
        highlight=s.highlight,
        layer_names=["input x", "hidden (σ)", f"output ŷ\n(target {net['y']:.0f})"],
        node_size=36**2,
        font=9.5,  # weights and biases 8.5 pt: readable on a projector
    )
    ax_net.set_title(f"Step {int(step)} of {len(steps) - 1}: {s.title}", loc="left")
    ax_text.set_axis_off()
    size = _font_points("font.size")
    below = 0.0  # points below the top of the text panel
    for line in s.lines:
        shown = fill(line, fig.get_figwidth() * 72, size)
        ax_text.annotate(shown, (0.0, 1.0), xycoords="axes fraction", xytext=(0, -below),
                         textcoords="offset points", va="top")  # fmt: skip
        below += (shown.count("\n") + 1) * 1.2 * size + 0.7 * size
    for text in ax_text.texts:
        text.set_in_layout(False)
    return fig


def _font_points(key: str) -> float:
    """The current size in points of a matplotlib rc font setting (course style or not)."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    return FontProperties(size=mpl.rcParams[key]).get_size_in_points()
