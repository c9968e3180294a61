"""bpkit doctor: versions against the declared bounds, the widget front-end, the explorer path."""

from __future__ import annotations

from bpkit import doctor


def test_the_bounds_are_read_from_bpkit_metadata():
    """The lower bounds doctor checks are the ones pyproject declares (numpy, matplotlib...)."""
    bounds = doctor.lower_bounds()
    for name in ("numpy", "matplotlib", "ipywidgets", "jupyterlab"):
        assert name in bounds, bounds
    assert doctor._numbers(bounds["matplotlib"]) >= (3, 6)


def test_an_old_package_is_a_problem_with_the_command_that_fixes_it():
    """matplotlib 3.5 under a >= 3.6 bound is flagged, with a pip command that upgrades it."""
    finding = doctor.check_package("matplotlib", "3.6", "3.5.3")
    assert not finding.ok
    assert 'install -U "matplotlib>=3.6"' in finding.fix
    assert doctor.check_package("matplotlib", "3.6", "3.10.0").ok  # 10 > 6, not "1" < "6"


def test_a_missing_package_and_an_unsupported_python_are_problems():
    """Not installed, or a Python outside 3.10–3.13, each come with a fix."""
    assert not doctor.check_package("ipywidgets", "8.0", None).ok
    old = doctor.check_python((3, 9, 18))
    assert not old.ok
    assert "3.10–3.13" in old.found
    assert old.fix
    assert doctor.check_python((3, 13, 1)).ok


def test_a_missing_labextension_is_reported(tmp_path):
    """A Python whose prefix holds no widget labextension gets a fix that reinstalls it."""
    finding = doctor.check_widget_frontend(prefix=tmp_path)
    assert not finding.ok
    assert "jupyterlab_widgets" in finding.fix


def test_the_report_marks_problems_and_the_command_exits_1(capsys, monkeypatch):
    """One ✗ line with its fix, a count, and exit status 1 when anything is wrong."""
    bad = doctor.Finding("numpy", "1.21.0 (needs >= 1.23)", False, "pip install -U numpy")
    good = doctor.Finding("Python", "3.11.7", True)
    monkeypatch.setattr(doctor, "findings", lambda: [good, bad])
    assert doctor.run(None) == 1
    out = capsys.readouterr().out
    assert "✗ numpy" in out
    assert "fix: pip install -U numpy" in out
    assert "1 problem(s)" in out


def test_this_environment_is_healthy_and_names_its_explorer_path(capsys):
    """The test environment itself passes every check and names the explorer path."""
    assert doctor.run(None) == 0, capsys.readouterr().out
    assert "explorer path" in capsys.readouterr().out


def test_binder_pins_a_supported_python():
    """runtime.txt (read by repo2docker for Binder) names a Python that CI tests."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "runtime.txt").read_text().strip()
    assert text.startswith("python-"), text
    version = doctor._numbers(text.removeprefix("python-"))
    low, high = doctor.PYTHON_RANGE
    assert low <= version[:2] <= high


def test_binder_postbuild_installs_the_widget_state_setting(tmp_path):
    """postBuild (run by repo2docker after the install) puts bpkit lab's JupyterLab setting on
    the environment's Jupyter config path, so Binder saves widget state as `bpkit lab` does."""
    import os
    import subprocess
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "NB_PYTHON_PREFIX": str(tmp_path)}
    subprocess.run(["bash", str(repo / "postBuild")], cwd=repo, env=env, check=True)
    placed = tmp_path / "etc/jupyter/labconfig/default_setting_overrides.json"
    shipped = repo / "bpkit/jupyter_config/labconfig/default_setting_overrides.json"
    assert placed.read_text() == shipped.read_text()
