"""BPTT step: bpkit.rnn.RNN against PyTorch's nn.RNN, side by side on the CPU.

One step = forward over T = 50 steps (batch 32, n_in 10, hidden 64, float64) plus full
BPTT of the loss sum(hs * dhs) for a fixed random dhs, including the input gradient dxs.
Both use the same BLAS thread count. Target: bpkit ≤ 0.8 × PyTorch.

    python benchmarks/bench_rnn.py
"""

from __future__ import annotations

import ctypes
import glob
import os
import time
from collections.abc import Callable

import numpy as np

T, BATCH, N_IN, N_HIDDEN = 50, 32, 10, 64
TARGET = 0.8


def numpy_threads() -> int:
    """Return the number of threads numpy's OpenBLAS uses (falls back to the CPU count)."""
    folder = os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs")
    for path in glob.glob(os.path.join(folder, "*openblas*")):
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, name):
                return int(getattr(lib, name)())
    return os.cpu_count() or 1


def best_time(step: Callable[[], object], repeats: int = 5, number: int = 30) -> float:
    """Best-of-``repeats`` mean seconds per call of ``step`` (after one warm-up call)."""
    step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            step()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def _bpkit_step(xs: np.ndarray, dhs: np.ndarray) -> Callable[[], object]:
    from bpkit.rnn import RNN

    rnn = RNN(N_IN, N_HIDDEN, seed=0)

    def step() -> object:
        rnn.forward(xs)
        return rnn.backward(dhs)

    return step


def torch_step(kind: str, xs: np.ndarray, dhs: np.ndarray) -> Callable[[], object]:
    """One forward + BPTT step of ``torch.nn.<kind>`` (RNN, LSTM or GRU), dxs included."""
    import torch

    layer = getattr(torch.nn, kind)(N_IN, N_HIDDEN, dtype=torch.float64)  # RNN: tanh
    x, dout = torch.from_numpy(xs), torch.from_numpy(dhs)

    def step() -> object:
        layer.zero_grad(set_to_none=True)
        x_leaf = x.detach().requires_grad_(True)  # so that dxs is computed, as in bpkit
        hs, _ = layer(x_leaf)
        (hs * dout).sum().backward()
        return x_leaf.grad

    return step


def run() -> list[dict]:
    """Time both BPTT steps side by side and return one benchmark row."""
    try:
        import torch
    except ImportError:
        return [
            {
                "benchmark": "RNN forward + BPTT (T=50, 32×10→64)",
                "bpkit": "",
                "reference": "torch not installed",
                "ratio": None,
                "target": f"≤ {TARGET}× torch",
                "ok": None,
            }
        ]
    threads = numpy_threads()
    torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((T, BATCH, N_IN))
    dhs = rng.standard_normal((T, BATCH, N_HIDDEN))
    ours, theirs = _bpkit_step(xs, dhs), torch_step("RNN", xs, dhs)
    bpkit_s, torch_s = [], []
    for _ in range(3):  # interleave, so both see the same machine load
        bpkit_s.append(best_time(ours))
        torch_s.append(best_time(theirs))
    ratio = min(bpkit_s) / min(torch_s)
    return [
        {
            "benchmark": f"RNN forward + BPTT (T={T}, batch {BATCH}, {N_IN}→{N_HIDDEN}, "
            f"float64, {threads} threads)",
            "bpkit": f"{min(bpkit_s) * 1e3:.2f} ms",
            "reference": f"torch nn.RNN {min(torch_s) * 1e3:.2f} ms",
            "ratio": ratio,
            "target": f"≤ {TARGET}×",
            "ok": ratio <= TARGET,
        }
    ]


if __name__ == "__main__":
    for row in run():
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}×"
        print(
            f"{row['benchmark']}: bpkit {row['bpkit']}, {row['reference']}, "
            f"ratio {ratio} (target {row['target']}, ok: {row['ok']})"
        )
