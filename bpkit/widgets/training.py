"""Explorers for lesson 04: one neuron and the line it draws through the plane."""

from __future__ import annotations

from typing import Any

from bpkit.plot.training import draw_neuron
from bpkit.widgets._explorer import explorer

__all__ = ["init_explorer", "neuron_explorer"]

# The gains the initialization explorer offers: LeCun/Xavier's 1, He's √2, and the ones
# lesson 07 asks for (0.3, 3, 10), with steps between.
GAINS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.2, 2**0.5, 1.7, 2.0, 3.0, 5.0, 7.0, 10.0)


def gain_label(gain: float) -> str:
    """The slider's readout for ``gain``: "1.41 (√2)" for He's gain, else the number."""
    return "1.41 (√2)" if gain == 2**0.5 else f"{gain:g}"


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
    or shrink from layer to layer. Gain 1 is LeCun/Xavier's choice, √2 He's; ``gain`` must
    be one of ``GAINS``.
    """
    import ipywidgets as widgets

    from bpkit.plot.initialization import draw_init_flow

    if gain not in GAINS:
        raise ValueError(
            f"init_explorer: gain must be one of the slider's values {GAINS}, got {gain!r}."
        )
    style = {"description_width": "initial"}
    controls = {
        # A fixed list, so that the readout says what the title says (a log slider showed
        # 2.99 for g = 3) and He's √2 is exactly on it.
        "gain": widgets.SelectionSlider(
            options=[(gain_label(value), value) for value in GAINS],
            value=gain,
            description="gain g",
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
