"""What the simulated wearables share: JSON posted to one path over a keep-alive connection.

Unlike the serial forwarder's ``ReadingPoster`` (which raises, for the listener to report),
a simulator only counts: a failed request closes the connection and the next one reconnects,
as a board on flaky Wi-Fi does.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

from sensorhub.devices._credentials import bearer_headers


class SimPoster:
    """The base of a simulated device that posts; ``sent`` and ``failed`` count its bodies."""

    def __init__(self, url: str, path: str, token: str | None) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._path = path
        self._headers = {"Content-Type": "application/json", **bearer_headers(token)}
        self.sent = 0  # bodies the server accepted (200)
        self.failed = 0  # the rest: refused, or no reply

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self._host, self._port, timeout=10)

    def post(self, connection: http.client.HTTPConnection, body: dict[str, Any]) -> int | None:
        """The reply's status, or None when the request got none."""
        try:
            connection.request("POST", self._path, json.dumps(body), self._headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            connection.close()  # reconnects on the next request
            self.failed += 1
            return None
        if response.status == 200:
            self.sent += 1
        else:
            self.failed += 1
        return response.status
