"""``bpkit site --out DIR`` builds the course's website, and the site works in a browser.

The whole site is built once for the module, through the command itself, from the stored
lessons. The browser tests serve it on loopback and load every page in Debian's Chromium
with every request to another host aborted (counted: there must be none), check that
math is typeset and the explorers are drawn, and run axe-core on each page (no critical
or serious violation). The site needs its extra (``pip install -e ".[site]"``), npm and
Chromium; without them these tests skip, unless ``CI`` is set, where they fail. axe's
results per page are written to ``tests/.artifacts/site-axe.json``; set
``BPKIT_SCREENSHOTS=DIR`` to keep a screenshot of every page.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from test_browser import IMAGE_BYTES_JS, chromium

from bpkit import cli
from bpkit.site import assets, build

# Like tests/test_browser.py: CI's main run runs them; its version legs (-m "not browser")
# do not build the site once per leg.
pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / ".artifacts"
GITHUB = "example/bpkit"  # the repository the Binder links name in these builds
SECOND = 1000  # Playwright counts in milliseconds
PNG = (  # a 1×1 white PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC"
)


def require(what: str) -> None:
    """Skip saying what is missing, or fail when ``CI`` is set (CI must run these tests)."""
    message = f"{what}; install the site's tools: {build.INSTALL_HINT}, npm (apt-get install npm)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}. CI is set, so this fails instead of skipping.")
    pytest.skip(message)


def build_or_skip(out: Path, root: Path, repo: str | None = GITHUB) -> dict:
    """Build a site, skipping (or failing in CI) when Sphinx or npm is missing."""
    try:
        return build.build(out, root, repo)
    except (build.SiteError, assets.AssetError) as error:
        require(str(error))
        raise  # not reached


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course's site, built once by ``bpkit site --out DIR``."""
    out = tmp_path_factory.mktemp("site") / "html"
    try:
        import sphinx  # noqa: F401
    except ImportError:
        require("Sphinx is not installed")
    if shutil.which("npm") is None and not any(assets.cache_dir().glob("site-npm-*/.bpkit-*")):
        require("npm is not on PATH")
    code = cli.main(["site", "--out", str(out), "--repo", GITHUB])
    assert code == 0, "bpkit site failed: see its message above"
    return out


def lessons() -> list[Path]:
    return sorted((REPO / "lessons").glob("[0-9][0-9]_*.ipynb"))


# --- the build ------------------------------------------------------------------------


def test_every_lesson_has_a_page_in_the_table_of_contents(site: Path):
    """Each stored lesson is a page, listed on the home page and in the sidebar."""
    index = (site / "index.html").read_text(encoding="utf-8")
    for lesson in lessons():
        page = site / "lessons" / f"{lesson.stem}.html"
        assert page.is_file(), f"no page for {lesson.name}"
        assert f'href="lessons/{lesson.stem}.html"' in index
        assert build.lesson_title(lesson) in page.read_text(encoding="utf-8")


def test_each_page_links_its_notebook_exercise_and_binder(site: Path):
    """Under its title, a lesson page links its notebook, its exercise and their Binder launches."""
    for lesson in lessons():
        page = (site / "lessons" / f"{lesson.stem}.html").read_text(encoding="utf-8")
        assert f'href="../notebooks/{lesson.name}" download' in page
        assert (site / "notebooks" / lesson.name).read_bytes() == lesson.read_bytes()
        binder = f"https://mybinder.org/v2/gh/{GITHUB}/main?urlpath=lab/tree/lessons/{lesson.name}"
        assert f'href="{binder}"' in page
        exercise = REPO / "exercises" / lesson.stem / lesson.name
        if exercise.is_file():
            assert f'href="../exercises/{lesson.name}" download' in page
            assert (site / "exercises" / lesson.name).read_bytes() == exercise.read_bytes()
            where = f"exercises/{lesson.stem}/{lesson.name}"
            assert f"urlpath=lab/tree/{where}" in page


def test_pages_use_no_other_host_for_scripts_styles_or_fonts(site: Path):
    """No page's HTML loads a script, style sheet or font from another host."""
    loads = re.compile(r"<(?:script|link)[^>]+(?:src|href)=\"(https?:)?//", re.I)
    for page in site.rglob("*.html"):
        found = loads.search(page.read_text(encoding="utf-8"))
        assert found is None, f"{page.relative_to(site)} loads {found.group(0)}"


def pictures(notebook: Path) -> list[dict]:
    """Return the metadata of every stored picture of ``notebook`` that is not an explorer's."""
    found = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data and build.WIDGET_VIEW not in data:
                found.append(output.get("metadata", {}).get("image/png", {}))
    return found


def test_outputs_are_the_stored_ones_and_math_is_left_to_mathjax(site: Path):
    """Each lesson page shows its stored pictures and keeps its TeX for the served MathJax."""
    for lesson in lessons():
        page = (site / "lessons" / f"{lesson.stem}.html").read_text(encoding="utf-8")
        images = re.findall(r'<img [^>]*src="\.\./_images/', page)
        assert len(images) == len(pictures(lesson)), lesson.name
        assert "_static/vendor/mathjax/tex-chtml.js" in page
        assert r"\(" in page


def test_every_picture_has_the_alt_text_its_drawing_wrote(site: Path):
    """No lesson picture is left with a file name for alt text (docutils' fallback): each
    has the description bpkit.plot wrote into its output's metadata when the lesson ran."""
    for lesson in lessons():
        page = (site / "lessons" / f"{lesson.stem}.html").read_text(encoding="utf-8")
        alts = re.findall(r'<img alt="([^"]*)" src="\.\./_images/', page)
        bare = [alt for alt in alts if alt.endswith(".png")]
        assert not bare, f"{lesson.name}: {len(bare)} of {len(alts)} pictures have no alt text"


def test_image_alt_text_comes_from_the_output_metadata(tmp_path: Path):
    """An output's metadata image/png.alt becomes the picture's alt; an explorer's rides along."""
    root = tmp_path / "course"
    (root / "lessons").mkdir(parents=True)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell("draw()")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": PNG, "text/plain": "<Figure>"},
            metadata={"image/png": {"alt": "Loss against step: it falls."}},
        ),
        nbformat.v4.new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {
                    "model_id": "abc",
                    "version_major": 2,
                    "version_minor": 0,
                },
                "image/png": PNG,
            },
            metadata={"image/png": {"alt": "The explorer's frame."}},
        ),
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell("# A lesson\n\n$x^2$"), cell]
    nbformat.write(notebook, root / "lessons" / "00_one.ipynb")
    summary = build_or_skip(tmp_path / "html", root, repo=None)
    assert summary["warnings"] == []
    page = (tmp_path / "html" / "lessons" / "00_one.html").read_text(encoding="utf-8")
    assert 'alt="Loss against step: it falls."' in page
    assert 'data-alt="The explorer&#x27;s frame."' in page
    assert "mybinder" not in page  # no repository known: no Binder link


def test_a_folder_that_is_not_a_site_is_never_replaced(tmp_path: Path):
    """--out on a folder with other files in it is refused, its files left alone."""
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(build.SiteError, match="not a site bpkit site built"):
        build.clear(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    build.clear(empty)  # an empty folder, or one holding a site built before, is fine
    assert not empty.exists()


def test_binder_repository_comes_from_a_github_remote(tmp_path: Path):
    """Without --repo, the Binder links name the clone's GitHub origin, if it has one."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert build.github_repo(tmp_path) is None
    url = "git@github.com:someone/bpkit-course.git"
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", url], check=True)
    assert build.github_repo(tmp_path) == "someone/bpkit-course"


# --- in the browser -------------------------------------------------------------------


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on loopback; yields its address."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The built site served on loopback; yields its address."""
    with serve(site) as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, driven by Playwright (never a downloaded browser)."""
    with chromium() as launched:
        yield launched


# Done when MathJax has typeset the page and every explorer got its alt text (site.js).
READY_JS = """() => {
  const math = !window.MathJax || (window.MathJax.startup && window.MathJax.startup.promise
    && document.querySelectorAll('mjx-container').length > 0);
  const markers = document.querySelectorAll('.bpkit-widget-alt');
  const done = document.querySelectorAll('.bpkit-widget-alt[data-done]');
  return Boolean(math) && markers.length === done.length;
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({rule: v.id, impact: v.impact, nodes: v.nodes.length,
                                      where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def site_pages(site: Path) -> list[str]:
    """Return every HTML page of the site, as paths relative to its root."""
    pages = [page.relative_to(site).as_posix() for page in site.rglob("*.html")]
    return sorted(page for page in pages if not page.startswith("_"))  # _static: theme parts


def test_every_page_loads_offline_with_math_widgets_and_no_serious_axe_violation(
    site: Path, served: str, browser: Any
):
    """Every page: 0 requests to other hosts, no missing file, math typeset, explorers drawn,
    and axe-core finds no critical or serious violation."""
    axe = assets.axe_script().read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    external: list[str] = []
    missing: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith((served, "data:", "blob:")):
            request_route.continue_()
        else:
            external.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    results: dict[str, list] = {}
    shots = os.environ.get("BPKIT_SCREENSHOTS")
    for name in site_pages(site):
        page.goto(served + name, wait_until="load")
        page.wait_for_function(READY_JS, timeout=60 * SECOND)
        html = (site / name).read_text(encoding="utf-8")
        if "tex-chtml.js" in html:
            assert page.locator("mjx-container").count() > 0, f"{name}: no math typeset"
            assert page.locator("mjx-merror").count() == 0, f"{name}: MathJax reported an error"
        explorers = html.count('class="bpkit-widget-alt"')
        if explorers:
            images = page.locator(".widget-subarea img")
            assert images.count() >= explorers, f"{name}: an explorer was not drawn"
            assert all(images.nth(i).get_attribute("alt") for i in range(images.count()))
            width = images.first.evaluate("img => img.naturalWidth")
            assert width > 100, f"{name}: the explorer's picture did not load"
        page.add_script_tag(content=axe)
        results[name] = page.evaluate(AXE_JS)
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(shots) / (name.replace("/", "_") + ".png")))
    context.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "site-axe.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    assert external == [], f"{len(external)} requests to other hosts: {sorted(set(external))}"
    assert missing == [], f"files missing from the site: {missing}"
    serious = {
        name: [v for v in found if v["impact"] in ("critical", "serious")]
        for name, found in results.items()
    }
    assert all(not found for found in serious.values()), json.dumps(serious, indent=1)
    assert len(results) == len(lessons()) + 3  # the lessons, home, index and search pages


def test_dragging_a_slider_on_the_static_page_changes_the_picture(
    site: Path, served: str, browser: Any
):
    """Lesson 01's tangent explorer, without a kernel: dragging h to its left end shows the
    picture drawn for that stop, with its own alt text, and the page says Jupyter has the rest."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(served + "lessons/01_derivatives.html", wait_until="load")
    figure = page.locator("figure.bpkit-frames").first
    figure.scroll_into_view_if_needed()
    assert "needs Jupyter" in figure.locator("figcaption").inner_text()
    image = figure.locator("img")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    before = (
        image.get_attribute("src"),
        image.get_attribute("alt"),
        image.evaluate(IMAGE_BYTES_JS),
    )
    slider = figure.get_by_label("h", exact=True)
    box = slider.bounding_box()
    middle = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.6, middle)
    page.mouse.down()
    page.mouse.move(box["x"] + 1, middle, steps=8)
    page.mouse.up()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    after = (image.get_attribute("src"), image.get_attribute("alt"), image.evaluate(IMAGE_BYTES_JS))
    shots = os.environ.get("BPKIT_SCREENSHOTS")
    if shots:
        figure.screenshot(path=str(Path(shots) / "explorer_after_drag.png"))
    page.close()
    assert after[0] != before[0], "the picture's address did not change"
    assert after[2] != before[2], "the picture did not change"
    assert "h = 0.001" in after[1], after[1]
    assert after[1] != before[1]


def test_choosing_from_a_static_menu_changes_the_picture(site: Path, served: str, browser: Any):
    """A dropdown of an explorer (lesson 04's activation) is a menu on the page that swaps
    the picture too."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(served + "lessons/04_feedforward.html", wait_until="load")
    figure = page.locator("figure.bpkit-frames").first
    menu = figure.locator("select").first
    image = figure.locator("img")
    before = image.get_attribute("src")
    choices = menu.locator("option").all_inner_texts()
    other = next(i for i, text in enumerate(choices) if i != int(menu.input_value()))
    menu.select_option(str(other))
    after = image.get_attribute("src")
    alt = image.get_attribute("alt")
    page.close()
    assert after != before
    assert alt, "the new picture has no alt text"


@pytest.fixture(scope="module")
def stepper_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of lesson 02 whose stepper output holds its frames, as this library stores them.

    The lesson's stored output is used if it has them; otherwise (a library newer than the
    stored lessons) the stepper's cell is run here, in the test, never by the build."""
    from bpkit.widgets._frames import FRAMES

    root = tmp_path_factory.mktemp("course")
    (root / "lessons").mkdir()
    lesson = REPO / "lessons" / "02_chain_rule.ipynb"
    notebook = nbformat.read(lesson, as_version=4)
    for cell in notebook.cells:
        outputs = [o for o in cell.get("outputs", []) if build.WIDGET_VIEW in o.get("data", {})]
        if "backward_stepper" in cell.source and outputs and FRAMES not in outputs[-1].data:
            names: dict[str, Any] = {}
            imports = "import bpkit\nfrom bpkit.scalar import Value\n"
            exec(imports + "from bpkit.plot.graph import backward_steps", names)
            exec(cell.source.rstrip().rsplit("\n", 1)[0], names)  # all but its last line, `stepper`
            data, metadata = names["stepper"]._repr_mimebundle_()
            outputs[-1].data, outputs[-1].metadata = data, metadata
    nbformat.write(notebook, root / "lessons" / lesson.name)
    out = tmp_path_factory.mktemp("stepper-site") / "html"
    build_or_skip(out, root)
    return out


def test_stepping_a_lesson_02_stepper_on_the_static_page_changes_picture_and_alt(
    stepper_site: Path, browser: Any
):
    """Lesson 02's backward stepper, whose graph the site cannot rebuild, moves on the static
    page from the pictures it stored: a step forward and a jump to step 0 each show another
    picture with its own alt text; axe finds no critical or serious violation on the page."""
    with serve(stepper_site) as address:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(address + "lessons/02_chain_rule.html")
        figure = page.locator("figure.bpkit-frames", has_text="backward()").first
        figure.scroll_into_view_if_needed()
        assert "needs Jupyter" in figure.locator("figcaption").inner_text()
        image, slider = figure.locator("img"), figure.get_by_label("step", exact=True)
        loaded = "img => img.complete && img.naturalWidth > 0"

        def shown() -> tuple[str, str, str]:
            page.wait_for_function(loaded, arg=image.element_handle())
            src, alt = image.get_attribute("src"), image.get_attribute("alt")
            return src, alt, image.evaluate(IMAGE_BYTES_JS)

        start = int(slider.input_value())
        states = [shown()]
        slider.focus()
        page.keyboard.press("ArrowRight")
        states.append(shown())
        page.keyboard.press("Home")
        states.append(shown())
        page.add_script_tag(content=assets.axe_script().read_text(encoding="utf-8"))
        violations = page.evaluate(AXE_JS)
        page.close()
    serious = [v for v in violations if v["impact"] in ("critical", "serious")]
    assert not serious, json.dumps(serious, indent=1)
    assert f"step = {start}." in states[0][1]
    assert f"step = {start + 1}." in states[1][1]
    assert "step = 0." in states[2][1]
    assert len({state[0] for state in states}) == 3, "the picture's address did not change"
    assert len({state[2] for state in states}) == 3, "the picture did not change"
