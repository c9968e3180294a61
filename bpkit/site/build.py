"""``bpkit site --out DIR``: build the course's website from the lessons' stored outputs.

The pages are written by Sphinx (myst-nb reads the notebooks, sphinx-book-theme lays them
out) from a temporary source folder: ``index.md`` (the course and its table of contents),
a copy of every lesson with a line of links under its title (the notebook, its Binder
launch, the exercise), and the notebooks themselves for download. Nothing is executed.
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bpkit.site import assets

BINDER = "https://mybinder.org/v2/gh"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder bpkit/ is in
INSTALL_HINT = 'the site needs its extra: pip install -e ".[site]" (Sphinx, myst-nb, the theme)'


class SiteError(Exception):
    """Something the person building the site can fix (no lessons, no npm, no Sphinx)."""


@dataclass(frozen=True)
class Lesson:
    """One lesson of the site: its notebook, title and exercise (if it has one)."""

    path: Path
    title: str
    exercise: Path | None

    @property
    def stem(self) -> str:
        return self.path.stem


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``bpkit site`` to ``parser``."""
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        metavar="PATH",
        help="the course folder that contains lessons/ (default: as for bpkit lab)",
    )
    parser.add_argument(
        "--repo",
        default=None,
        metavar="OWNER/NAME",
        help="the course's GitHub repository, for the Binder links (default: the clone's "
        "`origin` remote when it is on GitHub; without either, pages have no Binder link)",
    )
    parser.add_argument("--ref", default="main", help="branch or tag Binder opens (default main)")
    parser.add_argument(
        "--no-frames",
        action="store_true",
        help="do not precompute the explorers' pictures (their sliders then do not move)",
    )


def lesson_title(notebook: Path) -> str:
    """Return the first heading of ``notebook``'s first markdown cell that has one."""
    for cell in json.loads(notebook.read_text(encoding="utf-8")).get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in "".join(cell.get("source", "")).splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return notebook.stem


def find_lessons(course_root: Path) -> list[Lesson]:
    """Return the course's lessons in order, each with its exercise notebook if it has one."""
    found = []
    for path in sorted((course_root / "lessons").glob("[0-9][0-9]_*.ipynb")):
        exercise = course_root / "exercises" / path.stem / f"{path.stem}.ipynb"
        found.append(Lesson(path, lesson_title(path), exercise if exercise.is_file() else None))
    if not found:
        raise SiteError(f"no lessons (NN_topic.ipynb) in {course_root / 'lessons'}")
    return found


def github_repo(course_root: Path) -> str | None:
    """Return ``owner/name`` of the clone's ``origin`` remote if it is on GitHub."""
    try:
        url = subprocess.run(
            ["git", "remote", "get-url", "origin"],
            cwd=course_root,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:  # no git
        return None
    match = re.search(r"github\.com[:/]([\w.-]+/[\w.-]+?)(?:\.git)?/?$", url)
    return match.group(1) if match else None


def binder_url(repo: str, ref: str, path: str) -> str:
    """Return the Binder address that opens ``path`` (from the repository root) in JupyterLab."""
    return f"{BINDER}/{repo}/{ref}?urlpath=lab/tree/{path}"


def links_html(lesson: Lesson, repo: str | None, ref: str) -> str:
    """Return the line of links shown under a lesson's title (relative to the lesson page)."""

    def link(href: str, text: str, download: bool = False) -> str:
        extra = " download" if download else ""
        return f'<a href="{html.escape(href)}"{extra}>{html.escape(text)}</a>'

    items = [link(f"../notebooks/{lesson.stem}.ipynb", "Download this notebook", True)]
    if repo:
        items.append(link(binder_url(repo, ref, f"lessons/{lesson.path.name}"), "Run it on Binder"))
    if lesson.exercise is not None:
        items.append(link(f"../exercises/{lesson.stem}.ipynb", "Download the exercise", True))
        if repo:
            where = f"exercises/{lesson.stem}/{lesson.exercise.name}"
            items.append(link(binder_url(repo, ref, where), "Do the exercise on Binder"))
    return (
        '<nav class="bpkit-links" aria-label="This lesson as a notebook">\n'
        + " · ".join(items)
        + "\n</nav>"
    )


# A lesson links its exercise where it is in the repository; on the site it is a download.
EXERCISE_LINK = re.compile(r"\]\(\.\./exercises/(\d\d_\w+)/\1\.ipynb\)")


def lesson_copy(lesson: Lesson, repo: str | None, ref: str) -> dict:
    """Return the lesson's notebook with its line of links inserted after its first cell."""
    notebook = json.loads(lesson.path.read_text(encoding="utf-8"))
    for old in notebook["cells"]:
        if old.get("cell_type") == "markdown":
            text = "".join(old.get("source", ""))
            old["source"] = EXERCISE_LINK.sub(r"](path:../files/exercises/\1.ipynb)", text)
    cell = {"cell_type": "markdown", "metadata": {}, "source": links_html(lesson, repo, ref)}
    cell["id"] = "bpkit-site-links"
    notebook["cells"].insert(1, cell)
    return notebook


def index_md(lessons: list[Lesson], repo: str | None, ref: str) -> str:
    """Return the home page: what the course is, the table of lessons, the toctree."""
    rows = []
    for lesson in lessons:
        # A screen reader lists links out of context: each says which lesson it is for.
        which = f'<span class="visually-hidden"> of lesson {lesson.stem[:2]}</span>'
        notebook = f'<a href="notebooks/{lesson.stem}.ipynb" download>notebook{which}</a>'
        exercise = "—"
        if lesson.exercise:
            exercise = f'<a href="exercises/{lesson.stem}.ipynb" download>exercise{which}</a>'
        binder = "—"
        if repo:
            url = html.escape(binder_url(repo, ref, "lessons/" + lesson.path.name))
            binder = f'<a href="{url}">Binder{which}</a>'
        rows.append(
            f'<tr><td><a href="lessons/{lesson.stem}.html">{html.escape(lesson.title)}</a></td>'
            f"<td>{notebook}</td><td>{exercise}</td><td>{binder}</td></tr>"
        )
    toctree = "\n".join(f"lessons/{lesson.stem}" for lesson in lessons)
    return f"""# bpkit: backpropagation, from the first derivative to BPTT

A hands-on course: read a short explanation, look at the code and its output, and see each
gradient drawn. Every page here is a lesson notebook with the outputs it had when it was
last run; to run the code and move the explorers, open the notebook in Jupyter (download
it, or launch it on Binder without installing anything).

<table class="bpkit-lessons">
<caption>The lessons, each with its notebook and exercise</caption>
<thead><tr><th scope="col">Lesson</th><th scope="col">Notebook</th>
<th scope="col">Exercise</th><th scope="col">Run online</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>

```{{toctree}}
:maxdepth: 1
:caption: Lessons
:hidden:

{toctree}
```
"""


def conf_py(vendor: Path) -> str:
    """Return the Sphinx ``conf.py`` of the site (the settings live in ``bpkit.site.ext``)."""
    return f"from bpkit.site.ext import settings\n\nglobals().update(settings({str(vendor)!r}))\n"


def add_frames(notebook: dict, stem: str, files: Path) -> int:
    """Precompute the pictures of ``notebook``'s self-contained explorers; return how many.

    The PNGs go to ``files/frames/STEM/K/`` (the site's ``frames/``); the explorer's output
    gets their index as metadata ``bpkit_frames``, which :mod:`bpkit.site.ext` shows.
    """
    from bpkit.site import frames

    made = 0
    for k, cell in enumerate(notebook["cells"]):
        outputs = [o for o in cell.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
        if not outputs:
            continue
        # The frames the explorer stored when the lesson ran, else the explorer rebuilt.
        controls = frames.stored_controls(outputs[-1]["data"])
        if controls is not None:
            title = outputs[-1]["data"][frames.FRAMES].get("title", "")
            del outputs[-1]["data"][frames.FRAMES]
        else:
            call = frames.explorer_call("".join(cell.get("source", "")))
            if call is None:
                continue
            title, controls = frames.explorer_frames(*call)
        folder = files / "frames" / stem / str(k)
        folder.mkdir(parents=True, exist_ok=True)
        spec = {"title": html.unescape(re.sub(r"<[^>]+>", "", title)), "controls": []}
        for control in controls:
            urls = []
            for i, png in enumerate(control.frames):
                (folder / f"{control.name}-{i}.png").write_bytes(png)
                urls.append(f"../frames/{stem}/{k}/{control.name}-{i}.png")
            spec["controls"].append(
                {
                    "name": control.name,
                    "label": control.label,
                    "labels": control.labels,
                    "start": control.start,
                    "frames": urls,
                    "alts": control.alts,
                    "menu": control.menu,
                }
            )
            made += len(urls)
        outputs[-1].setdefault("metadata", {})["bpkit_frames"] = spec
    return made


def write_sources(
    src: Path, lessons: list[Lesson], repo: str | None, ref: str, frames: bool = True
) -> int:
    """Write the Sphinx source folder: conf.py, index.md, the lessons, the downloads.

    Returns the number of explorer pictures precomputed."""
    (src / "lessons").mkdir(parents=True)
    (src / "files" / "notebooks").mkdir(parents=True)
    (src / "files" / "exercises").mkdir(parents=True)
    (src / "index.md").write_text(index_md(lessons, repo, ref), encoding="utf-8")
    made = 0
    for lesson in lessons:
        copy = lesson_copy(lesson, repo, ref)
        if frames:
            made += add_frames(copy, lesson.stem, src / "files")
        text = json.dumps(copy, ensure_ascii=False, indent=1) + "\n"
        (src / "lessons" / lesson.path.name).write_text(text, encoding="utf-8")
        shutil.copy2(lesson.path, src / "files" / "notebooks" / lesson.path.name)
        if lesson.exercise is not None:
            shutil.copy2(lesson.exercise, src / "files" / "exercises" / lesson.path.name)
    return made


MARK = ".bpkit-site"  # the file that says a folder holds a site this command built


def clear(out: Path) -> None:
    """Empty ``out`` for a new build: only a site built here before, or an empty folder."""
    if not out.exists():
        return
    if not out.is_dir() or (any(out.iterdir()) and not (out / MARK).is_file()):
        raise SiteError(
            f"{out} exists and is not a site bpkit site built (no {MARK} in it): "
            "pass a new or empty folder to --out, nothing in it is replaced"
        )
    shutil.rmtree(out)


def build(
    out: Path,
    course_root: Path,
    repo: str | None = None,
    ref: str = "main",
    quiet: bool = True,
    frames: bool = True,
) -> dict:
    """Build the site into ``out`` and return a summary (pages, bytes, seconds, warnings)."""
    if importlib.util.find_spec("sphinx") is None or importlib.util.find_spec("myst_nb") is None:
        raise SiteError(INSTALL_HINT)
    start = time.perf_counter()
    lessons = find_lessons(course_root)
    modules = assets.node_modules()
    with tempfile.TemporaryDirectory(prefix="bpkit-site-") as tmp:
        src, vendor = Path(tmp) / "src", Path(tmp) / "vendor"
        made = write_sources(src, lessons, repo, ref, frames)
        assets.copy_vendor(modules, vendor)
        (src / "conf.py").write_text(conf_py(vendor), encoding="utf-8")
        clear(out)
        out.mkdir(parents=True)  # marked first, so a failed build is replaced by the next
        (out / MARK).write_text("built by bpkit site; replaced by the next build\n")
        # In a process of its own: Sphinx registers its nodes with docutils once per process.
        command = [
            sys.executable,
            "-m",
            "sphinx",
            "-b",
            "html",
            "-E",
            "-N",
            "-d",
            str(Path(tmp) / "doctrees"),
        ]
        command += ([] if not quiet else ["-q"]) + [str(src), str(out)]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        env["PYTHONWARNINGS"] = "ignore::DeprecationWarning,ignore::PendingDeprecationWarning"
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SiteError(f"Sphinx failed ({done.returncode}):\n{done.stderr.strip()}")
        lines = [line for line in done.stderr.splitlines() if line.strip()]

    # The home page and the lessons (not the theme's parts in _static, search or genindex).
    pages = [page for page in out.rglob("*.html") if page.relative_to(out).parts[0][0] != "_"]
    pages = [page for page in pages if page.name not in {"genindex.html", "search.html"}]
    return {
        "pages": len(pages),
        "bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
        "seconds": time.perf_counter() - start,
        "frames": made,
        "warnings": lines,
    }


def run(args: argparse.Namespace) -> int:
    """Build the site and say where it is, how big, and how long it took."""
    from bpkit.lab import LabError, find_course_root

    try:
        course_root = find_course_root(args.root)
        repo = args.repo or github_repo(course_root)
        summary = build(args.out, course_root, repo, args.ref, frames=not args.no_frames)
    except (SiteError, LabError, assets.AssetError) as error:
        print(f"bpkit site: {error}", file=sys.stderr)
        return 2
    for line in summary["warnings"]:
        print(f"bpkit site: {line}", file=sys.stderr)
    if not repo:
        print(
            "bpkit site: no GitHub repository known, so no Binder links: pass --repo OWNER/NAME",
            file=sys.stderr,
        )
    size = summary["bytes"] / 1e6
    print(
        f"bpkit site: {summary['pages']} pages, {summary['frames']} explorer pictures, "
        f"{size:.1f} MB in {args.out} "
        f"({summary['seconds']:.0f} s); open {args.out / 'index.html'}"
    )
    return 0
