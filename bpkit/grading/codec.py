"""The grader's name for :mod:`bpkit.codec` (plain data across the sandbox boundary).

The codec lives below both ``bpkit.release`` (which hashes public cases with it) and the
grader, so that ``release`` imports nothing from ``grading``.
"""

from bpkit.codec import (  # noqa: F401 (re-exported)
    ARRAY_DTYPES,
    MAX_ARRAY_BYTES,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_STRING,
    CodecError,
    Unsupported,
    decode,
    encode,
    roundtrip,
    unsupported,
)
