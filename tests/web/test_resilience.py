"""The pages survive a server restart and fit a tablet (issue 5, item 4)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from playwright.async_api import Page, expect

from tests._server import LiveServer, start_server
from tests.web._browser import TABLET, restart_on_same_port, screenshot


async def test_the_live_page_shows_a_lost_connection_and_reconnects_by_itself(
    tab: Page, tmp_path: Path, console_errors: list[str]
) -> None:
    server = await asyncio.to_thread(start_server, tmp_path / "data")
    try:
        await tab.goto(server.url + "/")
        conn = tab.locator("#conn")
        await expect(conn).to_have_attribute("data-state", "connected")

        await asyncio.to_thread(server.stop)
        await expect(tab.locator("#offline")).to_be_visible()
        await expect(conn).to_have_attribute("data-state", "disconnected")
        await expect(tab.locator("#log")).to_contain_text("Connection lost")
        await screenshot(tab, "live-disconnected")

        server = await asyncio.to_thread(restart_on_same_port, server)
        await expect(conn).to_have_attribute("data-state", "connected", timeout=15_000)
        await expect(tab.locator("#offline")).to_be_hidden()
        await expect(tab.locator("#log li", has_text="Connected to sensorhub")).to_have_count(2)
        await tab.goto("about:blank")  # leave before the server stops for good
    finally:
        await asyncio.to_thread(server.stop)
    # While the server was down the browser logged its failed reconnection attempts.
    assert all("WebSocket" in e or "ERR_CONNECTION_REFUSED" in e for e in console_errors)
    console_errors.clear()


async def test_every_page_fits_a_tablet_without_sideways_scrolling(
    tab: Page, web_server: LiveServer
) -> None:
    await tab.set_viewport_size(TABLET)
    for path, ready, name in (
        ("/", "#conn[data-state='connected']", "tablet-live"),
        ("/tests", "#history", "tablet-tests"),
        ("/wearable", "#conn[data-state='connected']", "tablet-wearable"),
    ):
        await tab.goto(web_server.url + path)
        await expect(tab.locator(ready)).to_be_visible()
        overflow = await tab.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a tablet"
        await screenshot(tab, name)
