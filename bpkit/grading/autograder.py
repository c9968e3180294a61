"""``bpkit autograder``: build the zip that Gradescope's own containers run.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once when it builds
the image, then ``run_autograder`` for every submission. The zip holds:

    setup.sh            installs numpy, matplotlib and the bundled bpkit
    run_autograder      grades /autograder/submission/*.ipynb into /autograder/results/results.json
    config.json         the exercise (when the assignment is one exercise) and the limits
    package/            bpkit itself (pyproject.toml, README.md, bpkit/), no caches, and the
                        exercises' public parts (exercises/*/cases.py, hints.py)
    exercises/source/   the instructor files (NN_topic/source.ipynb, hidden.py, ...): the
                        grader's secrets

``run_autograder`` calls ``python3 -m bpkit.grading.autograder ROOT``; the environment
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

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 python3-pip >/dev/null
fi
python3 -m pip install -q "numpy>=1.23" "matplotlib>=3.6"
python3 -m pip install -q --no-deps /autograder/source/package
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission. BPKIT_AUTOGRADER_ROOT replaces /autograder.
set -euo pipefail
ROOT="${BPKIT_AUTOGRADER_ROOT:-/autograder}"
export PYTHONPATH="$ROOT/source/package"
exec "${BPKIT_PYTHON:-python3}" -m bpkit.grading.autograder "$ROOT"
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``bpkit autograder``'s options."""
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"))
    parser.add_argument("--source", type=Path, default=Path("exercises"))
    parser.add_argument("--exercise", default=None, help="the assignment's exercise (NN_topic)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per cell or case")
    parser.add_argument("--memory", type=int, default=1024, help="memory limit in MB")


def _add_tree(zf: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
            zf.write(path, f"{prefix}/{rel.as_posix()}")


def _executable(zf: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16
    zf.writestr(info, text)


def build(out: Path, source: Path, exercise: str | None, timeout: float, memory: int) -> Path:
    """Write the autograder zip to ``out`` and return its path."""
    from bpkit.grading import exercise as ex

    source = source.resolve()
    found = ex.available(source)
    if not found:
        raise SystemExit(f"bpkit autograder: no exercise notebooks in {source}")
    if exercise and exercise not in found:
        raise SystemExit(f"bpkit autograder: no exercise {exercise!r} in {source}")
    package = Path(__file__).resolve().parents[2]
    config = {"exercise": exercise, "timeout": timeout, "memory": memory}
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
        for path in found.values():
            if path.name == "source.ipynb":  # an exercise folder
                for part in sorted(path.parent.glob("*.py")):
                    zf.write(part, f"exercises/source/{path.parent.name}/{part.name}")
                zf.write(path, f"exercises/source/{path.parent.name}/{path.name}")
            else:
                zf.write(path, f"exercises/source/{path.name}")
        if (source / "cases").is_dir():
            _add_tree(zf, source / "cases", "exercises/source/cases")
    os.replace(tmp, out)
    return out


def run(args: argparse.Namespace) -> int:
    """Build the zip; print where it is."""
    path = build(args.out, args.source, args.exercise, args.timeout, args.memory)
    print(f"wrote {path}: upload it as the Gradescope autograder")
    return 0


def merge(out: Path) -> dict:
    """Combine every NAME.results.json in ``out`` into one Gradescope results.json."""
    parts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.results.json"))]
    if not parts:
        return {"score": 0, "output": "No notebook (.ipynb) found in your submission.", "tests": []}
    several = len(parts) > 1
    tests = []
    for part in parts:
        record = part["extra_data"]["bpkit"]
        for test in part["tests"]:
            prefix = f"{record['submission']}: " if several else ""
            tests.append({**test, "name": prefix + test["name"]})
    return {
        "score": round(sum(p["score"] for p in parts), 4),
        "output": "\n".join(p["output"] for p in parts),
        "tests": tests,
    }


def grade_gradescope(root: Path) -> int:
    """Grade ``root/submission`` with the bundled sources into ``root/results/results.json``."""
    from bpkit.grading import cli, report

    config = json.loads((root / "source" / "config.json").read_text(encoding="utf-8"))
    exercises = root / "source" / "exercises"
    if os.geteuid() == 0:
        os.chmod(exercises, 0o700)  # the unprivileged notebook process cannot look inside
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bpkit-gradescope-") as tmp:
        parser = argparse.ArgumentParser()
        cli.add_arguments(parser)
        argv = [str(root / "submission"), "--out", tmp, "--source", str(exercises / "source")]
        argv += ["--timeout", str(config["timeout"]), "--memory", str(config["memory"])]
        if config.get("exercise"):
            argv += ["--exercise", config["exercise"]]
        cli.run(parser.parse_args(argv))
        combined = merge(Path(tmp))
    report.write_atomic(results / "results.json", json.dumps(combined, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "/autograder")
    os.umask(0o022)
    sys.exit(grade_gradescope(root))
