"""``bpkit autograder``: build the zip that Gradescope's own containers run.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once when it builds
the image, then ``run_autograder`` for every submission. One zip grades one exercise and
holds only that exercise's secrets:

    setup.sh            makes /autograder/venv and installs pinned numpy, matplotlib, bpkit
    run_autograder      grades one notebook of /autograder/submission into results.json
    config.json         the exercise and the limits
    package/            bpkit itself (pyproject.toml, README.md, bpkit/), no caches, and the
                        exercises' public parts (exercises/*/cases.py, hints.py)
    exercises/source/   NN_topic/: the instructor notebook source.ipynb, hidden.py (the hidden
                        cases), cases.py and hints.py: the grader's secrets, this exercise's only

A submission is graded as one notebook (see :func:`choose`); the others are named in the
output, and no score exceeds its maximum. The grader (root) computes the expected values
in its own memory before any student code runs; the notebook then runs as an unused user id
that cannot read ``exercises/`` nor ``submission/`` (made 0700, root's) nor the grader's
memory, in a minimal root of its own where the container allows namespaces. Where it does
not, the container still holds one submission and one exercise's secrets, so the grader is
told to go on (``--unsafe-no-isolation``).

``run_autograder`` calls ``python -m bpkit.grading.autograder ROOT``; the environment
variable ``BPKIT_AUTOGRADER_ROOT`` replaces ``/autograder`` (the tests use a temp folder).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

# Versions with wheels for Python 3.10 (Ubuntu 22.04) to 3.12 (Ubuntu 24.04).
PINS = ("numpy==2.2.6", "matplotlib==3.10.3", "threadpoolctl==3.6.0")

SETUP = f"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# Everything goes into a venv: Ubuntu 24.04's system Python refuses pip installs (PEP 668).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq python3 python3-venv >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install -q {" ".join(PINS)}
/autograder/venv/bin/python -m pip install -q --no-deps /autograder/source/package
chmod -R go+rX /autograder/venv  # the notebooks run as another user and need to read it
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission. BPKIT_AUTOGRADER_ROOT replaces /autograder.
set -euo pipefail
ROOT="${BPKIT_AUTOGRADER_ROOT:-/autograder}"
export PYTHONPATH="$ROOT/source/package"
PYTHON=python3
[ -x /autograder/venv/bin/python ] && PYTHON=/autograder/venv/bin/python
exec "${BPKIT_PYTHON:-$PYTHON}" -m bpkit.grading.autograder "$ROOT"
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``bpkit autograder``'s options."""
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"))
    parser.add_argument("--source", type=Path, default=Path("exercises"))
    parser.add_argument("--exercise", default=None, help="the assignment's exercise (NN_topic)")
    from bpkit import release

    release.add_hidden_argument(parser, "hidden.py in the exercise folder of --source")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per cell or case")
    parser.add_argument("--memory", type=int, default=1024, help="memory limit in MB")
    parser.add_argument(
        "--hidden-visibility",
        choices=VISIBILITY,
        default="visible",
        help="when students see the hidden cases' lines and points (Gradescope's visibility): "
        "visible (default: one test per function), or hidden, after_due_date, after_published "
        "(each function then has a public-cases test, always visible, and a hidden-cases test)",
    )


VISIBILITY = ("visible", "hidden", "after_due_date", "after_published")


def _add_tree(zf: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
            zf.write(path, f"{prefix}/{rel.as_posix()}")


def _executable(zf: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16
    zf.writestr(info, text)


def _only_exercise(found: dict[str, Path], source: Path, exercise: str | None) -> str:
    """The exercise the zip grades: ``--exercise``, or the only one in ``source``."""
    if not found:
        raise SystemExit(f"bpkit autograder: no exercise notebooks in {source}")
    if exercise is None and len(found) == 1:
        return next(iter(found))
    if exercise is None:
        raise SystemExit(
            f"bpkit autograder: say which exercise this assignment grades, e.g. "
            f"--exercise {next(iter(found))} (one zip per exercise: it ships only that one's "
            "secrets)"
        )
    if exercise not in found:
        raise SystemExit(f"bpkit autograder: no exercise {exercise!r} in {source}")
    return exercise


def build(
    out: Path,
    source: Path,
    exercise: str | None,
    timeout: float,
    memory: int,
    hidden: Path | None = None,
    visibility: str = "visible",
) -> Path:
    """Write the autograder zip for one exercise to ``out`` and return its path.

    With ``hidden``, the zip's hidden.py is ``hidden/NN_topic/hidden.py``, not the exercise
    folder's (which need not exist).
    """
    from bpkit.grading import exercise as ex

    source = source.resolve()
    found = ex.available(source)
    exercise = _only_exercise(found, source, exercise)
    notebook = found[exercise]
    private = None  # --hidden's hidden.py, written where the exercise folder's would be
    if notebook.name == "source.ipynb":  # an exercise folder NN_topic/
        secrets = [notebook, *sorted(notebook.parent.glob("*.py"))]
        if hidden is not None:
            private = Path(hidden).resolve() / exercise / "hidden.py"
            secrets = [p for p in secrets if p.name != "hidden.py"] + [private]
    else:  # a flat folder: NN_topic.ipynb and cases/NN_topic.py
        secrets = [notebook, source / "cases" / f"{exercise}.py"]
        if hidden is not None:
            raise SystemExit("bpkit autograder: --hidden needs exercise folders NN_topic/")
    for path in secrets:
        if not path.is_file():
            raise SystemExit(f"bpkit autograder: {path} is missing")
    package = Path(__file__).resolve().parents[2]
    config = {"exercise": exercise, "timeout": timeout, "memory": memory}
    config["hidden_visibility"] = visibility
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        _executable(zf, "setup.sh", SETUP)
        _executable(zf, "run_autograder", RUN)
        zf.writestr("config.json", json.dumps(config, indent=1) + "\n")
        for name in ("pyproject.toml", "README.md"):
            if (package / name).is_file():
                zf.write(package / name, f"package/{name}")
        _add_tree(zf, package / "bpkit", "package/bpkit")
        public = [package / "exercises" / "__init__.py"]
        public += sorted((package / "exercises").glob("*/cases.py"))
        public += sorted((package / "exercises").glob("*/hints.py"))
        for path in public:
            zf.write(path, f"package/{path.relative_to(package).as_posix()}")
        for path in secrets:
            inside = notebook.parent / "hidden.py" if path == private else path
            zf.write(path, f"exercises/source/{inside.relative_to(source).as_posix()}")
    os.replace(tmp, out)
    return out


def run(args: argparse.Namespace) -> int:
    """Build the zip; print where it is."""
    hidden, seen = getattr(args, "hidden", None), getattr(args, "hidden_visibility", "visible")
    path = build(args.out, args.source, args.exercise, args.timeout, args.memory, hidden, seen)
    print(f"wrote {path}: upload it as the Gradescope autograder")
    return 0


def _identity(path: Path) -> str | None:
    """The exercise a notebook's ``metadata.bpkit.exercise`` names, or None."""
    from bpkit.grading import cli

    notebook, _ = cli.read_notebook(path)
    meta = notebook.get("metadata") if notebook else None
    tag = meta.get("bpkit") if isinstance(meta, dict) else None
    return tag.get("exercise") if isinstance(tag, dict) else None


def notebooks(folder: Path) -> list[Path]:
    """Every ``.ipynb`` under ``folder`` (none in hidden folders such as .ipynb_checkpoints)."""
    if not folder.is_dir():
        return []
    found = sorted(folder.rglob("*.ipynb"))
    return [p for p in found if not any(x.startswith(".") for x in p.relative_to(folder).parts)]


def choose(found: list[Path], exercise: str) -> tuple[Path, str]:
    """Pick the one notebook of a submission to grade; say why, and name the others.

    In order: a notebook whose metadata names the exercise, then one whose file name
    contains it, then any other; ties go to the first path in sorted order.
    """

    def rank(path: Path) -> tuple:
        return (_identity(path) != exercise, exercise not in path.stem, str(path))

    ranked = sorted(found, key=rank)
    chosen = ranked[0]
    if len(ranked) == 1:
        return chosen, ""
    why = (
        "its metadata names this exercise"
        if _identity(chosen) == exercise
        else "its file name names this exercise"
        if exercise in chosen.stem
        else "the first in alphabetical order"
    )
    others = ", ".join(f"`{p.name}`" for p in ranked[1:])
    return chosen, (
        f"Your submission holds {len(ranked)} notebooks; one is graded: `{chosen.name}` "
        f"({why}). Not graded: {others}. Submit only the notebook you want graded."
    )


def split(record: dict, visibility: str) -> list[dict]:
    """One test per function and kind of case: its public cases' share of the points
    (always visible) and its hidden cases' share, which Gradescope shows per ``visibility``.

    A function's points are shared by its cases equally, as ``bpkit grade`` scores them.
    """
    from bpkit.grading import report

    tests = []
    for function, entry in record["functions"].items():
        cases = entry["cases"]
        for public, label in ((True, "public cases"), (False, "hidden cases")):
            mine = [c for c in cases if bool(c[0]) == public]
            if not mine:
                continue
            share = entry["max"] * len(mine) / len(cases)
            tests.append(
                {
                    "name": f"{function} ({label})",
                    "score": round(entry["max"] * sum(c[1] for c in mine) / len(cases), 4),
                    "max_score": round(share, 4),
                    "output": "\n".join(report._case_lines({"cases": mine})),
                    "visibility": "visible" if public else visibility,
                }
            )
        if not cases:
            tests.append({"name": function, "score": 0.0, "max_score": entry["max"]})
    return tests


def merge(out: Path, note: str = "", visibility: str = "visible") -> dict:
    """Turn the one NAME.results.json in ``out`` into Gradescope's results.json.

    No score exceeds its maximum: each test is capped at its ``max_score``, and the total
    at the sum of the maxima. With a ``visibility`` other than ``visible``, each function's
    hidden cases are a test of their own with that visibility (:func:`split`).
    """
    parts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.results.json"))]
    if not parts:
        return {"score": 0, "output": "No notebook (.ipynb) found in your submission.", "tests": []}
    if len(parts) > 1:
        raise RuntimeError(f"bpkit autograder: {len(parts)} results for one submission")
    part = parts[0]
    record = part["extra_data"]["bpkit"]
    given = part["tests"] if visibility == "visible" else split(record, visibility)
    tests = [{**t, "score": max(0.0, min(float(t["score"]), float(t["max_score"])))} for t in given]
    ceiling = float(record.get("max") or sum(t["max_score"] for t in tests))
    total = min(round(sum(t["score"] for t in tests), 4), ceiling)
    output = "\n".join(line for line in (note, part["output"]) if line)
    return {**part, "score": total, "output": output, "tests": tests}


def _other_exercise(path: Path, exercise: str) -> str:
    """Say so when the notebook is another exercise's: it defines none of this one's graded
    functions and some of another's (the zip holds one exercise's reference, but every
    exercise's public cases, which name their functions)."""
    from bpkit.check import exercises as course
    from bpkit.grading import cli, identity

    notebook, _ = cli.read_notebook(path)
    defined = set(identity.defined_functions(notebook))
    functions = {
        name: {c["function"] for c in course.public_cases(name)} for name in course.names()
    }
    if not defined or defined & functions.get(exercise, set()):
        return ""
    matches = {name: sorted(defined & fs) for name, fs in functions.items() if defined & fs}
    if not matches:
        return ""
    other = max(sorted(matches), key=lambda name: len(matches[name]))
    return (
        f"This notebook is exercise {other} (it defines {', '.join(matches[other])}), but this "
        f"assignment is {exercise}: submit your {exercise} notebook."
    )


def grade_gradescope(root: Path) -> int:
    """Grade one notebook of ``root/submission`` into ``root/results/results.json``."""
    from bpkit.grading import cli, report

    config = json.loads((root / "source" / "config.json").read_text(encoding="utf-8"))
    exercise = config["exercise"]
    exercises = root / "source" / "exercises"
    if os.geteuid() == 0:  # the notebook runs as another user: it cannot look inside
        for folder in (exercises, root / "submission"):  # nor read its own file by path
            for path in [folder, *folder.rglob("*")] if folder.exists() else []:
                os.chmod(path, 0o700 if path.is_dir() else 0o600)
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    found = notebooks(root / "submission")
    with tempfile.TemporaryDirectory(prefix="bpkit-gradescope-") as tmp:
        note = ""
        if found:
            path, note = choose(found, exercise)
            parser = argparse.ArgumentParser()
            cli.add_arguments(parser)
            argv = [str(path), "--out", tmp, "--source", str(exercises / "source")]
            argv += ["--timeout", str(config["timeout"]), "--memory", str(config["memory"])]
            argv += ["--exercise", exercise]
            # One submission per container, the secrets made root's own above: where the
            # container refuses namespaces, this is as isolated as it gets, so grade anyway.
            argv += ["--unsafe-no-isolation"]
            cli.run(parser.parse_args(argv))
            note = "\n".join(n for n in (_other_exercise(path, exercise), note) if n)
        combined = merge(Path(tmp), note, config.get("hidden_visibility", "visible"))
    report.write_atomic(results / "results.json", json.dumps(combined, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/autograder")
    os.umask(0o022)
    sys.exit(grade_gradescope(root))
