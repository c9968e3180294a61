"""The ``bpkit`` command: one subcommand per module that implements it.

Each subcommand lives in its own module as ``add_arguments(parser)`` and ``run(args)``;
this file only lists them, so ``bpkit --help`` stays fast and complete.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name: (module implementing it, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "release": ("bpkit.release", "write student notebooks from the instructor sources"),
    "lab": ("bpkit.lab", "open the course in JupyterLab on the welcome lesson"),
    "grade": (
        "bpkit.grading.cli",
        "grade submitted notebooks into a CSV, feedback and Gradescope JSON",
    ),
    "gradebook": (
        "bpkit.grading.gradebook",
        "join the grades of several exercises into one CSV an LMS can import",
    ),
    "autograder": ("bpkit.grading.autograder", "build the Gradescope autograder zip"),
    "doctor": ("bpkit.doctor", "check this environment's versions and widgets, and say how to fix"),
    "site": ("bpkit.site.build", "build the course's static website from the stored lessons"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bpkit",
        description="bpkit: a hands-on course on backpropagation. Commands:",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from bpkit import __version__

    parser.add_argument("--version", action="version", version=f"bpkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(module_name)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return int(args._run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
