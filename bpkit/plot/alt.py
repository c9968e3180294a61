"""Alt text for the course's figures, written from what was drawn.

A picture in a notebook or on the course's website needs a sentence for a reader who
cannot see it. :func:`describe` writes one from the figure itself: each panel's title, what
is plotted against what (and which axes are logarithmic), the curves' legend labels, and
the notes that bpkit's drawing functions leave on their axes with :func:`note` (a
number the picture shows, such as how many steps a descent took). :func:`set_alt` gives a
figure a sentence of your own instead.

The sentence travels in the image output's metadata, ``{"image/png": {"alt": ...}}``, the
convention nbconvert and IPython's ``Image(alt=...)`` follow, and which ``bpkit site``
turns into the page's ``alt=``. :func:`show` displays a figure that way;
:func:`install` (called by :func:`bpkit.plot.apply`, which every lesson runs) does it for
every figure a cell leaves, so ``%matplotlib inline`` pictures carry their alt text too.
"""

from __future__ import annotations

import base64
import io
import re
from typing import Any

ALT_NOTES = "_bpkit_alt_notes"  # attribute of an Axes: the sentences note() left
ALT_TEXT = "_bpkit_alt"  # attribute of a Figure: the sentence set_alt() gave it
MAX_LABELS = 6  # curves or diagram labels named in one panel's sentence

# TeX the course's labels use, in the letters a screen reader says.
_TEX = {
    r"\eta": "η", r"\rho": "ρ", r"\tau": "τ", r"\lambda": "λ", r"\sigma": "σ", r"\theta": "θ",
    r"\alpha": "α", r"\beta": "β", r"\delta": "δ", r"\Delta": "Δ", r"\epsilon": "ε",
    r"\varepsilon": "ε", r"\partial": "∂", r"\nabla": "∇", r"\cdot": "·", r"\times": "×",
    r"\approx": "≈", r"\leq": "≤", r"\geq": "≥", r"\to": "→", r"\infty": "∞", r"\|": "‖",
}  # fmt: skip


def plain(text: str) -> str:
    """Return ``text`` with matplotlib's math markup turned into plain words and symbols."""
    text = re.sub(r"\\(partial|nabla) +", r"\\\1", text)  # ∂L, not ∂ L
    for tex, letter in _TEX.items():
        text = text.replace(tex, letter)
    text = re.sub(r"\\(?:mathrm|mathbf|mathit|text|operatorname)\{([^}]*)\}", r"\1", text)
    text = text.replace("$", "").replace("{", "").replace("}", "").replace("\\", "")
    return re.sub(r"\s+", " ", text).strip()


def note(ax: Any, sentence: str) -> Any:
    """Add ``sentence`` to what ``ax``'s alt text says (drawing functions call this)."""
    notes = getattr(ax, ALT_NOTES, None)
    if notes is None:
        notes = []
        setattr(ax, ALT_NOTES, notes)
    notes.append(sentence)
    return ax


def set_alt(fig: Any, text: str) -> Any:
    """Give ``fig`` the alt text ``text`` in place of the one written from its drawing."""
    setattr(fig, ALT_TEXT, text)
    return fig


def _labels(ax: Any) -> list[str]:
    """Return the legend labels of what ``ax`` holds (those matplotlib would show)."""
    _handles, labels = ax.get_legend_handles_labels()
    return [plain(label) for label in labels if label and not label.startswith("_")]


def _scale(ax: Any) -> str:
    xlog, ylog = ax.get_xscale() == "log", ax.get_yscale() == "log"
    return {
        (True, True): "log-log axes",
        (False, True): "log y axis",
        (True, False): "log x axis",
    }.get((xlog, ylog), "")


def describe_axes(ax: Any) -> str:
    """Return one panel's sentence: title, what against what, scale, curves, notes."""
    title = plain(
        " ".join(t for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t)
    )
    words = []
    if ax.axison:
        y, x = plain(ax.get_ylabel()), plain(ax.get_xlabel())
        if y and x:
            words.append(f"{y} against {x}")
        elif y or x:
            words.append(y or f"a value against {x}")
        if _scale(ax):
            words.append(f"on {_scale(ax)}")
        if ax.images:
            words.append("a shaded map")
        labels = _labels(ax)
        if labels:
            shown = labels[:MAX_LABELS]
            more = f" and {len(labels) - len(shown)} more" if len(labels) > len(shown) else ""
            words.append("legend: " + ", ".join(shown) + more)
    elif getattr(ax, ALT_NOTES, None):  # a diagram whose drawing says what it shows
        pass
    elif ax.images:
        words.append("an image")
    else:  # a diagram: say what it names
        texts = [plain(t.get_text()) for t in ax.texts if t.get_visible() and t.get_text().strip()]
        texts = [t.replace("\n", " ") for t in texts if t]
        if texts:
            shown = texts[:MAX_LABELS]
            more = f" and {len(texts) - len(shown)} more" if len(texts) > len(shown) else ""
            words.append("a diagram labelled " + "; ".join(shown) + more)
        else:
            words.append("a diagram")
    sentence = ", ".join(words)
    sentence = f"{title}; {sentence}" if title and sentence else title or sentence
    notes = getattr(ax, ALT_NOTES, [])
    return ". ".join([sentence, *notes]) if notes else sentence


def _is_colorbar(ax: Any) -> bool:
    return ax.get_label() == "<colorbar>"  # the label matplotlib gives a colorbar's axes


def describe(fig: Any) -> str:
    """Return the alt text of ``fig``: its own (:func:`set_alt`), else written from its drawing."""
    own = getattr(fig, ALT_TEXT, None)
    if own:
        return own
    axes = [ax for ax in fig.axes if ax.get_visible() and not _is_colorbar(ax)]
    lead = plain(fig.get_suptitle())
    pictures = [ax for ax in axes if not ax.axison and ax.images]
    if len(axes) > 2 and len(pictures) == len(axes):  # a grid of images: name them at once
        titles = [plain(ax.get_title()) for ax in axes]
        named = f", titled {', '.join(titles)}" if any(titles) else ""
        sentences = [f"{len(axes)} images{named}"]
    else:
        sentences = [describe_axes(ax) for ax in axes]
    if len(sentences) > 1:
        sentences = [f"Panel {i} of {len(axes)}, {s}" for i, s in enumerate(sentences, 1)]
    text = ". ".join(s for s in [lead, *sentences] if s)
    return (text or "A figure") + ("" if text.endswith(".") else ".")


def png_metadata(fig: Any) -> dict[str, Any]:
    """Return the display metadata that carries ``fig``'s alt text."""
    return {"image/png": {"alt": describe(fig)}}


def show(fig: Any, alt: str | None = None) -> None:
    """Display ``fig`` as a PNG whose output metadata holds its alt text.

    ``alt`` replaces the text written from the drawing. Use it for a figure a lesson
    draws itself: ``show(fig, alt="…")``.
    """
    from IPython.display import display

    if alt is not None:
        set_alt(fig, alt)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    data = {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii")}
    display(data, raw=True, metadata=png_metadata(fig))


def _figure_metadata(fig: Any) -> tuple[dict, dict]:
    """IPython's mime-bundle formatter for a Figure: no data of its own, only the alt text."""
    return {}, png_metadata(fig)


def install() -> bool:
    """Make every matplotlib figure this IPython shows carry its alt text; False outside IPython.

    The figure's PNG still comes from matplotlib's own formatter: the hook only adds
    metadata (IPython's mime-bundle formatters are asked first, and keep their metadata).
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    from matplotlib.figure import Figure

    shell.display_formatter.mimebundle_formatter.for_type(Figure, _figure_metadata)
    return True
