"""Print every performance figure of bpkit in one table.

    python benchmarks/run.py              # everything
    python benchmarks/run.py --skip-lessons  # leave out the notebook run times
    python benchmarks/run.py --only scalar nn

Rows come from ``benchmarks/bench_*.py`` (each has ``run() -> list[dict]``, run in a fresh
interpreter of its own), plus the import time of bpkit and the wall time of every lesson.
Each ratio is measured side by side with its reference in this one run, so machine noise
mostly cancels out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def _import_seconds(module: str, repeats: int = 7) -> float:
    """Best-of-n wall time of a fresh interpreter importing ``module`` (minus a bare start)."""

    def once(code: str) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    bare = min(once("pass") for _ in range(repeats))
    return min(once(f"import {module}") for _ in range(repeats)) - bare


def import_rows() -> list[dict]:
    core = [
        m
        for m in ("calculus", "nn", "scalar", "rnn", "gated")
        if (ROOT / "bpkit" / f"{m}.py").exists()
    ]
    bpkit_s = _import_seconds(", ".join(["bpkit", *(f"bpkit.{m}" for m in core)]))
    numpy_s = _import_seconds("numpy")
    return [
        {
            "benchmark": f"import bpkit (+ {', '.join(core)})",
            "bpkit": f"{bpkit_s * 1000:.0f} ms",
            "reference": f"import numpy {numpy_s * 1000:.0f} ms",
            "ratio": bpkit_s / numpy_s,
            "target": "< 300 ms",
            "ok": bpkit_s < 0.3,
        }
    ]


def lesson_rows() -> list[dict]:
    sys.path.insert(0, str(ROOT / "tools"))
    import nbformat
    from nbbuild import execute

    rows = []
    for path in sorted((ROOT / "lessons").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        seconds = execute(nb, path.parent)
        rows.append(
            {
                "benchmark": f"run {path.name} (fresh kernel)",
                "bpkit": f"{seconds:.1f} s",
                "reference": "",
                "ratio": None,
                "target": "< 30 s",
                "ok": seconds < 30,
            }
        )
    return rows


def bench_paths(only: list[str] | None) -> list[Path]:
    """The ``bench_*.py`` scripts to run (all, or the ones named in ``only``)."""
    paths = sorted(HERE.glob("bench_*.py"))
    return [p for p in paths if not only or p.stem.removeprefix("bench_") in only]


def run_isolated(path: Path) -> list[dict]:
    """Run one bench script's ``run()`` in a fresh interpreter and return its rows.

    A fresh process per script keeps one benchmark's imports (torch, ipywidgets) and
    garbage from slowing the next: a bigger heap makes every cycle collection slower.
    """
    code = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('bench', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "sys.stdout.write('\\n@@ROWS@@' + json.dumps(module.run()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or "@@ROWS@@" not in done.stdout:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{path.name} failed (exit code {done.returncode})")
    return json.loads(done.stdout.rsplit("@@ROWS@@", 1)[1])


def print_table(rows: list[dict]) -> None:
    headers = ["benchmark", "bpkit", "reference", "ratio", "target", "ok"]
    cells = [
        [
            str(r["benchmark"]),
            str(r["bpkit"]),
            str(r["reference"]),
            "" if r.get("ratio") is None else f"{r['ratio']:.2f}×",
            str(r["target"]),
            "" if r.get("ok") is None else ("yes" if r["ok"] else "NO"),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    line = " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(f"| {line} |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        print("| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only these bench_NAME modules")
    parser.add_argument("--skip-lessons", action="store_true", help="skip notebook run times")
    args = parser.parse_args(argv)
    rows = [] if args.only else import_rows()
    for path in bench_paths(args.only):
        print(f"running {path.name} ...", file=sys.stderr)
        rows += run_isolated(path)
    if not (args.only or args.skip_lessons):
        rows += lesson_rows()
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
