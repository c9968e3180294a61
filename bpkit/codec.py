"""Plain data across the sandbox boundary: encode on either side, decode only with validation.

A driver's result crosses from the submission's process to the grader as JSON built from
tagged values. ``encode`` turns numbers, strings, lists, tuples, dicts with string keys and
numeric numpy arrays into that JSON; anything else becomes an ``unsupported`` tag naming its
type. ``decode`` is the trust boundary: it rebuilds only plain Python values and fresh
``numpy.ndarray`` objects of whitelisted dtypes from bytes, checks every size, and raises
``CodecError`` on anything malformed. Nothing is ever unpickled or evaluated.

Tags (every dict in the JSON is one of these):
    {"t": "f", "v": "nan" | "inf" | "-inf"}           non-finite float
    {"t": "d", "items": [[key, value], ...]}           dict with string keys
    {"t": "t", "items": [value, ...]}                  tuple (lists stay JSON lists)
    {"t": "a", "dtype": "<f8", "shape": [2, 3], "b64": "..."}   numeric array
    {"t": "u", "type": "LyingThing"}                   a value that cannot cross
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any

# dtypes a result array may have: booleans, integers, floats, complex (little-endian, native)
_INTEGERS = ("|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8")
ARRAY_DTYPES = frozenset(("|b1", *_INTEGERS, "<f2", "<f4", "<f8", "<c8", "<c16"))
MAX_DEPTH = 32
MAX_STRING = 100_000
MAX_ITEMS = 1_000_000  # list items, dict items or array elements in one result
MAX_ARRAY_BYTES = 64 * 1024 * 1024


class CodecError(ValueError):
    """A message from the sandbox that is not well-formed plain data."""


@dataclass(frozen=True)
class Unsupported:
    """Stands for a value of a type that cannot cross the boundary (its type name only)."""

    type_name: str

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def encode(value: Any, _depth: int = 0) -> Any:
    """Return a JSON-ready tagged form of ``value`` (never raises for odd types)."""
    import numpy as np

    if _depth > MAX_DEPTH:
        return {"t": "u", "type": "structure nested too deeply"}
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"t": "f", "v": repr(value)}
    if kind is list:
        return [encode(item, _depth + 1) for item in value]
    if kind is tuple:
        return {"t": "t", "items": [encode(item, _depth + 1) for item in value]}
    if kind is dict:
        if not all(type(key) is str for key in value):
            return {"t": "u", "type": "dict with non-string keys"}
        return {"t": "d", "items": [[k, encode(v, _depth + 1)] for k, v in value.items()]}
    if isinstance(value, np.ndarray):
        return _encode_array(np.ndarray.view(value, np.ndarray))
    if isinstance(value, np.generic) and value.dtype.kind in "biufc":
        return _encode_array(np.asarray(value))
    return {"t": "u", "type": type(value).__name__[:100]}


def _encode_array(array: Any) -> Any:
    import numpy as np

    if array.dtype.kind not in "biufc":
        return {"t": "u", "type": f"array of dtype {array.dtype}"}
    little = array.astype(array.dtype.newbyteorder("<"), copy=False)
    data = np.ascontiguousarray(little).tobytes()
    return {
        "t": "a",
        "dtype": little.dtype.str,
        "shape": list(array.shape),
        "b64": base64.b64encode(data).decode("ascii"),
    }


def decode(data: Any) -> Any:
    """Rebuild a value from its tagged JSON form, validating every part; raise ``CodecError``."""
    budget = [MAX_ITEMS]
    return _decode(data, 0, budget)


def _spend(budget: list[int], n: int) -> None:
    budget[0] -= n
    if budget[0] < 0:
        raise CodecError(f"result too large (more than {MAX_ITEMS} items)")


def _decode(data: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH:
        raise CodecError("result nested too deeply")
    kind = type(data)
    if data is None or kind is bool or kind is int:
        return data
    if kind is float:
        if not math.isfinite(data):
            raise CodecError("non-finite float outside its tag")
        return data
    if kind is str:
        if len(data) > MAX_STRING:
            raise CodecError(f"string longer than {MAX_STRING} characters")
        return data
    if kind is list:
        _spend(budget, len(data))
        return [_decode(item, depth + 1, budget) for item in data]
    if kind is not dict:
        raise CodecError(f"unexpected JSON value of type {kind.__name__}")
    tag = data.get("t")
    if tag == "f" and set(data) == {"t", "v"} and data["v"] in ("nan", "inf", "-inf"):
        return float(data["v"])
    if tag == "u" and set(data) == {"t", "type"} and type(data["type"]) is str:
        return Unsupported(data["type"][:100])
    if tag == "t" and set(data) == {"t", "items"} and type(data["items"]) is list:
        _spend(budget, len(data["items"]))
        return tuple(_decode(item, depth + 1, budget) for item in data["items"])
    if tag == "d" and set(data) == {"t", "items"} and type(data["items"]) is list:
        _spend(budget, len(data["items"]))
        out = {}
        for pair in data["items"]:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise CodecError("malformed dict item")
            out[pair[0]] = _decode(pair[1], depth + 1, budget)
        return out
    if tag == "a" and set(data) == {"t", "dtype", "shape", "b64"}:
        return _decode_array(data, budget)
    raise CodecError(f"unknown or malformed tag {str(tag)[:20]!r}")


def _decode_array(data: dict, budget: list[int]) -> Any:
    import numpy as np

    dtype, shape, b64 = data["dtype"], data["shape"], data["b64"]
    if type(dtype) is not str or dtype not in ARRAY_DTYPES:
        raise CodecError(f"array dtype {str(dtype)[:20]!r} is not a plain numeric dtype")
    if type(shape) is not list or len(shape) > 32:
        raise CodecError("malformed array shape")
    if not all(type(n) is int and 0 <= n <= MAX_ITEMS for n in shape):
        raise CodecError("malformed array shape")
    if type(b64) is not str or len(b64) > MAX_ARRAY_BYTES * 4 // 3 + 4:
        raise CodecError("malformed or oversized array data")
    size = math.prod(shape)
    _spend(budget, size)
    try:
        raw = base64.b64decode(b64.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise CodecError(f"array data is not base64: {error}") from None
    np_dtype = np.dtype(dtype)
    if len(raw) != size * np_dtype.itemsize:
        raise CodecError(f"array data has {len(raw)} bytes, shape {shape} needs more or fewer")
    array = np.frombuffer(raw, dtype=np_dtype).reshape(shape)
    return array.astype(np_dtype.newbyteorder("="), copy=True)


def unsupported(encoded: Any) -> list[str]:
    """List the type names an encoded value could not carry (empty when all of it is plain)."""
    if type(encoded) is list:
        return [name for item in encoded for name in unsupported(item)]
    if type(encoded) is not dict:
        return []
    if encoded.get("t") == "u":
        return [encoded["type"]]
    items = encoded.get("items", [])
    if encoded.get("t") == "d":
        items = [value for _, value in items]
    return [name for item in items for name in unsupported(item)]


def roundtrip(value: Any) -> Any:
    """Encode then decode: normalizes trusted values the same way as the sandbox's results."""
    return decode(encode(value))
