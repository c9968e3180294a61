"""Tests of ``bpkit lab``: the JupyterLab command it builds, and its messages (no server)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import pytest

import bpkit
from bpkit import lab
from bpkit.cli import main

LESSONS = ["00_welcome", "01_derivatives", "05_backpropagation", "08_bptt"]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course folder with empty lesson notebooks."""
    (tmp_path / "lessons").mkdir()
    for stem in LESSONS:
        (tmp_path / "lessons" / f"{stem}.ipynb").write_text("{}", encoding="utf-8")
    return tmp_path


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    lab.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[str], Path, dict[str, str]]]:
    """Record the commands `bpkit lab` would start, instead of starting a server."""
    calls: list[tuple[list[str], Path, dict[str, str]]] = []

    class FakePopen:
        def __init__(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
            calls.append((command, cwd, env))

        def wait(self) -> int:
            return 0

    monkeypatch.setattr(lab.subprocess, "Popen", FakePopen)
    return calls


def test_command_opens_welcome_lesson_by_default(course: Path) -> None:
    """With no options the command runs this Python's JupyterLab on lessons/00_welcome.ipynb."""
    command, root, lesson = lab.plan(parse("--root", str(course)))
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={course.resolve()}" in command
    assert "--LabApp.default_url=/lab/tree/lessons/00_welcome.ipynb" in command
    assert not any(arg.startswith("--ServerApp.port") for arg in command)
    assert "--ServerApp.open_browser=False" not in command
    assert root == course.resolve()
    assert lesson.name == "00_welcome.ipynb"


def test_command_carries_port_lesson_and_no_browser(course: Path) -> None:
    """--port, --lesson and --no-browser each show up in the JupyterLab command line."""
    args = parse("--root", str(course), "--lesson", "5", "--port", "9123", "--no-browser")
    command, _, _ = lab.plan(args)
    assert "--LabApp.default_url=/lab/tree/lessons/05_backpropagation.ipynb" in command
    assert "--ServerApp.port=9123" in command
    assert "--ServerApp.open_browser=False" in command


@pytest.mark.parametrize("as_root", [True, False])
def test_allow_root_only_as_root(
    course: Path, monkeypatch: pytest.MonkeyPatch, as_root: bool
) -> None:
    """--allow-root is passed exactly when the process runs as root."""
    monkeypatch.setattr(lab, "running_as_root", lambda: as_root)
    command, _, _ = lab.plan(parse("--root", str(course)))
    assert ("--allow-root" in command) is as_root


@pytest.mark.parametrize(
    "name", ["8", "08", "08_bptt", "08_bptt.ipynb", "bptt", "BPTT"], ids=lambda n: n
)
def test_lesson_names_resolve(course: Path, name: str) -> None:
    """A lesson can be named by number, full name, file name or topic."""
    assert lab.find_lesson(course / "lessons", name).name == "08_bptt.ipynb"


def test_missing_lesson_is_a_clear_error(
    course: Path, started: list, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown lesson exits with 2 and names the lesson and the ones that exist."""
    assert main(["lab", "--root", str(course), "--lesson", "gradient_tricks"]) == 2
    err = capsys.readouterr().err
    assert "no lesson 'gradient_tricks'" in err
    assert "01_derivatives" in err
    assert "08_bptt" in err
    assert started == []


def test_ambiguous_lesson_is_a_clear_error(course: Path) -> None:
    """A name that fits several lessons is refused with the candidates listed."""
    with pytest.raises(lab.LabError, match=r"several lessons \(.*01_derivatives"):
        lab.find_lesson(course / "lessons", "_")


def test_missing_lessons_folder_says_how_to_get_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a lessons/ folder the message explains where the lessons come from."""
    assert main(["lab", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cannot find the course's lessons/ folder" in err
    assert "pip install -e . && bpkit lab" in err
    assert "--root" in err


def test_editable_install_finds_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --root the lessons are found next to the package (an editable install)."""
    repo = Path(bpkit.__file__).resolve().parent.parent
    if not (repo / "lessons").is_dir():
        pytest.skip("bpkit is not installed from a checkout with lessons/")
    monkeypatch.chdir(tmp_path)
    assert lab.find_course_root() == repo


def test_current_folder_is_the_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the package's parent has no lessons/, the current folder's lessons/ is used."""
    (tmp_path / "lessons").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(lab, "__file__", str(tmp_path / "site" / "bpkit" / "lab.py"))
    assert lab.find_course_root() == tmp_path.resolve()


def test_run_starts_jupyterlab_and_says_so(
    course: Path, started: list, capsys: pytest.CaptureFixture[str]
) -> None:
    """`bpkit lab` starts the command it prints, from the course folder, and returns its code."""
    assert main(["lab", "--root", str(course), "--lesson", "derivatives", "--no-browser"]) == 0
    [(command, cwd, env)] = started
    assert cwd == course.resolve()
    # bpkit's Jupyter settings (widget state saved with the notebook) come first
    first = env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0]
    assert Path(first, "labconfig", "default_setting_overrides.json").is_file()
    out = capsys.readouterr().out
    assert "opening lessons/01_derivatives.ipynb in JupyterLab" in out
    assert "running " + " ".join(command) in out


def test_environment_puts_bpkit_settings_first_and_keeps_the_rest() -> None:
    """A learner's own JUPYTER_CONFIG_PATH stays, after bpkit's folder."""
    env = lab.environment({"JUPYTER_CONFIG_PATH": "/mine", "HOME": "/home/x"})
    assert env["JUPYTER_CONFIG_PATH"] == os.pathsep.join([str(lab.JUPYTER_CONFIG), "/mine"])
    assert env["HOME"] == "/home/x"
    settings = json.loads(
        (lab.JUPYTER_CONFIG / "labconfig/default_setting_overrides.json").read_text()
    )
    assert settings == {"@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True}}
