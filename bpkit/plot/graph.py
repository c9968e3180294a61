"""Drawings of computational graphs built from :class:`bpkit.scalar.Value` nodes.

Pure matplotlib (no Graphviz): nodes are laid out left to right by their depth in the
graph, each box shows the op, the value and the grad, and each edge can carry its
local derivative ∂child/∂parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bpkit.plot import alt
from bpkit.plot._style import PALETTE, fill, new_figure

OP_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−x"}


def node_name(node: Any) -> str:
    """Return the text naming a node: its label, its op, or "const" for an unnamed leaf."""
    op = OP_SYMBOLS.get(node.op, node.op)
    if node.op.startswith("**"):
        op = "(·)" + node.op  # "**2" reads as (·)**2: "x" would clash with an input named x
    if node.label:
        return f"{op} {node.label}" if node.op else node.label
    return op or "const"


def _fmt(x: float) -> str:
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.3f}".rstrip("0").rstrip(".") if abs(x) >= 100 else f"{x:.3f}"
    return f"{x:.2e}"


def children_of(order: list) -> dict[int, list[tuple[Any, float]]]:
    """Map id(node) to [(child, ∂child/∂node)], one entry per use (a reuse appears twice)."""
    children: dict[int, list[tuple[Any, float]]] = {id(node): [] for node in order}
    for node in order:
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            children[id(parent)].append((node, local))
    return children


def graph_layout(value: Any) -> tuple[list, dict[int, tuple[float, float]]]:
    """Return (topological order, {id(node): (column, row)}) for drawing left to right.

    An interior node's column is one more than its deepest parent's; a leaf sits just
    left of its first consumer, so constants do not trail long edges across the page.
    Rows are chosen right to left: each node goes near the mean row of its children.
    """
    order = value.topological_order()
    children = children_of(order)
    column: dict[int, int] = {}
    for node in order:
        if node.parents:
            column[id(node)] = 1 + max(column.get(id(p), 0) for p in node.parents)
    for node in order:
        if not node.parents:
            uses = [column[id(c)] for c, _ in children[id(node)]]
            column[id(node)] = min(uses) - 1 if uses else 0
    shift = min(column.values())
    columns: dict[int, list] = {}
    for node in order:
        columns.setdefault(column[id(node)] - shift, []).append(node)
    row: dict[int, float] = {}
    for c in sorted(columns, reverse=True):
        nodes = columns[c]
        wanted = {
            id(n): (
                sum(row[id(ch)] for ch, _ in children[id(n)]) / len(children[id(n)])
                if children[id(n)]
                else 0.0
            )
            for n in nodes
        }
        nodes.sort(key=lambda n: wanted[id(n)])
        placed: list[float] = []
        for n in nodes:  # keep the wanted rows, but at least one row apart
            placed.append(max(wanted[id(n)], placed[-1] + 1) if placed else wanted[id(n)])
        centre = sum(wanted.values()) / len(nodes) - sum(placed) / len(placed)
        for n, r in zip(nodes, placed, strict=True):
            row[id(n)] = r + centre
    return order, {id(n): (float(c), row[id(n)]) for c, ns in columns.items() for n in ns}


def graph_figsize(value: Any, direction: str = "across") -> tuple[float, float]:
    """Return a figure size (inches) at which ``draw_graph(value, direction=...)`` is readable.

    ``"across"`` (inputs on the left, output on the right) is wide; ``"down"`` (inputs at
    the top, output at the bottom) is as wide as the graph's widest column of nodes.
    """
    _, pos = graph_layout(value)
    depth = max(p[0] for p in pos.values()) + 1
    rows = [p[1] for p in pos.values()]
    across = max(rows) - min(rows) + 1
    if _direction("graph_figsize", direction) == "down":
        return (min(10.0, 0.6 + 1.5 * across), min(14.0, 0.6 + 1.3 * depth))
    return (min(14.0, 0.8 + 1.6 * depth), min(10.0, 0.6 + 0.85 * across))


def _direction(who: str, direction: str) -> str:
    if direction not in ("across", "down"):
        raise ValueError(
            f'{who}: direction must be "across" (left to right) or "down" (top to bottom),'
            f" got {direction!r}."
        )
    return direction


def _edge_offsets(order: list, pos: dict, spread: float) -> dict[tuple[int, int], tuple]:
    """Return {(id(child), i): (start, end)} row offsets for the edge parent i → child.

    Arrows leave a box and enter one at different heights, ordered by the row of the
    other end, so edges into one node do not meet at a single point.
    """
    edges = [(child, i, parent) for child in order for i, parent in enumerate(child.parents)]
    outgoing: dict[int, list] = {}
    incoming: dict[int, list] = {}
    for child, i, parent in edges:
        outgoing.setdefault(id(parent), []).append((pos[id(child)][1], id(child), i))
        incoming.setdefault(id(child), []).append((pos[id(parent)][1], id(child), i))
    offsets: dict[tuple[int, int], list[float]] = {(id(c), i): [0.0, 0.0] for c, i, _ in edges}
    for end, groups in ((0, outgoing), (1, incoming)):
        for group in groups.values():
            group.sort(reverse=True)  # the edge to the highest other end starts highest
            k = len(group)
            for j, (_, child_id, i) in enumerate(group):
                offsets[(child_id, i)][end] = spread * ((k - 1) / 2 - j) / max(k - 1, 1)
    return {key: tuple(value) for key, value in offsets.items()}


def _tint(colour: str, amount: float = 0.75) -> tuple[float, float, float]:
    """Mix a palette colour with white (0 = the colour, 1 = white)."""
    from matplotlib.colors import to_rgb

    return tuple(c + (1 - c) * amount for c in to_rgb(colour))  # type: ignore[return-value]


def _edge_curve(
    p0: tuple[float, float], p2: tuple[float, float], boxes: dict[int, list[float]], h: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Return (control point, midpoint) of a quadratic Bézier edge from p0 to p2.

    A straight edge (control point halfway) is used unless it would run through a box in
    a column it skips; then the edge bows up or down, as little as needed to clear it.
    """
    (x0, y0), (x2, y2) = p0, p2
    skipped = [c for c in boxes if x0 < c < x2]
    for bend in (0.0, 1.2, -1.2, 2.0, -2.0, 3.0, -3.0, 4.5, -4.5):
        ym = (y0 + y2) / 2 + bend

        def y_at(c: float, ym: float = ym) -> float:
            t = (c - x0) / (x2 - x0)  # x is linear in t: the control point is halfway
            return (1 - t) ** 2 * y0 + 2 * t * (1 - t) * ym + t**2 * y2

        if all(abs(y_at(c) - r) > h / 2 + 0.08 for c in skipped for r in boxes[c]):
            break
    return ((x0 + x2) / 2, ym), ((x0 + x2) / 2, (y0 + 2 * ym + y2) / 4)


def _edge_geometry(order: list, pos: dict, w: float, h: float) -> list[tuple]:
    """Every edge parent → child as ``(parent, local, p0, control, p2, middle)``.

    ``p0``/``p2`` are where it leaves and enters the boxes, ``control`` the control point
    of its curve, and ``middle`` the curve's midpoint (where its label goes; a bowed
    edge reaches no further from the straight line than that).
    """
    boxes: dict[int, list[float]] = {}
    for x, y in pos.values():
        boxes.setdefault(int(x), []).append(y)
    offsets = _edge_offsets(order, pos, 0.45 * h)
    edges = []
    for child in order:
        cx, cy = pos[id(child)]
        for i, (parent, local) in enumerate(zip(child.parents, child.local_grads, strict=True)):
            x, y = pos[id(parent)]
            start, end = offsets[(id(child), i)]
            p0, p2 = (x + w / 2, y + start), (cx - w / 2, cy + end)
            control, middle = _edge_curve(p0, p2, boxes, h)
            edges.append((parent, local, p0, control, p2, middle))
    return edges


def _draw_edges(ax: Any, edges: list[tuple], style: dict) -> None:
    """Draw every edge as an arrow, with its local derivative if asked."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path

    place = style["place"]  # (column, row) -> the page's (x, y)
    for parent, local, *points in edges:
        p0, control, p2, middle = (place(*point) for point in points)
        lit = parent is style["highlight"]
        colour = PALETTE["vermillion"] if lit else PALETTE["grey"]
        path = Path([p0, control, p2], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
        arrow = FancyArrowPatch(
            path=path, arrowstyle="-|>", mutation_scale=9, color=colour, lw=2.0 if lit else 0.9
        )
        arrow.set(zorder=1, in_layout=False)  # inside the axes: layout can skip it
        ax.add_artist(arrow)  # not add_patch: the limits are set, measuring curves is slow
        if style["show_local"]:
            ax.text(
                *middle,
                _fmt(local),
                ha="center",
                va="center",
                fontsize=style["font"],  # as large as the boxes' text: 9.5 pt at graph_figsize
                color=PALETTE["vermillion"] if lit else PALETTE["blue"],
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none"},
                zorder=2,
                in_layout=False,
            )


def draw_graph(
    value: Any,
    ax: Any = None,
    *,
    show_local: bool = False,
    grads: Mapping[Any, float | None] | None = None,
    highlight: Any = None,
    title: str | None = None,
    direction: str = "across",
) -> Any:
    """Draw the graph that produced ``value`` onto ``ax`` and return the Axes.

    Each box shows the node's op (or label), its value ``=`` and its ``grad``; leaves
    are blue, the output green. ``show_local`` writes ∂child/∂parent on every edge.
    ``grads`` overrides the grads shown (a dict node → number, or None for "?"; nodes
    missing from it show "?"). ``highlight`` marks one node and the edges to its
    children, the ones the chain rule uses to fill its grad. ``direction`` is
    ``"across"`` (inputs left, output right) or ``"down"`` (inputs at the top, output
    at the bottom: for a narrow page). Readable up to ~40 nodes.
    """
    from matplotlib.patches import FancyBboxPatch

    down = _direction("draw_graph", direction) == "down"
    if ax is None:
        ax = new_figure(graph_figsize(value, direction)).add_subplot()
    order, pos = graph_layout(value)
    # The boxes' extent along a column (the depth) and along a row, in layout units; the
    # gaps hold the edge labels. Down the page a box is wide and short, as its text is.
    depth, across = (0.56, 0.8) if down else (0.62, 0.72)
    edges = _edge_geometry(order, pos, depth, across)
    columns = [p[0] for p in pos.values()]
    # Rows of boxes, and the midpoints of edges that bow round a box (with their labels).
    rows = [p[1] for p in pos.values()] + [edge[-1][1] for edge in edges]
    row_span = (min(rows) - 0.55, max(rows) + 0.55)
    if down:  # column c is drawn at y = -c, row r at x = -r (the top row on the left)

        def place(c: float, r: float) -> tuple[float, float]:
            return -r, -c

        ax.set_xlim(-row_span[1], -row_span[0])
        ax.set_ylim(-max(columns) - 0.55, 0.55)
    else:

        def place(c: float, r: float) -> tuple[float, float]:
            return c, r

        ax.set_xlim(-0.55, max(columns) + 0.55)
        ax.set_ylim(*row_span)
    ax.set_axis_off()
    ax.set_xticks([]), ax.set_yticks([])  # no tick layout work on redraws
    size = ax.get_position().size * ax.figure.get_size_inches() * 72  # axes size in points
    if down:
        size = size[::-1]  # (along the depth, along a row)
    col_pt = size[0] / (max(columns) + 1.1)
    row_pt = size[1] / (row_span[1] - row_span[0])
    w, h = (across, depth) if down else (depth, across)  # a box's width and height on the page
    box_pt = (across * row_pt, depth * col_pt) if down else (depth * col_pt, across * row_pt)
    font = max(4.5, min(9.5, box_pt[0] / 6.2, box_pt[1] / 4.0))  # box (width, height) in pt
    style = {"highlight": highlight, "show_local": show_local, "font": font, "place": place}
    _draw_edges(ax, edges, style)
    for node in order:
        x, y = place(*pos[id(node)])
        lit = node is highlight
        if node is value:
            fill = _tint(PALETTE["green"])
        elif node.parents:
            fill = _tint(PALETTE["orange"])
        else:
            fill = _tint(PALETTE["sky"], 0.6)
        box = FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0,rounding_size=0.08",
            fc=fill,
            ec=PALETTE["vermillion"] if lit else PALETTE["black"],
            lw=2.2 if lit else 0.8,
            zorder=3,
            in_layout=False,
        )
        ax.add_artist(box)  # the limits are set already
        grad = node.grad if grads is None else grads.get(node)
        text = f"{node_name(node)}\n= {_fmt(node.data)}\ngrad {'?' if grad is None else _fmt(grad)}"
        ax.text(x, y, text, ha="center", va="center", fontsize=font, zorder=4, in_layout=False)
    if title:
        ax.set_title(title)
    alt.note(ax, _graph_sentence(order, value, grads))
    return ax


def _graph_sentence(order: list, value: Any, grads: Mapping[Any, float | None] | None) -> str:
    """Say what a graph drawing shows: its nodes in order, each with its value and grad."""
    shown = []
    for node in order[: alt.MAX_LABELS * 2]:
        grad = node.grad if grads is None else grads.get(node)
        said = "?" if grad is None else _fmt(grad)
        shown.append(f"{node_name(node)} = {_fmt(node.data)} (grad {said})")
    more = f", and {len(order) - len(shown)} more" if len(order) > len(shown) else ""
    out = f"{node_name(value)} = {_fmt(value.data)}"
    return f"A graph of {len(order)} nodes with output {out}: " + ", ".join(shown) + more


def backward_steps(value: Any) -> list[tuple[Any, float, list[tuple[float, float]]]]:
    """Return the backward pass as steps ``(node, grad, [(local, upstream grad), ...])``.

    Nodes come in reverse topological order, the output first. A node's grad is the sum,
    over each use of it, of local derivative × the grad of the node that used it. The
    graph's own ``.grad`` fields are not touched.
    """
    order = value.topological_order()
    children = children_of(order)
    grads: dict[int, float] = {}
    steps = []
    for node in reversed(order):
        if node is value:
            terms = [(1.0, 1.0)]  # seed: ∂value/∂value = 1
        else:
            terms = [(local, grads[id(child)]) for child, local in children[id(node)]]
        grads[id(node)] = sum(local * dout for local, dout in terms)
        steps.append((node, grads[id(node)], terms))
    return steps


def _step_text(step: int, steps: list, down: bool = False) -> str:
    if step == 0:
        return "Step 0: the forward pass is done; no grads yet.\nPress Next ▶ to begin."
    node, grad, terms = steps[step - 1]
    who = node_name(node)
    if step == 1:
        return (
            f"Step 1: the output {who} gets grad = ∂out/∂out = 1 (the seed).\n"
            f"Every other grad is built from it, {'bottom to top' if down else 'right to left'}."
        )
    shown = " + ".join(f"{_fmt(local)} × {_fmt(dout)}" for local, dout in terms[:4])
    shown += " + …" if len(terms) > 4 else ""
    if not node.label:
        who = f"the highlighted {who} node"
    if len(terms) == 1:
        rule = "local derivative × upstream grad"
    else:
        rule = f"Σ over its {len(terms)} uses of (local derivative × upstream grad)"
    return f"Step {step}: grad of {who} = {rule}\n= {shown} = {_fmt(grad)}"


def draw_backward_step(fig: Any, value: Any, step: int) -> Any:
    """Draw the graph of ``value`` after ``step`` steps of the backward pass; return fig.

    Step 0 shows the forward pass only; step k has filled the grads of the first k nodes
    in reverse topological order; the k-th node and the edges that fill it are
    highlighted, and the line below writes its chain-rule sum out in numbers. On a
    figure taller than wide the graph runs down the page, its output at the bottom.
    """
    steps = backward_steps(value)
    step = max(0, min(int(step), len(steps)))
    grads = {node: grad for node, grad, _ in steps[:step]}
    highlight = steps[step - 1][0] if step else None
    down = fig.get_figheight() > fig.get_figwidth()
    ax = fig.add_subplot()
    draw_graph(value, ax, show_local=True, grads=grads, highlight=highlight,
               direction="down" if down else "across")  # fmt: skip
    flow = "bottom to top" if down else "right to left"
    across = fig.get_figwidth() * 72  # points
    heading = fill(f"Backward pass, step {step} of {len(steps)}: grads flow {flow}", across, 11)
    ax.text(0.5, 1.01, heading, transform=ax.transAxes, ha="center", va="bottom", fontsize=11)
    caption = fill(_step_text(step, steps, down), across, 9)
    ax.text(0.0, -0.02, caption, transform=ax.transAxes, va="top", fontsize=9)
    return fig
