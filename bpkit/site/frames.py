"""Explorers that move on a static page: their pictures precomputed at the sliders' stops.

A page of the site has no kernel, so an explorer's stored widget shows one picture. For
an explorer a lesson makes with one call of its own (``bpkit.widgets.descent_explorer(dim=2,
lr=0.45)``: literal arguments only, so the call alone rebuilds it), :func:`explorer_frames`
makes the same explorer through its public API (``.controls``, ``.values()``,
``.render(**values)``) and draws one picture per stop of each control, moving one control
at a time from the stored state. The site shows them with a plain HTML slider per control;
the page says the full explorer needs Jupyter. An explorer built on a lesson's own objects
(a drawing function or a graph defined in earlier cells) cannot be rebuilt: if it has few
states, it stored its pictures in its output when the lesson ran (:mod:`bpkit.widgets._frames`),
and :func:`stored_controls` reads them back; otherwise it keeps its stored picture.
"""

from __future__ import annotations

import ast
import base64
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FRAMES = "application/vnd.bpkit.frames+json"  # the part of an output that holds its frames
STOPS = 9  # stops per slider (every option of a selection slider or a dropdown)


@dataclass
class Control:
    """One control of a static explorer: its stops' labels and which one is the stored state."""

    name: str
    label: str
    values: list[Any]
    labels: list[str]
    start: int
    menu: bool = False  # a dropdown (a <select> on the page), not a slider
    frames: list[bytes] = field(default_factory=list)
    alts: list[str] = field(default_factory=list)  # each picture's alt text


def _literal_call(node: ast.AST) -> tuple[str, dict[str, Any]] | None:
    """Return ``(name, kwargs)`` if ``node`` is ``bpkit.widgets.NAME(k=literal, ...)``."""
    if not isinstance(node, ast.Call) or node.args or not isinstance(node.func, ast.Attribute):
        return None
    owner = ast.unparse(node.func.value)
    if owner not in {"bpkit.widgets", "widgets"} or not node.func.attr.endswith(
        ("explorer", "stepper")
    ):
        return None
    try:
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
    except ValueError:
        return None
    if None in kwargs:  # **kwargs
        return None
    return node.func.attr, kwargs


def _changes(statement: ast.stmt, name: str) -> bool:
    """True if ``statement`` assigns to ``name`` or to a part of it (``name.x = …``)."""
    for node in ast.walk(statement):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target)):
                return True
    return False


def explorer_call(source: str) -> tuple[str, dict[str, Any]] | None:
    """Return ``(explorer name, keyword arguments)`` if the cell's explorer rebuilds from them.

    The cell shows ``bpkit.widgets.NAME(...)`` (or ``widgets.NAME``) with literal keyword
    arguments only: as its one statement, or assigned to a name that its last statement
    shows and that nothing in between changes (reading it, as a claim does, is fine).
    """
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return None
    if not body or not isinstance(body[-1], ast.Expr):
        return None
    shown = body[-1].value
    if len(body) == 1:
        return _literal_call(shown)
    if not isinstance(shown, ast.Name):
        return None
    for i, statement in enumerate(body[:-1]):
        if (
            isinstance(statement, ast.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id == shown.id
        ):
            later = body[i + 1 : -1]
            if any(_changes(s, shown.id) for s in later):
                return None
            return _literal_call(statement.value)
    return None


def _options(control: Any) -> tuple[list[Any], list[str]]:
    """Return a selection control's option values and labels."""
    values, labels = [], []
    for option in control.options:
        label, value = option if isinstance(option, tuple) else (str(option), option)
        values.append(value)
        labels.append(str(label))
    return values, labels


def stops(control: Any, n: int = STOPS) -> tuple[list[Any], list[str]]:
    """Return the values a static slider offers for ``control`` and their labels.

    Every option of a selection slider or dropdown; ``n`` evenly spread values of a
    numeric slider (on the exponent for a log slider), the stored value among them.
    """
    kind = type(control).__name__
    if hasattr(control, "options"):
        return _options(control)
    if kind == "FloatLogSlider":
        exponents = np.linspace(control.min, control.max, n)
        values = [float(control.base**e) for e in exponents]
    elif kind == "IntSlider":
        values = sorted({int(v) for v in np.rint(np.linspace(control.min, control.max, n))})
    else:
        grid = np.linspace(control.min, control.max, n)
        step = control.step or 0
        values = [float(np.round(v / step) * step) if step else float(v) for v in grid]
    values = sorted(set(values) | {control.value})
    fmt = getattr(control, "readout_format", None) or ("d" if kind == "IntSlider" else ".3g")
    labels = [format(v, fmt) if kind == "IntSlider" else format(float(v), fmt) for v in values]
    return values, labels


def _index(values: list[Any], value: Any) -> int:
    for i, candidate in enumerate(values):
        if candidate == value or (
            isinstance(value, float)
            and isinstance(candidate, float)
            and np.isclose(candidate, value)
        ):
            return i
    return 0


def explorer_frames(name: str, kwargs: dict[str, Any], n: int = STOPS) -> tuple[str, list[Control]]:
    """Make explorer ``name(**kwargs)`` and draw its picture at every stop of every control.

    Returns the explorer's title (its first HTML child, if any) and its controls, each with
    one PNG and its alt text per stop; the others stay at their stored values.
    """
    import bpkit.widgets
    from bpkit.plot import alt

    box = getattr(bpkit.widgets, name)(**kwargs)
    stored = box.values()
    # Each picture's alt text is written from the figure the explorer's draw just filled.
    draw, said = box.renderer.draw, []

    def described(fig: Any, **values: Any) -> Any:
        drawn = draw(fig, **values)
        said.append(alt.describe(fig))
        return drawn

    box.renderer.draw = described
    controls = []
    for key, control in box.controls.items():
        values, labels = stops(control, n)
        label = str(getattr(control, "description", key) or key)
        item = Control(key, label, values, labels, 0, menu=type(control).__name__ == "Dropdown")
        item.start = _index(values, stored[key])
        for value in values:
            item.frames.append(bytes(box.render(**{key: value})))
            item.alts.append(said[-1])
        controls.append(item)
    title = ""
    if box.children and type(box.children[0]).__name__ == "HTML":
        title = box.children[0].value
    return title, controls


def stored_controls(data: dict[str, Any]) -> list[Control] | None:
    """Return the controls and pictures an explorer's output stored, or None if it has none.

    ``data`` is the output's display data: its ``image/png`` (the stored picture) and the
    part :data:`FRAMES` that :func:`bpkit.widgets._frames.stored_frames` wrote.
    """
    from bpkit.widgets._frames import unpack_all

    part = data.get(FRAMES)
    if not part or "image/png" not in data:
        return None
    png = data["image/png"]
    still = base64.b64decode("".join(png) if isinstance(png, list) else png)
    controls = []
    for stored, pictures in zip(part["controls"], unpack_all(still, part), strict=True):
        labels = stored["labels"]
        item = Control(stored["name"], stored["label"], list(range(len(labels))), labels,
                       stored["start"], menu=stored.get("menu", False))  # fmt: skip
        item.frames, item.alts = pictures, list(stored["alts"])
        controls.append(item)
    return controls
