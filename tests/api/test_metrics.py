"""``GET /metrics`` on a real server with auth on, read with prometheus_client's own parser."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
import socketio
from prometheus_client.parser import text_string_to_metric_families

from tests._readings import READING
from tests._server import REPO, LiveServer, start_server, wait_for

API_TOKEN = "metrics-api-token-0123456789"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"SENSORHUB_API_TOKEN": API_TOKEN}
    live = start_server(tmp_path_factory.mktemp("metrics") / "data", env=env)
    yield live
    live.stop()


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30.0, headers=AUTH) as client:
        yield client


def scrape(http: httpx.Client) -> Samples:
    response = http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_need_the_api_token_when_auth_is_on(server: LiveServer) -> None:
    assert httpx.get(server.url + "/metrics").status_code == 401
    assert httpx.get(server.url + "/metrics?token=wrong-token-0123456789").status_code == 401


def test_requests_are_counted_by_route_template_and_status(http: httpx.Client) -> None:
    route = {"method": "GET", "route": "/api/tests/{test_id}"}
    before = scrape(http)
    for test_id in (999_001, 999_002, 999_003):
        assert http.get(f"/api/tests/{test_id}").status_code == 404
    assert http.get("/no/such/page").status_code == 404
    after = scrape(http)
    requests = "sensorhub_http_requests_total"
    assert (
        value(after, requests, **route, status="404")
        - value(before, requests, **route, status="404")
        == 3
    )
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, requests, **unmatched) - value(before, requests, **unmatched) == 1
    # No raw path becomes a label: ids would grow the label set without bound.
    assert not any("999_00" in str(labels) or "999001" in str(labels) for _, labels in after)


def test_latency_histogram_counts_every_request_of_its_route(http: httpx.Client) -> None:
    for _ in range(4):
        assert http.get("/api/tests", params={"limit": 1}).status_code == 200
    samples = scrape(http)
    route = {"method": "GET", "route": "/api/tests"}
    count = value(samples, "sensorhub_http_request_duration_seconds_count", **route)
    assert count >= 4
    assert value(samples, "sensorhub_http_request_duration_seconds_bucket", **route, le="+Inf") == (
        count
    )
    assert value(samples, "sensorhub_http_request_duration_seconds_sum", **route) > 0
    counted = sum(
        value(samples, "sensorhub_http_requests_total", **route, status=status)
        for status in ("200",)
    )
    assert counted == count


def test_readings_ingested_and_writer_commits_are_counted(http: httpx.Client) -> None:
    before = scrape(http)
    for _ in range(5):
        response = http.post("/api/sensor-data", json={**READING, "device_id": "metrics-wrist"})
        assert response.status_code == 200, response.text
    after = scrape(http)
    ingested = "sensorhub_ingested_total"
    readings = value(after, ingested, kind="readings") - value(before, ingested, kind="readings")
    assert readings == 5
    commits = "sensorhub_writer_commit_seconds_count"
    assert value(after, commits) - value(before, commits) >= 1
    assert value(after, "sensorhub_writer_backlog") == 0  # every write answered is committed
    assert value(after, "sensorhub_storage_healthy") == 1
    assert ("sensorhub_process_info", frozenset()) not in after  # it carries version and pid


def test_live_connections_follow_sockets_opening_and_closing(
    server: LiveServer, http: httpx.Client
) -> None:
    gauge = "sensorhub_live_connections"
    assert value(scrape(http), gauge) == 0
    client = socketio.SimpleClient(reconnection=False)
    client.connect(f"{server.url}?token={API_TOKEN}", transports=["websocket"])
    try:
        wait_for(lambda: value(scrape(http), gauge) == 1, timeout=10)
    finally:
        client.disconnect()
    wait_for(lambda: value(scrape(http), gauge) == 0, timeout=10)


def test_building_the_server_does_not_import_the_client_library() -> None:
    """Only a scrape imports prometheus_client: a server never scraped starts without it."""
    probe = (
        "import sys; from sensorhub.config import Settings; from sensorhub.server import "
        "create_app; create_app(Settings()); print('prometheus_client' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_example_grafana_dashboard_asks_only_for_metrics_the_server_has(
    http: httpx.Client,
) -> None:
    dashboard = json.loads((REPO / "deploy" / "grafana-dashboard.json").read_text())
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\b(?:sensorhub|process)_[a-z_]+", target["expr"])
    }
    served = {name for name, _ in scrape(http)}
    assert asked and asked <= served
