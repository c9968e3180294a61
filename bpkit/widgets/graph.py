"""Explorers for computational graphs: step through a backward pass one node at a time."""

from __future__ import annotations

from typing import Any

from bpkit.plot.graph import backward_steps, draw_backward_step, graph_figsize
from bpkit.widgets._explorer import explorer


def backward_stepper(value: Any, title: str | None = None) -> Any:
    """Return a widget that walks the backward pass of ``value``'s graph step by step.

    Back/Next buttons (or the ``step`` slider) move through the reverse topological
    order; the node being filled is highlighted and its "local derivative × upstream
    grad" sum is written out. The drawing is :func:`bpkit.plot.draw_backward_step`;
    ``value``'s own ``.grad`` fields are not changed.
    """
    import ipywidgets as widgets

    n_steps = len(backward_steps(value))
    step = widgets.IntSlider(value=0, min=0, max=n_steps, description="step")
    width, height = graph_figsize(value)
    box = explorer(
        draw_backward_step,
        {"step": step},
        fixed={"value": value},
        figsize=(max(width, 6.0), height + 0.9),
        title=title or "Step through backward(): each node's grad, filled right to left",
    )
    back = widgets.Button(description="◀ Back", layout={"width": "90px"})
    forward = widgets.Button(description="Next ▶", layout={"width": "90px"})
    back.on_click(lambda _: setattr(step, "value", max(step.min, step.value - 1)))
    forward.on_click(lambda _: setattr(step, "value", min(step.max, step.value + 1)))
    row = box.children[-2]  # the explorer's row of controls
    row.children = (back, forward, *row.children)
    box.buttons = (back, forward)
    return box
