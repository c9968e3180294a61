"""Pure-matplotlib drawings used by the lessons and the explorers.

Each ``draw_*`` function draws onto a figure or axes it is given and returns it; it
never calls ``plt.show`` and never leaves a pyplot figure open. The functions live in
part-modules (``calculus``, ``graph``, ``network``, ``training``, ``initialization``,
``rnn``, ``gated``) and are all reachable as ``bpkit.plot.NAME``.
"""

from bpkit._lazy import lazy_exports
from bpkit.plot._style import CYCLE, PALETTE, apply, new_figure

__getattr__, __dir__ = lazy_exports(
    "bpkit.plot",
    ["alt", "calculus", "graph", "network", "training", "initialization", "rnn", "gated"],
)

__all__ = ["CYCLE", "PALETTE", "apply", "new_figure"]
