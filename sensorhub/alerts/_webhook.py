"""The alert webhook: a JSON POST, retried with a growing pause until the receiver takes it."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from sensorhub.logs import log_event

logger = logging.getLogger(__name__)
# One attempt's bound: a receiver that takes longer is treated as down, and tried again.
ATTEMPT_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class Delivery:
    delivered: bool
    status: int | None  # the receiver's HTTP status, None if it never answered
    error: str | None
    attempts: int


def post_json(url: str, payload: dict[str, Any]) -> int:
    """One POST; returns the status, raises OSError when there is no answer."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "sensorhub-alerts"}
    request = urllib.request.Request(url, body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=ATTEMPT_TIMEOUT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


async def deliver(
    url: str, payload: dict[str, Any], *, attempts: int, first_pause_s: float
) -> Delivery:
    """POST ``payload`` until a 2xx, at most ``attempts`` times, pausing ``first_pause_s``,
    then twice as long each time; each attempt in a worker thread."""
    status: int | None = None
    error: str | None = None
    pause = first_pause_s
    for attempt in range(1, attempts + 1):
        try:
            status, error = await asyncio.to_thread(post_json, url, payload), None
        except OSError as exc:
            status, error = None, str(exc)
        if status is not None and 200 <= status < 300:
            return Delivery(True, status, None, attempt)
        error = error or f"HTTP {status}"
        log_event(logger, "webhook_failed", logging.WARNING, attempt=attempt, error=error)
        if attempt < attempts:
            await asyncio.sleep(pause)
            pause *= 2
    return Delivery(False, status, error, attempts)
