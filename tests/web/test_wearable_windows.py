"""The wearable page shows a simulated wearer's windows (HR, RMSSD, quality, the window
model's prediction) and runs a study session: start, phases, a label, stop."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from playwright.async_api import Page, expect

from sensorhub.devices.signal_sim import SignalSimulator
from sensorhub.physio.wearer import CALM_S
from tests._server import LiveServer
from tests.web._browser import screenshot


def _signals(server: LiveServer, device: str, seconds: int) -> list[dict[str, object]]:
    """``seconds`` of the simulated wearer (calm, then a stress episode) as 1 s batches."""
    simulator = SignalSimulator(server.url, device, episodes=True, seed=11)
    return [simulator.batch(seq, float(seq)) for seq in range(seconds)]


async def test_windows_and_a_study_session_on_the_wearable_page(
    tab: Page, web_server: LiveServer
) -> None:
    device = "wrist-signals"
    batches = _signals(web_server, device, int(CALM_S) + 75)  # well into the stress episode
    await tab.goto(f"{web_server.url}/wearable?device={device}")
    await expect(tab.locator("#conn")).to_have_attribute("data-state", "connected")
    await expect(tab.locator("#windows-empty")).to_be_visible()

    await tab.fill("#participant", "P07")
    await tab.click("#study-start")
    await expect(tab.locator("#study-state")).to_contain_text("Recording P07")
    await tab.click("[data-phase=baseline]")
    await expect(tab.locator("#phase-now")).to_have_text("baseline")
    async with httpx.AsyncClient(base_url=web_server.url) as http:
        for body in batches[: int(CALM_S)]:
            (await http.post("/api/wearable/signals", json=body)).raise_for_status()
        await tab.click("[data-phase=stress]")
        await expect(tab.locator("#phase-now")).to_have_text("stress")
        for body in batches[int(CALM_S) :]:
            (await http.post("/api/wearable/signals", json=body)).raise_for_status()
        expected = (len(batches) - 60) // 5 + 1  # one per 5 s once the first minute is full
        stored: list[dict[str, Any]] = []

        async def all_stored() -> bool:
            params: dict[str, str | int] = {"device_id": device, "limit": 1000}
            stored[:] = (await http.get("/api/wearable/windows", params=params)).json()["data"]
            return len(stored) == expected

        deadline = time.monotonic() + 30
        while not await all_stored():  # computed off the event loop, after the replies
            assert time.monotonic() < deadline, f"{len(stored)} of {expected} windows"
            await asyncio.sleep(0.1)  # polling interval
    newest = stored[0]

    await expect(tab.locator("#chart-hr")).to_be_visible()
    await expect(tab.locator("#w-hr")).to_have_text(f"{newest['hr_bpm']:.1f}", timeout=20_000)
    await expect(tab.locator("#w-rmssd")).to_have_text(f"{newest['rmssd_ms']:.1f}")
    await expect(tab.locator("#w-quality")).to_contain_text("good")
    # The bundled window model is a demo: its guess is labelled so, never a red headline.
    assert newest["demo"] is True
    await expect(tab.locator("#w-prediction")).to_have_text(f"demo model: {newest['prediction']}")
    await expect(tab.locator("#w-prediction")).to_have_attribute("data-demo", "true")
    await expect(tab.locator("#window-model")).to_contain_text("stress_window_model_demo.h5")

    await tab.fill("#label-value", "8")
    await tab.click("#label-form button")
    await expect(tab.locator("#labels li")).to_contain_text("stress (1-9): 8")
    # Short-term HRV per phase, from the raw signals (no whole 5-minute block in 195 s).
    await tab.click("#hrv5-load")
    rows = tab.locator("#hrv5 tbody tr")
    await expect(rows).to_have_count(2, timeout=30_000)  # computed from the raw signals
    await expect(rows.nth(0)).to_contain_text("baseline")
    await expect(rows.nth(1)).to_contain_text("stress")
    await screenshot(tab, "wearable-stress-episode")
    await tab.click("#study-stop")
    await expect(tab.locator("#study-state")).to_contain_text("stopped")
    await expect(tab.locator("#study-export")).to_be_visible()
