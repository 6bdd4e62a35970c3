"""The dashboard's alerts panel: a silent wearable's alert shows as firing, and the test
button reaches the webhook (a receiver of the test's own)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from tests._readings import READING
from tests._server import LiveServer, start_server
from tests._webhook import Receiver
from tests.web._browser import screenshot


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def alerting_server(
    tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> Iterator[LiveServer]:
    env = {
        "SENSORHUB_ALERT_DEVICE_SILENT_MIN": "0.02",
        "SENSORHUB_ALERT_CHECK_S": "0.1",
        "SENSORHUB_ALERT_WEBHOOK": receiver.url,
    }
    live = start_server(tmp_path_factory.mktemp("alerts-panel") / "data", env=env)
    yield live
    live.stop()


async def test_a_firing_alert_is_on_the_dashboard_and_the_test_button_reaches_the_webhook(
    tab: Page, alerting_server: LiveServer, receiver: Receiver
) -> None:
    for device in ("wrist-anna", "wrist-ben"):
        reading = {**READING, "device_id": device}
        assert httpx.post(f"{alerting_server.url}/api/sensor-data", json=reading).status_code == 200
    await tab.goto(alerting_server.url + "/")
    firing = tab.locator("#alerts tbody tr[data-firing='yes']")
    await expect(firing).to_have_count(2, timeout=20_000)
    await expect(firing.first).to_contain_text("Device silent")
    await expect(tab.locator("#alerts-firing")).to_have_text("2 firing")
    # wrist-ben sends again: its alert ends, and the panel shows it ended.
    reading = {**READING, "device_id": "wrist-ben"}
    assert httpx.post(f"{alerting_server.url}/api/sensor-data", json=reading).status_code == 200
    ended = tab.locator("#alerts tbody tr[data-firing='no']")
    await expect(ended).to_have_count(1, timeout=20_000)
    await expect(ended).to_contain_text("wrist-ben")

    await tab.click("#webhook-test")
    await expect(tab.locator("#webhook-result")).to_have_text("Webhook took the test (HTTP 204).")
    assert len(receiver.received(test=True)) == 1
    await screenshot(tab, "alerts-dashboard")
