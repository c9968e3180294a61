"""One look for every figure in the course: palette, sizes, fonts."""

from __future__ import annotations

from typing import Any

# Okabe & Ito's colour-blind-safe palette, in the order the course uses it.
PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#999999",
}
CYCLE = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "sky", "purple")]

FIGSIZE = (6.0, 3.5)
DPI = 90

RC = {
    "axes.prop_cycle": None,  # filled in lazily by `rc()` (needs matplotlib's cycler)
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
}


def rc() -> dict[str, Any]:
    """Return the course's matplotlib rc settings (use with ``plt.rc_context``)."""
    from cycler import cycler

    return {**RC, "axes.prop_cycle": cycler(color=CYCLE)}


def apply() -> None:
    """Make the course style the default for this process (lessons call it once).

    In IPython it also gives every figure shown from then on its alt text (see
    :mod:`bpkit.plot.alt`).
    """
    import matplotlib as mpl

    from bpkit.plot import alt

    mpl.rcParams.update(rc())
    alt.install()


def new_figure(figsize: tuple[float, float] = FIGSIZE) -> Any:
    """Return a matplotlib ``Figure`` not registered with pyplot (never left open)."""
    from matplotlib.figure import Figure

    with _rc_context():
        return Figure(figsize=figsize, dpi=DPI, layout="constrained")


def _rc_context() -> Any:
    import matplotlib as mpl

    return mpl.rc_context(rc())


def panels(fig: Any, n: int, width_ratios: tuple[float, ...] | None = None) -> list[Any]:
    """Add ``n`` side-by-side Axes to ``fig`` and return them, laid out by constrained layout.

    A figure without a layout engine (``plt.figure()``) gets constrained layout, so the
    panels' labels never overlap. In an explorer the layout is solved once and kept
    (:class:`bpkit.widgets._explorer.SteadyRenderer`), so redraws stay fast.
    """
    import numpy as np

    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    return list(np.atleast_1d(fig.subplots(1, n, width_ratios=width_ratios)))


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fill(text: str, width_pt: float, size: float) -> str:
    """``text`` with each of its lines broken at spaces to fit ``width_pt`` points at ``size``.

    A character of DejaVu Sans is taken as 0.56 em wide, a little over its average, so a
    filled line stays inside the width.
    """
    import textwrap

    width = max(int(width_pt / (0.56 * size)), 10)
    lines = text.split("\n")
    return "\n".join(textwrap.fill(line, width, break_on_hyphens=False) for line in lines)


def power_of_ten(value: float, _pos: Any = None) -> str:
    """Tick label '10⁻¹²' for 1e-12: plain text that looks like mathtext and draws faster.

    Fits ``matplotlib.ticker.FuncFormatter``; values that are not positive get no label.
    """
    import math

    if not value > 0:
        return ""
    return "10" + str(round(math.log10(value))).translate(_SUPERSCRIPT)
