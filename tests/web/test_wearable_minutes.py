"""The wearable page shows a thinned period (retention) as per-minute aggregates, labelled so,
on a real server whose readings are thinned almost at once."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from tests._readings import READING
from tests._server import LiveServer, start_server
from tests.web._browser import eventually, screenshot

RETAIN_DAYS = 1e-5  # 0.864 s


@pytest.fixture(scope="module")
def thinning_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"SENSORHUB_RETAIN_READINGS_DAYS": str(RETAIN_DAYS), "SENSORHUB_UPKEEP_CHECK_S": "0.1"}
    live = start_server(tmp_path_factory.mktemp("web-minutes") / "data", env=env)
    yield live
    live.stop()


async def test_a_thinned_period_is_shown_as_labelled_minute_aggregates(
    tab: Page, thinning_server: LiveServer
) -> None:
    device = "wrist-thinned"
    temperatures = [33.0, 33.5, 34.25]
    async with httpx.AsyncClient(base_url=thinning_server.url) as http:
        for temperature in temperatures:
            body = {**READING, "device_id": device, "temperature": temperature}
            (await http.post("/api/sensor-data", json=body)).raise_for_status()
        served: list[dict[str, object]] = []

        async def thinned() -> None:
            answer = await http.get("/api/wearable/signal-minutes", params={"device_id": device})
            served[:] = [r for r in answer.json()["data"] if r["channel"] == "reading_temp"]

        async def all_thinned() -> bool:
            await thinned()
            return sum(int(str(r["count"])) for r in served) == len(temperatures)

        await eventually(all_thinned, timeout=30.0)

    await tab.goto(f"{thinning_server.url}/wearable?device={device}")
    panel = tab.locator("#minutes-panel")
    await expect(panel).to_be_visible()
    await expect(tab.locator("#minutes-title")).to_have_text("Older data: per-minute aggregates")
    await expect(tab.locator("#minutes-note")).to_contain_text("mean, min, max and count")
    rows = tab.locator("#minutes tbody tr", has_text="reading_temp")
    await expect(rows).to_have_count(len(served))
    counts = [int(text) for text in await rows.locator("td:last-child").all_inner_texts()]
    assert sum(counts) == len(temperatures)
    href = await tab.locator("#minutes-csv").get_attribute("href")
    assert href == f"/api/wearable/signal-minutes.csv?device_id={device}"
    await screenshot(tab, "wearable-minutes")
