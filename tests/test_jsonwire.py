"""jsonwire (orjson) writes what clients read: the same values the standard library's JSON
gave them before, compact, and never a NaN no JSON parser reads."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from sensorhub import jsonwire


def _strict_loads(text: str) -> Any:
    """A parser that refuses NaN and ±Infinity, as a browser's JSON.parse does."""

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(
    "value",
    [
        {"device_id": "wrist-1", "note": "Zoë wärmt sich auf — 体温 🙂"},
        {"big": 1e300, "small": 5e-324, "negative_zero": -0.0, "third": 1 / 3},
        {"id": 2**63 - 1, "nested": [{"a": [1, 2.5, None, True, False]}]},
    ],
)
def test_a_payload_reads_back_as_the_standard_library_wrote_it(value: Any) -> None:
    text = jsonwire.dumps(value)

    assert _strict_loads(text) == json.loads(json.dumps(value))
    assert jsonwire.dumps_bytes(value) == text.encode()


def test_floats_keep_every_bit() -> None:
    values = [1e300, -1e-300, 0.1 + 0.2, math.pi, 2.0**-1074]

    assert _strict_loads(jsonwire.dumps(values)) == values


def test_non_finite_numbers_are_written_as_null() -> None:
    text = jsonwire.dumps({"a": math.nan, "b": math.inf, "c": -math.inf})

    assert _strict_loads(text) == {"a": None, "b": None, "c": None}


def test_numpy_numbers_are_written_as_the_standard_library_writes_a_numpy_float() -> None:
    # The standard library wrote a numpy.float64 (a float subclass) as a float; orjson must
    # not refuse it where python-socketio's json= or a reply meets one.
    payload = {"mean": np.float64(0.1), "count": np.int64(3), "flag": np.bool_(True)}

    assert _strict_loads(jsonwire.dumps(payload)) == {"mean": 0.1, "count": 3, "flag": True}
    assert jsonwire.dumps(np.float64(1e300)) == json.dumps(float(np.float64(1e300)))


def test_integer_keys_become_strings_as_the_standard_library_does() -> None:
    assert _strict_loads(jsonwire.dumps({1: "a"})) == json.loads(json.dumps({1: "a"}))
