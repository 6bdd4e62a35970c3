"""Serial framing: lines out of arbitrary chunks, bounded memory, and message kinds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensorhub.devices._framing import (
    PLATE_KEYS,
    READING_KEYS,
    BadLine,
    LineSplitter,
    TooLong,
    parse_line,
)
from sensorhub.errors import ValidationError
from sensorhub.realtime.messages import kind_of

LINES = st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=20)


@given(lines=LINES, cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=30))
def test_any_chunking_yields_the_same_lines(lines: list[bytes], cuts: list[int]) -> None:
    stream = b"".join(line + b"\n" for line in lines)
    bounds = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    splitter = LineSplitter()
    out: list[bytes | TooLong] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        out += splitter.feed(stream[start:end])
    assert out == lines
    assert splitter.pending == 0


def test_an_over_long_line_is_dropped_as_it_streams_and_the_next_line_is_kept() -> None:
    splitter = LineSplitter(max_bytes=10)
    assert splitter.feed(b"0123456789\n") == [b"0123456789"]  # exactly the limit is fine
    assert splitter.feed(b"0123456") == []
    assert splitter.feed(b"789abcdef") == []
    assert splitter.pending == 16  # counted, but the bytes are not kept
    assert splitter.feed(b"XYZ\nok\npart") == [TooLong(19), b"ok"]
    assert splitter.feed(b"ial\n") == [b"partial"]


def test_readings_and_plate_messages_are_told_apart() -> None:
    line = b'{"bvp": 0.8, "temperature": 36.5, "acceleration": {"x": 0, "y": 0, "z": 1}}\r'
    reading = {"bvp": 0.8, "temperature": 36.5, "acceleration": {"x": 0, "y": 0, "z": 1}}
    assert parse_line(line) == ("reading", reading)  # \r\n endings (Serial.println) are fine
    assert parse_line(b'{"type": "esp", "device_id": "p1"}') == (
        "plate",
        {"type": "esp", "device_id": "p1"},
    )
    assert parse_line(b'{"samples": []}') == ("plate", {"samples": []})
    assert parse_line(b'{"done": true}') == ("plate", {"done": True})
    assert parse_line(b'{"bvp": 1}') == ("reading", {"bvp": 1})  # the server names what is missing
    assert parse_line(b"  \r") is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"hello", "not JSON"),
        (b'{"bvp": NaN}', "not JSON"),
        (b'{"bvp": -Infinity}', "not JSON"),
        (b"[" * 50_000 + b"]" * 50_000, "not JSON"),  # too deep for the parser
        (b"[1, 2]", "not a JSON object but list"),
        (b'"text"', "not a JSON object but str"),
        (b'{"hello": 1}', "unknown message"),
        (b"\xff\xfe", "not UTF-8"),
        (TooLong(70_000), "line too long: 70000 bytes"),
    ],
)
def test_bad_lines_say_why(line: bytes | TooLong, reason: str) -> None:
    with pytest.raises(BadLine, match=reason):
        parse_line(line)


@pytest.mark.parametrize("key", sorted({*PLATE_KEYS, *READING_KEYS, "event", "data", "t"}))
def test_plate_keys_are_exactly_those_the_server_recognises(key: str) -> None:
    # Kept in step with sensorhub.realtime.messages.kind_of, which the forwarder must not import.
    try:
        kind_of({key: 1})
    except ValidationError:
        recognised = False
    else:
        recognised = True
    assert recognised == (key in PLATE_KEYS)
