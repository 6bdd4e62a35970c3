"""The live page's guided flow and a reload mid-pull (issue 23, items 2 and 3), against one
real server for this module and scripted esps streaming over Socket.IO at 1000 Hz."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from tests._server import LiveServer, start_server, wait_for
from tests.web._browser import TIMEOUT_MS, eventually, screenshot
from tests.web._esp import (
    LEFT_STANDING,
    RAMP,
    RIGHT_STANDING,
    STANDING,
    TOTAL_NOISE_N,
    StreamingEsp,
    guided_trial,
)

TABLET: ViewportSize = {"width": 820, "height": 1180}
LAPTOP: ViewportSize = {"width": 1280, "height": 800}
STANDING_N = LEFT_STANDING + RIGHT_STANDING


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("live-guided") / "data")
    yield live
    live.stop()


async def page_at(chromium: Browser, size: ViewportSize, errors: list[str]) -> Page:
    """A fresh page of ``size`` that records console errors and every moment Start is
    enabled (from the first paint on: a running plate must never offer it)."""
    context = await chromium.new_context(viewport=size)
    await context.add_init_script(
        """
        window.__startEnabled = [];
        document.addEventListener("DOMContentLoaded", () => {
          const start = document.querySelector("#start");
          const note = () => {
            if (!start.disabled) window.__startEnabled.push(performance.now());
          };
          note();
          new MutationObserver(note).observe(start, { attributes: true });
        });
        """
    )
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return page


@pytest.fixture
async def errors() -> AsyncIterator[list[str]]:
    seen: list[str] = []
    yield seen
    assert seen == [], "the page logged errors"


def elapsed_s(text: str) -> float:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + float(seconds)


async def server_test(http: httpx.AsyncClient, device: str) -> dict[str, Any]:
    test: dict[str, Any] = (await http.get("/api/status", params={"device_id": device})).json()[
        "test"
    ]
    return test


async def in_view(page: Page, selector: str) -> bool:
    """The element is wholly inside the viewport, without scrolling."""
    return bool(
        await page.evaluate(
            """(s) => { const r = document.querySelector(s).getBoundingClientRect();
                return r.top >= 0 && r.bottom <= innerHeight && window.scrollY === 0; }""",
            selector,
        )
    )


async def test_a_reload_mid_pull_shows_the_servers_athlete_elapsed_samples_and_peak(
    chromium: Browser, server: LiveServer, errors: list[str]
) -> None:
    device = "plate-reload"
    tab = await page_at(chromium, TABLET, errors)
    async with httpx.AsyncClient(base_url=server.url) as http:
        with StreamingEsp(server.url, device) as esp:
            await tab.goto(f"{server.url}/?device={device}")
            await tab.fill("#athlete", "Reload Ada")
            await tab.click("#start")
            await expect(tab.locator("#state")).to_have_text("running")
            await eventually(lambda: esp.test_samples > STANDING + RAMP)  # mid-pull
            before = await server_test(http, device)

            await tab.reload()
            await expect(tab.locator("#state")).to_have_text("running")
            await expect(tab.locator("#athlete")).to_have_value("Reload Ada")
            await expect(tab.locator("#cue")).to_have_text("Pull!")
            shown = elapsed_s(await tab.locator("#elapsed").text_content() or "")
            after = await server_test(http, device)
            # Not from 0:00: at least what the server had before the reload, at most now (the
            # display shows tenths, rounded).
            assert before["elapsed_s"] <= shown <= after["elapsed_s"] + 0.05

            # Hold the samples, so the page and the server can be compared exactly: once the
            # server has every sample sent since its test's first one.
            await asyncio.to_thread(esp.hold)
            session = (await http.get("/api/session_data", params={"device_id": device})).json()
            first_t = session["samples"][0]["t"]
            in_test = sum(1 for s in esp.snapshot() if s["t"] >= first_t)
            status = f"{server.url}/api/status?device_id={device}"
            await asyncio.to_thread(
                wait_for, lambda: httpx.get(status).json()["test"]["sample_count"] == in_test
            )
            await tab.wait_for_function(
                f"() => document.querySelector('#test-samples').textContent === '{in_test}'"
            )
            test = await server_test(http, device)
            assert test["sample_count"] == in_test
            assert test["athlete"] == "Reload Ada"
            await expect(tab.locator("#v-peak")).to_have_text(f"{test['peak_force_n']:.0f}")
            await expect(tab.locator("#test-type")).to_have_value(test["test_type"])
            assert await tab.evaluate("window.__startEnabled") == [], "Start was enabled"
            await screenshot(tab, "live-reloaded-mid-pull")

            esp.resume()
            await tab.click("#stop")
            await expect(tab.locator("#result")).to_be_visible()
        assert await in_view(tab, "#result"), "the result is below the fold at 820 × 1180"
        await screenshot(tab, "live-result-tablet")
    await tab.context.close()


async def test_a_plate_that_reboots_after_a_reload_has_every_later_sample_counted(
    chromium: Browser, server: LiveServer, errors: list[str]
) -> None:
    # Its clock (ms since boot) starts again below the samples the reload loaded: they are
    # new samples, not ones the reply had already brought.
    device = "plate-reboot"
    tab = await page_at(chromium, TABLET, errors)
    status = f"{server.url}/api/status?device_id={device}"

    async def counted_by_server_and_page(count: int) -> None:
        await asyncio.to_thread(
            wait_for, lambda: httpx.get(status).json()["test"]["sample_count"] == count
        )
        await tab.wait_for_function(
            f"() => document.querySelector('#test-samples').textContent === '{count}'"
        )

    async with httpx.AsyncClient(base_url=server.url) as http:
        with StreamingEsp(server.url, device) as esp:
            await tab.goto(f"{server.url}/?device={device}")
            await tab.fill("#athlete", "Reboot Ada")
            await tab.click("#start")
            await expect(tab.locator("#state")).to_have_text("running")
            await eventually(lambda: esp.test_samples > RAMP)
            await asyncio.to_thread(esp.hold)
            session = (await http.get("/api/session_data", params={"device_id": device})).json()
            first_t = session["samples"][0]["t"]
            before_reboot = esp.snapshot()
            in_test = sum(1 for s in before_reboot if s["t"] >= first_t)
            await counted_by_server_and_page(in_test)

            await tab.reload()
            await expect(tab.locator("#state")).to_have_text("running")
            await counted_by_server_and_page(in_test)

            esp.reboot(clock_ms=1_000)
            esp.resume()
            await eventually(lambda: len(esp.snapshot()) > len(before_reboot) + 500)
            await asyncio.to_thread(esp.hold)
            await counted_by_server_and_page(in_test + len(esp.snapshot()) - len(before_reboot))

            esp.resume()
            await tab.click("#stop")
            await expect(tab.locator("#result")).to_be_visible()
    await tab.context.close()


async def test_the_guided_flow_weighs_cues_starts_stops_and_counts_trials(
    chromium: Browser, server: LiveServer, errors: list[str]
) -> None:
    device = "plate-guided"
    name = "Guided Grace"
    async with httpx.AsyncClient(base_url=server.url) as http:
        created = await http.post("/api/athletes", json={"name": name})
        athlete_id = created.raise_for_status().json()["data"]["id"]
    tab = await page_at(chromium, LAPTOP, errors)
    esp = StreamingEsp(server.url, device, force=guided_trial, streams_between_tests=True)
    with esp:
        await tab.goto(f"{server.url}/?device={device}")
        await tab.fill("#athlete", name)
        await expect(tab.locator("#trials-empty")).to_have_text("No trials today yet.")
        await expect(tab.locator("#trial-count")).to_have_text("0 of 3")
        await tab.fill("#trial-target", "2")
        await tab.dispatch_event("#trial-target", "change")
        await expect(tab.locator("#trial-count")).to_have_text("0 of 2")

        # Standing still: weighed, in kg and N, before any test.
        await expect(tab.locator("#cue")).to_have_text("Weighed: ready")
        weight = await tab.locator("#bw").text_content() or ""
        kg, newtons = re.fullmatch(r"(\d+\.\d) kg · (\d+) N", weight).groups()  # type: ignore[union-attr]
        assert abs(float(newtons) - STANDING_N) <= TOTAL_NOISE_N + 0.5  # shown rounded
        assert abs(float(kg) - float(newtons) / 9.81) <= 0.05 + 0.5 / 9.81
        await screenshot(tab, "live-weighed")

        await tab.check("#auto-stop")
        await tab.check("#auto-start")  # the athlete stands still: it starts by itself
        await expect(tab.locator("#state")).to_have_text("running")
        await expect(tab.locator("#cue")).to_have_text("Stand still — weighing…")
        await expect(tab.locator("#cue")).to_have_text("Pull!")
        await screenshot(tab, "live-pull-cue")
        # Stepping off stops it; standing still again starts the second trial, and the
        # target of 2 ends the automatic starts.
        await expect(tab.locator("#trial-count")).to_have_text("2 of 2", timeout=30_000)
        await expect(tab.locator("#state")).to_have_text("idle")
        await expect(tab.locator("#result")).to_be_visible()
        assert await in_view(tab, "#result"), "the result is below the fold at 1280 × 800"
        await screenshot(tab, "live-guided-result")
        starts = [c for c in esp.commands if c.get("cmd") == "start"]
        assert len(starts) == 2

    async with httpx.AsyncClient(base_url=server.url) as http:
        listed = await http.get("/api/tests", params={"athlete_id": athlete_id})
    trials = [t for t in listed.json()["data"] if t["state"] == "complete"]
    assert len(trials) == 2
    best = max(trials, key=lambda t: t["summary"]["peak_force_n"])
    rows = tab.locator("#trials tbody tr")
    await expect(rows).to_have_count(2)
    await expect(tab.locator("#trials tr[data-best='yes']")).to_have_attribute(
        "data-test", str(best["id"])
    )
    await expect(tab.locator("#trials tr[data-best='yes']")).to_contain_text(
        f"{best['summary']['peak_force_n']:.0f}"
    )
    for trial in trials:  # each saw its athlete weighed before the pull
        weighed = trial["summary"]["body_weight_n"]
        assert abs(weighed - STANDING_N) <= TOTAL_NOISE_N
    await tab.context.close()
