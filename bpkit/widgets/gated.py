"""The forget-gate explorer of the gated-recurrence lesson."""

from __future__ import annotations

from typing import Any

from bpkit.plot.gated import draw_gated_flow, flow_top, gated_flow_norms

__all__ = ["gated_flow_explorer"]


def gated_flow_explorer(forget_bias: float = 2.0, lag: int = 50) -> Any:
    """Return sliders for the LSTM's forget-gate bias and the lag at which to compare.

    Each move redraws :func:`bpkit.plot.draw_gated_flow`: how much of the gradient of a
    loss at the last step reaches the input τ steps back, for a vanilla RNN and an LSTM.
    The gradient axis keeps one range for every forget bias on the slider: the one the
    two ends of the slider need, so that a growing gradient shows as a rising curve.
    """
    import ipywidgets as widgets

    from bpkit.widgets._explorer import explorer

    style = {"description_width": "initial"}
    controls = {
        "forget_bias": widgets.FloatSlider(
            value=forget_bias, min=-2.0, max=5.0, step=0.5, description="forget bias", style=style
        ),
        "lag": widgets.IntSlider(value=lag, min=0, max=99, step=1, description="lag", style=style),
    }
    bias = controls["forget_bias"]
    top = max(flow_top(gated_flow_norms(end)) for end in (bias.min, bias.max))
    return explorer(
        draw_gated_flow,
        controls,
        fixed={"top": top},
        # 6 inches left the left panel's title (forget bias 5, lag 99: "… = 29,500,298,602×")
        # 55 px into the right panel's; 7 is the narrowest that keeps every state apart.
        figsize=(7.5, 3.5),
        title="The LSTM's cell state: how much gradient survives the lag?",
    )
