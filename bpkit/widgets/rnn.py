"""The vanishing/exploding-gradient explorer of the BPTT lesson."""

from __future__ import annotations

from typing import Any

from bpkit.plot.rnn import draw_gradient_flow

__all__ = ["gradient_flow_explorer"]


def gradient_flow_explorer(
    radius: float = 1.0, T: int = 50, activation: str = "tanh", k: int = 0
) -> Any:
    """Return sliders for Whh's spectral radius, T, the activation, truncation k and input size.

    Each move redraws :func:`bpkit.plot.draw_gradient_flow`: the gradient norm that a loss
    at the last step sends back τ steps, on a log axis. ``k = 0`` means full BPTT.
    """
    import ipywidgets as widgets

    from bpkit.widgets._explorer import explorer

    style = {"description_width": "initial"}
    controls = {
        "radius": widgets.FloatSlider(
            value=radius, min=0.5, max=2.0, step=0.05, description="spectral radius ρ", style=style
        ),
        "activation": widgets.Dropdown(
            options=["tanh", "linear"], value=activation, description="activation", style=style
        ),
        "T": widgets.IntSlider(value=T, min=5, max=100, step=5, description="T", style=style),
        "k": widgets.IntSlider(
            value=k, min=0, max=50, step=1, description="truncate k (0 = full)", style=style
        ),
        "input_scale": widgets.FloatSlider(
            value=0.5, min=0.0, max=2.0, step=0.1, description="input size", style=style
        ),
    }

    # Under the linear activation the input does not change the gradient (the Jacobians
    # are Whh alone): the input slider is greyed out rather than silently doing nothing.
    def input_matters(_change: Any = None) -> None:
        controls["input_scale"].disabled = controls["activation"].value == "linear"

    controls["activation"].observe(input_matters, names="value")
    input_matters()
    return explorer(
        draw_gradient_flow,
        controls,
        title="Vanishing and exploding gradients: how far back does the gradient reach?",
    )
