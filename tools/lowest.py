"""Print pip constraints that pin each of bpkit's dependencies to its declared lower bound.

    python tools/lowest.py > lowest.txt && pip install -c lowest.txt -e ".[test]"

CI's "oldest" leg installs bpkit this way on the oldest supported Python, so every lower
bound in pyproject.toml is one that was tested. Only ``>=`` bounds of the runtime
dependencies are pinned; the test tools resolve to their newest versions.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def lower_bounds(text: str) -> list[str]:
    """``name==bound`` for every ``name>=bound`` in ``[project] dependencies``."""
    block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    if block is None:
        raise SystemExit("tools/lowest.py: no dependencies = [...] in pyproject.toml")
    pins = []
    for name, bound in re.findall(r'"\s*([A-Za-z0-9_.-]+)\s*>=\s*([\w.]+)', block[1]):
        pins.append(f"{name}=={bound}")
    return pins


if __name__ == "__main__":
    sys.stdout.write("".join(f"{pin}\n" for pin in lower_bounds(PYPROJECT.read_text())))
