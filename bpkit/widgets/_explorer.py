"""The widget pattern of the whole course.

An explorer is two parts:

* a pure ``draw(fig, **values)`` function that draws one state of the picture onto a
  fresh matplotlib ``Figure`` from the slider values (testable without a browser), and
* :func:`explorer`, a thin wrapper that connects ipywidgets controls to ``draw``,
  renders the figure to PNG and shows it in an ``ipywidgets.Image``.

The returned widget also carries a static PNG of its current state in its display
data, so a notebook read on GitHub or nbviewer (where widgets do not run) still shows
the picture.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

from bpkit.plot import _style

DrawFn = Callable[..., Any]


def render_png(draw: DrawFn, figsize: tuple[float, float] = _style.FIGSIZE, **values: Any) -> bytes:
    """Draw one state with ``draw(fig, **values)`` and return it as PNG bytes.

    The figure is never registered with pyplot, so nothing is left open.
    """
    import matplotlib as mpl
    from matplotlib.figure import Figure

    with mpl.rc_context(_style.rc()):
        fig = Figure(figsize=figsize, dpi=_style.DPI, layout="constrained")
        draw(fig, **values)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def explorer(
    draw: DrawFn,
    controls: dict[str, Any],
    *,
    figsize: tuple[float, float] = _style.FIGSIZE,
    fixed: dict[str, Any] | None = None,
    title: str | None = None,
) -> Any:
    """Return a widget that redraws ``draw(fig, **values)`` whenever a control moves.

    ``controls`` maps each keyword of ``draw`` to an ipywidgets control (a slider, a
    dropdown, a checkbox); ``fixed`` holds keywords that have no control. The widget has
    ``.render(**values) -> bytes`` (one state, no browser needed), ``.values()`` and
    ``.image`` (the ``ipywidgets.Image`` showing the figure).
    """
    import ipywidgets as widgets

    fixed = dict(fixed or {})
    image = widgets.Image(format="png")
    image.layout.max_width = "100%"

    def values() -> dict[str, Any]:
        return {**fixed, **{name: control.value for name, control in controls.items()}}

    def render(**overrides: Any) -> bytes:
        return render_png(draw, figsize, **{**values(), **overrides})

    def redraw(_change: Any = None) -> None:
        image.value = render()

    for control in controls.values():
        control.observe(redraw, names="value")
        control.continuous_update = True
    redraw()

    children = []
    if title:
        children.append(widgets.HTML(f"<b>{title}</b>"))
    children += [widgets.HBox(list(controls.values()), layout={"flex_flow": "row wrap"}), image]
    box = ExplorerBox(children)
    box.add_class("bpkit-explorer")
    box.image, box.controls, box.render, box.values, box.redraw = (
        image,
        controls,
        render,
        values,
        redraw,
    )
    return box


def _explorer_box_class() -> type:
    import ipywidgets as widgets

    class _ExplorerBox(widgets.VBox):
        """A VBox whose display data also holds a PNG of its current state."""

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            data = super()._repr_mimebundle_(**kwargs)
            if isinstance(data, tuple):  # (data, metadata)
                data = data[0]
            data = dict(data or {})
            data["image/png"] = base64.b64encode(self.image.value).decode("ascii")
            return data

    return _ExplorerBox


def ExplorerBox(children: list[Any]) -> Any:
    """Build the box lazily so that ipywidgets is imported only when a widget is made."""
    global _BOX_CLASS
    if _BOX_CLASS is None:
        _BOX_CLASS = _explorer_box_class()
    return _BOX_CLASS(children)


_BOX_CLASS: type | None = None
