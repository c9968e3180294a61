"""Explorers for computational graphs: step through a backward pass one node at a time."""

from __future__ import annotations

from typing import Any

from bpkit.plot.graph import backward_steps, draw_backward_step, graph_figsize, graph_layout
from bpkit.widgets._explorer import explorer, stepping_buttons


def backward_stepper(value: Any, title: str | None = None, *, step: int = 0) -> Any:
    """Return a widget that walks the backward pass of ``value``'s graph step by step.

    Back/Next buttons (or the ``step`` slider) move through the reverse topological
    order; the node being filled is highlighted and its "local derivative × upstream
    grad" sum is written out. The drawing is :func:`bpkit.plot.draw_backward_step`;
    ``value``'s own ``.grad`` fields are not changed. ``step`` is the step shown first
    (and stored in a saved notebook): pick one that shows something, e.g. a node whose
    grad sums several uses; 0 shows the graph before any grad is filled.
    """
    import ipywidgets as widgets

    n_steps = len(backward_steps(value))
    if not (isinstance(step, int) and 0 <= step <= n_steps):
        raise ValueError(
            f"backward_stepper: step must be an integer from 0 to {n_steps} (the number of"
            f" nodes in the graph), got {step!r}."
        )
    slider = widgets.IntSlider(value=step, min=0, max=n_steps, description="step")
    width, height = graph_figsize(value)
    box = explorer(
        draw_backward_step,
        {"step": slider},
        fixed={"value": value},
        figsize=(max(width, 6.0), height + 0.9),
        title=title or "Step through backward(): each node's grad, filled from the output back",
        narrow=narrow_figsize(value),
    )
    back = widgets.Button(description="◀ Back", layout={"width": "90px"})
    forward = widgets.Button(description="Next ▶", layout={"width": "90px"})
    back.on_click(lambda _: setattr(slider, "value", max(slider.min, slider.value - 1)))
    forward.on_click(lambda _: setattr(slider, "value", min(slider.max, slider.value + 1)))
    stepping_buttons(slider, back, forward)
    box.row.children = (back, forward, *box.row.children)
    box.buttons = (back, forward)
    # A static page cannot rebuild the graph (it is the lesson's own): the output keeps
    # one picture per step (see bpkit.widgets._frames).
    box.store_frames = True
    return box


def narrow_figsize(value: Any) -> tuple[float, float]:
    """The stepper's shape on a narrow page: 5.2 in (468 px) across, an inch per depth.

    Taller than wide, so that draw_backward_step runs the graph down the page; the last
    1.4 in hold the heading and the caption.
    """
    _, pos = graph_layout(value)
    depth = max(column for column, _ in pos.values()) + 1
    return 5.2, max(5.3, 1.0 * depth + 1.4)
