"""The wearable page follows readings as they are posted (issue 5, item 3)."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests._server import LiveServer
from tests.web._browser import ARTIFACTS, screenshot
from tests.web._measure import page_weight, record


def reading(i: int, device: str) -> dict[str, Any]:
    """A wrist at rest that starts to move: BVP pulses, temperature drifts."""
    return {
        "device_id": device,
        "bvp": round(0.6 + 0.3 * math.sin(i / 3), 4),
        "temperature": round(33.0 + i * 0.01, 3),
        "acceleration": {"x": 0.02 * (i % 5), "y": -0.01, "z": 0.98 + 0.01 * (i % 3)},
    }


async def test_the_wearable_page_shows_posted_readings_live_and_exports_them(
    tab: Page, web_server: LiveServer, tmp_path: Path
) -> None:
    device = "wrist-web"
    async with httpx.AsyncClient(base_url=web_server.url) as http:
        # History before the page opens, then live readings while it is open.
        for i in range(40):
            (await http.post("/api/sensor-data", json=reading(i, device))).raise_for_status()
        await tab.goto(f"{web_server.url}/wearable?device={device}")
        await expect(tab.locator("#conn")).to_have_attribute("data-state", "connected")
        await expect(tab.locator("#count")).to_have_text("40")
        record(ARTIFACTS, "page_weight_wearable", await page_weight(tab))

        last: dict[str, Any] = {}
        for i in range(40, 60):
            response = await http.post("/api/sensor-data", json=reading(i, device))
            last = response.raise_for_status().json()["data"]
        await expect(tab.locator("#count")).to_have_text("60")

    # The bundled model is a demo: its guess is labelled so, small, and explained.
    assert last["demo"] is True
    await expect(tab.locator("#prediction")).to_have_text(f"demo model: {last['prediction']}")
    await expect(tab.locator("#prediction")).to_have_attribute("data-demo", "true")
    await expect(tab.locator("#demo-note")).to_be_visible()
    await expect(tab.locator("#now-title")).to_have_text("Stress model (demo)")
    probability = f"{last['stress_probability'] * 100:.1f}"
    await expect(tab.locator("#probability")).to_have_text(probability)
    await expect(tab.locator("#v-temp")).to_have_text(f"{last['temperature']:.2f}")
    await expect(tab.locator("#v-acc")).to_have_text(f"{last['acceleration_magnitude']:.3f}")
    first_row = tab.locator("#recent tbody tr").first
    await expect(first_row).to_have_attribute("data-id", str(last["id"]))
    await expect(tab.locator("#recent tbody tr")).to_have_count(15)
    await screenshot(tab, "wearable")

    async with tab.expect_download() as download_info:
        await tab.click("#csv")
    download = await download_info.value
    saved = tmp_path / "readings.csv"
    await download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    assert len(rows) == 60
    assert {row["device_id"] for row in rows} == {device}
    assert rows[0]["id"] == str(last["id"])
