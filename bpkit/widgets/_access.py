"""What an explorer tells the page: alt text, accessible names, and keys kept from the notebook.

ipywidgets gives a Python package no way to set an attribute on the elements it draws: the
``<img>`` of an ``Image`` has no ``alt``, a slider's handle has no accessible name (its
label is a separate ``<label>``, not tied to the handle), a log slider announces its
exponent, and JupyterLab runs its notebook shortcuts on keys pressed in a focused dropdown
("x" cuts the cell, "r" makes it raw, arrows move the cell selection:
jupyter-widgets/ipywidgets#3912). So every explorer carries one small ``HTML`` widget, a
line of help under the picture, whose markup also runs :data:`PAGE_SCRIPT` each time it
changes (an ``<img>`` that cannot load calls its ``onerror``; ipywidgets sets an HTML
widget's markup as it is). The script

* marks every control ``data-lm-suppress-shortcuts`` (Lumino, JupyterLab's toolkit, runs
  no shortcut for a key pressed on an element so marked), so a key pressed on a control
  goes to the control;
* gives the picture the alt text computed in Python from the state drawn (:func:`alt_text`);
* names each slider handle after its label and makes it announce the readout the learner
  sees (``aria-valuetext``), kept in step as the handle moves;
* reports the explorer's width and the screen's device pixel ratio to the kernel (through
  a hidden ``Text``), which then draws the picture with as many pixels as the screen shows
  (see :func:`bpkit.widgets._explorer.screen_fit`);
* turns the help line into "run this cell" when a control moved and no new state came.

Where the script does not run (a page that strips scripts), the help line still shows and
the stored PNG still carries its alt text in the output's metadata.
"""

from __future__ import annotations

import html
from typing import Any

# Runs with ``this`` = the helper's <img>; ``data-alt`` holds the picture's alt text.
PAGE_SCRIPT = """(function bpkitExplorer(el) {
  var box = el.closest('.bpkit-explorer');
  if (!box) {  /* not in the page yet: try again shortly */
    el.tries = (el.tries || 0) + 1;
    if (el.tries < 50) setTimeout(bpkitExplorer, 100, el);
    return;
  }
  box.bpkitAlt = el.getAttribute('data-alt');
  box.bpkitAnswered = Date.now();  /* the kernel just sent this state */
  function named(slider) {
    var label = slider.querySelector('.widget-label');
    var readout = slider.querySelector('.widget-readout');
    slider.querySelectorAll('.noUi-handle').forEach(function (handle) {
      if (label && label.textContent) handle.setAttribute('aria-label', label.textContent);
      var text = readout && (readout.textContent || readout.value);
      if (text && handle.getAttribute('aria-valuetext') !== text) {
        handle.setAttribute('aria-valuetext', text);
      }
    });
  }
  function apply() {
    /* Lumino matches a shortcut's selector from the focused element up, and stops at the
       first element so marked: the mark goes on every control, not on the box. */
    box.querySelectorAll('select, button, input, [tabindex]').forEach(function (control) {
      if (!control.hasAttribute('data-lm-suppress-shortcuts')) {
        control.setAttribute('data-lm-suppress-shortcuts', 'true');
      }
    });
    box.querySelectorAll('img.widget-image').forEach(function (img) {
      img.setAttribute('alt', box.bpkitAlt);
    });
    box.querySelectorAll('.widget-slider').forEach(named);
    box.querySelectorAll('.widget-dropdown').forEach(function (menu) {
      var label = menu.querySelector('.widget-label'), select = menu.querySelector('select');
      if (select && label && label.textContent) {
        select.setAttribute('aria-label', label.textContent);
      }
    });
  }
  function moved(event) {  /* a control changed: the kernel should answer within seconds */
    if (event && event.target && event.target.closest('.bpkit-screen')) return;
    var asked = Date.now();
    setTimeout(function () {
      if (box.bpkitAnswered >= asked) return;
      var help = box.querySelector('.bpkit-explorer-help');
      if (help) { help.textContent = STALE; help.classList.add('bpkit-stale'); }
    }, 3000);
  }
  function report() {  /* tell the kernel how wide the explorer is, and the pixel ratio */
    var input = box.querySelector('.bpkit-screen input'), width = box.clientWidth;
    if (!input || !width) return;
    var value = Math.round(width) + ' ' + (window.devicePixelRatio || 1);
    if (input.value === value) return;
    input.value = value;
    input.dispatchEvent(new Event('change', {bubbles: true}));
  }
  apply();
  report();
  if (!box.bpkitResizes && window.ResizeObserver) {
    box.bpkitResizes = new ResizeObserver(function () {
      clearTimeout(box.bpkitResized);
      box.bpkitResized = setTimeout(report, 300);
    });
    box.bpkitResizes.observe(box);
  }
  if (!box.bpkitObserver) {  /* the readouts change as a handle moves, without a redraw */
    box.addEventListener('change', moved);
    box.bpkitObserver = new MutationObserver(function (changes) {
      apply();
      if (changes.some(function (c) {  /* a handle's value, not the same one set again */
        var now = c.target.getAttribute('aria-valuenow');
        return c.attributeName === 'aria-valuenow' && c.oldValue !== now;
      })) moved();
    });
    box.bpkitObserver.observe(box, {subtree: true, childList: true, characterData: true,
                                    attributes: true, attributeOldValue: true,
                                    attributeFilter: ['aria-valuenow']});
  }
})(this)"""

# Focus that a projector shows: a thick outline in the palette's blue on every control.
PAGE_STYLE = (
    "<style>.bpkit-explorer :focus-visible, .bpkit-explorer .noUi-handle:focus"
    "{outline: 3px solid #0072B2 !important; outline-offset: 2px;}"
    ".bpkit-explorer .bpkit-stale{font-weight: bold; color: #000 !important;"
    " border-left: 4px solid #D55E00; padding-left: 6px;}</style>"
)

HELP = (
    "The picture follows the controls while the notebook's kernel runs. If it does not "
    "change, run this cell again (Shift+Enter)."
)
# Shown instead when a control moved and no new state came back within 3 s.
STALE = (
    "The kernel did not answer: it was restarted or stopped. Run this cell (Shift+Enter) "
    "to bring the explorer back."
)
# Under the stored picture, where no kernel runs the explorer (a fresh or reopened notebook).
STILL = "A still picture: run this cell (Shift+Enter) to move the controls."


def helper_markup(alt: str) -> str:
    """The help line's markup: the line, the focus style, and the script with ``alt``."""
    script = html.escape(PAGE_SCRIPT.replace("STALE", repr(STALE)), quote=True)
    return (
        f'<div class="bpkit-explorer-help" style="font-size: 12px; line-height: 1.4;'
        f' color: #555">{HELP}</div>'
        f"{PAGE_STYLE}"
        f'<img hidden alt="" src="data:," data-alt="{html.escape(alt, quote=True)}"'
        f' onerror="{script}">'
    )


def control_text(control: Any) -> str:
    """What ``control`` shows the learner as its value (its readout, its label, on/off)."""
    label = getattr(control, "label", None)
    if isinstance(label, str):  # a dropdown, toggle buttons, a selection slider
        return label
    value = control.value
    if isinstance(value, bool):
        return "on" if value else "off"
    fmt = getattr(control, "readout_format", "")
    if isinstance(value, float) and fmt:
        try:
            return format(value, fmt)
        except ValueError:  # a d3 format Python does not know
            return f"{value:g}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def control_name(name: str, control: Any) -> str:
    """The name a control is announced by: its description, else its keyword."""
    return (getattr(control, "description", "") or name).strip().rstrip(":")


def describe_figure(fig: Any) -> str:
    """Say what ``fig`` shows, from what was drawn: each panel's title, axes and legend.

    ``"Panel 1, 'loss': loss against step (log scale); lines: η = 0.1, η = 0.9."``
    """
    texts = [plain(text.get_text()) for text in fig.texts if text.get_visible() and text.get_text()]
    # Figure.get_suptitle is public from matplotlib 3.8; before it, the suptitle is read
    # among the figure's other texts.
    suptitle = plain(fig.get_suptitle()) if hasattr(fig, "get_suptitle") else ""
    parts = [suptitle] if suptitle else []
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for number, ax in enumerate(axes, start=1):
        titles = (ax.get_title("left"), ax.get_title(), ax.get_title("right"))
        title = plain(" ".join(t for t in titles if t))
        said = f"Panel {number}" if len(axes) > 1 else "The plot"
        if title:
            said += f", '{title}'"
        axis_words = _axes_words(ax)
        if axis_words:
            said += f": {axis_words}"
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            labels = [plain(t.get_text()) for t in legend.get_texts() if t.get_text()]
            if labels:
                said += f"; legend: {', '.join(labels)}"
        parts.append(said)
    parts += [text for text in texts if text != suptitle]
    return " ".join(_sentence(part) for part in parts)


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


# Math text as a screen reader can say it: the course's Greek letters and symbols.
TEX_WORDS = {r"\partial": "∂", r"\rho": "ρ", r"\tau": "τ", r"\eta": "η", r"\lambda": "λ",
             r"\sigma": "σ", r"\delta": "δ", r"\cdot": "·", r"\times": "×", r"\to": "→",
             r"\infty": "∞", r"\approx": "≈", r"\leq": "≤", r"\geq": "≥"}  # fmt: skip
DIAGRAM_TEXTS = 6  # texts of a diagram (an axes without axes) read out, at most


def plain(text: str) -> str:
    """``text`` on one line, its math text (``$\\rho^\\tau$``) as plain symbols (``ρ^τ``)."""
    if "$" in text:
        for macro, symbol in sorted(TEX_WORDS.items(), key=lambda item: -len(item[0])):
            text = text.replace(macro, symbol)
        for mark in ("$", "{", "}", "\\mathrm", "\\"):
            text = text.replace(mark, "")
    return " ".join(text.split())


def _diagram_words(ax: Any) -> str:
    """The first texts written on an axes that has no axes (a diagram, a formula)."""
    texts = [plain(t.get_text()) for t in ax.texts if t.get_visible() and t.get_text().strip()]
    if not texts:
        return "a diagram"
    more = len(texts) - DIAGRAM_TEXTS
    said = "; ".join(texts[:DIAGRAM_TEXTS])
    return f"a diagram: {said}" + (f"; and {more} more labels" if more > 0 else "")


def _axes_words(ax: Any) -> str:
    """'y against x (log scale)', from an axes' labels; '' for an axes with neither."""
    if not ax.axison:
        return _diagram_words(ax)
    xlabel, ylabel = plain(ax.get_xlabel()), plain(ax.get_ylabel())
    if not (xlabel or ylabel):
        return ""
    words = f"{ylabel or 'value'} against {xlabel or 'position'}"
    logs = [
        name for name, scale in (("x", ax.get_xscale()), ("y", ax.get_yscale())) if scale == "log"
    ]
    if logs:
        words += f" ({' and '.join(logs)} on a log scale)"
    return words


def alt_text(title: str | None, controls: dict[str, Any], figure: str) -> str:
    """The picture's alt text: the explorer's title, its controls' values, what is drawn."""
    values = ", ".join(
        f"{control_name(name, control)} = {control_text(control)}"
        for name, control in controls.items()
    )
    parts = [
        _sentence(plain(title)) if title else "",
        f"Controls: {values}." if values else "",
        figure,
    ]
    return " ".join(part for part in parts if part)


def still_markup(png_base64: str, alt: str, width: int) -> str:
    """The stored picture as HTML: the PNG with its alt text, and the line that says what to do.

    A notebook whose widgets cannot run (opened fresh, not trusted, or on a static page)
    shows this instead of a bare picture under prose that says "move the sliders".
    """
    return (
        f'<img src="data:image/png;base64,{png_base64}" alt="{html.escape(alt, quote=True)}"'
        f' style="width: {width}px; max-width: 100%; height: auto">'
        f'<p style="font-size: 12px; color: #555; margin: 2px 0 0 4px">{STILL}</p>'
    )
