"""Explorer updates: how long one slider move takes, from new value to new PNG.

For every explorer the lessons show, this moves one control through a few values and
times the whole update the browser waits for (``control.value = v`` runs the observer,
which draws the figure and encodes the PNG). The reference, measured in the same run, is
the cheapest redraw matplotlib can do: one line plot rendered to PNG at the same size.
Target: every update under 150 ms, the worst of 15 moves included.

    python benchmarks/bench_widgets.py
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

TARGET_MS = 150.0


def explorers() -> list[tuple[str, Callable[[], Any], str, list[Any]]]:
    """(name, build, control to move, values to move it through) for each explorer."""
    import bpkit
    from bpkit.widgets import (
        backprop_stepper,
        backward_stepper,
        descent_explorer,
        gated_flow_explorer,
        gradient_flow_explorer,
        init_explorer,
        neuron_explorer,
        tangent_explorer,
    )

    def lesson06_graph() -> Any:
        x, w, b = bpkit.scalar.Value(2.0), bpkit.scalar.Value(-3.0), bpkit.scalar.Value(1.0)
        return backward_stepper((x * w + b).tanh() * x)

    return [
        ("tangent_explorer (01)", tangent_explorer, "h", [0.5, 0.1, 0.01, 0.3]),
        ("backward_stepper (02, 06)", lesson06_graph, "step", [1, 2, 3, 4]),
        ("descent_explorer dim=1 (03)", descent_explorer, "lr", [0.05, 0.5, 0.95, 1.2]),
        ("descent_explorer dim=2 (03)", lambda: descent_explorer(dim=2), "lr", [0.05, 0.3, 0.45]),
        ("neuron_explorer (04)", neuron_explorer, "w1", [0.5, -1.0, 2.0, 3.0]),
        ("backprop_stepper (05)", backprop_stepper, "step", [3, 6, 9, 12]),
        ("init_explorer (07)", init_explorer, "gain", [0.3, 1.41, 3.0, 10.0]),
        ("gradient_flow_explorer (08)", gradient_flow_explorer, "radius", [0.8, 1.1, 1.5, 1.9]),
        ("gated_flow_explorer (09)", gated_flow_explorer, "forget_bias", [-1.0, 0.5, 3.0, 4.5]),
    ]


def reference_ms(width_in: float = 6.0, height_in: float = 3.5, repeats: int = 20) -> float:
    """Median ms to draw one 200-point line plot on a fresh figure and encode it as PNG."""
    from matplotlib.figure import Figure

    t = np.linspace(0, 1, 200)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fig = Figure(figsize=(width_in, height_in), dpi=90)
        ax = fig.add_subplot()
        ax.plot(t, np.sin(6 * t))
        ax.set(xlabel="t", ylabel="y")
        fig.savefig(io.BytesIO(), format="png")
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def update_ms(box: Any, control: str, values: list[Any], rounds: int = 3) -> dict[str, float]:
    """Median and worst ms of ``box.controls[control].value = v`` over the values.

    Wall-clock time is what the learner waits for. CPU time is also kept: on a machine
    that other programs keep busy, it shows the work of an update apart from the wait
    for a core.
    """
    slider = box.controls[control]
    first = slider.value
    wall, cpu = [], []
    for _ in range(rounds):
        for value in [*values, first]:
            start, start_cpu = time.perf_counter(), time.process_time()
            slider.value = value
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return {
        "median": 1000 * statistics.median(wall), "worst": 1000 * max(wall),
        "cpu_median": 1000 * statistics.median(cpu), "cpu_worst": 1000 * max(cpu),
    }  # fmt: skip


def run() -> list[dict]:
    reference = reference_ms()
    rows = []
    for name, build, control, values in explorers():
        box = build()
        ms = update_ms(box, control, values)
        rows.append(
            {
                "benchmark": f"update {name}, move {control} (worst {ms['worst']:.0f} ms; "
                f"CPU median {ms['cpu_median']:.0f}, worst {ms['cpu_worst']:.0f} ms)",
                "bpkit": f"{ms['median']:.0f} ms",
                "reference": f"bare line plot → PNG {reference:.0f} ms",
                "ratio": ms["median"] / reference,
                "target": f"worst < {TARGET_MS:.0f} ms",
                "ok": ms["worst"] < TARGET_MS,
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['benchmark']:92} {row['bpkit']:>7}  ({row['ratio']:.1f}× reference)")
