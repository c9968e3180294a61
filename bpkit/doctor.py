"""``bpkit doctor``: say what this environment has, what the course needs, and how to fix it.

It prints the versions of Python and of every package the course runs on, whether each lies
in the range bpkit supports (the lower bounds come from bpkit's own installed metadata, so
they are the ones pip enforced), whether JupyterLab's widget front-end is installed beside
the running Python, and which explorer path this matplotlib gets (see
``bpkit.widgets._explorer.speed_layer``). Every problem comes with the one command that fixes
it. The exit status is 1 when there is a problem, so a script can test an environment.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

PYTHON_RANGE = ((3, 10), (3, 13))  # the Pythons CI tests (README, "Set-up")
PACKAGES = ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "threadpoolctl")
PIP = f"{Path(sys.executable).name} -m pip"


@dataclass
class Finding:
    """One line of the report: what was looked at, what was found, and a fix if needed."""

    what: str
    found: str
    ok: bool
    fix: str = ""


def _numbers(version: str) -> tuple[int, ...]:
    """The leading numbers of a version: ``"3.10.0rc1"`` → ``(3, 10, 0)``."""
    parts = []
    for piece in version.split("."):
        match = re.match(r"\d+", piece)
        if not match:
            break
        parts.append(int(match[0]))
        if match[0] != piece:
            break
    return tuple(parts)


def lower_bounds() -> dict[str, str]:
    """bpkit's declared lower bounds (``numpy>=1.23`` → ``{"numpy": "1.23"}``), from metadata."""
    try:
        requirements = metadata.requires("bpkit") or []
    except metadata.PackageNotFoundError:
        requirements = []
    bounds = {}
    for line in requirements:
        if "extra ==" in line:
            continue
        match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(?:\[.*\])?\s*>=\s*([\w.]+)", line)
        if match:
            bounds[match[1].lower()] = match[2]
    return bounds


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> Finding:
    low, high = PYTHON_RANGE
    text = ".".join(map(str, version))
    ok = low <= version[:2] <= high
    fix = "" if ok else (
        f"use Python {low[0]}.{low[1]}–{high[0]}.{high[1]}: make a venv with one, "
        "e.g. `python3.12 -m venv .venv && . .venv/bin/activate && pip install -e .`"
    )  # fmt: skip
    return Finding("Python", f"{text} (supported {low[0]}.{low[1]}–{high[0]}.{high[1]})", ok, fix)


def check_package(name: str, bound: str | None, installed: str | None) -> Finding:
    wanted = f">= {bound}" if bound else "any version"
    if installed is None:
        return Finding(name, f"not installed (needs {wanted})", False, f"{PIP} install -e .")
    ok = bound is None or _numbers(installed) >= _numbers(bound)
    fix = "" if ok else f'{PIP} install -U "{name}>={bound}"'
    return Finding(name, f"{installed} (needs {wanted})", ok, fix)


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def check_widget_frontend(prefix: Path = Path(sys.prefix)) -> Finding:
    """JupyterLab shows widgets through the labextension that jupyterlab_widgets installs."""
    version = _installed("jupyterlab_widgets")
    where = (
        prefix / "share" / "jupyter" / "labextensions" / "@jupyter-widgets" / "jupyterlab-manager"
    )
    fix = f'{PIP} install -U "ipywidgets>=8" jupyterlab_widgets, then restart JupyterLab'
    if version is None:
        return Finding("widget front-end", "jupyterlab_widgets is not installed", False, fix)
    if not where.is_dir():
        found = f"jupyterlab_widgets {version}, but its labextension is missing from {where}"
        return Finding("widget front-end", found, False, fix)
    ipywidgets = _installed("ipywidgets") or "0"
    if _numbers(version)[:1] != (3,) or _numbers(ipywidgets)[:1] != (8,):
        found = f"jupyterlab_widgets {version} with ipywidgets {ipywidgets} (they must be 3 and 8)"
        return Finding("widget front-end", found, False, fix)
    return Finding("widget front-end", f"jupyterlab_widgets {version}, labextension found", True)


def check_explorer_path() -> Finding:
    """Which path the explorers take: a slower public path is a note, not a problem."""
    try:
        from bpkit.widgets._explorer import speed_layer

        decision = speed_layer()
    except Exception as err:  # matplotlib missing or broken: reported above
        return Finding("explorers", f"cannot draw ({type(err).__name__}: {err})", False,
                       f'{PIP} install -U "matplotlib>=3.6"')  # fmt: skip
    found = str(decision).removeprefix("explorer path: ")
    return Finding("explorer path", found, True)


def findings() -> list[Finding]:
    bounds = lower_bounds()
    found = [check_python()]
    found += [check_package(n, bounds.get(n), _installed(n)) for n in PACKAGES]
    found.append(check_package("bpkit", None, _installed("bpkit")))
    found.append(check_widget_frontend())
    if all(f.ok for f in found if f.what == "matplotlib"):
        found.append(check_explorer_path())
    return found


def report(items: list[Finding]) -> str:
    width = max(len(f.what) for f in items)
    lines = []
    for f in items:
        lines.append(f"{'✓' if f.ok else '✗'} {f.what:<{width}}  {f.found}")
        if f.fix:
            lines.append(f"  {'':<{width}}  fix: {f.fix}")
    problems = sum(not f.ok for f in items)
    lines.append("All good." if not problems else f"{problems} problem(s): run the fixes above.")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults()


def run(args: argparse.Namespace) -> int:
    items = findings()
    print(report(items))
    return 0 if all(f.ok for f in items) else 1
