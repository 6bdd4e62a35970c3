"""Structured logging: one ``key=value`` line per event, so logs grep and parse alike."""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any


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
_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s\"]*", re.IGNORECASE)


def redact(text: str) -> str:
    """``/ws?token=abc&x=1`` → ``/ws?token=<redacted>&x=1``."""
    return _TOKEN_IN_QUERY.sub(r"\1<redacted>", text)


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
