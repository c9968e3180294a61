"""Datasets for the course, all made or shipped locally: nothing is downloaded.

Toy 2-D sets (``xor``, ``moons``, ``spirals``), the 8×8 handwritten ``digits`` (shipped
as ``digits.npz``), a ``train_test_split`` helper, and sequence data for the RNN lesson.
All reachable as ``bpkit.data.NAME``.
"""

from bpkit._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports("bpkit.data", ["datasets", "sequences"])
