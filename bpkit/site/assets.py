"""The JavaScript the site serves itself, installed from the npm registry at build time.

A page of the site reads nothing from another host: MathJax, RequireJS and the widget
embedder (``@jupyter-widgets/html-manager``) are copied into the site's ``_static/vendor``
folder. They come from ``npm ci`` on the lock file shipped beside this module
(``npm/package-lock.json``), into a cache folder keyed by the lock's hash, so a second
build installs nothing. axe-core, the accessibility checker the tests run in the browser,
comes from the same install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

NPM_DIR = Path(__file__).resolve().parent / "npm"
DONE = ".bpkit-installed"  # written last: a cache without it is an interrupted install

# What each page may load, as (folder in node_modules, files or folders in it, where it goes
# under _static/vendor). MathJax loads its fonts, TeX extensions and accessibility parts
# (the speech rule engine included) from its own folder on demand, so those come along.
VENDOR = [
    ("requirejs", ["require.js"], "."),
    ("@jupyter-widgets/html-manager/dist", ["embed-amd.js", "*.woff2", "*.woff"], "."),
    (
        "mathjax/es5",
        ["tex-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors"],
        "mathjax",
    ),
]
MATHJAX = "vendor/mathjax/tex-chtml.js"  # relative to _static
REQUIRE = "vendor/require.js"
WIDGETS = "vendor/embed-amd.js"


class AssetError(Exception):
    """npm is missing or could not install the site's JavaScript."""


def cache_dir() -> Path:
    """Return the folder that keeps installed npm packages between builds."""
    if os.environ.get("BPKIT_CACHE"):
        return Path(os.environ["BPKIT_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bpkit"


def node_modules(cache: Path | None = None) -> Path:
    """Return an installed ``node_modules`` for the shipped lock, installing it if needed."""
    lock = (NPM_DIR / "package-lock.json").read_bytes()
    key = hashlib.sha256(lock + (NPM_DIR / "package.json").read_bytes()).hexdigest()[:16]
    root = (cache or cache_dir()) / f"site-npm-{key}"
    if (root / DONE).is_file():
        return root / "node_modules"
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "the site serves MathJax and the widget JavaScript itself, installed with npm "
            "at build time, and npm is not on PATH: install Node.js and npm "
            "(Debian: `sudo apt-get install npm`)"
        )
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix="site-npm-") as tmp:
        work = Path(tmp)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(NPM_DIR / name, work / name)
        # --ignore-scripts: the packages' install scripts only print notices.
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise AssetError(f"`npm ci` failed in {work}:\n{done.stderr.strip()}")
        (work / DONE).write_text("ok\n", encoding="utf-8")
        if root.exists():  # another build finished first
            shutil.rmtree(root)
        work.rename(root)
    return root / "node_modules"


def copy_vendor(modules: Path, static: Path) -> int:
    """Copy what the pages load into ``static/vendor``; return the bytes copied."""
    total = 0
    for folder, patterns, target in VENDOR:
        source, dest = modules / folder, static / "vendor" / target
        dest.mkdir(parents=True, exist_ok=True)
        for pattern in patterns:
            found = sorted(source.glob(pattern))
            if not found:
                raise AssetError(f"{source} has no {pattern}: is the npm install complete?")
            for path in found:
                if path.is_dir():
                    shutil.copytree(path, dest / path.name, dirs_exist_ok=True)
                    total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
                else:
                    shutil.copy2(path, dest / path.name)
                    total += path.stat().st_size
    return total


def axe_script(cache: Path | None = None) -> Path:
    """Return the path of axe-core's browser script (for the accessibility checks)."""
    return node_modules(cache) / "axe-core" / "axe.min.js"
