"""The widget pattern of the whole course.

An explorer is two parts:

* a pure ``draw(fig, **values)`` function that draws one state of the picture onto a
  fresh matplotlib ``Figure`` from the slider values (testable without a browser), and
* :func:`explorer`, a thin wrapper that connects ipywidgets controls to ``draw``,
  renders the figure to PNG and shows it in an ``ipywidgets.Image``.

The returned widget also carries a static PNG of its current state in its display
data, so a notebook read on GitHub or nbviewer (where widgets do not run) still shows
the picture.

A slider move should answer in well under 150 ms, even while other programs keep the
cores busy (``benchmarks/bench_widgets.py`` measures every explorer). What keeps it there:
:class:`SteadyRenderer` solves the layout once, keeps the axes in place, and checks that
a state still fits by looking at the edges of the image, not by measuring every text
again; titles sit at a fixed height instead of being placed around the tick labels; the
PNG is the whole figure (one draw, not two), stored as RGB at zlib level 1; and
:func:`undisturbed` keeps Python's cycle collector from stalling a redraw and numpy's
BLAS on one thread.
"""

from __future__ import annotations

import base64
import functools
import gc
import html
import io
from collections.abc import Callable
from typing import Any

import numpy as np

from bpkit.plot import _style

DrawFn = Callable[..., Any]


def _course_rc() -> dict[str, Any]:
    # The whole figure, not a tight crop: constrained layout already fits the margins, a
    # tight crop would draw everything twice, and a fixed size keeps the image steady.
    # A title at a fixed height (1.0, the top of its axes, plus the usual pad) is where
    # matplotlib's automatic placement puts it when nothing sits above the axes, as in
    # every explorer; the automatic search measures every tick label again at each draw.
    return {**_style.rc(), "savefig.bbox": "standard", "axes.titley": 1.0}


def render_png(draw: DrawFn, figsize: tuple[float, float] = _style.FIGSIZE, **values: Any) -> bytes:
    """Draw one state with ``draw(fig, **values)`` and return it as PNG bytes.

    The figure is laid out afresh (constrained layout) and never registered with pyplot,
    so nothing is left open. The PNG is exactly ``figsize × bpkit's DPI`` pixels.
    """
    return SteadyRenderer(draw, figsize)(**values)  # a first render is laid out afresh


class SteadyRenderer:
    """Render states of one picture, keeping its axes where the first state put them.

    The first call lays the figure out with constrained layout and remembers where every
    axes went. Later calls reuse those places instead of solving the layout again: that
    saves about a quarter of each redraw, and the plots stay still while a slider moves
    (no jumping as tick labels change width). A state that would not fit in the kept
    places (a longer caption, wider tick labels, another number of axes) is laid out
    afresh, and its places are kept from then on.

    Whether a state fits is checked cheaply, mostly from the pixels (see ``_fits``).
    """

    def __init__(self, draw: DrawFn, figsize: tuple[float, float] = _style.FIGSIZE) -> None:
        self.draw, self.figsize = draw, figsize
        self.positions: list[Any] | None = None
        self.clear_edges = False  # did the last fresh layout leave the image's edges blank?
        self.layouts = 0  # how many times the layout was solved (for tests and benchmarks)

    def __call__(self, **values: Any) -> bytes:
        png = self._render(values, keep=self.positions is not None)
        if png is None:  # the kept places clipped this state: lay it out afresh
            png = self._render(values, keep=False)
        return png

    def _fits(self, fig: Any, renderer: Any, pixels: np.ndarray, texts: list[Any]) -> bool:
        """True if nothing drawn on ``fig`` (just drawn in the kept places) was clipped.

        Constrained layout leaves a margin of background all round, so a line or a patch
        that crosses an edge leaves pixels on it. A text may not (the edge can fall
        between two letters, and a caption that gains a line jumps past it whole), so
        every text drawn is measured: from the sizes the draw just computed, which is
        cheaper than matplotlib's tight bounding box (that lays out every tick again).
        A picture whose fresh layout already reached the edge is measured in full.
        """
        if not self.clear_edges:
            return _fits_exactly(fig, renderer)
        if not _edges_are(pixels, _rgba_bytes(fig.get_facecolor())):
            return False
        measured = {id(artist): artist for artist in [*texts, *_loose_artists(fig)]}
        return all(_inside(fig, a.get_window_extent(renderer)) for a in measured.values())

    def _render(self, values: dict[str, Any], keep: bool) -> bytes | None:
        """Draw, place the axes, render; return None if kept places would clip the state."""
        import matplotlib as mpl
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        with mpl.rc_context(_course_rc()):
            fig = Figure(figsize=self.figsize, dpi=_style.DPI, layout="constrained")
            canvas = FigureCanvasAgg(fig)
            self.draw(fig, **values)
            keep = keep and len(self.positions or ()) == len(fig.axes)
            if keep:
                # No layout engine at all (not the "none" placeholder): one draw, no solving.
                fig.set_layout_engine(None)
                for ax, position in zip(fig.axes, self.positions, strict=True):
                    ax.set_position(position)
            renderer, texts = _draw_keeping_texts(canvas)
            pixels = np.asarray(renderer.buffer_rgba())  # (height, width, 4) uint8, a view
            if keep and not self._fits(fig, renderer, pixels, texts):
                return None
            if not keep:
                self.layouts += 1
                self.clear_edges = _edges_are(pixels, _rgba_bytes(fig.get_facecolor()))
            self.positions = [ax.get_position(original=True) for ax in fig.axes]
            return encode_png(pixels)


def _draw_keeping_texts(canvas: Any) -> tuple[Any, list[Any]]:
    """Draw the canvas's figure; return its renderer and the one-line texts it drew."""
    renderer = canvas.get_renderer()  # the one canvas.draw() will use
    texts: list[Any] = []
    draw_text = renderer.draw_text

    def keeping(gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                ismath: Any = False, mtext: Any = None) -> None:  # fmt: skip
        if mtext is not None and mtext.get_in_layout():  # the Text, for a one-line text
            texts.append(mtext)
        draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)

    renderer.draw_text = keeping
    try:
        canvas.draw()
    finally:
        del renderer.draw_text  # back to the class's method
    return renderer, texts


def _rgba_bytes(color: Any) -> np.ndarray:
    """An RGBA colour as the four bytes Agg writes for it."""
    from matplotlib.colors import to_rgba

    return np.round(255 * np.array(to_rgba(color))).astype(np.uint8)


def _edges_are(pixels: np.ndarray, color: np.ndarray) -> bool:
    """True if the outermost row and column of pixels on every side are all ``color``."""
    edges = (pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1])
    return all(bool((edge == color).all()) for edge in edges)


def encode_png(pixels: np.ndarray) -> bytes:
    """Encode an Agg buffer ``(height, width, 4)`` as PNG bytes, fast.

    An opaque picture (every explorer's) is stored as RGB: a quarter less to compress,
    and the same pixels. zlib level 1 is a third faster than the default level 6 and
    only a few kB bigger.
    """
    from PIL import Image

    if (pixels[..., 3] == 255).all():
        image = Image.fromarray(np.ascontiguousarray(pixels[..., :3]), "RGB")
    else:
        image = Image.fromarray(np.ascontiguousarray(pixels), "RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def _fits_exactly(fig: Any, renderer: Any) -> bool:
    """True if everything laid out on ``fig`` lies inside it (measures every text: ~12 ms)."""
    used = fig.get_tightbbox(renderer).transformed(fig.dpi_scale_trans)
    return _inside(fig, used)


def _inside(fig: Any, box: Any) -> bool:
    inside = fig.bbox.padded(1.0)  # one pixel of slack for anti-aliasing
    return bool(
        box.x0 >= inside.x0 and box.y0 >= inside.y0
        and box.x1 <= inside.x1 and box.y1 <= inside.y1
    )  # fmt: skip


def _loose_artists(fig: Any) -> list[Any]:
    """The texts and legends of ``fig`` other than tick labels (also those of many lines)."""
    found = [*fig.texts, *fig.legends]
    for ax in fig.axes:
        found += [*ax.texts, ax.title, ax.xaxis.label, ax.yaxis.label, ax.get_legend()]
    shown = [a for a in found if a is not None and a.get_visible() and a.get_in_layout()]
    return [a for a in shown if not hasattr(a, "get_text") or a.get_text()]  # no empty text


def undisturbed(render: Callable[[], bytes]) -> bytes:
    """Call ``render()`` on one BLAS thread with Python's cyclic collector paused.

    See :func:`_one_blas_thread` for the thread. A matplotlib figure is thousands of
    objects linked in cycles. Collected mid-drawing, they survive into the oldest
    generation, and every few redraws a full collection of the whole kernel stalls a
    slider move by 80-170 ms. Paused, the collector leaves them young; one sweep of the
    youngest generation after the drawing frees them all.
    """
    with _one_blas_thread():
        if not gc.isenabled():
            return render()
        gc.disable()
        try:
            return render()
        finally:
            gc.enable()
            gc.collect(0)


@functools.cache
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finds numpy's BLAS (it is loaded by now)


def _one_blas_thread() -> Any:
    """Run numpy's BLAS on one thread for the length of a redraw.

    An explorer computes on small arrays, which more threads do not speed up; but while
    the browser or anything else keeps the cores busy, a product split over threads waits
    for all of them, and a redraw took twice as long (measured on 2 busy cores).
    """
    return _blas_controller().limit(limits=1, user_api="blas")


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
    renderer = SteadyRenderer(draw, figsize)
    # The PNG's own width, never wider than the page; "auto" height keeps its proportions
    # (a flex box would otherwise stretch the image to the box's width).
    width = round(figsize[0] * _style.DPI)
    image = widgets.Image(
        format="png",
        layout={"width": f"{width}px", "max_width": "100%", "height": "auto",
                "align_self": "flex-start"},
    )  # fmt: skip

    def values() -> dict[str, Any]:
        return {**fixed, **{name: control.value for name, control in controls.items()}}

    def render(**overrides: Any) -> bytes:
        return renderer(**{**values(), **overrides})

    def redraw(_change: Any = None) -> None:
        image.value = undisturbed(render)

    for control in controls.values():
        control.observe(redraw, names="value")
        control.continuous_update = True
        _tidy(control)
    redraw()

    children = []
    if title:
        children.append(widgets.HTML(f"<b>{html.escape(title)}</b>"))
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


# Every control the same size, so that controls line up in columns, two to a row.
CONTROL_WIDTH, DESCRIPTION_WIDTH, TOGGLE_WIDTH = "360px", "140px", "64px"


def _tidy(control: Any) -> None:
    """Give a control the explorers' common size (a width set by its maker wins)."""
    if not control.layout.width:
        control.layout.width = CONTROL_WIDTH
    style = getattr(control, "style", None)
    if style is None:
        return
    if "description_width" in style.keys:
        style.description_width = DESCRIPTION_WIDTH
    if "button_width" in style.keys:
        style.button_width = TOGGLE_WIDTH


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
