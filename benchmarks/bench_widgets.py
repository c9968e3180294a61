"""Explorer updates: how long one slider move takes, from new value to new PNG.

For every explorer the lessons show, this moves one control through a few values (three
rounds) and times the whole update the browser waits for (``control.value = v`` runs the
observer, which draws the figure and encodes the PNG). The reference, measured in the
same run move by move, is the same state drawn whole by matplotlib alone: a fresh
renderer, no kept frames or glyphs (``SteadyRenderer(reuse=False)``) at the same places.
Target: every update under 150 ms, the worst of the 15 moves included, also while two
other processes keep both cores busy:

    python benchmarks/bench_widgets.py            # a quiet machine
    python benchmarks/bench_widgets.py --busy 2   # with two busy loops running
    python benchmarks/bench_widgets.py --ratio 2  # drawn for a 2× screen (4× the pixels)
    python benchmarks/bench_widgets.py --width 468  # an explorer 468 CSS px wide (a
                                                    # 900-px JupyterLab window)
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

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
        ("init_explorer (07)", init_explorer, "gain", [0.3, 2**0.5, 3.0, 10.0]),
        ("gradient_flow_explorer (08)", gradient_flow_explorer, "radius", [0.8, 1.1, 1.5, 1.9]),
        ("gated_flow_explorer (09)", gated_flow_explorer, "forget_bias", [-1.0, 0.5, 3.0, 4.5]),
    ]


def update_ms(box: Any, control: str, values: list[Any], rounds: int = 3) -> dict[str, float]:
    """Median and worst ms of ``box.controls[control].value = v`` over the values.

    Wall-clock time is what the learner waits for. CPU time is also kept: on a machine
    that other programs keep busy, it shows the work of an update apart from the wait
    for a core. After each move the same state is drawn whole (the reference).
    """
    from bpkit.widgets._explorer import SteadyRenderer, undisturbed

    slider = box.controls[control]
    kept = box.renderer
    first = slider.value
    wall, cpu, whole = [], [], []
    for _ in range(rounds):
        for value in [*values, first]:
            start, start_cpu = time.perf_counter(), time.process_time()
            slider.value = value
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            plain = SteadyRenderer(kept.draw, kept.figsize, reuse=False)
            plain.rescale(kept.scale, kept.shrink)
            plain.positions, plain.clear_edges = kept.positions, kept.clear_edges
            state = box.values()
            start = time.perf_counter()
            undisturbed(lambda: plain(**state))  # noqa: B023 - called at once
            whole.append(time.perf_counter() - start)
    return {
        "median": 1000 * statistics.median(wall), "worst": 1000 * max(wall),
        "cpu_median": 1000 * statistics.median(cpu), "cpu_worst": 1000 * max(cpu),
        "whole_median": 1000 * statistics.median(whole), "whole_worst": 1000 * max(whole),
    }  # fmt: skip


@contextlib.contextmanager
def busy(processes: int) -> Any:
    """Keep ``processes`` Python loops spinning (other programs using the cores)."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(processes)]
    try:
        time.sleep(0.5 if loops else 0.0)
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def run(processes: int = 0, ratio: float = 1.0, width: float = 0.0) -> list[dict]:
    """Time every explorer; ``ratio`` > 1 draws as for a screen with that pixel ratio.

    ``width`` > 0 is the explorer's width in CSS px as the page reports it (else its own).
    """
    rows = []
    load = f", {processes} busy processes" if processes else ""
    load += f", {ratio:g}x pixels" if ratio != 1.0 else ""
    load += f", {width:g} px wide" if width else ""
    with busy(processes):
        for name, build, control, values in explorers():
            box = build()
            if ratio != 1.0 or width:  # what the page reports (a 2x screen, a narrow page)
                box.screen.value = f"{width or box.width} {ratio}"
            ms = update_ms(box, control, values)
            rows.append(
                {
                    "benchmark": f"update {name}, move {control}{load} (worst {ms['worst']:.0f}"
                    f" ms; CPU median {ms['cpu_median']:.0f}, worst {ms['cpu_worst']:.0f} ms)",
                    "bpkit": f"{ms['median']:.0f} ms",
                    "reference": f"drawn whole {ms['whole_median']:.0f} ms "
                    f"(worst {ms['whole_worst']:.0f})",
                    "ratio": ms["median"] / ms["whole_median"],
                    "target": f"worst < {TARGET_MS:.0f} ms",
                    "ok": ms["worst"] < TARGET_MS,
                }
            )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=0, help="busy processes to run meanwhile")
    parser.add_argument("--ratio", type=float, default=1.0, help="device pixel ratio to draw for")
    parser.add_argument("--width", type=float, default=0.0, help="explorer's width in CSS px")
    args = parser.parse_args()
    for row in run(args.busy, args.ratio, args.width):
        print(
            f"{row['benchmark']:96} {row['bpkit']:>6}  {row['reference']:>28}  "
            f"({row['ratio']:.2f}×)  {'ok' if row['ok'] else 'SLOW'}"
        )
