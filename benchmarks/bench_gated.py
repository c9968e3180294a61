"""BPTT step of the gated layers: bpkit.gated.LSTM and GRU against PyTorch's nn.LSTM and
nn.GRU, side by side on the CPU.

One step = forward over T = 50 steps (batch 32, n_in 10, hidden 64, float64) plus full
BPTT of the loss sum(hs * dhs) for a fixed random dhs, including the input gradient dxs.
Both use the same BLAS thread count. Target: bpkit ≤ 1.0 × PyTorch. bpkit's layers are timed
as the lesson writes them (i = σ(z_i), …): there is no separate fast path.

    python benchmarks/bench_gated.py
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rnn import (  # the same sizes, timer and torch step as the RNN row
    BATCH,
    N_HIDDEN,
    N_IN,
    T,
    best_time,
    numpy_threads,
    torch_step,
)

TARGET = 1.0


def _bpkit_step(kind: str, xs: np.ndarray, dhs: np.ndarray) -> Callable[[], object]:
    from bpkit import gated

    layer = getattr(gated, kind)(N_IN, N_HIDDEN, seed=0)

    def step() -> object:
        layer.forward(xs)
        return layer.backward(dhs)

    return step


def _label(kind: str, threads: int | None = None) -> str:
    where = f", float64, {threads} threads" if threads else ""
    return f"{kind} forward + BPTT (T={T}, batch {BATCH}, {N_IN}→{N_HIDDEN}{where})"


def run() -> list[dict]:
    """Time the LSTM and GRU steps side by side with torch's; return one row for each."""
    try:
        import torch
    except ImportError:
        return [
            {
                "benchmark": _label(kind),
                "bpkit": "",
                "reference": "torch not installed",
                "ratio": None,
                "target": f"≤ {TARGET}× torch",
                "ok": None,
            }
            for kind in ("LSTM", "GRU")
        ]
    threads = numpy_threads()
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((T, BATCH, N_IN))
    dhs = rng.standard_normal((T, BATCH, N_HIDDEN))
    rows = []
    for kind in ("LSTM", "GRU"):
        ours, theirs = _bpkit_step(kind, xs, dhs), torch_step(kind, xs, dhs)
        bpkit_s, torch_s = [], []
        for _ in range(3):  # interleave, so both see the same machine load
            bpkit_s.append(best_time(ours))
            torch_s.append(best_time(theirs))
        ratio = min(bpkit_s) / min(torch_s)
        rows.append(
            {
                "benchmark": _label(kind, threads),
                "bpkit": f"{min(bpkit_s) * 1e3:.2f} ms",
                "reference": f"torch nn.{kind} {min(torch_s) * 1e3:.2f} ms",
                "ratio": ratio,
                "target": f"≤ {TARGET}×",
                "ok": ratio <= TARGET,
            }
        )
    return rows


if __name__ == "__main__":
    rows = run()
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        print(
            f"{row['benchmark']}: bpkit {row['bpkit']}, {row['reference']}, "
            f"ratio {ratio} (target {row['target']}, ok: {row['ok']})"
        )
    if all(row["ratio"] is not None for row in rows):
        side = ", ".join(
            f"{kind} {row['ratio']:.2f}×" for kind, row in zip(("LSTM", "GRU"), rows, strict=True)
        )
        print(f"side by side, bpkit / torch: {side} (target ≤ {TARGET}×)")
