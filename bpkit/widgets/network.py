"""Backpropagation, one step at a time, on a 2-2-1 network.

The picture is :func:`bpkit.plot.network.draw_backprop_step` (pure, testable without a
browser); this module only connects a step slider, ◀/▶ buttons and an example slider to it.
"""

from __future__ import annotations

from typing import Any

from bpkit.plot.network import BACKPROP_STEPS, draw_backprop_step
from bpkit.widgets._explorer import explorer, stepping_buttons

__all__ = ["backprop_stepper"]


def backprop_stepper(seed: int = 0, lr: float = 1.0, n_examples: int = 10, step: int = 0) -> Any:
    """Return a widget that walks through one forward and backward pass of a 2-2-1 network.

    The step slider (or the ◀ / ▶ buttons) goes forward through the activations, then
    back through the deltas and the weight gradients, and ends with the update; each step
    highlights the neuron or weights involved and prints the formula with its numbers.
    The "example" slider draws another input and other weights (seeds ``0 … n_examples-1``,
    starting at ``seed``); ``lr`` is the learning rate of the final update. ``step`` is the
    step shown first (and stored in a saved notebook): pick an informative one, such as a
    hidden error, rather than step 0 where nothing is computed yet.
    """
    import ipywidgets as widgets

    if not 0 <= step < BACKPROP_STEPS:
        raise ValueError(f"backprop_stepper: step must be in 0 … {BACKPROP_STEPS - 1}, got {step}.")

    narrow = {"width": "300px"}  # both sliders and the two buttons fit on one row
    step = widgets.IntSlider(
        value=step, min=0, max=BACKPROP_STEPS - 1, description="step", layout=narrow
    )
    example = widgets.IntSlider(
        value=seed, min=0, max=max(n_examples - 1, seed), description="example", layout=narrow
    )
    box = explorer(
        draw_backprop_step,
        {"step": step, "seed": example},
        figsize=(6.5, 4.0),
        narrow=(5.2, 4.4),  # the formulas below the network get the room they lose across
        fixed={"lr": lr},
        title="Backpropagation step by step: forward ①, output error ②, hidden errors ③, "
        "gradients ④",
    )
    back = widgets.Button(description="◀ Back", layout={"width": "90px"})
    ahead = widgets.Button(description="Next ▶", layout={"width": "90px"})
    back.on_click(lambda _: setattr(step, "value", max(step.value - 1, step.min)))
    ahead.on_click(lambda _: setattr(step, "value", min(step.value + 1, step.max)))
    stepping_buttons(step, back, ahead)
    box.row.children = (back, step, ahead, example)
    box.buttons = (back, ahead)
    return box
