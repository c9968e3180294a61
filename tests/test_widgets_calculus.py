"""bpkit.widgets.calculus: the tangent and gradient-descent explorers render every state."""

import itertools
import warnings

import matplotlib.pyplot as plt
import pytest

from bpkit.widgets import descent_explorer, tangent_explorer

PNG = b"\x89PNG"


def _render_grid(widget, grid):
    """Render every combination of the grid's values; return the PNGs."""
    names = list(grid)
    pngs = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for combo in itertools.product(*grid.values()):
            pngs.append(widget.render(**dict(zip(names, combo, strict=True))))
    return pngs


def test_tangent_explorer_renders_a_grid_of_slider_values():
    """Every (x, h) on a grid, down to h = 0.001, renders a PNG with no warning or open figure."""
    widget = tangent_explorer()
    grid = {"x": [-2.0, 0.0, 1.5], "h": [1e-3, 0.05, 2.0]}
    pngs = _render_grid(widget, grid)
    assert all(png.startswith(PNG) for png in pngs)
    assert len(set(pngs)) == len(pngs)  # each state draws a different picture
    assert plt.get_fignums() == []


def test_tangent_explorer_has_x_and_h_sliders_that_redraw():
    """Moving the h slider changes the displayed image."""
    widget = tangent_explorer()
    assert set(widget.controls) == {"x", "h"}
    before = widget.image.value
    widget.controls["h"].value = 0.01
    assert widget.image.value != before
    assert plt.get_fignums() == []


@pytest.mark.parametrize("dim", [1, 2])
def test_descent_explorer_renders_from_tiny_to_divergent_learning_rates(dim):
    """Learning rates from 0.001 to past divergence render with no overflow warning."""
    widget = descent_explorer(dim=dim)
    grid = {"lr": [1e-3, 0.3, 0.5, 1.0, 1.58], "x0": [-2.0, 0.0, 1.8]}
    if dim == 2:
        grid["x0"] = [-2.0, 0.5]
        grid["y0"] = [-2.0, 1.5]
    pngs = _render_grid(widget, grid)
    assert all(png.startswith(PNG) for png in pngs)
    assert plt.get_fignums() == []


def test_descent_explorer_controls():
    """1-D has sliders lr and x0; 2-D adds y0; another dim is refused."""
    assert set(descent_explorer(dim=1).controls) == {"lr", "x0"}
    assert set(descent_explorer(dim=2).controls) == {"lr", "x0", "y0"}
    with pytest.raises(ValueError, match="dim must be 1 or 2"):
        descent_explorer(dim=3)


def test_descent_explorer_reaches_the_thresholds_exactly():
    """The η slider offers 0.49, 0.5, 0.51 and 0.99, 1, 1.01; a value off its list is refused."""
    from bpkit.widgets.calculus import LEARNING_RATES

    widget = descent_explorer(dim=2, lr=0.5)
    assert {0.49, 0.5, 0.51, 0.99, 1.0, 1.01} <= {v for _, v in widget.controls["lr"].options}
    assert widget.values()["lr"] == 0.5
    assert list(LEARNING_RATES) == sorted(LEARNING_RATES)
    with pytest.raises(ValueError, match="lr must be one of"):
        descent_explorer(lr=0.123)


# Not 2-D at 406 px: there η = 0.45's title takes two lines, whose box meets the tick label
# "2" at the top of the path's axes, and that state is drawn once more on more inches.
@pytest.mark.parametrize(("dim", "width", "zoom"), [(1, 406, 0.6), (1, 468, 0.65), (2, 468, 0.65)])
def test_descent_explorer_keeps_its_first_text_size_in_a_narrow_window(dim, width, zoom):
    """No state's texts clash at the first size tried, so no move is drawn a second time.

    In a 900-px window (468 CSS px) texts are tried first at 1.1 of their size. Before,
    η = 0.5's note "reached the minimum exactly" ran into the loss axis's tick labels, and
    the path's ticks "−1.6" and "−0.8" met at 406 px (1-D) and 468 px (2-D): each such state
    fell back to more inches and was laid out and drawn again.
    """
    from bpkit.widgets._explorer import text_shrink

    box = descent_explorer(dim=dim)
    box.screen.value = f"{width} 1"
    first = text_shrink(zoom, 1.1)
    assert box.renderer.shrink == first
    for lr in (0.05, 0.45, 0.5, 0.95, 1.2, 1.5):  # the benchmark's, the lessons', the last
        box.controls["lr"].value = lr
        for x0 in (0.0, -2.0, 1.8):  # the start at the minimum, the far left, the default
            box.controls["x0"].value = x0
            assert (box.renderer.shrink, box.renderer.clashed) == (first, False), (lr, x0)
