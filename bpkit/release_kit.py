"""``bpkit release --student-kit DIR``: what learners get when their work is graded, and no more.

The repository holds every exercise's instructor notebook (``source.ipynb``, with the
solutions), its hidden cases (``hidden.py``) and the instructor lessons (``lessons/source/``).
For self-study that is fine. For graded work, hand out the kit instead: the bpkit package,
the learner lessons, each exercise's student notebook, public cases and hints, and a README
for learners. It installs and runs as the repository does (``pip install -e .``; ``check``
works), and it holds no solution and no hidden case.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bpkit import release

ROOT = Path(__file__).resolve().parents[1]
TOP_FILES = ("pyproject.toml", "runtime.txt", "LICENSE")  # those that exist are copied
EXERCISE_FILES = ("cases.py", "hints.py")  # beside the student notebook, freshly released
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


def write_kit(out: Path, source: Path, root: Path = ROOT) -> list[Path]:
    """Write the student kit to ``out`` (which must be new or empty); return its files.

    ``source`` is the exercises folder, ``root`` the repository (its ``bpkit/``,
    ``lessons/`` and top files).
    """
    out, source = Path(out), Path(source)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(
            f"bpkit release --student-kit {out}: the folder is not empty; give a new one, "
            "so that nothing from an earlier copy (a solution, hidden cases) stays in the kit"
        )
    found = release.sources(source)
    if not found:
        raise SystemExit(f"bpkit release --student-kit: no NN_topic/source.ipynb in {source}")
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root / "bpkit", out / "bpkit", ignore=SKIPPED)
    for name in TOP_FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, out / name)
    (out / "lessons").mkdir()
    lessons = sorted((root / "lessons").glob("[0-9][0-9]_*.ipynb"))
    for lesson in lessons:
        shutil.copy2(lesson, out / "lessons" / lesson.name)
    exercises = out / "exercises"
    exercises.mkdir()
    shutil.copy2(source / "__init__.py", exercises / "__init__.py")
    for notebook in found:
        folder = exercises / notebook.parent.name
        folder.mkdir()
        student = folder / release.student_path(notebook).name
        student.write_text(release.release_text(notebook), encoding="utf-8")
        for name in EXERCISE_FILES:
            if (notebook.parent / name).is_file():
                shutil.copy2(notebook.parent / name, folder / name)
    (out / "README.md").write_text(readme(lessons, found), encoding="utf-8")
    return sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())


def readme(lessons: list[Path], exercises: list[Path]) -> str:
    """The learners' README: how to start, the lessons, the exercises, how work is graded."""
    lesson_lines = "".join(f"- [`{p.stem}`](lessons/{p.name})\n" for p in lessons)
    exercise_lines = "".join(
        f"- [`{p.parent.name}`](exercises/{p.parent.name}/{p.parent.name}.ipynb)\n"
        for p in exercises
    )
    return f"""# bpkit: backpropagation, from the first derivative to backpropagation through time

Your course material. Install it once and open the first lesson:
```bash
python3 -m venv .venv && . .venv/bin/activate && pip install -e . && bpkit lab
```

## Lessons
Work through them in order; each ends with a link to its exercise.
{lesson_lines}
## Exercises
{exercise_lines}
In each exercise, write the body of every function that raises `NotImplementedError`, then
run the cell `check(function_name)` below it. `check` runs the public cases (in
`exercises/NN_topic/cases.py`) and says what went wrong, with a hint when it recognises a
common mistake. Hand in the notebook `NN_topic.ipynb` as your instructor asks.

## How your work is graded
Your instructor grades each function on the public cases and on hidden cases you do not
see: other inputs of the same task. A function that passes `check` for the right reasons
(no special cases for the inputs it was shown) usually passes those too. The grade of a
function is its points times the fraction of its cases it gets right.
"""


def run(args) -> int:
    """Write the kit for ``bpkit release --student-kit DIR``; print its file count."""
    files = write_kit(args.student_kit, args.source)
    notebooks = sum(p.suffix == ".ipynb" for p in files)
    print(f"{args.student_kit}: student kit written ({len(files)} files, {notebooks} notebooks)")
    return 0
