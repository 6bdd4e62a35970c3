"""The tests page: history filter, overlay, manual onset, edit and delete (issue 5, item 2)."""

from __future__ import annotations

import asyncio

import httpx
from playwright.async_api import Page, expect

from tests._server import LiveServer
from tests.web._browser import ARTIFACTS, screenshot
from tests.web._esp import pull_samples, record_test
from tests.web._measure import page_weight, record


async def recorded(server: LiveServer, device: str, athlete: str, scale: float = 1.0) -> int:
    samples = pull_samples(3_500, scale=scale, seed=int(scale * 100))
    return await asyncio.to_thread(record_test, server.url, device, samples, athlete=athlete)


async def test_history_filters_by_athlete_and_overlays_the_selected_tests(
    tab: Page, web_server: LiveServer
) -> None:
    ids = [await recorded(web_server, "plate-overlay", "Olive Overlay", s) for s in (1.0, 0.85)]
    await recorded(web_server, "plate-overlay", "Someone Else")

    await tab.goto(f"{web_server.url}/tests")
    await expect(tab.locator("#history tbody tr").first).to_be_visible()
    record(ARTIFACTS, "page_weight_tests", await page_weight(tab))
    await tab.fill("#filter [name=athlete]", "Olive Overlay")
    await tab.click("#filter button[type=submit]")
    rows = tab.locator("#history tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_contain_text("Olive Overlay")
    assert "athlete=Olive+Overlay" in tab.url

    overlay = tab.locator("#overlay-button")
    await expect(overlay).to_be_disabled()
    for test_id in ids:
        await tab.locator(f"#history tr[data-test-id='{test_id}'] input[type=checkbox]").check()
    await expect(overlay).to_have_text("Overlay selected (2)")
    await overlay.click()
    await expect(tab.locator("#overlay-chart")).to_have_attribute("data-series", "2")
    await expect(tab.locator("#overlay-note")).to_contain_text("2 tests of Olive Overlay")
    await screenshot(tab, "tests-overlay")


async def test_clicking_the_curve_picks_a_manual_onset_that_reanalysis_saves(
    tab: Page, web_server: LiveServer
) -> None:
    test_id = await recorded(web_server, "plate-onset", "Onset Olga")
    await tab.goto(f"{web_server.url}/tests/{test_id}")
    await expect(tab.locator("#metrics")).to_contain_text("(sd)")
    record(ARTIFACTS, "page_weight_test_detail", await page_weight(tab))

    plot = tab.locator("#curve .u-over")
    box = await plot.bounding_box()
    assert box is not None
    x = await tab.evaluate("() => globalThis.sensorhub.curve.chart.valToPos(1.6, 'x')")
    await tab.mouse.click(box["x"] + x, box["y"] + box["height"] / 2)
    form = tab.locator("#reanalyze")
    await expect(form.locator("[name=onset_method]")).to_have_value("manual")
    picked = float(await form.locator("[name=onset_time_s]").input_value())
    assert abs(picked - 1.6) < 0.01
    await screenshot(tab, "test-onset-picked")

    await form.locator("button[type=submit]").click()
    await expect(tab.locator("#reanalyze-status")).to_have_text("Analysis updated and saved.")
    await expect(tab.locator("#metrics")).to_contain_text(f"{picked:.3f}\u00a0s")
    await expect(tab.locator("#metrics")).to_contain_text("(manual)")
    async with httpx.AsyncClient(base_url=web_server.url) as http:
        analysis = (await http.get(f"/api/tests/{test_id}/analysis")).json()["data"]
    assert analysis["params"]["onset_method"] == "manual"
    assert abs(analysis["result"]["onset"]["time_s"] - picked) <= 0.001
    await screenshot(tab, "test-manual-onset")


async def test_athlete_and_notes_are_saved_and_delete_asks_before_removing(
    tab: Page, web_server: LiveServer
) -> None:
    test_id = await recorded(web_server, "plate-edit", "Ed Before")
    await tab.goto(f"{web_server.url}/tests/{test_id}")
    edit = tab.locator("#edit")
    await expect(edit.locator("[name=athlete]")).to_have_value("Ed Before")
    await edit.locator("[name=athlete]").fill("Edith After")
    await edit.locator("[name=notes]").fill("left knee sore")
    await edit.locator("button[type=submit]").click()
    await expect(tab.locator("#edit-status")).to_have_text("Saved.")
    await expect(tab.locator("#test-heading")).to_have_text(f"Test #{test_id} · Edith After")
    async with httpx.AsyncClient(base_url=web_server.url) as http:
        stored = (await http.get(f"/api/tests/{test_id}")).json()["data"]
        assert (stored["athlete"], stored["notes"]) == ("Edith After", "left knee sore")

        dialog = tab.locator("#confirm-delete")
        await tab.click("#delete")
        await expect(dialog).to_be_visible()
        await screenshot(tab, "test-delete-confirm")
        await dialog.get_by_role("button", name="Cancel").click()
        await expect(dialog).to_be_hidden()
        assert (await http.get(f"/api/tests/{test_id}")).status_code == 200

        await tab.click("#delete")
        await dialog.get_by_role("button", name="Delete").click()
        await tab.wait_for_url(f"**/tests?deleted={test_id}")
        await expect(tab.locator("#list-notice")).to_have_text(f"Test #{test_id} was deleted.")
        assert (await http.get(f"/api/tests/{test_id}")).status_code == 404
