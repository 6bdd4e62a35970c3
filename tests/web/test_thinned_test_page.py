"""The test page of a test whose raw samples retention removed: its saved analysis is shown,
the page says the raw curve and CSV were removed and when, and offers neither; on a real
server that thins almost at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from tests._server import LiveServer, start_server
from tests.api.test_plate_retention import THINS_AT_ONCE
from tests.web._browser import eventually, screenshot
from tests.web._esp import pull_samples, record_test


@pytest.fixture(scope="module")
def thinning_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("web-thinned-test") / "data"
    live = start_server(data_dir, env=THINS_AT_ONCE)
    yield live
    live.stop()


async def test_a_thinned_test_shows_its_saved_analysis_and_says_the_curve_was_removed(
    tab: Page, thinning_server: LiveServer
) -> None:
    samples = pull_samples(3_500)
    url = thinning_server.url
    test_id = await asyncio.to_thread(record_test, url, "plate-thinned", samples, athlete="Thea")
    async with httpx.AsyncClient(base_url=url) as http:

        async def removed() -> bool:
            return (await http.get(f"/api/tests/{test_id}/samples")).status_code == 410

        await eventually(removed, timeout=30.0)

    await tab.goto(f"{url}/tests?id={test_id}")
    notice = tab.locator("#thinned-notice")
    await expect(notice).to_be_visible()
    await expect(notice).to_contain_text("removed by retention on")
    await expect(tab.locator("#metrics")).to_contain_text("(sd)")  # the saved analysis
    await expect(tab.locator("#curve")).to_be_hidden()
    await expect(tab.locator("#csv")).to_be_hidden()  # the file is gone: no dead link
    await screenshot(tab, "test-thinned")
