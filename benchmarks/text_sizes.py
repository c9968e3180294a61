"""The smallest text of every explorer's picture in CSS px, at window widths 900, 1280, 1920.

A text of ``p`` points in a figure drawn at ``dpi`` for a screen with pixel ratio ``r``
is ``p * dpi / 72 / r`` CSS px tall on the page. The explorer's width in a window is
taken as the window's less 432 px (JupyterLab 4 with its left sidebar open: 468 px at a
900-px window, where issue 25 saw pictures of 540 and 675 px shrink to 87 % and 69 %).
Each explorer is drawn in every state its benchmark moves through, with a fresh
constrained layout at the size the page's report chose, and its texts are also checked
for overlaps and for the figure's edge (``bpkit.widgets._explorer.text_clashes``):

    python benchmarks/text_sizes.py
"""

from __future__ import annotations

from typing import Any

WINDOWS = (900, 1280, 1920)
SIDEBAR = 432  # CSS px of a JupyterLab window that the explorer does not get


def state_figure(box: Any, **values: Any) -> tuple[Any, Any]:
    """``box``'s picture in a state, laid out afresh at the size it is drawn now."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from bpkit.widgets._explorer import _course_rc, _wrap_titles

    kept = box.renderer
    with mpl.rc_context(_course_rc()):
        fig = kept.figure()
        kept.draw(fig, **box.values())
        canvas = FigureCanvasAgg(fig)
        if kept.shrink < 1.0:  # as the explorer draws it (see SteadyRenderer._render)
            _wrap_titles(fig, canvas.get_renderer())
        canvas.draw()
        return fig, canvas.get_renderer()


def smallest(fig: Any, found: list[tuple[Any, Any]], ratio: float) -> tuple[float, str]:
    """The smallest text's height in CSS px (its size in points at the figure's dpi)."""
    sizes = [(text.get_fontsize() * fig.dpi / 72 / ratio, text.get_text()) for text, _ in found]
    return min(sizes)


def measure(window: int, ratio: float = 1.0) -> list[dict]:
    from bench_widgets import explorers

    from bpkit.widgets._explorer import drawn_texts, text_clashes

    rows = []
    for name, build, control, values in explorers():
        box = build()
        box.screen.value = f"{window - SIDEBAR} {ratio}"
        worst, overlaps, first = (1e9, ""), [], None
        for value in [box.controls[control].value, *values]:
            box.controls[control].value = value  # a slider keeps it in its range
            fig, renderer = state_figure(box)
            worst = min(worst, smallest(fig, drawn_texts(fig, renderer), ratio))
            first = worst[0] if first is None else first
            overlaps += text_clashes(fig, renderer)
        rows.append({"explorer": name, "window": window, "css_width": box.image.layout.width,
                     "first_px": first, "smallest_px": worst[0], "smallest_text": worst[1],
                     "overlaps": sorted(set(overlaps))})  # fmt: skip
    return rows


if __name__ == "__main__":
    for window in WINDOWS:
        for row in measure(window):
            print(f"{row['window']:5} {row['explorer']:30} {row['css_width']:>7} "
                  f"first state {row['first_px']:5.1f} px, smallest {row['smallest_px']:5.1f} px"
                  f" ({row['smallest_text'][:30]!r})"
                  f"  overlaps: {row['overlaps'][:4] or 'none'}")  # fmt: skip
