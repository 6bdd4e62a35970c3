"""Structured logging: one ``key=value`` line per event, so logs grep and parse alike."""

from __future__ import annotations

import logging
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus


class LogfmtFormatter(logging.Formatter):
    """``ts=… level=… logger=… event=… key=value`` with values quoted when they need it."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields.update(getattr(record, "fields", {}))
        line = " ".join(f"{key}={_quote(value)}" for key, value in fields.items())
        if record.exc_info:
            line += " exc=" + _quote(self.formatException(record.exc_info))
        return line


def _quote(value: Any) -> str:
    text = str(value)
    if not text or any(ch in text for ch in ' "=\n'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


# Firmware may send its token as ``?token=…``; uvicorn logs request paths with their query.
# A parameter is matched by its *decoded* name, as the server reads it (``%74oken`` is
# ``token``), so no spelling that authenticates is written in clear.
_QUERY_PARAMETER = re.compile(r"([?&])([^=&\s\"#]*)=([^&\s\"#]*)")


def redact(text: str) -> str:
    """``/ws?token=abc&x=1`` → ``/ws?token=<redacted>&x=1``; ``?%74oken=abc`` alike."""
    return _QUERY_PARAMETER.sub(_redacted_parameter, text)


def _redacted_parameter(match: re.Match[str]) -> str:
    separator, name, _value = match.groups()
    if unquote_plus(name).strip().lower() != "token":
        return match.group(0)
    return f"{separator}{name}=<redacted>"


class RedactTokens(logging.Filter):
    """Keeps tokens out of every log line: access log, WebSocket log, our events."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        fields = getattr(record, "fields", None)
        if fields:
            record.fields = {k: redact(v) if isinstance(v, str) else v for k, v in fields.items()}
        return True


class ClientErrorLines(logging.Filter):
    """python-socketio and python-engineio log a packet they cannot decode with
    ``logger.exception``: a traceback per malformed message, as many as a client cares to
    send. On their loggers this turns each such record into one warning line
    (``event=socket_client_error``, the error's repr, no traceback), at most one per kind
    every ``interval_s`` seconds; the next line counts the ones left out (``left_out``)."""

    def __init__(self, interval_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self._interval_s = interval_s
        self._clock = clock
        # Keyed by the libraries' fixed messages ("message handler error", …): a few keys.
        self._last_at: dict[str, float] = {}
        self._left_out = Counter[str]()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        kind = record.getMessage()[:80]
        now = self._clock()
        if now - self._last_at.get(kind, -math.inf) < self._interval_s:
            self._left_out[kind] += 1
            return False
        self._last_at[kind] = now
        error = record.exc_info[1] if record.exc_info else None
        record.msg, record.args = "socket_client_error", None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        left_out = self._left_out.pop(kind, 0)
        record.fields = {"where": kind, "error": repr(error)[:200], "left_out": left_out}
        return True


def socket_library_logger(library: str) -> logging.Logger:
    """The logger to hand python-socketio or python-engineio (their ``logger`` options):
    warnings and up (their INFO is a line per packet), client errors as ``ClientErrorLines``."""
    logger = logging.getLogger(f"sensorhub.{library}")
    logger.setLevel(logging.WARNING)
    if not any(isinstance(f, ClientErrorLines) for f in logger.filters):
        logger.addFilter(ClientErrorLines())
    return logger


def configure_logging(level: str) -> None:
    """Route our loggers and uvicorn's through one logfmt handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(LogfmtFormatter())
    handler.addFilter(RedactTokens())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def log_event(logger: logging.Logger, event: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log ``event`` with structured ``fields`` (never pass secrets here)."""
    if logger.isEnabledFor(level):
        logger.log(level, event, extra={"fields": fields})
