"""The course's explorers work in a real browser: JupyterLab in headless Chromium.

One JupyterLab server serves the whole module: loopback only, a token, a free port, its
own temporary config/data/runtime folders, and a root folder holding *copies* of the
lessons (so the stored outputs in ``lessons/`` are never touched). Each test opens one
lesson, runs every cell from the Run menu, presses a key on an explorer's slider and
checks that the picture the kernel drew changed.

Needs Debian's Chromium at /usr/bin/chromium (``sudo apt-get install chromium``); without
it the tests skip, unless ``CI`` is set, where they fail. On a failure a screenshot is
saved under ``tests/.artifacts/`` (its path is printed). Set ``BPKIT_SCREENSHOTS=DIR`` to
also keep a screenshot of every lesson after its slider moved.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
ARTIFACTS = REPO / "tests" / ".artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # the sandbox needs user namespaces, often missing in containers and CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-proxy-server",  # the server is on loopback; never route it through an env proxy
    # Without these Chromium phones home, and on a closed network that stalls it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The lessons whose explorers are driven here, each one that exists and makes an explorer.
BROWSER_LESSONS = ["01_derivatives", "05_backpropagation", "07_training", "08_bptt", "09_gated_rnn"]
# A cell that calls one of bpkit's explorers (tangent_explorer(...), backprop_stepper(...)).
EXPLORER_CALL = re.compile(r"(explorer|stepper)\s*\(")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
INSTALL_HINT = (
    "the browser test needs Debian's Chromium at /usr/bin/chromium and Playwright for Python: "
    "install them with `sudo apt-get install chromium` (as root: `apt-get install chromium`) "
    'and `pip install -e ".[test]"` (never `playwright install`: the test uses Debian\'s browser)'
)
SECOND = 1000  # Playwright counts in milliseconds


def makes_explorer(notebook: Path) -> bool:
    """Return True if ``notebook`` shows an explorer.

    An explorer's stored output holds a widget view *and* its PNG fallback, which plain
    widgets do not; a notebook stored without outputs is judged by its code instead.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    code = [cell for cell in cells if cell.get("cell_type") == "code"]
    for cell in code:
        for output in cell.get("outputs", []):
            if {WIDGET_VIEW, "image/png"} <= set(output.get("data", {})):
                return True
    return any(EXPLORER_CALL.search("".join(cell.get("source", ""))) for cell in code)


def browser_lessons() -> list[str]:
    """Return the file names of the lessons to drive (existing, with an explorer)."""
    paths = [LESSONS / f"{stem}.ipynb" for stem in BROWSER_LESSONS]
    return [path.name for path in paths if path.is_file() and makes_explorer(path)]


# Until the lessons exist, a two-cell notebook checks the explorer pattern itself.
SMOKE = "explorer_smoke.ipynb"
SMOKE_CELLS = [
    "%matplotlib inline\nimport ipywidgets as widgets\nimport numpy as np\n"
    "from bpkit.widgets import explorer",
    "def draw(fig, a=1.0):\n"
    "    ax = fig.add_subplot()\n"
    "    x = np.linspace(-2, 2, 50)\n"
    "    ax.plot(x, a * x**2)\n"
    '    ax.set(title=f"a = {a:.2f}", xlabel="x", ylabel="a x²")\n\n\n'
    'explorer(draw, {"a": widgets.FloatSlider(value=1.0, min=-2, max=2, step=0.1)})',
]
NOTEBOOKS = browser_lessons() or [SMOKE]


def write_smoke_notebook(path: Path) -> None:
    """Write the stand-in notebook that builds one explorer with one slider."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in SMOKE_CELLS]
    nbformat.write(notebook, path)


def require(what: str) -> None:
    """Skip with the install hint, or fail when ``CI`` is set (CI must run this test)."""
    message = f"{what}: {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}. CI is set, so this fails instead of skipping.")
    pytest.skip(message)


# --- the JupyterLab server ------------------------------------------------------------


def free_port() -> int:
    """Return a port free on loopback right now (JupyterLab moves on if it is taken later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:
    """In the server's process: get SIGTERM if pytest dies, even by SIGKILL (Linux)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class LabServer:
    """A JupyterLab subprocess on loopback with its own Jupyter folders under ``home``."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root, self.home = root, home
        self.token = secrets.token_hex(16)
        self.url = ""
        self.log_path = home / "jupyterlab.log"
        self.process: subprocess.Popen[bytes] | None = None
        # Ignore http_proxy and friends: the server is on loopback.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def environment(self) -> dict[str, str]:
        """Return the server's environment: private Jupyter folders, this checkout's bpkit."""
        from bpkit.lab import environment  # the settings `bpkit lab` gives JupyterLab

        env = environment()
        for variable, folder in {
            "JUPYTER_CONFIG_DIR": "config",
            "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "config/lab/user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": "config/lab/workspaces",
            "IPYTHONDIR": "ipython",
        }.items():
            (self.home / folder).mkdir(parents=True, exist_ok=True)
            env[variable] = str(self.home / folder)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        return env

    def start(self, timeout: float = 60.0) -> None:
        """Start JupyterLab and wait until its REST API answers."""
        env = self.environment()
        # The "Jupyter news" pop-up would sit on top of the notebook.
        labconfig = Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        disabled = {"@jupyterlab/apputils-extension:announcements": True}
        (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}))
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={free_port()}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={self.root}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env=env,
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=os.name == "posix",
                preexec_fn=die_with_parent if sys.platform.startswith("linux") else None,
            )
        self._wait_until_ready(Path(env["JUPYTER_RUNTIME_DIR"]), timeout)

    def _wait_until_ready(self, runtime: Path, timeout: float) -> None:
        assert self.process is not None
        # The server writes its real address (port included) to jpserver-<pid>.json.
        info = runtime / f"jpserver-{self.process.pid}.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError, ValueError):
                self.url = json.loads(info.read_text())["url"].rstrip("/") + "/"
                self.api("GET", "api/status")
                return
            time.sleep(0.2)
        pytest.fail(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log()}")

    def api(self, method: str, path: str) -> Any:
        """Call the server's REST API with the token; return the decoded JSON (or None)."""
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with self._opener.open(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel, so the next lesson has the CPU to itself."""
        with contextlib.suppress(OSError):
            for session in self.api("GET", "api/sessions"):
                self.api("DELETE", f"api/sessions/{session['id']}")

    def stop(self) -> None:
        """Shut the server down (kernels first); escalate to signals if it hangs."""
        if self.process is None:
            return
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.api("POST", "api/shutdown")
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    with contextlib.suppress(ProcessLookupError):
                        if os.name == "posix":
                            os.killpg(self.process.pid, sig)
                        else:
                            self.process.kill()
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self.process.wait(timeout=5)
                        break

    def log(self, lines: int = 40) -> str:
        """Return the last lines the server printed."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """One JupyterLab for the module, serving copies of the lessons under lessons/."""
    pytest.importorskip("jupyterlab")
    base = tmp_path_factory.mktemp("browser")
    root, home = base / "root", base / "home"
    home.mkdir()
    # The whole folder, in case a lesson reads a file next to it.
    ignore = shutil.ignore_patterns(".ipynb_checkpoints")
    if LESSONS.is_dir():
        shutil.copytree(LESSONS, root / "lessons", ignore=ignore)
    (root / "lessons").mkdir(parents=True, exist_ok=True)
    if SMOKE in NOTEBOOKS:
        write_smoke_notebook(root / "lessons" / SMOKE)
    server = LabServer(root, home)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def chromium(args: list[str] = CHROMIUM_ARGS) -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser), then closed.

    Shared by the browser tests (JupyterLab here and in test_browser_lab, the site in
    test_site); fails in CI and skips elsewhere when Chromium or Playwright is missing.
    """
    if not CHROMIUM.exists():
        require("no Chromium at /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=args, headless=True, timeout=60 * SECOND
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A browser context in headless Debian Chromium, driven by Playwright, for the module.

    One context for all lessons keeps JupyterLab's scripts in its cache between them.
    """
    with chromium() as launched:
        yield launched.new_context(viewport={"width": 1280, "height": 900})


# --- driving JupyterLab ---------------------------------------------------------------

# Kernel state and cell prompts of the open notebook: "[*]:" queued/running, "[3]:" done.
RUN_STATE_JS = r"""() => {
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent.trim());
  return {status: indicator ? indicator.dataset.status : null,
          pending: prompts.filter(t => t.includes('*')).length,
          done: prompts.filter(t => /\d/.test(t)).length,
          total: prompts.length};
}"""

# The bytes an <img> shows: ipywidgets 8 hands its PNG to the <img> as a blob: URL.
IMAGE_BYTES_JS = """async (img) => {
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}"""


def wait_for(page: Any, condition: Callable[[], Any], timeout: float, failure: str | None) -> Any:
    """Poll ``condition`` until it is truthy and return it; fail with ``failure`` on timeout.

    With ``failure=None`` a timeout returns the last (falsy) value instead of failing.
    Waiting through ``page.wait_for_timeout`` lets Playwright handle page events meanwhile.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            if failure is None:
                return value
            pytest.fail(f"{failure} (waited {timeout:.0f} s)")
        page.wait_for_timeout(250)


def run_state(page: Any) -> dict[str, Any]:
    return page.evaluate(RUN_STATE_JS)


def click_menu(page: Any, menu: str, item: str) -> None:
    """Click ``menu`` in JupyterLab's menu bar, then its entry ``item``."""
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def accept_dialog(page: Any) -> None:
    """Accept a dialog JupyterLab shows (such as "Select Kernel"), saying so in the log."""
    dialog = page.locator(".jp-Dialog")
    if dialog.count() and dialog.first.is_visible():
        print(f"accepting a JupyterLab dialog: {dialog.first.inner_text()!r}")
        dialog.first.locator(".jp-mod-accept").first.click()


def kernel_idle(lab: LabServer, path: str) -> bool:
    """Return True if the server has an idle kernel for the notebook at ``path``."""
    with contextlib.suppress(OSError):
        for session in lab.api("GET", "api/sessions"):
            kernel = session.get("kernel") or {}
            if session.get("path") == path and kernel.get("execution_state") == "idle":
                return True
    return False


def open_notebook(page: Any, lab: LabServer, name: str) -> None:
    """Open ``lessons/name`` in a fresh workspace and wait until its kernel is idle.

    The page's kernel indicator reads "idle" for a moment before any kernel exists, so
    the server must also report an idle kernel for this notebook, twice in a row.
    """
    workspace = re.sub(r"\W", "-", name)  # one workspace per lesson: no tabs carried over
    page.goto(f"{lab.url}lab/workspaces/{workspace}/tree/lessons/{name}?token={lab.token}")
    seen: list[bool] = []

    def ready_twice() -> bool:
        accept_dialog(page)
        seen.append(run_state(page)["status"] == "idle" and kernel_idle(lab, f"lessons/{name}"))
        return seen[-2:] == [True, True]

    wait_for(page, ready_twice, 90, f"the kernel of lessons/{name} never became idle")


def run_all_cells(page: Any) -> None:
    """Clear the stored outputs, then Run → Run All Cells, and wait until every cell ran.

    While cells remain, the queued ones show "[*]"; so the run is over when the kernel is
    idle and no prompt has a star. A cell that raises makes JupyterLab drop the rest.
    """
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    wait_for(page, lambda: run_state(page)["done"] == 0, 10, "the outputs were not cleared")
    click_menu(page, "Run", "Run All Cells")

    def finished() -> dict[str, Any] | None:
        accept_dialog(page)
        state = run_state(page)
        over = state["status"] == "idle" and state["pending"] == 0 and state["done"] > 0
        return state if over else None

    state = wait_for(page, finished, 150, "Run All did not finish")
    if state["done"] < state["total"]:
        pytest.fail(
            f"Run All stopped after {state['done']} of {state['total']} code cells; "
            "error output:\n" + stderr_outputs(page)
        )


def stderr_outputs(page: Any) -> str:
    """Return the text of the error and stderr outputs in the notebook (for messages)."""
    texts = page.locator(".jp-OutputArea-output[data-mime-type*='stderr']").all_inner_texts()
    return "\n---\n".join(text[-1500:] for text in texts) or "(none)"


def image_bytes(image: Any) -> bytes:
    """Return the bytes the <img> element shows."""
    return base64.b64decode(image.evaluate(IMAGE_BYTES_JS))


def press_slider(handle: Any) -> str:
    """Press PageUp (PageDown at the top) on a slider handle; return the key pressed.

    One key press is one value change, so exactly one redraw follows (a mouse drag
    would send a burst of them).
    """
    now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
    at_top = now is not None and top is not None and float(now) >= float(top)
    key = "PageDown" if at_top else "PageUp"
    handle.focus()
    handle.press(key)
    return key


def save_screenshot(page: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    return path


# --- the test ---------------------------------------------------------------------------


# The PNG's own size and the size the page gives the <img>, in CSS pixels.
IMAGE_SIZES_JS = """img => ({natural: [img.naturalWidth, img.naturalHeight],
                             shown: [img.clientWidth, img.clientHeight]})"""


def check_not_stretched(image: Any) -> None:
    """The plot keeps its proportions and is never blown up past its own width."""
    wait_for(image.page, lambda: image.evaluate("img => img.complete && img.naturalWidth > 0"),
             10, "the explorer's image never loaded")  # fmt: skip
    sizes = image.evaluate(IMAGE_SIZES_JS)
    (width, height), (shown_width, shown_height) = sizes["natural"], sizes["shown"]
    assert shown_width <= width + 1, f"the {width} px wide plot is blown up to {shown_width} px"
    ratio, shown_ratio = width / height, shown_width / max(shown_height, 1)
    assert abs(shown_ratio / ratio - 1) < 0.02, (
        f"the plot is stretched: {width}×{height} px shown as {shown_width}×{shown_height}"
    )


def check_explorer_redraws(page: Any) -> None:
    """Find the first explorer with a slider, move it, and assert its picture changed."""
    explorers = page.locator(".bpkit-explorer").filter(
        has=page.locator(".widget-slider .noUi-handle")
    )
    if not wait_for(page, explorers.count, 30, None):
        pytest.fail(
            "no explorer with a slider (.bpkit-explorer) appeared; error output:\n"
            + stderr_outputs(page)
        )
    explorer = explorers.first
    explorer.scroll_into_view_if_needed()
    image = explorer.locator("img.widget-image").first
    readout = explorer.locator(".widget-slider .widget-readout").first
    src, value, before = image.get_attribute("src"), readout.inner_text(), image_bytes(image)
    assert before.startswith(b"\x89PNG"), f"the explorer shows no PNG: {before[:16]!r}"
    check_not_stretched(image)

    key = press_slider(explorer.locator(".widget-slider .noUi-handle").first)
    wait_for(page, lambda: readout.inner_text() != value, 10, f"{key} did not move the slider")
    moved = f"slider moved {value} → {readout.inner_text()}"
    wait_for(page, lambda: image.get_attribute("src") != src, 30, f"{moved}, image not redrawn")
    # Let any further redraw land before reading the bytes (a replaced blob URL is revoked).
    last = [None]

    def settled() -> bool:
        now = image.get_attribute("src")
        steady = now == last[0] and run_state(page)["status"] == "idle"
        last[0] = now
        return steady

    wait_for(page, settled, 30, f"{moved}, but the image kept changing")
    after = image_bytes(image)
    assert after.startswith(b"\x89PNG"), f"{moved}, then the explorer showed no PNG"
    assert after != before, f"{moved}, but the kernel sent the same picture"


def test_jupyterlab_saves_widget_state_with_the_notebook(lab: LabServer) -> None:
    """`bpkit lab`'s settings turn on widget state saving (off in JupyterLab by default), so a
    lesson saved after its explorers ran shows them when reopened instead of "model not found"."""
    settings = lab.api("GET", "lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin")
    assert settings["schema"]["properties"]["saveState"]["default"] is True
    assert "saveState" not in settings["settings"]  # no user setting here: the default holds


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_moving_a_slider_redraws_the_explorer(browser: Any, lab: LabServer, name: str) -> None:
    """After Run All, moving an explorer's slider makes the kernel send a different picture."""
    page = browser.new_page()
    page.set_default_timeout(30 * SECOND)
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    try:
        open_notebook(page, lab, name)
        run_all_cells(page)
        check_explorer_redraws(page)
        if os.environ.get("BPKIT_SCREENSHOTS"):
            page.locator(".bpkit-explorer").first.evaluate("e => e.scrollIntoView()")
            shot = Path(os.environ["BPKIT_SCREENSHOTS"]) / f"{Path(name).stem}.png"
            print(f"screenshot: {save_screenshot(page, shot)}")
    except BaseException:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        shot = ARTIFACTS / f"browser-{Path(name).stem}-{worker}.png"
        with contextlib.suppress(Exception):
            print(f"browser test failed on {name}; screenshot: {save_screenshot(page, shot)}")
        if page_errors:
            print("errors in the page:\n" + "\n".join(page_errors))
        print(f"JupyterLab log (last lines):\n{lab.log()}")
        raise
    finally:
        page.close()
        lab.shutdown_kernels()
