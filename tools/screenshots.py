"""Screenshots of one explorer in a real JupyterLab: 900 px, 1280 px, and 1280 px on a 2× screen.

Starts JupyterLab on loopback (as the browser tests do, with the settings `bpkit lab`
gives it) on a copy of lessons/, opens the lesson in headless Debian Chromium
(/usr/bin/chromium, through Playwright; nothing is downloaded), runs its cells up to and
including the one that shows the explorer, and saves a PNG of the explorer element only
(its controls, picture and help line, with 4 px of the page around it) for each screen:

    python tools/screenshots.py              # lesson 02's backward stepper, 05's backprop stepper
    python tools/screenshots.py --lesson 04 --needle "neuron_explorer("
    python tools/screenshots.py --out docs/screenshots/before

The files are named after the lesson and the explorer: ``05_backprop_stepper-900.png``,
``-1280.png``, ``-1280@2x.png``. For each one it prints the file, the CSS width the page
gives the picture, and the PNG's own width (on a 2× screen a sharp picture has twice as
many pixels as CSS px), and the size of the smallest text in the picture in CSS px,
measured in the lesson's kernel for the state shown (as ``benchmarks/text_sizes.py`` does).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
OUT = REPO / "docs" / "screenshots"
# The default explorers: the lesson's number and text from the cell that shows it.
DEFAULTS = (("02", "backward_stepper("), ("05", "backprop_stepper("))
HEIGHT = 1200  # CSS px: tall enough that the whole explorer is on screen at once
MARGIN = 4  # CSS px of the page kept around the explorer


@dataclass(frozen=True)
class Screen:
    """A browser window: its width in CSS px and its device pixel ratio."""

    width: int
    ratio: int

    @property
    def suffix(self) -> str:
        return f"{self.width}@{self.ratio}x" if self.ratio != 1 else f"{self.width}"


SCREENS = (Screen(900, 1), Screen(1280, 1), Screen(1280, 2))


def explorer_name(needle: str) -> str:
    """The explorer's name in file names: the function the needle calls, else the needle."""
    called = re.findall(r"(\w+)\s*\(", needle)
    if called:
        return called[-1]
    return re.sub(r"\W+", "_", needle).strip("_") or "explorer"


def shot_path(out: Path, lesson: str, needle: str, screen: Screen) -> Path:
    """``out/NN_name-WIDTH[@2x].png`` for the lesson file stem ``lesson`` ("05_backpropagation")."""
    number = lesson.split("_", 1)[0]
    return out / f"{number}_{explorer_name(needle)}-{screen.suffix}.png"


def find_lesson(number: str, lessons: Path = LESSONS) -> Path:
    """The learner lesson ``lessons/NN_*.ipynb`` for ``number`` (5, 05 or 05_backpropagation)."""
    stem = number if "_" in number else f"{int(number):02d}_"
    matches = sorted(lessons.glob(f"{stem}*.ipynb"))
    if len(matches) != 1:
        found = ", ".join(path.name for path in matches) or "none"
        raise SystemExit(f"--lesson {number}: expected one lesson in {lessons}, found {found}")
    return matches[0]


def target_cell(lesson: Path, needle: str) -> tuple[int, int]:
    """The index of the first code cell holding ``needle``, and how many code cells run to it."""
    import nbformat

    notebook = nbformat.read(lesson, as_version=4)
    code = 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            code += 1
            if needle in cell.source:
                return index, code
    raise SystemExit(f"{lesson.name} has no code cell holding {needle!r}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lesson", help="the lesson's number, such as 04 (needs --needle)")
    parser.add_argument("--needle", help="text in the code cell that shows the explorer")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs (%(default)s)")
    parser.add_argument(
        "--max-kb", type=float, default=150, help="a larger shot gets a 256-colour palette"
    )
    args = parser.parse_args(argv)
    if (args.lesson is None) != (args.needle is None):
        parser.error("--lesson and --needle go together")
    return args


# The picture's own pixels, the CSS pixels it is shown at, the screen's pixel ratio, its source.
SIZES_JS = """img => ({natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
                       ratio: window.devicePixelRatio, src: img.src, complete: img.complete})"""


def run_up_to(page: Any, index: int, count: int) -> None:
    """Clear the outputs, run every cell above cell ``index``, then that cell; wait for all."""
    from test_browser import accept_dialog, click_menu, run_state, wait_for

    click_menu(page, "Edit", "Clear Outputs of All Cells")
    wait_for(page, lambda: run_state(page)["done"] == 0, 10, "the outputs were not cleared")
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputArea-prompt").click()  # selects the cell, in command mode
    if count > 1:
        click_menu(page, "Run", "Run All Above Selected Cell")
    for done in (count - 1, count):

        def ran(done: int = done) -> bool:
            accept_dialog(page)
            state = run_state(page)
            return state["status"] == "idle" and state["pending"] == 0 and state["done"] >= done

        wait_for(page, ran, 300, f"only {run_state(page)['done']} of {done} code cells ran")
        if done < count:
            cell.scroll_into_view_if_needed()
            cell.locator(".jp-InputArea-prompt").click()
            page.keyboard.press("Control+Enter")


def settled(page: Any, image: Any, timeout: float = 30, crisp_within: float = 8) -> dict[str, Any]:
    """Wait until no new picture came for a second, with the screen's pixels if it gets them.

    The page reports the explorer's width and the pixel ratio, and the kernel redraws for
    them; a picture that stays resampled (its PNG narrower or wider than the screen's
    pixels) is taken as it is after ``crisp_within`` seconds, and said so.
    """
    from test_browser import run_state, wait_for

    start = time.monotonic()

    def sizes_now() -> dict[str, Any]:
        return image.evaluate(SIZES_JS)

    def steady() -> dict[str, Any] | None:
        first = sizes_now()
        if not first["complete"] or run_state(page)["status"] != "idle":
            return None
        crisp = abs(first["natural"] - first["shown"] * first["ratio"]) <= 1
        if not crisp and time.monotonic() - start < crisp_within:
            return None
        page.wait_for_timeout(1000)
        again = sizes_now()
        return again if again["src"] == first["src"] and again["complete"] else None

    sizes = wait_for(page, steady, timeout, None) or sizes_now()
    if abs(sizes["natural"] - sizes["shown"] * sizes["ratio"]) > 1:
        print(
            f"  resampled: a {sizes['natural']}-px PNG shown on {sizes['shown']:.0f} CSS px"
            f" at pixel ratio {sizes['ratio']:g}"
        )
    return sizes


def fit_size(path: Path, limit_kb: float) -> str:
    """Keep the PNG under ``limit_kb``: above it, store it with a 256-colour palette.

    (Pillow, which matplotlib needs, does it; the change per pixel is printed.)
    """
    size = path.stat().st_size / 1000
    if size <= limit_kb:
        return f"{size:.0f} kB"
    import numpy as np
    from PIL import Image

    with Image.open(path) as shot:
        rgb = shot.convert("RGB")
    palette = rgb.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    change = np.abs(np.asarray(rgb, int) - np.asarray(palette.convert("RGB"), int))
    palette.save(path, optimize=True)
    return (
        f"{size:.0f} kB → {path.stat().st_size / 1000:.0f} kB as 256 colours"
        f" (mean change {change.mean():.2f}/255, largest {change.max()})"
    )


# Run in the lesson's kernel: the smallest text of the newest explorer's picture, in CSS px
# of the PNG as drawn (benchmarks/text_sizes.py lays the state out as the explorer does).
SMALLEST_TEXT = """
import json as _json, sys as _sys
_sys.path.insert(0, {benchmarks!r})
from ipywidgets.widgets import widget as _widget
from text_sizes import smallest as _smallest, state_figure as _state_figure
from bpkit.widgets._explorer import drawn_texts as _drawn_texts
_all = getattr(_widget, "_instances", None) or _widget.Widget.widgets  # ipywidgets 8.1, 8.0
_box = [w for w in list(_all.values()) if hasattr(w, "renderer") and hasattr(w, "screen")][-1]
_fig, _renderer = _state_figure(_box)
_px, _text = _smallest(_fig, _drawn_texts(_fig, _renderer), float(_box.screen.value.split()[1]))
print(_json.dumps({{"px": _px, "text": _text}}))
"""


def smallest_text(server: Any, lesson: Path) -> dict[str, Any] | None:
    """Ask the lesson's kernel for the smallest text of its newest explorer's picture.

    A second client on the kernel (through its connection file), so no cell is added to
    the notebook; None (and why) if it cannot be measured.
    """
    import json

    from jupyter_client import BlockingKernelClient

    try:
        sessions = server.api("GET", "api/sessions")
        kernel = next(s["kernel"]["id"] for s in sessions if s["path"] == f"lessons/{lesson.name}")
        client = BlockingKernelClient(
            connection_file=str(server.home / "runtime" / f"kernel-{kernel}.json")
        )
        client.load_connection_file()
        client.start_channels()
        try:
            printed: list[str] = []

            def keep(message: dict[str, Any]) -> None:
                content = message["content"]
                if message["msg_type"] == "stream" and content["name"] == "stdout":
                    printed.append(content["text"])
                elif message["msg_type"] == "error":
                    printed.append(f"{content['ename']}: {content['evalue']}")

            code = SMALLEST_TEXT.format(benchmarks=str(REPO / "benchmarks"))
            client.execute_interactive(code, store_history=False, timeout=60, output_hook=keep)
        finally:
            client.stop_channels()
        last = ("".join(printed).strip().splitlines() or [""])[-1]
        if not last.startswith("{"):
            raise ValueError(f"the kernel said {last[-300:]!r}")
        return json.loads(last)
    except Exception as error:  # optional: say why and go on
        print(f"  (no text size: {type(error).__name__}: {error})")
        return None


def shoot(
    browser: Any, server: Any, lesson: Path, needle: str, out: Path, limit_kb: float
) -> list[Path]:
    """Open ``lesson``, run it up to its explorer, and save the explorer at every screen."""
    from test_browser import SECOND, open_notebook, wait_for

    index, count = target_cell(lesson, needle)
    saved = []
    for ratio in sorted({screen.ratio for screen in SCREENS}):
        screens = [screen for screen in SCREENS if screen.ratio == ratio]
        context = browser.new_context(
            viewport={"width": screens[0].width, "height": HEIGHT}, device_scale_factor=ratio
        )
        page = context.new_page()
        page.set_default_timeout(30 * SECOND)
        try:
            open_notebook(page, server, lesson.name)
            run_up_to(page, index, count)
            output = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea")
            explorer = output.locator(".bpkit-explorer").first
            image = explorer.locator("img.widget-image").first
            wait_for(page, image.count, 60, f"no explorer in cell {index} of {lesson.name}")
            for screen in screens:
                page.set_viewport_size({"width": screen.width, "height": HEIGHT})
                sizes = settled(page, image)
                explorer.scroll_into_view_if_needed()
                path = shot_path(out, lesson.stem, needle, screen)
                path.parent.mkdir(parents=True, exist_ok=True)
                box = explorer.bounding_box()
                clip = {"x": max(box["x"] - MARGIN, 0), "y": max(box["y"] - MARGIN, 0)}
                clip["width"] = box["x"] + box["width"] + MARGIN - clip["x"]
                clip["height"] = box["y"] + box["height"] + MARGIN - clip["y"]
                page.screenshot(path=str(path), clip=clip, animations="disabled", caret="hide")
                saved.append(path)
                text = smallest_text(server, lesson)
                if text:  # shown at another width than drawn for: scaled with the picture
                    scale = sizes["shown"] * sizes["ratio"] / max(sizes["natural"], 1)
                    says = " ".join(text["text"].split())
                    says = says if len(says) <= 24 else says[:23] + "…"
                    words = f"; smallest text {text['px'] * scale:.1f} CSS px ({says!r})"
                else:
                    words = ""
                print(
                    f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: "
                    f"picture {sizes['shown']:.0f} CSS px wide, PNG {sizes['natural']} px "
                    f"(pixel ratio {sizes['ratio']:g}){words}; shot {fit_size(path, limit_kb)}"
                )
        finally:
            context.close()
            server.shutdown_kernels()
    return saved


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(REPO / "tests"))
    from test_browser import LabServer, chromium

    wanted = DEFAULTS if args.lesson is None else ((args.lesson, args.needle),)
    jobs = [(find_lesson(number), needle) for number, needle in wanted]
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    with tempfile.TemporaryDirectory(prefix="bpkit-screenshots-") as base:
        root, home = Path(base) / "root", Path(base) / "home"
        home.mkdir()
        shutil.copytree(LESSONS, root / "lessons", ignore=shutil.ignore_patterns(".ipynb_*"))
        server = LabServer(root, home)
        try:
            server.start()
            with chromium() as browser:
                for lesson, needle in jobs:
                    shoot(browser, server, lesson, needle, out, args.max_kb)
        except BaseException as error:  # pytest.fail/skip from the test helpers: say why
            if type(error).__module__.startswith("_pytest"):
                print(f"screenshots failed: {error}\nJupyterLab log:\n{server.log()}")
                return 1
            raise
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
