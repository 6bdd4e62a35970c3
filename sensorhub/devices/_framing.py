"""Newline-delimited JSON off a byte stream: split into lines, then into typed messages.

A line is a wearable reading or a force-plate message (DESIGN §4): the same objects the
HTTP, Socket.IO and WebSocket transports take. Anything else is a bad line, reported with a
reason and never fatal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from sensorhub.errors import ValidationError
from sensorhub.types import JSONDict

# Generous for a 50-sample batch (~2 KiB) or a reading (~150 B), small enough that a line
# without newlines (wrong baud rate, binary noise) cannot grow memory without bound.
MAX_LINE_BYTES = 64 * 1024

# The keys sensorhub.realtime.messages.kind_of recognises, in its order (a test keeps them
# equal); listed here so the serial forwarder does not import the server's plate code.
PLATE_KEYS = ("type", "samples", "done", "cmd")
READING_KEYS = frozenset({"bvp", "temperature", "acceleration"})

Kind = Literal["reading", "plate"]


class BadLine(ValidationError):
    """Raised when a serial line is not a JSON object of a known shape."""

    code = "bad_line"


@dataclass(frozen=True, slots=True)
class TooLong:
    """Stands for a line that exceeded the limit; its bytes were dropped."""

    size: int


class LineSplitter:
    """Bytes in, complete lines out; keeps a partial line until its newline arrives.

    A line over ``max_bytes`` is dropped as it streams in (memory stays bounded) and reported
    once as :class:`TooLong` when its newline finally arrives: the stream resyncs there.
    """

    def __init__(self, max_bytes: int = MAX_LINE_BYTES) -> None:
        self._max = max_bytes
        self._buffer = bytearray()
        self._dropped = 0  # bytes of the current over-long line thrown away so far

    @property
    def pending(self) -> int:
        """Bytes of an unfinished line (kept or dropped)."""
        return len(self._buffer) + self._dropped

    def feed(self, chunk: bytes) -> list[bytes | TooLong]:
        lines: list[bytes | TooLong] = []
        start = 0
        while (end := chunk.find(b"\n", start)) != -1:
            lines.append(self._finish(chunk[start:end]))
            start = end + 1
        self._keep(chunk[start:])
        return lines

    def _finish(self, tail: bytes) -> bytes | TooLong:
        size = self.pending + len(tail)
        line: bytes | TooLong = TooLong(size)
        if not self._dropped and size <= self._max:
            line = bytes(self._buffer) + tail
        self._buffer.clear()
        self._dropped = 0
        return line

    def _keep(self, tail: bytes) -> None:
        if self._dropped or len(self._buffer) + len(tail) > self._max:
            self._dropped += len(self._buffer) + len(tail)
            self._buffer.clear()
        else:
            self._buffer += tail


def parse_line(line: bytes | TooLong) -> tuple[Kind, JSONDict] | None:
    """The message on ``line``, or None for a blank line; raises BadLine otherwise."""
    if isinstance(line, TooLong):
        raise BadLine(f"line too long: {line.size} bytes (limit {MAX_LINE_BYTES})")
    # Arduino's Serial.println ends lines with \r\n.
    text = _decode(line).strip()
    if not text:
        return None
    message = _json_object(text)
    return _kind(message), message


def _decode(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadLine(f"not UTF-8 text (wrong baud rate?): {exc.reason}") from exc


def _json_object(text: str) -> JSONDict:
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise BadLine(f"not JSON: {_short(str(exc))}") from exc
    if not isinstance(value, dict):
        raise BadLine(f"not a JSON object but {type(value).__name__}")
    return value


def _refuse_constant(name: str) -> object:
    # NaN and Infinity are not JSON; Python's parser accepts them unless told not to.
    raise ValueError(f"{name} is not a JSON value")


def _kind(message: JSONDict) -> Kind:
    if any(key in message for key in PLATE_KEYS):
        return "plate"
    if READING_KEYS & message.keys():
        return "reading"  # missing fields are the server's to name
    raise BadLine(
        "unknown message: expected a reading (bvp, temperature, acceleration) "
        "or a force-plate message (type, samples, done or cmd)"
    )


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
