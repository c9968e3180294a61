"""The training loop a learner writes, in bpkit and in PyTorch CPU eager, side by side.

bpkit's loop is exactly the four lines the lessons teach::

    optimizer.zero_grad()
    loss.forward(model.forward(x), y)
    model.backward(loss.backward())
    optimizer.step()

and torch's is its own idiom for the same step (``zero_grad``, loss, ``backward``, ``step``),
both in float64 with torch using as many threads as numpy's BLAS. The two are timed in
alternation (a bpkit block, a torch block, repeated); a row compares the best block of
each, and also gives the median and spread of the ratio within each round.

    python benchmarks/bench_nn.py
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

import numpy as np

from bpkit import nn

# (sizes, batch, steps per timed block, target ratio bpkit / torch)
CASES = [([64, 128, 10], 64, 200, 0.6), ([784, 256, 128, 10], 128, 30, 0.9)]
REPEATS = 15
# Both libraries leave their BLAS/OpenMP threads spinning for a while after a call; on a small
# machine those spinning threads steal the cores from whichever library runs next. A short
# rest before each timed block lets them go to sleep, so each block starts on an idle machine.
REST = 0.25  # seconds


def numpy_threads() -> int:
    """Return the thread count numpy's OpenBLAS uses (its environment variables, else all cores)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def _batch(sizes: list[int], batch: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((batch, sizes[0])), rng.integers(0, sizes[-1], batch)


def bpkit_step(sizes: list[int], batch: int) -> Callable[[], None]:
    """Return one step of the plain bpkit loop on a fixed batch, exactly as a learner writes it.

    ``model.backward`` fills the parameter gradients and skips ∂L/∂x of the data, as torch
    does for an input that does not require grad.
    """
    model, loss = nn.MLP(sizes, activation="tanh"), nn.SoftmaxCrossEntropy()
    optimizer = nn.SGD(model, lr=0.01)
    x, y = _batch(sizes, batch)

    def step() -> None:
        optimizer.zero_grad()
        loss.forward(model.forward(x), y)
        model.backward(loss.backward())
        optimizer.step()

    return step


def bpkit_step_with_dx(sizes: list[int], batch: int) -> Callable[[], None]:
    """Return the same step asking the model for ∂L/∂x too, to show what that would cost."""
    model, loss = nn.MLP(sizes, activation="tanh"), nn.SoftmaxCrossEntropy()
    optimizer = nn.SGD(model, lr=0.01)
    x, y = _batch(sizes, batch)

    def step() -> None:
        optimizer.zero_grad()
        loss.forward(model.forward(x), y)
        model.backward(loss.backward(), input_grad=True)
        optimizer.step()

    return step


def torch_step(sizes: list[int], batch: int) -> Callable[[], None]:
    """Return a function doing the same step with torch.nn and torch.optim.SGD."""
    import torch

    layers: list[torch.nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float64))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    model, loss = torch.nn.Sequential(*layers), torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = (torch.from_numpy(a) for a in _batch(sizes, batch))

    def step() -> None:
        optimizer.zero_grad()
        loss(model(x), y).backward()
        optimizer.step()

    return step


def time_blocks(
    steps: dict[str, Callable[[], None]], inner: int, repeats: int, rest: float = REST
) -> dict[str, list[float]]:
    """Time ``inner`` calls of each step in alternating blocks; return seconds per call.

    Round r times every step once (the order flips every round), so ``times[a][r]`` and
    ``times[b][r]`` were measured next to each other, under the same load.
    """
    times: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():  # warm up caches, allocators and torch's dispatcher
        for _ in range(inner):
            step()
    for r in range(repeats):
        order = list(steps) if r % 2 == 0 else list(reversed(steps))
        for name in order:
            time.sleep(rest)
            start = time.perf_counter()
            for _ in range(inner):
                steps[name]()
            times[name].append((time.perf_counter() - start) / inner)
    return times


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def run() -> list[dict]:
    """Return rows per MLP: the plain bpkit loop (then asking for ∂L/∂x too) vs torch's."""
    try:
        import torch
    except ImportError:
        torch = None
    rows = []
    for sizes, batch, inner, target in CASES:
        name = f"MLP {sizes} plain training loop, batch {batch}"
        steps = {"bpkit": bpkit_step(sizes, batch), "bpkit+dx": bpkit_step_with_dx(sizes, batch)}
        if torch is not None:
            torch.set_num_threads(numpy_threads())
            steps["torch"] = torch_step(sizes, batch)
        times = time_blocks(steps, inner, REPEATS)
        for key, label in (("bpkit", name), ("bpkit+dx", f"{name}, input_grad=True")):
            best = min(times[key])
            if torch is None:
                reference, ratio = "torch not installed", float("nan")
            else:
                rounds = [a / b for a, b in zip(times[key], times["torch"], strict=True)]
                reference = (
                    f"torch {torch.__version__} eager: {_fmt(min(times['torch']))} "
                    f"(per-round ratio median {statistics.median(rounds):.2f}, "
                    f"{min(rounds):.2f}–{max(rounds):.2f})"
                )
                ratio = round(best / min(times["torch"]), 3)
            # The second row only shows what the unneeded dL/dx of the data would cost.
            goal, ok = (f"≤ {target}× torch", ratio <= target) if key == "bpkit" else ("none", True)
            rows.append(
                {"benchmark": label, "bpkit": _fmt(best), "reference": reference,
                 "ratio": ratio, "target": goal, "ok": bool(ok)}
            )  # fmt: skip
    return rows


if __name__ == "__main__":
    print(f"threads: numpy/torch {numpy_threads()}")
    for row in run():
        mark = "✓" if row["ok"] else "✗"
        print(
            f"{mark} {row['benchmark']}: bpkit {row['bpkit']} vs {row['reference']} "
            f"→ ratio {row['ratio']} (target {row['target']})"
        )
