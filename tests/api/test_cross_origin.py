"""Cross-origin safety against a real server: pages on other origins may read, not act.

The default server (``cors_origins`` ``*``) answers every origin's reads, but every request
that changes state (POST, PUT, PATCH, DELETE: issue 19 closed the seed's POSTs too) only for
its own pages and for origins configured by name: in the preflight and on the request itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._errors import json_error
from tests._server import LiveServer, start_server, wait_for

EVIL = "http://evil.example"
COACH_APP = "http://coach-app.example"
RESTRICTED = [
    ("DELETE", "/api/tests/1"),
    ("PATCH", "/api/tests/1"),
    ("PUT", "/api/devices/plate-1"),
    ("POST", "/api/devices/plate-1/tare"),
    ("POST", "/api/devices/plate-1/calibrate"),
    ("POST", "/api/tests/1/analysis"),
    ("POST", "/api/sensor-data"),
    ("POST", "/api/start_test"),
]
OPEN = [
    ("GET", "/api/tests"),
    ("GET", "/api/tests/1"),
    ("GET", "/api/readings"),
]


def preflight(url: str, origin: str, method: str) -> httpx.Response:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    return httpx.options(url, headers={**headers, "Access-Control-Request-Headers": "content-type"})


@pytest.mark.parametrize(("method", "path"), RESTRICTED)
def test_preflight_from_another_origin_is_refused_for_restricted_routes(
    live_server: LiveServer, method: str, path: str
) -> None:
    response = preflight(live_server.url + path, EVIL, method)
    json_error(response, 403, "origin_not_allowed", EVIL)
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(("method", "path"), OPEN)
def test_preflight_from_any_origin_is_allowed_for_reads(
    live_server: LiveServer, method: str, path: str
) -> None:
    response = preflight(live_server.url + path, EVIL, method)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


def saved_test(server: LiveServer, device_id: str) -> int:
    """A test started and stopped with no esp connected: saved at once (docs/contracts.md)."""
    with httpx.Client(base_url=server.url) as http:
        session_id: int = http.post("/api/start_test", json={"device_id": device_id}).json()[
            "session_id"
        ]
        http.post("/api/stop_test", json={"device_id": device_id})
        wait_for(lambda: http.get(f"/api/tests/{session_id}").json()["data"]["state"] != "running")
    return session_id


def test_a_simple_request_from_another_origin_cannot_delete(live_server: LiveServer) -> None:
    test_id = saved_test(live_server, "plate-cross-origin")
    url = f"{live_server.url}/api/tests/{test_id}"
    json_error(httpx.delete(url, headers={"Origin": EVIL}), 403, "origin_not_allowed", "DELETE")
    json_error(httpx.delete(url, headers={"Origin": "null"}), 403, "origin_not_allowed", "null")
    assert httpx.get(url).status_code == 200  # still there
    own_page = live_server.url  # Origin equals Host: our own page
    assert httpx.delete(url, headers={"Origin": own_page}).status_code == 200
    assert httpx.get(url).status_code == 404


@pytest.mark.parametrize(("method", "path"), RESTRICTED[3:])
def test_posts_from_another_origin_are_refused(
    live_server: LiveServer, method: str, path: str
) -> None:
    response = httpx.request(method, live_server.url + path, headers={"Origin": EVIL}, json={})
    json_error(response, 403, "origin_not_allowed", path)


def test_devices_and_scripts_send_no_origin_and_pass(live_server: LiveServer) -> None:
    # The tare fails for its own reason (no samples), not for the origin.
    response = httpx.post(live_server.url + "/api/devices/plate-no-origin/tare")
    json_error(response, 409, "plate_not_ready", "samples")


def test_reads_from_any_origin_keep_working(live_server: LiveServer) -> None:
    response = httpx.get(live_server.url + "/api/tests", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("cors") / "data"
    server = start_server(data, args=["--cors-origins", COACH_APP])
    yield server
    server.stop()


@pytest.mark.parametrize(("method", "path"), RESTRICTED)
def test_a_configured_origin_may_use_restricted_routes(
    configured: LiveServer, method: str, path: str
) -> None:
    response = preflight(configured.url + path, COACH_APP, method)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == COACH_APP
    json_error(preflight(configured.url + path, EVIL, method), 403, "origin_not_allowed", EVIL)


def test_a_configured_origin_passes_on_the_request_itself(configured: LiveServer) -> None:
    test_id = saved_test(configured, "plate-coach")
    response = httpx.delete(f"{configured.url}/api/tests/{test_id}", headers={"Origin": COACH_APP})
    assert response.status_code == 200
    body: Any = response.json()
    assert body["status"] == "success"
