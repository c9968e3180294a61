"""bpkit.widgets.explorer: the picture's size, the kept layout, and the paused collector."""

import gc
import struct

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest

from bpkit.plot import _style
from bpkit.widgets import explorer, render_png
from bpkit.widgets._explorer import SteadyRenderer


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (the IHDR chunk)."""
    png = bytes(png)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", png[16:24])


def draw_captioned(fig, lines=1, a=1.0):
    """A plot with a caption of ``lines`` lines under it (a caption can grow)."""
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, a])
    ax.set(xlabel="x", ylabel="y")
    caption = "\n".join(f"caption line {i + 1}" for i in range(lines))
    ax.text(0.0, -0.2, caption, transform=ax.transAxes, va="top")


def test_png_is_exactly_figsize_times_dpi():
    """No tight crop: every state of an explorer has the same pixel size."""
    for lines in (1, 4):
        png = render_png(draw_captioned, (5.0, 3.0), lines=lines)
        assert png_size(png) == (round(5.0 * _style.DPI), round(3.0 * _style.DPI))


def test_steady_renderer_reuses_the_layout_while_the_state_fits():
    renderer = SteadyRenderer(draw_captioned, (5.0, 3.0))
    renderer(lines=2)
    kept = renderer.positions[0].bounds
    for a in (0.5, 2.0, 3.0):
        renderer(lines=2, a=a)
        renderer(lines=1, a=a)  # a shorter caption fits in the same places
    assert renderer.layouts == 1
    assert renderer.positions[0].bounds == kept


def test_steady_renderer_lays_out_again_when_a_state_would_be_clipped():
    """A longer caption would fall off the bottom: the axes move up to make room."""
    renderer = SteadyRenderer(draw_captioned, (5.0, 3.0))
    renderer(lines=1)
    bottom = renderer.positions[0].y0
    renderer(lines=4)
    assert renderer.layouts == 2
    assert renderer.positions[0].y0 > bottom + 0.05
    renderer(lines=4, a=3.0)  # the new places are kept from then on
    assert renderer.layouts == 2


def test_steady_renderer_follows_a_change_in_the_number_of_axes():
    def draw(fig, n=1):
        for ax in fig.subplots(1, n, squeeze=False)[0]:
            ax.plot([0, 1], [1, 0])

    renderer = SteadyRenderer(draw)
    renderer(n=1)
    renderer(n=3)
    assert len(renderer.positions) == 3
    assert renderer.layouts == 2


def test_image_is_shown_at_its_own_width_and_never_stretched():
    """A flex box would stretch the <img> to its width; the layout pins it to the PNG's."""
    box = explorer(draw_captioned, {"a": widgets.FloatSlider(value=1.0)}, figsize=(5.0, 3.0))
    width, _ = png_size(box.image.value)
    layout = box.image.layout
    assert layout.width == f"{width}px"
    assert (layout.height, layout.max_width, layout.align_self) == ("auto", "100%", "flex-start")


def test_static_fallback_is_the_current_picture():
    """The display data holds a PNG of the explorer's state, for GitHub and nbviewer."""
    import base64

    box = explorer(draw_captioned, {"a": widgets.FloatSlider(value=1.0)})
    box.controls["a"].value = 2.0
    data, metadata = box._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]) == box.image.value
    assert metadata["image/png"]["alt"] == box.alt()
    assert "application/vnd.jupyter.widget-view+json" in data


def test_collector_is_paused_only_during_a_redraw():
    """Redraws pause the cyclic collector and always switch it back on, even on an error."""
    seen = []

    def draw(fig, a=1.0):
        seen.append(gc.isenabled())
        if a < 0:
            raise ValueError("no negative a")
        fig.add_subplot().plot([0, 1], [0, a])

    box = explorer(draw, {"a": widgets.FloatSlider(value=1.0, min=-1)})
    box.controls["a"].value = 0.5
    assert seen[-1] is False
    assert gc.isenabled()
    with pytest.raises(ValueError, match="no negative a"):
        box.controls["a"].value = -1.0
    assert gc.isenabled()
    assert plt.get_fignums() == []


def test_collector_left_off_stays_off():
    def draw(fig, a=1.0):
        fig.add_subplot().plot([0, 1], [0, a])

    box = explorer(draw, {"a": widgets.FloatSlider(value=1.0)})
    gc.disable()
    try:
        box.controls["a"].value = 0.5
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_title_is_shown_as_text_not_markup():
    """A title such as "η < 2/L" must not be read as HTML."""
    box = explorer(draw_captioned, {"a": widgets.FloatSlider(value=1.0)}, title="η < 2/L & <b>")
    assert box.children[0].value == "<b>η &lt; 2/L &amp; &lt;b&gt;</b>"


def test_redraws_run_numpy_blas_on_one_thread_and_restore_it():
    from threadpoolctl import threadpool_info

    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    seen = []

    def draw(fig, a=1.0):
        seen.append(blas_threads())
        fig.add_subplot().plot([0, 1], [0, a])

    before = blas_threads()
    box = explorer(draw, {"a": widgets.FloatSlider(value=1.0)})
    box.controls["a"].value = 0.5
    assert seen[-1]
    assert set(seen[-1]) == {1}
    assert blas_threads() == before


def draw_labelled(fig, digits=1):
    """A plot whose y tick labels get wider with ``digits``."""
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.yaxis.set_major_formatter(lambda value, _pos: f"{value:.{digits}f}")


def test_wider_tick_labels_that_reach_the_edge_are_laid_out_again():
    """Tick labels that would cross the figure's edge move the axes over to make room."""
    renderer = SteadyRenderer(draw_labelled, (4.0, 3.0))
    renderer(digits=1)
    assert renderer.clear_edges
    left = renderer.positions[0].x0
    renderer(digits=1)
    assert renderer.layouts == 1
    renderer(digits=9)
    assert renderer.layouts == 2
    assert renderer.positions[0].x0 > left + 0.05


def test_a_picture_that_reaches_the_edge_is_measured_instead():
    """A frame round the figure makes the pixel test useless; everything is measured then."""

    def draw(fig, lines=1, a=1.0):
        draw_captioned(fig, lines=lines, a=a)
        fig.patch.set(edgecolor="black", linewidth=2.0)  # a frame round the figure

    renderer = SteadyRenderer(draw, (5.0, 3.0))
    renderer(lines=2)
    assert not renderer.clear_edges
    renderer(lines=2, a=2.0)
    assert renderer.layouts == 1
    renderer(lines=5)  # would fall off the bottom
    assert renderer.layouts == 2


def test_png_holds_exactly_the_rendered_pixels():
    """An opaque figure is stored as RGB, a transparent one as RGBA, both lossless."""
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    from bpkit.widgets._explorer import encode_png

    for alpha, mode in ((1.0, "RGB"), (0.0, "RGBA")):
        fig = Figure(figsize=(2.0, 1.5), dpi=_style.DPI)
        fig.patch.set_alpha(alpha)
        fig.add_subplot().plot([0, 1], [1, 0])
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())
        image = Image.open(io.BytesIO(encode_png(pixels)))
        assert image.mode == mode
        np.testing.assert_array_equal(np.asarray(image.convert("RGBA")), pixels)
