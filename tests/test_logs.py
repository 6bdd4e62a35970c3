"""Tokens never reach the logs, and client errors cost one line, not a traceback each (issue 19)."""

from __future__ import annotations

import logging
import sys

import pytest

from sensorhub.logs import ClientErrorLines, redact


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        ("GET /ws?token=abc&x=1", "GET /ws?token=<redacted>&x=1"),
        ("GET /api/status?%74oken=abc HTTP/1.1", "GET /api/status?%74oken=<redacted> HTTP/1.1"),
        ("/socket.io/?EIO=4&TOKEN=abc", "/socket.io/?EIO=4&TOKEN=<redacted>"),
        ("/x?a=1&%74%6F%6B%65%6E=abc", "/x?a=1&%74%6F%6B%65%6E=<redacted>"),
        ("/x?tokens=abc&mytoken=def", "/x?tokens=abc&mytoken=def"),
    ],
)
def test_a_parameter_named_token_once_decoded_is_redacted(logged: str, expected: str) -> None:
    assert redact(logged) == expected


def error_record() -> logging.LogRecord:
    try:
        raise ValueError("bad packet")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "message handler error",
                                   None, sys.exc_info())  # fmt: skip
    return record


def test_client_errors_become_one_warning_line_per_interval_counting_the_rest() -> None:
    now = [0.0]
    lines = ClientErrorLines(interval_s=60.0, clock=lambda: now[0])
    first = error_record()
    assert lines.filter(first)
    assert (first.levelno, first.exc_info, first.msg) == (
        logging.WARNING,
        None,
        "socket_client_error",
    )
    fields = vars(first)["fields"]  # what LogfmtFormatter writes as key=value
    assert fields == {"where": "message handler error", "error": "ValueError('bad packet')",
                      "left_out": 0}  # fmt: skip
    assert not any(lines.filter(error_record()) for _ in range(5))
    now[0] = 60.0
    later = error_record()
    assert lines.filter(later) and vars(later)["fields"]["left_out"] == 5


def test_warnings_pass_untouched() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "Cannot send", None, None)
    assert ClientErrorLines().filter(record) and record.msg == "Cannot send"
