"""Build a lesson notebook from a percent-format script and run it in a fresh kernel.

    python tools/nbbuild.py draft.py lessons/01_derivatives.ipynb   # build + execute
    python tools/nbbuild.py --run lessons/01_derivatives.ipynb      # re-execute in place

In the script, ``# %%`` starts a code cell and ``# %% [markdown]`` a markdown cell
(each markdown line written as a ``# `` comment). ``# %% tags=["raises-exception"]``
adds cell tags. Cells run top to bottom in a fresh kernel from the notebook's folder,
and the outputs are stored, so execution counts read 1, 2, 3, ...
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")


def parse_percent(text: str) -> nbformat.NotebookNode:
    """Turn a percent-format script into a notebook (no outputs)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    cells: list[tuple[bool, str, list[str]]] = []
    for line in text.splitlines():
        match = HEADER.match(line)
        if match:
            tags = re.search(r"tags=(\[.*\])", match["rest"])
            cells.append((bool(match["md"]), "", json.loads(tags[1]) if tags else []))
            cells[-1] = (cells[-1][0], [], cells[-1][2])  # type: ignore[assignment]
        elif cells:
            cells[-1][1].append(line)  # type: ignore[union-attr]
    for is_md, lines, tags in cells:
        body = "\n".join(lines).strip("\n")
        if is_md:
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in body.splitlines())
            cell = nbformat.v4.new_markdown_cell(body)
        else:
            cell = nbformat.v4.new_code_cell(body)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):  # stable ids keep diffs small
        cell["id"] = f"cell-{i:03d}"
    return nb


def execute(nb: nbformat.NotebookNode, folder: Path, timeout: int = 120) -> float:
    """Run every cell in a fresh kernel started in ``folder``; return seconds taken."""
    start = time.perf_counter()
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="percent script, or a notebook with --run")
    parser.add_argument("target", type=Path, nargs="?", help="notebook to write")
    parser.add_argument("--run", action="store_true", help="re-execute a notebook in place")
    parser.add_argument("--no-execute", action="store_true", help="write without running")
    args = parser.parse_args(argv)
    if args.run:
        target = args.source
        nb = nbformat.read(target, as_version=4)
    else:
        target = args.target or args.source.with_suffix(".ipynb")
        nb = parse_percent(args.source.read_text(encoding="utf-8"))
    if not args.no_execute:
        seconds = execute(nb, target.parent.resolve())
        print(f"{target}: ran {len(nb.cells)} cells in {seconds:.1f} s", file=sys.stderr)
    nbformat.write(nb, target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
