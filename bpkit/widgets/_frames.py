"""An explorer's pictures at its sliders' stops, stored in its own output for a static page.

The course's website (``bpkit site``) never runs a lesson. It rebuilds an explorer that a
lesson makes with one literal call (``bpkit.widgets.tangent_explorer(x=1.5, h=0.1)``)
and draws its pictures itself; an explorer built on the lesson's own objects (a drawing
function defined in the lesson, a graph built in earlier cells) cannot be rebuilt. Such
an explorer, if it has few states, stores them when the lesson runs: its display data
gets a part :data:`FRAMES` that the site turns back into pictures, one per stop of each
control, moving one control at a time from the stored state, each with its alt text.

The stored picture (``image/png``) is every frame's background: a frame keeps only the
8 × 8 tiles where it differs from it, all frames' tiles packed into one PNG of at most
:data:`COLORS` colours (lesson 02's stepper: ten pictures in 27 kB of the output, against
440 kB as whole PNGs). Where the whole output would pass :data:`OUTPUT_BUDGET`, sliders
get fewer stops; where even the fewest do not fit, no frames are stored and the explorer
keeps its one stored picture, as before.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zlib
from types import SimpleNamespace
from typing import Any

import numpy as np

FRAMES = "application/vnd.bpkit.frames+json"
TILE = 8  # pixels on a tile's side
COLORS = 64  # colours of the packed tiles (antialiased text keeps its edges)
PER_ROW = 64  # tiles per row of the packed PNG
OUTPUT_BUDGET = 150_000  # characters of the explorer's whole output at most, frames included
MAX_FRAMES = 24  # pictures at most, over all controls
STEPS = 24  # an integer slider with at most this many values gets every one (a stepper)
NUMERIC_STOPS = (9, 7, 5)  # stops of a numeric slider, fewer until the frames fit


def wanted(box: Any) -> bool:
    """True if ``box`` should store its frames: it says so, or it draws the lesson's own way.

    An explorer whose drawing function comes from bpkit is rebuilt by the site from its
    call; one drawn by a function a lesson defines (lesson 00's ``draw_wave``) is not.
    """
    said = getattr(box, "store_frames", None)
    if said is not None:
        return bool(said)
    module = getattr(box.renderer.draw, "__module__", "") or ""
    return not module.startswith("bpkit.")


def stops(control: Any, n: int) -> tuple[list[Any], list[str]]:
    """Return the values a static control offers and how the page labels them.

    Every option of a selection, every step of a short integer slider, else ``n`` stops
    (see :func:`bpkit.site.frames.stops`).
    """
    from bpkit.site.frames import stops as spread

    if isinstance(control.value, bool) and not hasattr(control, "options"):  # a checkbox
        return [False, True], ["off", "on"]
    if type(control).__name__ == "IntSlider" and control.max - control.min < STEPS:
        values = list(range(control.min, control.max + 1))
        return values, [str(v) for v in values]
    return spread(control, n)


def steppable(control: Any) -> bool:
    """True if :func:`stops` knows ``control``: a selection, a checkbox or a slider."""
    return (
        hasattr(control, "options")
        or isinstance(control.value, bool)
        or (hasattr(control, "min") and hasattr(control, "max"))
    )


def _stand_in(control: Any, value: Any, label: str) -> Any:
    """A control at ``value`` for the alt text, without moving the real one."""
    if hasattr(control, "options"):
        return SimpleNamespace(description=control.description, label=label, value=value)
    fmt = getattr(control, "readout_format", "")
    return SimpleNamespace(description=control.description, value=value, readout_format=fmt)


def _title(box: Any) -> str | None:
    """The explorer's title, from its first child (an HTML line ``<b>title</b>``)."""
    first = box.children[0] if box.children else None
    if type(first).__name__ != "HTML":
        return None
    return html.unescape(re.sub(r"<[^>]+>", "", first.value)) or None


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB"))


def _mask_text(changed: np.ndarray) -> str:
    """The changed tiles (booleans, row-major) as text: bits, deflated, in base64."""
    return base64.b64encode(zlib.compress(np.packbits(changed).tobytes(), 9)).decode("ascii")


def _mask(text: str, count: int) -> np.ndarray:
    """The inverse of :func:`_mask_text`: ``count`` booleans."""
    bits = np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=np.uint8)
    return np.unpackbits(bits)[:count].astype(bool)


def _changed_tiles(still: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Which tiles (row-major booleans) of ``frame`` differ from ``still``."""
    height, width = still.shape[:2]
    rows, cols = -(-height // TILE), -(-width // TILE)
    differs = np.zeros((rows * TILE, cols * TILE), dtype=bool)
    differs[:height, :width] = (frame != still).any(axis=-1)
    tiles = differs.reshape(rows, TILE, cols, TILE).any(axis=(1, 3))  # (rows, cols)
    return tiles.ravel()


def pack(still_png: bytes, frames: list[bytes]) -> tuple[str, list[str | None]]:
    """Pack ``frames``' changes from ``still_png`` into one PNG (base64) and their tiles.

    Each frame becomes ``None`` (the stored picture itself) or which of its tiles changed
    (see :func:`_mask_text`); the changed tiles' pixels follow each other in the packed
    PNG, frame after frame, PER_ROW tiles a row.
    """
    from PIL import Image

    still = _pixels(still_png)
    height, width = still.shape[:2]
    rows, cols = -(-height // TILE), -(-width // TILE)
    padded = np.full((rows * TILE, cols * TILE, 3), 255, dtype=np.uint8)
    tiles_out, found = [], []
    for png in frames:
        frame = _pixels(png)
        if frame.shape != still.shape:
            raise ValueError(f"a frame of {frame.shape} pixels beside a picture of {still.shape}")
        changed = _changed_tiles(still, frame)
        found.append(_mask_text(changed) if changed.any() else None)
        padded[:height, :width] = frame
        grid = padded.reshape(rows, TILE, cols, TILE, 3).swapaxes(1, 2).reshape(-1, TILE, TILE, 3)
        tiles_out.extend(grid[changed])
    if not tiles_out:
        return "", found
    count = len(tiles_out)
    sheet = np.full((-(-count // PER_ROW) * PER_ROW, TILE, TILE, 3), 255, dtype=np.uint8)
    sheet[:count] = np.stack(tiles_out)
    sheet = sheet.reshape(-1, PER_ROW, TILE, TILE, 3).swapaxes(1, 2)
    sheet = sheet.reshape(-1, PER_ROW * TILE, 3)
    image = Image.fromarray(sheet).quantize(colors=COLORS, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return base64.b64encode(out.getvalue()).decode("ascii"), found


def unpack_all(still_png: bytes, part: dict[str, Any]) -> list[list[bytes]]:
    """Return every control's frames as PNGs, from the part :func:`stored_frames` wrote."""
    from PIL import Image

    still = _pixels(still_png)
    height, width = still.shape[:2]
    rows, cols = -(-height // TILE), -(-width // TILE)
    sheet = None
    if part.get("sheet"):
        packed = _pixels(base64.b64decode(part["sheet"]))
        sheet = packed.reshape(-1, TILE, PER_ROW, TILE, 3).swapaxes(1, 2).reshape(-1, TILE, TILE, 3)
    used, pictures = 0, []
    for control in part["controls"]:
        pngs = []
        for tiles in control["tiles"]:
            if not tiles:
                pngs.append(bytes(still_png))
                continue
            canvas = np.full((rows * TILE, cols * TILE, 3), 255, dtype=np.uint8)
            canvas[:height, :width] = still
            grid = canvas.reshape(rows, TILE, cols, TILE, 3).swapaxes(1, 2)  # a view
            where = np.flatnonzero(_mask(tiles, rows * cols))
            grid[where // cols, where % cols] = sheet[used : used + len(where)]
            used += len(where)
            out = io.BytesIO()
            Image.fromarray(canvas[:height, :width]).save(out, format="PNG", optimize=True)
            pngs.append(out.getvalue())
        pictures.append(pngs)
    return pictures


def _draw_all(box: Any, n: int) -> tuple[list[dict[str, Any]], list[bytes]]:
    """Render every stop of every control (the others at their values) with its alt text."""
    from bpkit.widgets._access import alt_text

    title, stored = _title(box), box.values()
    controls, pngs = [], []
    for key, control in box.controls.items():
        values, labels = stops(control, n)
        start = next((i for i, v in enumerate(values) if v == stored[key]), None)
        if start is None:  # the stored value between two stops: the closest one stands for it
            start = int(np.argmin([abs(float(v) - float(stored[key])) for v in values]))
        alts = []
        for value, label in zip(values, labels, strict=True):
            pngs.append(bytes(box.render(**{key: value})))
            shown = {**box.controls, key: _stand_in(control, value, label)}
            alts.append(alt_text(title, shown, box.renderer.description))
        label = str(getattr(control, "description", "") or key)
        menu = type(control).__name__ == "Dropdown"
        controls.append(
            {"name": key, "label": label, "labels": labels, "start": start, "menu": menu,
             "alts": alts}
        )  # fmt: skip
    return controls, pngs


def stored_frames(box: Any, data: dict[str, Any]) -> dict[str, Any] | None:
    """Return the display-data part that holds ``box``'s frames, or None if it stores none.

    ``data`` is the rest of the output (its ``image/png`` is the stored picture). None if
    the explorer is rebuilt by the site (see :func:`wanted`), or its frames do not fit in
    MAX_FRAMES pictures and the output in OUTPUT_BUDGET characters, even at the fewest stops.
    """
    if not wanted(box) or not all(steppable(c) for c in box.controls.values()):
        return None
    budget = OUTPUT_BUDGET - len(json.dumps(data))
    still_png = base64.b64decode(data["image/png"])
    said = box.renderer.description  # drawing the frames must not change the stored alt text
    most = MAX_FRAMES  # pictures that may fit; a try over the budget lowers it
    try:
        for n in NUMERIC_STOPS:
            count = sum(len(stops(control, n)[0]) for control in box.controls.values())
            if count > most:
                continue
            controls, pngs = _draw_all(box, n)
            sheet, tiles = pack(still_png, pngs)
            for control in controls:
                mine = len(control["labels"])
                control["tiles"], tiles = tiles[:mine], tiles[mine:]
            part = {"title": _title(box) or "", "tile": TILE, "sheet": sheet, "controls": controls}
            size = len(json.dumps(part))
            if size <= budget:
                return part
            most = min(most, count * budget // size)  # pictures cost about the same each
        return None
    finally:
        box.renderer.description = said
