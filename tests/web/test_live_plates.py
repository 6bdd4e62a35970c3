"""Only real plates on the live page (issue 23, item 4): a plate nobody streamed for is not
offered, and an offline plate is not started without the coach saying so. One real server for
this module; the seed's device-less start keeps working beside it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from tests._server import LiveServer, start_server, wait_for
from tests.web._browser import screenshot
from tests.web._esp import StreamingEsp

PLATE = "plate-real"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("live-plates") / "data")
    yield live
    live.stop()


def status(server: LiveServer, device_id: str) -> dict[str, object]:
    reply = httpx.get(f"{server.url}/api/status", params={"device_id": device_id})
    body: dict[str, object] = reply.raise_for_status().json()
    return body


async def test_a_plate_that_never_streamed_is_not_offered_and_an_offline_one_asks_first(
    tab: Page, server: LiveServer
) -> None:
    await tab.goto(server.url + "/")
    await expect(tab.locator("#cue")).to_have_text("No force plate connected — switch the plate on")
    await expect(tab.locator("#start")).to_be_disabled()

    # The seed's device-less start still starts a test on `default` before any esp connects.
    seed = httpx.post(f"{server.url}/api/start_test").raise_for_status().json()
    assert (seed["status"], seed["device_id"]) == ("started", "default")

    with StreamingEsp(server.url, PLATE) as esp:
        await asyncio.to_thread(wait_for, lambda: len(esp.sent) >= 100)
        await expect(tab.locator("#device")).to_have_value(PLATE)
        await expect(tab.locator(f"#devices tr[data-device='{PLATE}']")).to_contain_text("online")
    await asyncio.to_thread(wait_for, lambda: status(server, PLATE)["esp_connected"] is False)

    await expect(tab.locator(f"#devices tr[data-device='{PLATE}']")).to_contain_text("offline")
    await expect(tab.locator("#cue")).to_have_text(f"Plate {PLATE} is offline")
    offered = await tab.locator("#device option").all_text_contents()
    assert offered == [f"{PLATE} (offline)"], "default (never streamed) must not be offered"
    await expect(tab.locator("#devices tr[data-device='default']")).to_have_count(0)
    await expect(tab.locator("#tare")).to_be_disabled()

    await tab.click("#start")
    dialog = tab.locator("#offline-confirm")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(f"Plate {PLATE} is not connected")
    await screenshot(tab, "live-offline-confirm")
    await tab.click("#offline-cancel")
    await expect(dialog).to_be_hidden()
    await expect(tab.locator("#log")).to_contain_text(f"Not started: plate {PLATE} is offline")
    assert status(server, PLATE)["state"] == "idle"

    await tab.click("#start")
    await tab.click("#offline-start")
    await expect(tab.locator("#state")).to_have_text("running")
    assert status(server, PLATE)["state"] == "running"
    for device in (PLATE, "default"):
        httpx.post(f"{server.url}/api/stop_test", json={"device_id": device}).raise_for_status()
    await expect(tab.locator("#state")).to_have_text("idle")
