"""The live page drives a whole test against a real server and a streaming esp (issue 5)."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from tests._server import LiveServer, start_server
from tests.web._browser import ARTIFACTS, eventually, screenshot
from tests.web._esp import StreamingEsp
from tests.web._measure import frame_rate, page_weight, record

TEST_SAMPLES_BEFORE_STOP = 2_600  # weighing (1.5 s), pull (0.3 s), then a plateau


async def chart_samples(page: Page) -> int:
    return int(await page.locator("#force-chart").get_attribute("data-samples") or 0)


async def test_a_test_started_on_the_live_page_is_charted_stopped_analysed_and_downloadable(
    tab: Page, web_server: LiveServer, tmp_path: Path
) -> None:
    device = "plate-live"
    with StreamingEsp(web_server.url, device) as esp:
        await tab.goto(f"{web_server.url}/?device={device}")
        await expect(tab.locator("#conn")).to_have_attribute("data-state", "connected")
        record(ARTIFACTS, "page_weight_live", await page_weight(tab))
        await expect(tab.locator("#devices tr[data-device='plate-live']")).to_contain_text(
            "● online"
        )
        # The live view shows the standing athlete before any test.
        await tab.wait_for_function(
            "() => Number(document.querySelector('#force-chart').dataset.samples) > 300"
        )
        await expect(tab.locator("#v-total")).not_to_have_text("–")

        await tab.fill("#athlete", "Ada Live")
        await tab.fill("#notes", "browser test")
        await tab.click("#start")
        await expect(tab.locator("#state")).to_have_text("running")
        await eventually(lambda: esp.saw("start"))

        # The chart grows and the values change while the esp streams at 1000 Hz.
        await tab.wait_for_function(
            "() => Number(document.querySelector('#force-chart').dataset.samples) > 500"
        )
        first_count = await chart_samples(tab)
        first_total = await tab.locator("#v-total").text_content()
        await tab.wait_for_function(
            f"() => Number(document.querySelector('#force-chart').dataset.samples) > "
            f"{first_count + 500}"
        )
        await expect(tab.locator("#v-total")).not_to_have_text(first_total or "")
        record(ARTIFACTS, "live_chart_1000hz", await frame_rate(tab))

        # A page opened mid-test shows the test so far, not just what arrives from now on.
        late = await tab.context.new_page()
        await late.goto(f"{web_server.url}/?device={device}")
        await expect(late.locator("#state")).to_have_text("running")
        await late.wait_for_function(
            "() => Number(document.querySelector('#force-chart').dataset.samples) > 2000"
        )
        await late.close()
        await eventually(lambda: esp.test_samples >= TEST_SAMPLES_BEFORE_STOP)
        await expect(tab.locator("#elapsed")).not_to_have_text("0:00.0")
        await screenshot(tab, "live-running")

        await tab.click("#stop")
        result = tab.locator("#result")
        await expect(result).to_be_visible()
        await eventually(lambda: esp.saw("stop"))
        sent = esp.snapshot()

    heading = await tab.locator("#result-title").text_content() or ""
    test_id = int(heading.split("#")[1].split()[0])
    async with httpx.AsyncClient(base_url=web_server.url) as http:
        stored = (await http.get(f"/api/tests/{test_id}")).json()["data"]
    summary = stored["summary"]
    assert stored["athlete"] == "Ada Live"
    assert summary["peak_force_n"] > 2000  # the scripted pull peaks near 2300 N
    await expect(result).to_contain_text(f"{summary['peak_force_n']:.0f}")
    await expect(result).to_contain_text(f"{summary['rfd_0_200_n_per_s']:.0f}")
    await expect(result).to_contain_text(f"{summary['asymmetry_pct']:.1f}")
    await expect(result.locator(".flags")).to_be_visible()
    await expect(tab.locator("#state")).to_have_text("idle")
    await screenshot(tab, "live-result")

    # The test is in the history; its CSV is exactly what the esp sent after the start.
    await tab.click("nav >> text=Tests")
    row = tab.locator(f"#history tr[data-test-id='{test_id}']")
    await expect(row).to_contain_text("Ada Live")
    await expect(row).to_contain_text(f"{summary['peak_force_n']:.0f}")
    await screenshot(tab, "tests-history")
    await row.locator("a").click()
    await expect(tab.locator("#test-heading")).to_have_text(f"Test #{test_id} · Ada Live")
    await expect(tab.locator("#metrics")).to_contain_text(f"{summary['peak_force_n']:.0f} N")
    async with tab.expect_download() as download_info:
        await tab.click("#csv")
    download = await download_info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert download.suggested_filename == stored["file"]
    rows = list(csv.DictReader(io.StringIO(saved.read_text())))
    received = [{key: float(row[key]) for key in ("t", "l", "r")} for row in rows]
    assert len(received) == stored["sample_count"] > TEST_SAMPLES_BEFORE_STOP
    start = next(i for i, s in enumerate(sent) if s["t"] == received[0]["t"])
    assert received == sent[start:], "the CSV is the tail of what was sent, from the start on"
    await screenshot(tab, "test-detail")


async def test_tare_zeroes_the_live_values_of_the_plate(
    tab: Page, web_server: LiveServer, console_errors: list[str]
) -> None:
    device = "plate-tare"
    with StreamingEsp(web_server.url, device) as esp:
        await tab.goto(f"{web_server.url}/?device={device}")
        await expect(tab.locator("#conn")).to_have_attribute("data-state", "connected")
        await eventually(lambda: len(esp.sent) >= 1_000)  # a full second to tare from
        await tab.wait_for_function(
            "() => Number(document.querySelector('#v-total').textContent) > 700"
        )
        # The esp streams a standing athlete (780 N): the page asks first and the person
        # confirms (docs/plates.md#tare-under-load; tests/web/test_guard_rails_pages.py).
        tab.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await tab.click("#tare")
        await expect(tab.locator("#log")).to_contain_text(f"Tared {device}")
        await tab.wait_for_function(
            "() => Math.abs(Number(document.querySelector('#v-total').textContent)) < 20"
        )
    async with httpx.AsyncClient(base_url=web_server.url) as http:
        calibration = (await http.get(f"/api/devices/{device}")).json()["data"]["calibration"]
    assert abs(calibration["l"]["offset"] - 380) < 2
    assert abs(calibration["r"]["offset"] - 400) < 2
    # Chromium logs the 409 that asked the question; nothing else.
    assert len(console_errors) == 1 and "409 (Conflict)" in console_errors[0], console_errors
    console_errors.clear()


async def test_without_a_chosen_plate_the_page_follows_the_one_streaming(
    tab: Page, tmp_path: Path
) -> None:
    server = await asyncio.to_thread(start_server, tmp_path / "data")
    try:
        with StreamingEsp(server.url, "plate-auto"):
            await tab.goto(server.url + "/")
            await expect(tab.locator("#device")).to_have_value("plate-auto", timeout=15_000)
            await tab.wait_for_function(
                "() => Number(document.querySelector('#force-chart').dataset.samples) > 100"
            )
    finally:
        await tab.goto("about:blank")  # leave before the server goes, or the page logs errors
        await asyncio.to_thread(server.stop)
