"""The README tells the truth: its commands are the ones CI runs, its lesson map is current."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_after(heading: str) -> str:
    """Return the first ```bash block's line after the line containing ``heading``."""
    start = README.index(heading)
    block = re.search(r"```bash\n(.+?)\n```", README[start:], re.S)
    assert block, f"no ```bash block after {heading!r} in README.md"
    return block[1].strip()


def test_ci_runs_the_readme_test_command():
    """.ci/run ends with exactly the README's "run every test" command."""
    command = _command_after("Run every test")
    ci_lines = [ln.strip() for ln in (ROOT / ".ci/run").read_text().splitlines() if ln.strip()]
    assert ci_lines[-1] == command


def test_open_command_opens_the_course():
    """The README's first command installs bpkit and starts `bpkit lab`."""
    command = _command_after("Open the course")
    assert "pip install -e ." in command
    assert command.endswith("bpkit lab")


def test_lesson_map_lists_every_lesson_and_nothing_else():
    """Every lessons/*.ipynb is in the README's lesson map, and every link there exists."""
    on_disk = {p.name for p in (ROOT / "lessons").glob("*.ipynb")}
    linked = set(re.findall(r"\(lessons/([0-9]{2}_[a-z_]+\.ipynb)\)", README))
    assert linked == on_disk
    for exercise in re.findall(r"\((exercises/[0-9]{2}_[a-z_]+/[0-9]{2}_[a-z_]+\.ipynb)\)", README):
        assert (ROOT / exercise).exists(), exercise
