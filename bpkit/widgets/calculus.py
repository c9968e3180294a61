"""Explorers for lessons 01 and 03: the tangent as a limit, and gradient descent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bpkit.plot import calculus as plot_calculus
from bpkit.widgets._explorer import explorer


def tangent_explorer(
    f: Callable[[Any], Any] = plot_calculus.cubic,
    df: Callable[[Any], Any] | None = plot_calculus.cubic_slope,
    name: str = "x³ − 3x + 1",
    x: float = 1.5,
    h: float = 0.5,
) -> Any:
    """Return sliders for x and h over :func:`bpkit.plot.draw_tangent`.

    Drag h towards 0 and watch the secant turn into the tangent (h is on a log scale,
    from 0.001 to 2).
    """
    import ipywidgets as widgets

    controls = {
        "x": widgets.FloatSlider(value=x, min=-2.0, max=2.0, step=0.05, description="x"),
        "h": widgets.FloatLogSlider(
            value=h, base=10, min=-3, max=0.3, step=0.05, description="h", readout_format=".3g"
        ),
    }
    return explorer(
        plot_calculus.draw_tangent,
        controls,
        fixed={"f": f, "df": df, "name": name},
        title="The secant through x and x + h becomes the tangent as h → 0",
    )


# The explorers' loss axis: from 1e-16 (a loss that small has converged to the last digit a
# float holds relative to the start) to 1e8 (a diverging run leaves it long before it stops).
# Kept still while the slider moves, so that a faster descent shows as a steeper line.
LOSS_RANGE = (1e-16, 1e8)


def draw_descent_2d(
    fig: Any, lr: float, x0: float, y0: float, steps: int = 30, loss_range: Any = None
) -> Any:
    """Draw 2-D gradient descent on :func:`bpkit.plot.calculus.bowl` from (x0, y0)."""
    return plot_calculus.draw_descent(fig, lr=lr, x0=(x0, y0), steps=steps, loss_range=loss_range)


# The learning rates the descent explorer offers: a fixed list, so that the thresholds of
# lesson 03 can be hit exactly (1/λ and 2/λ of f = x² are 0.5 and 1; of the bowl, 0.25 and
# 0.5) and the contrasts just below and above each (0.49 / 0.51, 0.99 / 1.01) can be reached.
LEARNING_RATES = (
    0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.45, 0.49, 0.5, 0.51,
    0.6, 0.8, 0.9, 0.95, 0.99, 1.0, 1.01, 1.1, 1.2, 1.5,
)  # fmt: skip


def descent_explorer(dim: int = 1, lr: float = 0.1, steps: int = 30) -> Any:
    """Return sliders for the learning rate and the start over gradient descent.

    ``dim=1`` descends f(x) = x² (it diverges for lr > 1); ``dim=2`` descends
    f = ½·p₀² + 2·p₁² (it diverges for lr > 0.5). The learning rate slider steps through
    ``LEARNING_RATES`` (0.001 to 1.5, with 0.49, 0.5, 0.51 and 0.99, 1, 1.01 among them);
    ``lr`` must be one of them. The loss axis stays at ``LOSS_RANGE``.
    """
    import ipywidgets as widgets

    if dim not in (1, 2):
        raise ValueError(f"descent_explorer: dim must be 1 or 2, got {dim!r}.")
    if lr not in LEARNING_RATES:
        raise ValueError(
            f"descent_explorer: lr must be one of the slider's values {LEARNING_RATES}, got {lr!r}."
        )
    controls: dict[str, Any] = {
        "lr": widgets.SelectionSlider(
            options=[(f"{value:g}", value) for value in LEARNING_RATES],
            value=lr,
            description="lr η",
        ),
        "x0": widgets.FloatSlider(value=1.8, min=-2.0, max=2.0, step=0.1, description="start x"),
    }
    if dim == 1:
        draw = plot_calculus.draw_descent
    else:
        controls["y0"] = widgets.FloatSlider(
            value=1.5, min=-2.0, max=2.0, step=0.1, description="start y"
        )
        draw = draw_descent_2d
    return explorer(
        draw,
        controls,
        fixed={"steps": steps, "loss_range": LOSS_RANGE},
        figsize=(7.5, 3.5),
        title=f"Gradient descent in {dim}-D: too small, just right, oscillating, diverging",
    )
