"""``make demo`` as a newcomer meets it: the dashboard shows the simulated plate live, Start
records a simulated pull, and the wearable page follows the simulated wearable."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from sensorhub.devices.imtp_curve import GRAVITY, Athlete
from tests._demo import DEMO_PLATE, DEMO_WEARABLE, Demo, running_demo
from tests.web._browser import screenshot

# The demo's athlete (sensorhub.devices.demo): 80 kg, pulling twice body weight above it.
WEIGHT_N = 80.0 * GRAVITY
PEAK_NET_N = Athlete(mass_kg=80.0).peak_net


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("demo")) as running:
        yield running


async def test_the_dashboard_shows_the_demo_plate_live_and_records_a_pull(
    tab: Page, demo: Demo
) -> None:
    await tab.goto(demo.url + "/")
    await expect(tab.locator("#device")).to_have_value(DEMO_PLATE, timeout=15_000)
    await tab.wait_for_function(
        "() => Number(document.querySelector('#force-chart').dataset.samples) > 500"
    )
    await tab.click("#start")
    await expect(tab.locator("#state")).to_have_text("running")
    # The simulated athlete stands still, then pulls: wait until the pull is near its top.
    pulling = WEIGHT_N + PEAK_NET_N / 2
    total = "Number(document.querySelector('#v-total').textContent)"
    await tab.wait_for_function(f"() => {total} > {pulling}", timeout=15_000)
    await tab.click("#stop")
    await expect(tab.locator("#result")).to_be_visible(timeout=15_000)
    await screenshot(tab, "demo-result")

    heading = await tab.locator("#result-title").text_content() or ""
    test_id = int(heading.split("#")[1].split()[0])
    stored = demo.http.get(f"/api/tests/{test_id}").json()["data"]
    assert stored["device_id"] == DEMO_PLATE and stored["state"] == "complete"
    assert stored["summary"]["peak_force_n"] > pulling
    await tab.goto("about:blank")  # leave before the demo stops, or the page logs errors


async def test_the_wearable_page_follows_the_demo_wearable(tab: Page, demo: Demo) -> None:
    await tab.goto(demo.url + "/wearable")
    await expect(tab.locator("#device")).to_have_value(DEMO_WEARABLE, timeout=15_000)
    await tab.wait_for_function("() => Number(document.querySelector('#count').textContent) > 1")
    prediction = tab.locator("#prediction")
    await expect(prediction).to_have_attribute("data-prediction", re.compile("^(Calm|Stressed)$"))
    await tab.goto("about:blank")
