"""The package as a whole: light import, a working command line, lazy submodules."""

import subprocess
import sys

import pytest

import bpkit
from bpkit import cli


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "import bpkit",
        "import bpkit.calculus, bpkit.gradcheck",
        "import bpkit.plot, bpkit.widgets, bpkit.data",
    ],
)
def test_import_does_not_load_plotting_or_widgets(code):
    """Importing bpkit (and its math core) never imports matplotlib or ipywidgets."""
    loaded = _modules_after(code)
    assert "matplotlib" not in loaded
    assert "ipywidgets" not in loaded


def test_unknown_attribute_names_itself():
    """A typo in a submodule name gives an AttributeError that names it."""
    with pytest.raises(AttributeError, match="nosuchmodule"):
        bpkit.nosuchmodule


def test_help_lists_every_subcommand(capsys):
    """`bpkit --help` lists each registered subcommand with its help line."""
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name, (_, help_text) in cli.COMMANDS.items():
        assert name in out
        assert help_text.split()[0] in out


def test_console_script_runs():
    """`python -m bpkit --version` prints the package version."""
    out = subprocess.run(
        [sys.executable, "-m", "bpkit", "--version"], capture_output=True, text=True, check=True
    )
    assert bpkit.__version__ in out.stdout


def test_dir_lists_the_public_api_not_imported_helpers():
    """Tab completion on bpkit.widgets / bpkit.plot shows course names, not `np` or `Any`."""
    import bpkit.plot
    import bpkit.widgets

    widgets, plot = dir(bpkit.widgets), dir(bpkit.plot)
    assert {"explorer", "tangent_explorer", "init_explorer", "backprop_stepper"} <= set(widgets)
    assert {"apply", "draw_tangent", "draw_init_flow", "PALETTE"} <= set(plot)
    for helper in ("np", "Any", "Callable", "annotations", "importlib"):
        assert helper not in widgets
        assert helper not in plot
    assert "importlib" not in dir(bpkit)
