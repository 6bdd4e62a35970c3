"""JSON text for replies and live frames, written by orjson: 10–20× faster than the standard
library on our payloads (bench/README.md, "Cheaper bytes"), with the same result for them.

``dumps``/``loads`` keep the signatures of the ``json`` module's, so python-socketio takes
this module as its ``json=`` (each broadcast frame is serialised once for all its receivers
there, and once for all ``/ws`` receivers in ``realtime/websocket.py``). Where orjson differs
from the standard library: NaN and ±Infinity become ``null`` (the standard library writes
``NaN``, which no JSON parser reads), and an integer wider than 64 bits is refused
(``TypeError``); validated input never holds either.
"""

from __future__ import annotations

from typing import Any

import orjson

# Dict keys that are not strings (an int) become strings, as the standard library does. NumPy
# numbers are written as numbers: the standard library writes a numpy.float64 (a float
# subclass) as a float, where orjson without this option refuses it, and the domain code
# computes with NumPy.
_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def dumps(obj: Any, **_json_options: Any) -> str:
    """``obj`` as compact JSON text; the ``json.dumps`` options callers pass (separators)
    ask for what orjson always writes, so they are not needed."""
    return orjson.dumps(obj, option=_OPTIONS).decode()


def dumps_bytes(obj: Any) -> bytes:
    """``obj`` as compact UTF-8 JSON, for a response body."""
    return orjson.dumps(obj, option=_OPTIONS)


def loads(text: str | bytes, **_json_options: Any) -> Any:
    return orjson.loads(text)
