"""``bpkit lab``: open the course in JupyterLab, on the welcome lesson.

The lessons are notebooks in the course repository (``lessons/``), not part of the
installed package. After ``pip install -e .`` in a clone, the package folder's parent is
the clone, so ``bpkit lab`` finds ``lessons/`` there; otherwise it looks in the current
folder, or takes ``--root``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

WELCOME = "00_welcome"
# JupyterLab reads labconfig/default_setting_overrides.json in every folder on the Jupyter
# config path: bpkit's turns on "save widget state", so a lesson saved after its explorers
# ran shows them again when reopened (a learner's own settings still win).
JUPYTER_CONFIG = Path(__file__).parent / "jupyter_config"

GET_THE_LESSONS = (
    "The lessons ship with the course repository, not with the installed package. "
    "Clone the repository, then from inside the clone run:\n"
    "    pip install -e . && bpkit lab\n"
    "or run `bpkit lab` from a folder that contains lessons/, "
    "or pass the folder that contains lessons/ with --root PATH."
)


class LabError(Exception):
    """A problem the learner can fix (no lessons folder, unknown lesson, no JupyterLab)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``bpkit lab`` to ``parser``."""
    parser.add_argument(
        "--lesson",
        default=WELCOME,
        metavar="NAME",
        help=f"lesson to open: a number (1), a topic (derivatives) or a file name "
        f"(01_derivatives.ipynb); default {WELCOME}",
    )
    parser.add_argument(
        "--port", type=int, default=None, metavar="N", help="port for JupyterLab (default 8888)"
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="start the server without opening a browser"
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        metavar="PATH",
        help="the course folder that contains lessons/ (default: the repository bpkit is "
        "installed from, else the current folder)",
    )


def find_course_root(root: Path | None = None) -> Path:
    """Return the course folder, the one that holds ``lessons/``.

    Looks at ``root`` if given, else the parent of the package folder (an editable
    install from a clone), else the current folder.
    """
    if root is not None:
        candidates = [Path(root)]
    else:
        package_dir = Path(__file__).resolve().parent
        candidates = [package_dir.parent, Path.cwd()]
    for candidate in candidates:
        if (candidate / "lessons").is_dir():
            return candidate.resolve()
    looked = ", ".join(str(c / "lessons") for c in candidates)
    raise LabError(
        f"cannot find the course's lessons/ folder (looked in {looked}).\n" + GET_THE_LESSONS
    )


def find_lesson(lessons_dir: Path, name: str) -> Path:
    """Return the lesson notebook that ``name`` means.

    ``name`` may be a file name (``01_derivatives.ipynb``), a stem (``01_derivatives``),
    a number (``1`` or ``01``) or a topic (``derivatives``).
    """
    lessons = sorted(lessons_dir.glob("*.ipynb"))
    stem = name.strip().removesuffix(".ipynb")
    if stem.isdigit():
        matches = [p for p in lessons if p.stem.startswith(f"{int(stem):02d}_")]
    else:
        matches = [p for p in lessons if p.stem == stem]
        if not matches:
            matches = [p for p in lessons if p.stem.split("_", 1)[-1] == stem]
        if not matches:
            matches = [p for p in lessons if stem.lower() in p.stem.lower()]
    if len(matches) == 1:
        return matches[0]
    available = ", ".join(p.stem for p in lessons) or "none"
    if matches:
        found = ", ".join(p.stem for p in matches)
        raise LabError(
            f"--lesson {name!r} matches several lessons ({found}); "
            "give the number or the full name."
        )
    raise LabError(
        f"no lesson {name!r} in {lessons_dir} (available: {available}). "
        f"Pass a number such as --lesson 1, or the full name such as --lesson 01_derivatives."
    )


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """Return ``base`` (default: this process's environment) with bpkit's Jupyter settings
    first on ``JUPYTER_CONFIG_PATH``."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        filter(None, [str(JUPYTER_CONFIG), env.get("JUPYTER_CONFIG_PATH")])
    )
    return env


def running_as_root() -> bool:
    """Return True when this process runs as root (JupyterLab then needs --allow-root)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def build_command(
    course_root: Path,
    lesson: Path,
    *,
    port: int | None = None,
    open_browser: bool = True,
    as_root: bool = False,
) -> list[str]:
    """Return the JupyterLab command line that opens ``lesson`` with ``course_root`` as its root.

    The root is the whole course folder, so the lesson's links to ``../exercises/`` work.
    """
    relative = lesson.resolve().relative_to(course_root.resolve()).as_posix()
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={course_root}",
        f"--LabApp.default_url=/lab/tree/{relative}",
    ]
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if not open_browser:
        command.append("--ServerApp.open_browser=False")
    if as_root:
        command.append("--allow-root")
    return command


def plan(args: argparse.Namespace) -> tuple[list[str], Path, Path]:
    """Return ``(command, course_root, lesson)`` for the parsed options, or raise LabError."""
    course_root = find_course_root(args.root)
    lesson = find_lesson(course_root / "lessons", args.lesson)
    command = build_command(
        course_root,
        lesson,
        port=args.port,
        open_browser=not args.no_browser,
        as_root=running_as_root(),
    )
    return command, course_root, lesson


def run(args: argparse.Namespace) -> int:
    """Start JupyterLab on the chosen lesson and wait until it stops (Ctrl+C)."""
    try:
        if importlib.util.find_spec("jupyterlab") is None:
            raise LabError(
                "JupyterLab is not installed here. Install it with: pip install jupyterlab"
            )
        command, course_root, lesson = plan(args)
    except LabError as error:
        print(f"bpkit lab: {error}", file=sys.stderr)
        return 2
    print(f"bpkit lab: opening {lesson.relative_to(course_root).as_posix()} in JupyterLab")
    print(f"bpkit lab: course folder {course_root}")
    if args.no_browser:
        print("bpkit lab: no browser; open the address JupyterLab prints below (with its token)")
    print("bpkit lab: stop it with Ctrl+C (twice)")
    print("bpkit lab: running " + " ".join(command), flush=True)
    process = subprocess.Popen(command, cwd=course_root, env=environment())
    interrupted = False
    while True:
        try:
            code = process.wait()
        except KeyboardInterrupt:
            # JupyterLab got the same Ctrl+C: it asks to confirm, or stops on a second one.
            interrupted = True
            continue
        return 0 if interrupted else code
