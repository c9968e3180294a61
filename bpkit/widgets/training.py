"""Explorers for lesson 04: one neuron and the line it draws through the plane."""

from __future__ import annotations

from typing import Any

from bpkit.plot.training import draw_neuron
from bpkit.widgets._explorer import explorer


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
            options=["sigmoid", "tanh", "relu"], value=activation, description="f"
        ),
        "gate": widgets.Dropdown(
            options=["AND", "OR", "NAND", "XOR"], value=gate, description="data"
        ),
    }
    return explorer(
        draw_neuron, controls, figsize=(7.5, 3.2), title="One neuron: a = f(w₁x₁ + w₂x₂ + b)"
    )
