"""X-Forwarded-For names the client only when a trusted proxy sent it (per-address limits)."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests._server import start_server

# One request per address, then 429 for ~1000 s: the second request shows which address
# the server counted.
ONE_REQUEST = {"SENSORHUB_RATE_LIMIT_PER_S": "0.001", "SENSORHUB_RATE_LIMIT_BURST": "1"}


def statuses_for_two_forwarded_clients(tmp_path: Path, env: dict[str, str]) -> list[int]:
    server = start_server(tmp_path / "data", env={**ONE_REQUEST, **env})
    try:
        with httpx.Client(base_url=server.url) as http:
            # start_server's health checks came from 127.0.0.1 too: a fresh address each.
            return [
                http.get("/api/status", headers={"X-Forwarded-For": client}).status_code
                for client in ("192.0.2.10", "192.0.2.11")
            ]
    finally:
        server.stop()


def test_forwarded_for_is_ignored_without_trusted_proxies(tmp_path: Path) -> None:
    assert statuses_for_two_forwarded_clients(tmp_path, {}) == [429, 429]


def test_forwarded_for_names_the_client_behind_a_trusted_proxy(tmp_path: Path) -> None:
    trusted = {"SENSORHUB_TRUSTED_PROXIES": "127.0.0.1"}
    assert statuses_for_two_forwarded_clients(tmp_path, trusted) == [200, 200]
