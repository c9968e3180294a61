"""Explorers for lesson 04: one neuron and the line it draws through the plane."""

from __future__ import annotations

from typing import Any

from bpkit.plot.training import draw_neuron
from bpkit.widgets._explorer import explorer

__all__ = ["init_explorer", "neuron_explorer"]


def neuron_explorer(
    w1: float = 1.0,
    w2: float = 1.0,
    b: float = -1.5,
    activation: str = "sigmoid",
    gate: str = "AND",
) -> Any:
    """Return a widget: sliders for w1, w2, b and menus for the activation and the data.

    It shows a = f(w1·x1 + w2·x2 + b) over the plane and the boundary z = 0. Find weights
    that solve AND and OR, then try XOR: no line separates it.
    """
    import ipywidgets as widgets

    def slider(name: str, value: float) -> Any:
        return widgets.FloatSlider(value=value, min=-4.0, max=4.0, step=0.1, description=name,
                                   readout_format=".1f")  # fmt: skip

    controls = {
        "w1": slider("w₁", w1),
        "w2": slider("w₂", w2),
        "b": slider("b", b),
        "activation": widgets.Dropdown(
            options=["sigmoid", "tanh", "relu"], value=activation, description="activation f"
        ),
        "gate": widgets.Dropdown(
            options=["AND", "OR", "NAND", "XOR"], value=gate, description="data"
        ),
    }
    return explorer(
        draw_neuron, controls, figsize=(7.5, 3.2), title="One neuron: a = f(w₁x₁ + w₂x₂ + b)"
    )


def init_explorer(gain: float = 1.0, activation: str = "tanh", depth: int = 8) -> Any:
    """Return sliders for the weight gain and the depth, and a menu for the activation.

    Every move builds a fresh deep MLP with weights N(0, (gain/√n_in)²), sends a batch of
    digits through it and the error back, and draws :func:`bpkit.plot.draw_init_flow`:
    where each hidden layer's activations lie, and how the signal and the error δ grow
    or shrink from layer to layer. Gain 1 is LeCun/Xavier's choice, √2 He's.
    """
    import ipywidgets as widgets

    from bpkit.plot.initialization import draw_init_flow

    style = {"description_width": "initial"}
    controls = {
        "gain": widgets.FloatLogSlider(
            value=gain,
            base=10,
            min=-1,
            max=1,
            step=0.025,
            description="gain g",
            readout_format=".3g",
            style=style,
        ),
        "activation": widgets.Dropdown(
            options=["tanh", "relu", "sigmoid"],
            value=activation,
            description="activation",
            style=style,
        ),
        "depth": widgets.IntSlider(
            value=depth, min=2, max=20, description="hidden layers", style=style
        ),
    }
    return explorer(
        draw_init_flow,
        controls,
        figsize=(7.5, 3.4),
        title="Initialization, weights ~ N(0, g²/n_in): does the signal reach the last layer, "
        "and the error the first?",
    )
