"""Interactive explorers (ipywidgets + matplotlib).

Every explorer is a function that returns a widget; its picture is drawn by a pure
``draw_*`` function in :mod:`bpkit.plot`, so the drawing can be tested without a
browser. See :mod:`bpkit.widgets._explorer` for the pattern. Explorers live in
part-modules (``calculus``, ``graph``, ``network``, ``training``, ``rnn``, ``gated``) and are all
reachable as ``bpkit.widgets.NAME``.
"""

from bpkit._lazy import lazy_exports
from bpkit.widgets._explorer import explorer, render_png

__getattr__, __dir__ = lazy_exports(
    "bpkit.widgets", ["calculus", "graph", "network", "training", "rnn", "gated"]
)

__all__ = ["explorer", "render_png"]
