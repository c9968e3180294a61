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

* :class:`SteadyRenderer` solves the layout once, keeps the axes in place, and checks
  that a state still fits by looking at the edges of the image, not by measuring every
  text again; titles sit at a fixed height instead of being placed around tick labels.
* Each axes' *frame* (its background, ticks, tick labels, grid and axis labels: most of
  matplotlib's drawing time) is drawn once per set of limits and kept as pixels; a state
  with the same limits starts from them and draws only what lies over them (see
  :func:`_overlay`). The picture is the same, pixel for pixel.
* One Agg renderer serves every state, so matplotlib's cache of text sizes stays warm,
  and it keeps the glyph images of the texts it drew (see
  :func:`_text_caching_renderer_class`).
* The PNG is the whole figure (one draw, not two), stored as RGB at zlib level 1; and
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
from dataclasses import dataclass
from typing import Any

import numpy as np

from bpkit.plot import _style
from bpkit.widgets._access import alt_text, describe_figure, helper_markup, still_markup

DrawFn = Callable[..., Any]


def _course_rc() -> dict[str, Any]:
    # The whole figure, not a tight crop: constrained layout already fits the margins, a
    # tight crop would draw everything twice, and a fixed size keeps the image steady.
    # A title at a fixed height (1.0, the top of its axes, plus the usual pad) is where
    # matplotlib's automatic placement puts it when nothing sits above the axes, as in
    # every explorer; the automatic search measures every tick label again at each draw.
    # Grid lines and ticks under everything in the axes (not only under lines, matplotlib's
    # default) so that the frame can be drawn first as a layer of its own (see _overlay).
    return {**_style.rc(), "savefig.bbox": "standard", "axes.titley": 1.0, "axes.axisbelow": True}


def render_png(draw: DrawFn, figsize: tuple[float, float] = _style.FIGSIZE, **values: Any) -> bytes:
    """Draw one state with ``draw(fig, **values)`` and return it as PNG bytes.

    The figure is laid out afresh (constrained layout) and never registered with pyplot,
    so nothing is left open. The PNG is exactly ``figsize × bpkit's DPI`` pixels.
    """
    return SteadyRenderer(draw, figsize)(**values)  # a first render is laid out afresh


FRAMES_KEPT = 16  # axes frames kept per explorer (at most 0.7 MB each at the default size)


class SteadyRenderer:
    """Render states of one picture, keeping its axes where the first state put them.

    The first call lays the figure out with constrained layout and remembers where every
    axes went. Later calls reuse those places instead of solving the layout again: that
    saves about a quarter of each redraw, and the plots stay still while a slider moves
    (no jumping as tick labels change width). A state that would not fit in the kept
    places (a longer caption, wider tick labels, another number of axes) is laid out
    afresh, and its places are kept from then on.

    Whether a state fits is checked cheaply, mostly from the pixels (see ``_fits``).

    The frames of the last ``FRAMES_KEPT`` axes states drawn are kept (``frames``: a
    key of everything a frame is drawn from -> its box and pixels), so that a slider
    moved back and forth redraws only what changes. ``reuse=False`` draws every state
    whole with a fresh renderer, as matplotlib alone would (for comparisons).
    """

    def __init__(
        self,
        draw: DrawFn,
        figsize: tuple[float, float] = _style.FIGSIZE,
        reuse: bool = True,
        fast: bool | None = None,
    ) -> None:
        self.draw, self.figsize, self.reuse = draw, figsize, reuse
        # The speed layer (kept frames and glyphs) leans on matplotlib internals; where they
        # are missing or misbehave, matplotlib's public path draws every state whole.
        self.fast = speed_layer().ok if fast is None else fast
        self.positions: list[Any] | None = None
        self.clear_edges = False  # did the last fresh layout leave the image's edges blank?
        self.layouts = 0  # how many times the layout was solved (for tests and benchmarks)
        self.frames: dict[str, Any] = {}  # frame key -> (box, pixels), the last used last
        self.frames_reused = 0  # how many axes frames were pasted back instead of drawn
        self.agg: Any = None  # one Agg renderer for every state (see _kept_canvas_class)
        self.description = ""  # what the last state drew, in words (its alt text's core)
        self.scale = 1.0  # pixels drawn per pixel of bpkit's DPI (see rescale)
        self.shrink = 1.0  # the figure's inches per inch of figsize (see rescale)
        # Below 1, larger shrinks to fall back to, in turn, should a state's texts clash.
        self.larger: list[float] = []
        self.clashed = False  # did the last state drawn below full size have texts clash?

    def rescale(
        self, scale: float, shrink: float = 1.0, figsize: tuple[float, float] | None = None
    ) -> None:
        """Draw with ``scale`` × the pixels (a 2× screen, a wider page), ``shrink`` × the inches.

        At ``shrink`` 1 everything is in inches and points, so the layout is the same and
        only the pixels change. A ``shrink`` below 1 draws a figure of fewer inches on
        the same pixels (more of them per inch): its texts keep their size in points, so
        they shrink less than the picture does, and constrained layout gives them their
        room. ``figsize`` draws another shape from then on (an explorer's narrow one). The
        kept places, frames and renderer are dropped, and the next state is laid out afresh.
        """
        figsize = self.figsize if figsize is None else tuple(figsize)
        if (scale, shrink, figsize) == (self.scale, self.shrink, self.figsize):
            return
        self.scale, self.shrink, self.figsize = scale, shrink, figsize
        self.positions, self.agg, self.clear_edges = None, None, False
        self.frames.clear()

    def figure(self, shrink: float | None = None) -> Any:
        """A fresh figure of the size this renderer draws at (or ``shrink`` × its inches)."""
        from matplotlib.figure import Figure

        shrink = self.shrink if shrink is None else shrink
        inches = (self.figsize[0] * shrink, self.figsize[1] * shrink)
        dpi = _style.DPI * self.scale / shrink  # the same pixels as figsize at the scale
        return Figure(figsize=inches, dpi=dpi, layout="constrained")

    def __call__(self, **values: Any) -> bytes:
        png = self._render(values, keep=self.positions is not None)
        if png is None:  # the kept places clipped this state: lay it out afresh
            png = self._render(values, keep=False)
        while self.clashed:  # texts too large for this state at these inches: more inches
            larger = self.larger.pop(0) if self.larger else 1.0
            self.rescale(self.scale, larger)
            self.larger = [shrink for shrink in self.larger if shrink > larger]
            png = self._render(values, keep=False)
        return png

    def _fits(self, fig: Any, renderer: Any, pixels: np.ndarray, kept: list[Any]) -> bool:
        """True if nothing drawn on ``fig`` (just drawn in the kept places) was clipped.

        Constrained layout leaves a margin of background all round, so a line or a patch
        that crosses an edge leaves pixels on it. A text may not (the edge can fall
        between two letters, and a caption that gains a line jumps past it whole), so
        the ink of every text drawn is checked: the renderer knows where it put each
        glyph (``renderer.drawn``). A text whose ink it could not follow (math text, an
        older matplotlib) is measured instead, as is, in full, a picture whose fresh
        layout already reached the edge. The frames of ``kept`` axes (see
        :func:`_overlay`) were checked when they were drawn.
        """
        if not self.clear_edges or not self.fast:
            return _fits_exactly(fig, renderer)
        if not _edges_are(pixels, _rgba_bytes(fig.get_facecolor())):
            return False
        # A one-line text comes with its Text: one left out of the layout may lie outside.
        inks = [ink for _, text, ink in renderer.drawn if text is None or text.get_in_layout()]
        if all(ink is not None for ink in inks):
            return all(ink.width <= 0 or _inside(fig, ink) for ink in inks)  # fmt: skip
        texts = [text for _, text, _ in renderer.drawn if text is not None and text.get_in_layout()]
        frame = {id(axis.label) for ax in kept for axis in ax._axis_map.values()}
        loose = [artist for artist in _loose_artists(fig) if id(artist) not in frame]
        measured = {id(artist): artist for artist in [*texts, *loose]}
        return all(_inside(fig, a.get_window_extent(renderer)) for a in measured.values())

    def _render(self, values: dict[str, Any], keep: bool) -> bytes | None:
        """Draw, place the axes, render; return None if kept places would clip the state."""
        import matplotlib as mpl

        with mpl.rc_context(_course_rc()):
            fig = self.figure()
            canvas = _kept_canvas_class()(fig)
            if self.agg is None or not self.reuse:  # reuse=False: a fresh renderer each time
                size = canvas.get_width_height(physical=True)
                if self.fast:
                    self.agg = _text_caching_renderer_class()(
                        *size, fig.dpi, keep_glyphs=self.reuse
                    )
                else:
                    from matplotlib.backends.backend_agg import RendererAgg

                    self.agg = RendererAgg(*size, fig.dpi)
            canvas.kept = renderer = self.agg  # canvas.draw() uses it too
            renderer.drawn = []
            self.draw(fig, **values)
            self.description = describe_figure(fig)
            if self.shrink < 1.0:  # larger texts on fewer inches: long titles take two lines
                _wrap_titles(fig, renderer)
            keep = keep and len(self.positions or ()) == len(fig.axes)
            if keep:
                # No layout engine at all (not the "none" placeholder): one draw, no solving.
                fig.set_layout_engine(None)
                for ax, position in zip(fig.axes, self.positions, strict=True):
                    ax.set_position(position)
            overlay = _overlay(fig) if self.reuse and self.fast else None
            kept: list[Any] = []
            if not keep:  # new places: no kept frame can match
                self.frames.clear()
            if overlay is None:  # cannot be drawn in two layers: draw it whole
                canvas.draw()
            else:
                kept = self._draw_in_layers(fig, renderer, overlay, keep)
            pixels = np.asarray(renderer.buffer_rgba())  # (height, width, 4) uint8, a view
            if keep and not self._fits(fig, renderer, pixels, kept):
                return None
            if not keep:
                self.layouts += 1
                self.clear_edges = _edges_are(pixels, _rgba_bytes(fig.get_facecolor()))
            self.positions = [ax.get_position(original=True) for ax in fig.axes]
            # The texts of kept frames were checked when drawn (and are not placed now).
            # The texts of kept frames were checked when drawn (and are not placed now);
            # whether frames reach the edge is for _fits and constrained layout to say.
            self.clashed = self.shrink < 1.0 and _clash(fig, renderer, kept)
            return encode_png(pixels)

    def _draw_in_layers(
        self, fig: Any, renderer: Any, groups: list[tuple[Any, list[Any]]], keep: bool
    ) -> list[Any]:
        """Draw every axes' frame (kept from an earlier state when unchanged), then the rest.

        ``groups`` is :func:`_overlay`'s answer. Returns the axes whose frames were kept.
        """
        overlay = [artist for _, artists in groups for artist in artists]
        framed = [ax for ax, _ in groups if ax is not None and ax.axison]  # a frame to draw
        kept: dict[Any, tuple[Any, Any]] = {}  # axes -> (its frame's box, its pixels)
        if keep:
            for ax in framed:
                key = _frame_key(fig, ax)
                if key in self.frames:
                    self.frames[key] = kept[ax] = self.frames.pop(key)  # now the last used
        _draw_frames(fig, renderer, overlay, hidden=list(kept))
        boxes = {ax: box for ax, (box, _) in kept.items()}
        drawn = [ax for ax in framed if ax not in kept]
        boxes.update({ax: _frame_box(ax, renderer) for ax in drawn})
        if _boxes_overlap(list(boxes.values())) or _reaches_later_frame(groups, boxes, renderer):
            # Two layers would not give the picture matplotlib draws: draw it whole.
            renderer.clear()
            renderer.drawn = []
            fig.draw(renderer)
            return []
        for _box, pixels in kept.values():
            renderer.restore_region(pixels)
        for ax in drawn:
            self.frames[_frame_key(fig, ax)] = (boxes[ax], renderer.copy_from_bbox(boxes[ax]))
        while len(self.frames) > FRAMES_KEPT:  # forget the least recently used
            del self.frames[next(iter(self.frames))]
        self.frames_reused += len(kept)
        for artist in overlay:
            artist.draw(renderer)
        return list(kept)


def _draw_frames(fig: Any, renderer: Any, overlay: list[Any], hidden: list[Any]) -> None:
    """Draw the figure's background and the frames of its axes but ``hidden`` ones.

    While an axes draws, ``renderer.owner`` is that axes, so that each text the renderer
    draws is known to belong to it (see :func:`_frame_box`).
    """
    skipped = [*overlay, *hidden]
    for artist in skipped:  # matplotlib's own draw leaves animated artists out
        artist.set_animated(True)
    owned = [ax for ax in fig.axes if not any(ax is h for h in hidden)]
    for ax in owned:
        ax.draw = _owning(ax, ax.draw)  # for this draw only: an attribute hides the method
    try:
        renderer.clear()
        fig.draw(renderer)
    finally:
        for artist in skipped:
            artist.set_animated(False)
        for ax in owned:
            del ax.draw


def _owning(ax: Any, draw: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def owning_draw(renderer: Any) -> Any:
        renderer.owner = ax
        try:
            return draw(renderer)
        finally:
            renderer.owner = None

    return owning_draw


@dataclass(frozen=True)
class SpeedLayer:
    """Whether this matplotlib gets the explorers' speed layer, and why (not)."""

    ok: bool
    reason: str

    def __str__(self) -> str:
        path = "fast (kept frames and glyphs)" if self.ok else "public (matplotlib draws whole)"
        return f"explorer path: {path}: {self.reason}"


def _missing_hooks() -> list[str]:
    """The matplotlib internals the speed layer uses that this matplotlib lacks."""
    from matplotlib import ft2font
    from matplotlib.backends import backend_agg
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    agg = backend_agg.RendererAgg(10, 10, 72)
    hooks = {
        "ft2font.RenderMode": hasattr(ft2font, "RenderMode"),
        "backend_agg.get_hinting_flag": hasattr(backend_agg, "get_hinting_flag"),
        "RendererAgg._draw_text_glyphs_and_boxes": hasattr(
            backend_agg.RendererAgg, "_draw_text_glyphs_and_boxes"
        ),
        "RendererAgg._renderer": hasattr(agg, "_renderer"),
        "FT2Font._set_transform": hasattr(ft2font.FT2Font, "_set_transform"),
        "FT2Font._render_glyph": hasattr(ft2font.FT2Font, "_render_glyph"),
        "Axes._axis_map": hasattr(ax, "_axis_map"),
        "Axis._major_tick_kw": hasattr(ax.xaxis, "_major_tick_kw"),
    }
    return [name for name, present in hooks.items() if not present]


def _probe_draw(fig: Any) -> None:
    ax = fig.add_subplot()
    ax.plot([0, 1, 2], [0, 1, 4], label="x²")
    ax.set_title("probe 0.123")
    ax.set_xlabel("x")
    ax.legend()


@functools.cache
def speed_layer() -> SpeedLayer:
    """Probe once whether the speed layer's matplotlib hooks exist and draw what matplotlib draws.

    ``BPKIT_EXPLORER_PATH=public`` (or ``fast``) in the environment forces a path. Otherwise
    the fast path is used only when every hook exists (:func:`_missing_hooks`) and a small picture,
    drawn twice by the fast path (the second time from its caches), equals matplotlib's
    own drawing pixel for pixel. A future matplotlib that moves a private name costs speed,
    never an explorer.
    """
    import os

    import matplotlib as mpl

    forced = os.environ.get("BPKIT_EXPLORER_PATH", "").strip().lower()
    if forced in ("public", "fast"):
        return SpeedLayer(forced == "fast", f"forced by BPKIT_EXPLORER_PATH={forced}")
    version = f"matplotlib {mpl.__version__}"
    missing = _missing_hooks()
    if missing:
        return SpeedLayer(False, f"{version} lacks {', '.join(missing)}")
    try:
        fast = SteadyRenderer(_probe_draw, (3.0, 2.0), fast=True)
        plain = SteadyRenderer(_probe_draw, (3.0, 2.0), fast=False)
        same = fast() == plain() and fast() == plain()
    except Exception as err:  # any failure of a hook means: do not use it
        return SpeedLayer(False, f"{version}: the fast path failed ({type(err).__name__}: {err})")
    if not same:
        return SpeedLayer(False, f"{version}: the fast path's pixels differ from matplotlib's")
    return SpeedLayer(True, f"{version} has every hook and draws identical pixels")


@functools.cache
def _kept_canvas_class() -> type:
    """An Agg canvas that draws with a renderer kept from one state to the next.

    Every state of an explorer has the same size, so one renderer serves them all. Kept,
    it keeps matplotlib's cache of text sizes (which is per renderer): the same tick label
    or caption is not laid out again at every slider move.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    class KeptCanvas(FigureCanvasAgg):
        kept: Any = None

        def get_renderer(self) -> Any:
            return self.kept if self.kept is not None else super().get_renderer()

    return KeptCanvas


@functools.cache
def _text_caching_renderer_class() -> type:
    """An Agg renderer that keeps the glyph images of every text it has drawn.

    Matplotlib lays out and rasterises a text glyph by glyph at every draw: for a graph
    with thirty labels that is a third of a redraw. Most of them are drawn again at the
    same place in the next state, so the renderer keeps, for each text drawn (its string,
    font, size, place, angle), the glyph images matplotlib composited, and composites the
    same images again next time, in the text's current colour. The pixels are the same.
    Texts in math mode, and matplotlib versions that composite differently, are drawn
    as usual. ``keep_glyphs=False`` keeps none.

    Every text drawn is also noted in ``drawn`` as ``(owner, text, ink)``: the axes
    drawing it (``owner``, when one is set), the ``Text`` (matplotlib passes it for a
    one-line text, else None) and the box of pixels its glyphs cover (None if unknown).
    """
    import math

    import matplotlib as mpl
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
    from matplotlib.ft2font import RenderMode
    from matplotlib.transforms import Bbox

    class Recorder:
        """Stands in for the C++ renderer while one text is drawn; records its images."""

        def __init__(self, inner: Any) -> None:
            self.inner, self.images, self.complete = inner, [], True

        def draw_text_image(self, image: Any, x: Any, y: Any, angle: Any, gc: Any) -> None:
            if isinstance(image, np.ndarray) and angle == 0:
                self.images.append((image.copy(), x, y, angle))
            else:  # an older matplotlib passes the font itself: nothing to keep
                self.complete = False
            self.inner.draw_text_image(image, x, y, angle, gc)

        def __getattr__(self, name: str) -> Any:
            self.complete = False  # anything else drawn (a box): not kept
            return getattr(self.inner, name)

    class TextCachingRenderer(RendererAgg):
        LIMIT = 4096  # texts kept; forgotten all at once when full

        def __init__(self, width: int, height: int, dpi: float, keep_glyphs: bool = True) -> None:
            super().__init__(width, height, dpi)
            self.keep_glyphs = keep_glyphs
            self.kept_texts: dict[Any, tuple[list, Any]] = {}  # key -> (images, ink)
            self.kept_glyphs: dict[Any, tuple] = {}  # key -> (image, left, top) at offset 0
            self.drawn: list[tuple[Any, Any, Any]] = []  # (owner, text, ink) per text drawn
            self.owner: Any = None

        def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                      ismath: Any = False, mtext: Any = None) -> None:  # fmt: skip
            key = None
            if self.keep_glyphs and not ismath:
                key = (
                    s, x, y, angle, gc.get_antialiased(), prop.get_size_in_points(),
                    tuple(prop.get_family()), prop.get_slant(), prop.get_variant(),
                    prop.get_weight(), prop.get_stretch(), prop.get_file(),
                    mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"],
                    getattr(mtext, "get_fontfeatures", lambda: None)(),
                    getattr(mtext, "get_language", lambda: None)(),
                )  # fmt: skip
            found = self.kept_texts.get(key) if key is not None else None
            if found is not None:
                images, ink = found
                for image, ix, iy, iangle in images:
                    self._renderer.draw_text_image(image, ix, iy, iangle, gc)
            else:
                recorder = Recorder(self._renderer)
                self._renderer = recorder
                try:
                    super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
                finally:
                    self._renderer = recorder.inner
                ink = self._ink(recorder.images) if recorder.complete else None
                if key is not None and recorder.complete:
                    if len(self.kept_texts) >= self.LIMIT:
                        self.kept_texts.clear()
                    self.kept_texts[key] = (recorder.images, ink)
            self.drawn.append((self.owner, mtext, ink))

        def _draw_text_glyphs_and_boxes(
            self, gc: Any, x: float, y: float, angle: float, glyphs: Any, boxes: Any
        ) -> None:
            """Matplotlib's glyph-by-glyph drawing, with each glyph rasterised once.

            A glyph's image depends on its font, size, transform and where it falls within
            a pixel (FreeType places it to 1/64 of a pixel); moved by whole pixels it is the
            same image, moved. New texts in an explorer are mostly the same digits and
            letters again, so most of their glyphs are pasted instead of rasterised.
            """
            if not self.keep_glyphs or boxes:  # boxes: math text, drawn by matplotlib alone
                return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
            cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            flags = get_hinting_flag()
            mode = RenderMode.NORMAL if gc.get_antialiased() else RenderMode.MONO
            hinting = mpl.rcParams["text.hinting_factor"]
            for font, size, index, slant, extend, dx, dy in glyphs:  # dy is upwards
                px = round(0x40 * (x + dx * cos - dy * sin))  # FreeType's 26.6 fixed point
                py = round(0x40 * (self.height - y + dx * sin + dy * cos))  # y upwards
                key = (font.fname, font.face_index, hinting, size, self.dpi, index, slant,
                       extend, angle, px & 63, py & 63, flags, mode)  # fmt: skip
                found = self.kept_glyphs.get(key)
                if found is None:
                    font.set_size(size, self.dpi)
                    matrix = np.array([[cos, -sin], [sin, cos]]) @ [
                        [extend, extend * slant],
                        [0, 1],
                    ]
                    font._set_transform((0x10000 * matrix).round().astype(int), [px, py])
                    bitmap = font._render_glyph(index, flags, mode)
                    image = np.array(bitmap.buffer)  # a copy: the glyph slot is reused
                    if not gc.get_antialiased():
                        image *= 0xFF
                    found = (image, bitmap.left - (px >> 6), bitmap.top - (py >> 6))
                    if len(self.kept_glyphs) >= 16 * self.LIMIT:
                        self.kept_glyphs.clear()
                    self.kept_glyphs[key] = found
                image, left, top = found
                left, top = left + (px >> 6), top + (py >> 6)
                # draw_text_image's y is downwards, at the image's bottom edge
                self._renderer.draw_text_image(
                    image, left, int(self.height) - top + image.shape[0], 0, gc
                )
            return None

        def _ink(self, images: list) -> Any:
            """The box of pixels (display coordinates) that glyph images cover."""
            boxes = [Bbox.from_extents(x, self.height - y, x + image.shape[1],
                                       self.height - y + image.shape[0])
                     for image, x, y, _ in images if image.size]  # fmt: skip
            return Bbox.union(boxes) if boxes else Bbox.from_extents(0, 0, 0, 0)

    return TextCachingRenderer


# Drawing in two layers ------------------------------------------------------------------
#
# Most of a redraw is the axes' frames: ticks, tick labels, grid lines and axis labels
# (about two thirds of matplotlib's drawing time). A slider usually leaves them as they
# were: the same limits, the same ticks. So the picture is drawn in two layers. The
# *frames* are the figure's background and each axes' background and axes (ticks, grid,
# labels); the *overlay* is everything else (lines, images, texts, titles, legends,
# spines), drawn over them in matplotlib's own order. Each axes' frame is kept as the
# pixels of the box it covers (_frame_box), under a key of everything it is drawn from
# (_frame_key); a later state whose key is the same pastes those pixels back instead of
# drawing that frame. In an explorer with a fixed panel and a panel whose range changes,
# only the second is drawn. Frames whose boxes would overlap are all drawn. The result is
# the same picture, pixel for pixel (a test compares every explorer's layered renders
# with whole ones).


def _overlay(fig: Any) -> list[tuple[Any, list[Any]]] | None:
    """What is drawn over ``fig``'s frames, in drawing order; None if it cannot be layered.

    A list of ``(axes, its artists)`` in the order matplotlib draws the axes, then
    ``(None, the figure's own texts and legends)``. Two layers give the same pixels as
    one draw only when nothing in the overlay would have been drawn under a frame: every
    overlay artist of an axes sits above its axes (zorder), or is an image in axes without
    grid lines (an image stays inside the axes; ticks and labels are outside); figure
    texts and legends sit above every axes; and no two axes overlap. Anything else (twin
    axes, an image under grid lines, axes placed by a locator) is drawn whole. Whether an
    axes' overlay reaches the frame of an axes drawn after it is checked once the frames'
    boxes are known (:func:`_reaches_later_frame`).
    """
    from matplotlib.axes import Axes
    from matplotlib.image import AxesImage

    children = [artist for artist in fig.get_children() if artist is not fig.patch]
    axes = [artist for artist in children if isinstance(artist, Axes)]
    others = [artist for artist in children if not isinstance(artist, Axes)]
    if fig.subfigs or _boxes_overlap([ax.get_position() for ax in axes]):
        return None
    if axes and others and min(a.get_zorder() for a in others) <= max(a.get_zorder() for a in axes):
        return None
    groups: list[tuple[Any, list[Any]]] = []
    for ax in sorted(axes, key=lambda a: a.get_zorder()):
        if ax.get_axes_locator() is not None:
            return None
        if not ax.get_visible():
            continue
        frame = [ax.patch, *ax._axis_map.values()]
        kids = [a for a in ax.get_children() if not any(a is f for f in frame)]
        if not (ax.axison and ax.get_frame_on()):  # Axes.draw leaves the spines out then
            kids = [a for a in kids if not any(a is s for s in ax.spines.values())]
        if ax.axison:
            floor = max(axis.get_zorder() for axis in ax._axis_map.values())
            gridded = any(_grid_on(axis) for axis in ax._axis_map.values())
            for artist in kids:
                image_ok = isinstance(artist, AxesImage) and not gridded
                if artist.get_zorder() <= floor and not image_ok:
                    return None
        groups.append((ax, sorted(kids, key=lambda a: a.get_zorder())))
    return [*groups, (None, sorted(others, key=lambda a: a.get_zorder()))]


def _reaches_later_frame(
    groups: list[tuple[Any, list[Any]]], boxes: dict[Any, Any], renderer: Any
) -> bool:
    """True if an axes' overlay could cover part of the frame of an axes drawn after it.

    Drawn whole, that frame would be on top; drawn in layers, every frame comes first.
    An artist clipped to its axes stays inside the axes' box; a text, a legend or an
    unclipped marker is measured.
    """
    from matplotlib.axes import Axes
    from matplotlib.spines import Spine

    order = [ax for ax, _ in groups if ax is not None]
    for i, (ax, artists) in enumerate(groups[: len(order)]):
        later = [boxes[other] for other in order[i + 1 :] if other in boxes]
        if not later:
            continue
        reach = [ax.bbox.padded(2.0)]  # with a spine's width on its edge
        for artist in artists:
            if not artist.get_visible() or (artist.get_clip_on() and _clipped(artist)):
                continue
            if isinstance(artist, Spine) and artist.get_position() == ("outward", 0.0):
                continue  # on the axes' edge (measuring it would lay out every tick)
            extent = artist.get_tightbbox(renderer) if isinstance(artist, Axes) else None
            reach.append(extent or artist.get_window_extent(renderer))
        if _boxes_overlap(reach, later):
            return True
    return False


def _clipped(artist: Any) -> bool:
    return artist.get_clip_box() is not None or artist.get_clip_path() is not None


def _grid_on(axis: Any) -> bool:
    """True if ``axis`` draws grid lines (matplotlib keeps this in its tick settings)."""
    return bool(axis._major_tick_kw.get("gridOn") or axis._minor_tick_kw.get("gridOn"))


def _frame_box(ax: Any, renderer: Any) -> Any:
    """The box, in whole pixels, that holds everything ``ax``'s frame has just drawn.

    The axes' background; its tick marks, on the sides that have them (a tick mark is a
    marker as long as the tick, drawn across the axes' edge); and the ink of every text
    it drew (tick labels, axis labels, offset texts), as the renderer noted it; or, if
    the renderer could not follow a text's ink, the tight box of each axis. One pixel to
    spare, cut to the figure.
    """
    from matplotlib.transforms import Bbox

    x0, y0, x1, y1 = ax.bbox.extents
    inks = [ink for owner, _, ink in renderer.drawn if owner is ax]
    if any(ink is None for ink in inks):
        inks = [
            axis.get_tightbbox(renderer) for axis in ax._axis_map.values() if axis.get_visible()
        ]
    for axis in ax._axis_map.values() if ax.axison else ():
        if not axis.get_visible():
            continue
        for tick in axis.majorTicks[:1] + axis.minorTicks[:1]:
            for line, before in ((tick.tick1line, True), (tick.tick2line, False)):
                if not line.get_visible():
                    continue  # no mark on this side (tick2 is the top or the right one)
                reach = (line.get_markersize() + line.get_markeredgewidth()) * ax.figure.dpi / 72
                if axis.axis_name == "x" and before:
                    y0 = min(y0, ax.bbox.y0 - reach)
                elif axis.axis_name == "x":
                    y1 = max(y1, ax.bbox.y1 + reach)
                elif before:
                    x0 = min(x0, ax.bbox.x0 - reach)
                else:
                    x1 = max(x1, ax.bbox.x1 + reach)
    inks = [ink for ink in inks if ink is not None and ink.width > 0]
    box = Bbox.union([Bbox.from_extents(x0, y0, x1, y1), *inks]).padded(1.0)
    x0, y0, x1, y1 = Bbox.intersection(box, ax.figure.bbox).extents
    return Bbox.from_extents(np.floor(x0), np.floor(y0), np.ceil(x1), np.ceil(y1))


def _boxes_overlap(boxes: list[Any], others: list[Any] | None = None) -> bool:
    """True if two of ``boxes`` (or one of them and one of ``others``) share more than an edge."""
    for i, box in enumerate(boxes):
        for other in boxes[i + 1 :] if others is None else others:
            if min(box.x1, other.x1) > max(box.x0, other.x0) and min(box.y1, other.y1) > max(
                box.y0, other.y0
            ):
                return True
    return False


def _frame_key(fig: Any, ax: Any) -> str:
    """Everything the pixels of ``ax``'s frame are drawn from, as one comparable string.

    The figure's background; the axes' place and limits (with its aspect applied, as a
    draw does) and background; and for each of its axes the tick settings, the tick
    positions and their labels as the formatter writes them, and the axis label.
    """
    ax.apply_aspect()
    parts: list[Any] = [
        fig.patch.get_facecolor(), fig.patch.get_edgecolor(), fig.patch.get_linewidth(),
        ax.get_position().bounds, ax.get_xlim(), ax.get_ylim(), ax.get_xscale(),
        ax.get_yscale(), ax.axison, ax.get_frame_on(), ax.get_visible(), ax.get_zorder(),
        ax.patch.get_facecolor(), ax.patch.get_visible(),
    ]  # fmt: skip
    if ax.axison:
        for axis in ax._axis_map.values():
            parts += [axis.get_visible(), axis.get_zorder(), axis._major_tick_kw,
                      axis._minor_tick_kw, axis.get_label_position()]  # fmt: skip
            label = axis.label
            parts += [
                label.get_text(),
                label.get_color(),
                label.get_fontsize(),
                label.get_visible(),
            ]
            for ticker, locs in ((axis.major, axis.get_majorticklocs()),
                                 (axis.minor, axis.get_minorticklocs())):  # fmt: skip
                parts += [
                    list(locs),
                    ticker.formatter.format_ticks(locs),
                    ticker.formatter.get_offset(),
                ]
    return repr(parts)


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
    narrow: tuple[float, float] | None = None,
) -> Any:
    """Return a widget that redraws ``draw(fig, **values)`` whenever a control moves.

    ``controls`` maps each keyword of ``draw`` to an ipywidgets control (a slider, a
    dropdown, a checkbox); ``fixed`` holds keywords that have no control. The widget has
    ``.render(**values) -> bytes`` (one state, no browser needed), ``.values()``,
    ``.image`` (the ``ipywidgets.Image`` showing the figure), ``.renderer`` (its
    :class:`SteadyRenderer`), ``.alt()`` (the picture's alt text, from the state drawn) and
    ``.helper`` (the help line under the picture, which also hands the alt text, the
    controls' accessible names and the key handling to the page: see
    :mod:`bpkit.widgets._access`).

    The page reports the explorer's width and the screen's pixel ratio; the picture is
    then drawn with the pixels it is shown with (see :func:`screen_fit`) and, on a page
    too narrow for it, on fewer inches, so that its texts stay as readable as the
    controls' labels (see :data:`TEXT_ZOOMS`). ``narrow`` is another figure size for a
    page that would show ``figsize`` below :data:`NARROW_BELOW` of its size: ``draw``
    then gets a figure of that shape and may lay the picture out for it (a graph that
    runs down the page instead of across it).
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

    def alt() -> str:
        return alt_text(title, controls, renderer.description)

    helper = widgets.HTML(layout={"margin": "0 0 0 4px"})
    # The page writes "<width of the explorer in CSS px> <device pixel ratio>" here (see
    # bpkit.widgets._access): the picture is then drawn for the pixels the screen has.
    screen = widgets.Text(layout={"display": "none"})
    screen.add_class("bpkit-screen")

    fitted: list[Any] = []  # the scale, zoom and figure size last fitted

    def fit(_change: Any = None) -> None:
        size = narrow if narrow and page_zoom(screen.value, figsize) < NARROW_BELOW else figsize
        shown = screen_fit(screen.value, size[0] * _style.DPI)
        if shown is None:
            return
        scale, ratio = shown
        zoom = scale / ratio
        if [scale, zoom, size] != fitted:
            fitted[:] = [scale, zoom, size]
            shrinks = sorted({text_shrink(zoom, text_zoom) for text_zoom in TEXT_ZOOMS} | {1.0})
            # The largest texts first; a state whose texts clash falls back to the next.
            drawn = (renderer.scale, renderer.shrink, renderer.figsize)
            renderer.rescale(scale, shrinks[0], size)
            renderer.larger = shrinks[1:]
            if (renderer.scale, renderer.shrink, renderer.figsize) != drawn:
                redraw()
        # The PNG's own width (matplotlib rounds the figure's down), one pixel per device pixel.
        png_width = int.from_bytes(bytes(image.value[16:20]), "big")  # in the PNG's IHDR
        image.layout.width = f"{png_width / ratio:g}px"

    screen.observe(fit, names="value")

    def redraw(_change: Any = None) -> None:
        image.value = undisturbed(render)
        helper.value = helper_markup(alt())

    for control in controls.values():
        control.observe(redraw, names="value")
        control.continuous_update = True
        _tidy(control)
    redraw()

    children = []
    if title:
        children.append(widgets.HTML(f"<b>{html.escape(title)}</b>"))
    # The controls sit beside the picture where the page is wide enough, else above it:
    # a flex line that wraps upwards ("wrap-reverse") puts the wrapped controls on top.
    row = widgets.HBox(
        list(controls.values()),
        layout={"flex_flow": "row wrap", "flex": "1 1 380px", "align_content": "flex-start"},
    )
    stage = widgets.Box(
        [image, row], layout={"flex_flow": "row wrap-reverse", "align_items": "flex-end"}
    )
    children += [stage, helper, screen]
    box = ExplorerBox(children)
    box.add_class("bpkit-explorer")
    box.image, box.controls, box.render, box.values, box.redraw = (
        image,
        controls,
        render,
        values,
        redraw,
    )
    box.renderer = renderer  # the SteadyRenderer (its kept frames and glyphs)
    box.alt, box.helper, box.row = alt, helper, row  # row: the controls, above the image
    box.width, box.screen = width, screen  # the picture's width in CSS px at zoom 1
    return box


# How much larger or smaller than at bpkit's DPI the page may show a picture: larger on a
# wide page (text that a projector still shows), smaller where the page is narrow.
ZOOM_RANGE = (0.6, 1.25)
MAX_SCALE = 3.0  # pixels per pixel at bpkit's DPI, at most (a 3× phone at zoom 1)


# An explorer with a narrow shape draws it where the page would show its usual one below
# this share of its size (a graph stepper in a 900-px window: about 0.6).
NARROW_BELOW = 0.85


def page_zoom(report: str, figsize: tuple[float, float]) -> float:
    """The share of its size at bpkit's DPI that the page has room for (1.0 if unreported)."""
    try:
        width = float(report.split()[0])
    except (ValueError, IndexError):
        return 1.0
    return width / (figsize[0] * _style.DPI) if width > 0 else 1.0


def screen_fit(report: str, natural: float) -> tuple[float, float] | None:
    """The pixel scale to draw at, and the device pixel ratio, from the page's report.

    ``report`` is "<width> <ratio>": the CSS pixels the explorer has across and the
    screen's device pixel ratio. The picture is zoomed to the width (within
    ``ZOOM_RANGE``, in steps of 5 %, so that small resizes draw nothing again) and drawn
    with ``ratio`` pixels per CSS pixel, so that the browser never resamples it.
    None if the report is not one.
    """
    try:
        width, ratio = (float(part) for part in report.split())
    except ValueError:
        return None
    if not (width > 0 and ratio > 0):
        return None
    zoom = min(max(width / natural, ZOOM_RANGE[0]), ZOOM_RANGE[1])
    zoom = int(zoom * 20 + 1e-9) / 20  # down to a step of 5 %, so that it still fits
    ratio = min(max(ratio, 1.0), MAX_SCALE)
    return min(round(zoom * ratio, 3), MAX_SCALE), ratio


# A picture zoomed out is drawn on fewer inches so that its texts shrink less than it does:
# they keep the first of these shares of their size at bpkit's DPI (9-pt tick labels 12,
# 11.25, 10 CSS px) with which nothing overlaps, else shrink with the picture.
TEXT_ZOOMS = (1.1, 1.0, 0.9, 0.8)
SHRINK_MIN = 0.5  # the figure keeps half its inches at least


def text_shrink(zoom: float, text_zoom: float) -> float:
    """The share of its inches a picture shown at ``zoom`` is drawn with.

    Its texts are then ``zoom / shrink`` times their size at bpkit's DPI on the page:
    ``text_zoom``, unless that is less than ``zoom`` (then 1: the picture's own zoom) or
    the figure would lose more than half its inches.
    """
    return round(min(1.0, max(zoom / text_zoom, SHRINK_MIN)), 3)


def _clash(fig: Any, renderer: Any, kept: list[Any]) -> bool:
    """True if texts drawn on ``fig`` clash (see :func:`text_clashes`), or it cannot tell.

    The check reads matplotlib internals (an axes' axis map, its ticks to draw); where
    they are missing, the picture goes back to its full inches, as drawn before.
    """
    try:
        return bool(text_clashes(fig, renderer, kept, frames_at_edge=False))
    except AttributeError:
        return True


def _wrap_titles(fig: Any, renderer: Any) -> None:
    """Break each one-line title wider than its share of its axes into two lines.

    An axes' titles (left, centre, right) share its width, as it is before the layout
    (a little wider than after it); the suptitle has the figure's; a note written in a
    plot (not a diagram) has its axes'. A text is broken after a colon or comma near its
    middle, else at the space nearest its middle, never inside math text (``$...$``).
    """
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        width = ax.get_position().width * fig.bbox.width
        titles = [getattr(ax, name, None) for name in ("_left_title", "title", "_right_title")]
        titles = [t for t in titles if t is not None and t.get_text()]
        for title in titles:
            _wrap(title, width / len(titles), renderer)
        for note in ax.texts if ax.axison else ():
            _wrap(note, width, renderer)
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        _wrap(suptitle, fig.bbox.width, renderer)


def _wrap(text: Any, room: float, renderer: Any) -> None:
    """Put ``text`` on two lines if it is one line wider than ``room`` pixels."""
    words = text.get_text()
    if "\n" in words or text.get_window_extent(renderer).width <= room:
        return
    # Spaces outside math text: an even number of "$" before them.
    spaces = [i for i, c in enumerate(words) if c == " " and words[:i].count("$") % 2 == 0]
    # After a colon or a comma if one is in the middle third, else nearest the middle.
    pauses = [
        i for i in spaces if words[i - 1] in ":,;" and 3 * abs(2 * i - len(words)) < len(words)
    ]
    if spaces:
        cut = min(pauses or spaces, key=lambda i: abs(2 * i - len(words)))
        text.set_text(words[:cut] + "\n" + words[cut + 1 :])


def drawn_texts(fig: Any, renderer: Any, skip: Any = ()) -> list[tuple[Any, Any]]:
    """Every text drawn on ``fig`` (of tick labels, those of ticks in view), with its box.

    The frame texts (see :func:`_frame_texts`) of the axes in ``skip`` are left out.
    """
    from matplotlib.text import Text

    ticks, shown = set(), set()  # every tick label; those of ticks matplotlib draws
    left_out = {id(text) for ax in skip for text in _frame_texts(ax)}
    for ax in fig.axes:
        for axis in ax._axis_map.values():
            ticks.update(id(t.label1) for t in [*axis.majorTicks, *axis.minorTicks])
            ticks.update(id(t.label2) for t in [*axis.majorTicks, *axis.minorTicks])
            if ax.axison and axis.get_visible() and ax not in skip:
                drawn = axis._update_ticks()
                shown.update(id(t.label1) for t in drawn if t.label1.get_visible())
                shown.update(id(t.label2) for t in drawn if t.label2.get_visible())
    found = []
    for text in fig.findobj(Text):
        if id(text) in left_out or not (text.get_visible() and text.get_text().strip()):
            continue
        if id(text) in ticks and id(text) not in shown:
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        found.append((text, text.get_window_extent(renderer)))
    return found


def _frame_texts(ax: Any) -> list[Any]:
    """The texts of an axes' frame (see :func:`_overlay`): axis labels, tick labels."""
    texts = []
    for axis in ax._axis_map.values():
        texts += [axis.label, axis.offsetText]
        for tick in [*axis.majorTicks, *axis.minorTicks]:
            texts += [tick.label1, tick.label2]
    return texts


def text_clashes(fig: Any, renderer: Any, skip: Any = (), frames_at_edge: bool = True) -> list[str]:
    """Texts drawn past the figure's edge, and pairs of texts whose boxes overlap.

    The frame texts of the axes in ``skip`` are left out; ``frames_at_edge=False`` leaves
    every axes' frame texts (tick and axis labels) out of the edge check.
    """
    found = [(text, box) for text, box in drawn_texts(fig, renderer, skip) if box.width > 0]
    framed = set() if frames_at_edge else {id(t) for ax in fig.axes for t in _frame_texts(ax)}
    edge = fig.bbox.padded(1)
    said = [
        f"{text.get_text()!r} past the edge"
        for text, box in found
        if id(text) not in framed
        and not (edge.contains(box.x0, box.y0) and edge.contains(box.x1, box.y1))
    ]
    for i, (text, box) in enumerate(found):
        said += [
            f"{text.get_text()!r} over {other.get_text()!r}"
            for other, box2 in found[i + 1 :]
            if box.overlaps(box2)
        ]
    return said


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
            metadata: dict[str, Any] = {}
            if isinstance(data, tuple):  # (data, metadata)
                data, metadata = data[0], dict(data[1] or {})
            data = dict(data or {})
            png = base64.b64encode(self.image.value).decode("ascii")
            data["image/png"] = png
            # The stored picture's alt text, for a page that shows the PNG (a site, nbviewer).
            metadata["image/png"] = {**metadata.get("image/png", {}), "alt": self.alt()}
            # Where widgets cannot run, the picture and one line that says what to do.
            data["text/html"] = still_markup(png, self.alt(), self.width)
            from bpkit.widgets._frames import FRAMES, stored_frames  # for a static page

            frames = stored_frames(self, data)
            if frames is not None:
                data[FRAMES] = frames
            return data, metadata

    return _ExplorerBox


def ExplorerBox(children: list[Any]) -> Any:
    """Build the box lazily so that ipywidgets is imported only when a widget is made."""
    global _BOX_CLASS
    if _BOX_CLASS is None:
        _BOX_CLASS = _explorer_box_class()
    return _BOX_CLASS(children)


_BOX_CLASS: type | None = None


def stepping_buttons(slider: Any, back: Any, forward: Any) -> None:
    """Grey out ◀ at the slider's first step and ▶ at its last, now and as it moves."""

    def update(_change: Any = None) -> None:
        back.disabled = slider.value <= slider.min
        forward.disabled = slider.value >= slider.max

    slider.observe(update, names="value")
    update()
