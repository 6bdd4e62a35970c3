"""The athletes and squad pages against a real server in Chromium (issue 12, item 7)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from sensorhub.devices.jump_curve import GRAVITY, countermovement_jump
from tests._recordings import chronojump_csv, ground_reaction_csv, hawkin_csv
from tests._server import LiveServer
from tests.web._browser import screenshot
from tests.web._esp import StreamingEsp

DAYS = ("2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02")
#: Day-to-day wobble of the first athlete's sessions (N), so their reliability study has a TE.
WOBBLE = (0.0, 25.0, -10.0, 30.0, 5.0)


def seeded_group(server: LiveServer) -> tuple[str, list[int]]:
    """A group of three athletes; the first with five sessions of two trials and a setup."""
    group = f"team-{uuid.uuid4().hex[:6]}"
    ids = []
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for number, base in enumerate((2000.0, 2300.0, 2600.0)):
            setup = {"bar_height_cm": 82.5, "knee_angle_deg": 130, "grip": "hook", "straps": True}
            body = {"name": f"Page Athlete {number} {group}", "groups": [group], "setup": setup}
            athlete_id = http.post("/api/athletes", json=body).json()["data"]["id"]
            days = DAYS if number == 0 else DAYS[-1:]
            for step, day in enumerate(days):
                for trial in (0.0, 40.0):
                    peak = base + 60.0 * step + WOBBLE[step] + trial
                    csv = ground_reaction_csv(peak).encode()
                    params = {"recorded_at": f"{day}T12:00:00Z"}
                    path = f"/api/athletes/{athlete_id}/imports"
                    response = http.post(
                        path, params=params, content=csv, headers={"Content-Type": "text/csv"}
                    )
                    assert response.status_code == 201, response.text
            ids.append(athlete_id)
    return group, ids


async def test_athlete_page_shows_setup_trends_latest_and_imports(
    tab: Page, web_server: LiveServer, tmp_path: Path
) -> None:
    group, ids = seeded_group(web_server)

    await tab.goto(f"{web_server.url}/athletes?id={ids[0]}")

    await expect(tab.locator("#athlete-name")).to_have_text(f"Page Athlete 0 {group}")
    await expect(tab.locator("#athlete-setup")).to_contain_text(
        "bar 82.5 cm, knee 130°, grip hook, straps"
    )
    latest = tab.locator("#latest tbody tr").first
    await expect(latest).to_contain_text("2285 N")  # day 5: 2000 + 4 × 60 + 5 + 40
    await expect(latest).to_contain_text("2250 N")  # day 4: 2000 + 3 × 60 + 30 + 40
    await expect(latest).to_contain_text("default cv")  # no study yet: the published CV
    await expect(tab.locator("#charts .uplot")).to_have_count(3)  # no sides: no asymmetry chart

    # A reliability study of days 1–3 (bests 2040, 2125, 2150: TE = their SD = 57.66 N, df 2):
    # the +35 N of day 5 is within its 90 % interval ±2.92 × √2 × 57.66 = ±238 N.
    # Recorded with an SWC of 40 N, it judges the page from then on.
    await tab.fill("#record-study [name=name]", "Pre-season")
    await tab.fill("#record-study [name=first_day]", "2026-01-05")
    await tab.fill("#record-study [name=last_day]", "2026-01-19")
    await tab.fill("#record-study [name=swc]", "40")
    await tab.click("#record-study button[type=submit]")
    await expect(tab.locator("#study-status")).to_contain_text("(Pre-season)")
    study = tab.locator("#studies li")
    await expect(study).to_have_count(1)
    await expect(study).to_contain_text(
        "Pre-season: this athlete, 2026-01-05 to 2026-01-19 · peak force TE 57.66 N (90 % CI"
    )
    await expect(study).to_contain_text("SWC 40.00 N · judges this athlete")
    await expect(latest).to_contain_text("57.66 N (90 % CI")
    await expect(latest).to_contain_text(
        "No clear change (within noise): +35.00 N (90 % CI −203 N to +273 N)"
    )
    await expect(latest).to_contain_text("above +SWC")  # the chances, now that an SWC is set
    await expect(latest.locator("td").last).to_have_text("40.00 N")
    await screenshot(tab, "athlete-page")
    await study.locator("button").click()
    await expect(latest).to_contain_text("default cv")
    await expect(tab.locator("#studies li")).to_contain_text("None recorded")

    # A period tried without recording it: kept in the address and the report's link.
    await tab.fill("#study [name=study_from]", "2026-01-05")
    await tab.fill("#study [name=study_to]", "2026-01-19")
    await tab.click("#study button[type=submit]")
    await expect(latest).to_contain_text("reliability study")
    await expect(latest).to_contain_text("57.66 N (90 % CI")
    await expect(latest).to_contain_text(
        "No clear change (within noise): +35.00 N (90 % CI −203 N to +273 N)"
    )
    await expect(tab.locator("#report-link")).to_have_attribute(
        "href", f"/api/athletes/{ids[0]}/report.pdf?study_from=2026-01-05&study_to=2026-01-19"
    )

    await tab.fill("#search [name=search]", "page athlete 1")
    await tab.click("#search button[type=submit]")
    await expect(tab.locator("#athlete-list li")).to_have_count(1)

    file = tmp_path / "chronojump.csv"
    file.write_text(chronojump_csv())
    await tab.set_input_files("#import [name=file]", str(file))
    await tab.click("#import button[type=submit]")
    await expect(tab.locator("#import-status")).to_contain_text(
        "(chronojump): analysed, flags: Sample rate < 1000 Hz; No body weight (load cell in series)"
    )


async def test_squad_page_sorts_and_links_the_csv(tab: Page, web_server: LiveServer) -> None:
    group, _ = seeded_group(web_server)

    await tab.goto(f"{web_server.url}/squad?group={group}")

    rows = tab.locator("#squad tbody tr")
    await expect(rows).to_have_count(3)
    await tab.click("#squad thead button[data-key=peak_force_n]")  # highest first
    await expect(rows.first).to_contain_text("Page Athlete 2")
    await expect(rows.first).to_contain_text("2640\u00a0N")  # its one session: 2600 + 40
    await tab.click("#squad thead button[data-key=peak_force_n]")
    await expect(rows.first).to_contain_text("Page Athlete 0")
    await expect(tab.locator("#csv-link")).to_have_attribute(
        "href", f"/api/groups/{group}/squad.csv"
    )
    await screenshot(tab, "squad-page")


async def test_live_page_picks_an_athlete_shows_setup_target_and_pull_values(
    tab: Page, web_server: LiveServer
) -> None:
    name = f"Live Picker {uuid.uuid4().hex[:6]}"
    setup = {"bar_height_cm": 80, "grip": "overhand", "straps": False}
    with httpx.Client(base_url=web_server.url, timeout=10) as http:
        athlete_id = http.post("/api/athletes", json={"name": name, "setup": setup}).json()["data"][
            "id"
        ]
        csv = ground_reaction_csv(2000.0).encode()  # best peak so far: 2000 N
        http.post(
            f"/api/athletes/{athlete_id}/imports", content=csv, headers={"Content-Type": "text/csv"}
        )
    device = f"plate-{uuid.uuid4().hex[:6]}"

    with StreamingEsp(web_server.url, device):
        await tab.goto(f"{web_server.url}/?device={device}")
        await expect(tab.locator("#conn")).to_have_attribute("data-state", "connected")
        await tab.fill("#athlete", name)
        await expect(tab.locator("#athlete-setup")).to_have_text(
            "Setup: bar 80 cm, grip overhand, no straps"
        )
        await expect(tab.locator("#target-n")).to_contain_text("1800")  # 90 % of 2000 N
        await tab.check("#target-on")
        await expect(tab.locator("#force-chart")).to_have_attribute("data-target", "1800")

        await tab.click("#start")
        await expect(tab.locator("#state")).to_have_text("running")
        await tab.wait_for_function(
            "() => Number(document.querySelector('#force-chart').dataset.samples) > 1500"
        )
        await expect(tab.locator("#v-peak")).not_to_have_text("–")
        await expect(tab.locator("#v-best1s")).not_to_have_text("–")
        await screenshot(tab, "live-target")
        await tab.click("#stop")
        await expect(tab.locator("#result")).to_be_visible()

    with httpx.Client(base_url=web_server.url, timeout=10) as http:
        tests = http.get("/api/tests", params={"athlete_id": athlete_id}).json()["data"]
    assert [t["device_id"] for t in tests if t["source"] == "sensorhub"] == [device]


async def test_athlete_page_imports_a_cmj_and_shows_its_jump_trend(
    tab: Page, web_server: LiveServer, tmp_path: Path
) -> None:
    with httpx.Client(base_url=web_server.url, timeout=10) as http:
        body = {"name": f"Page Jumper {uuid.uuid4().hex[:6]}"}
        athlete_id = http.post("/api/athletes", json=body).json()["data"]["id"]
    await tab.goto(f"{web_server.url}/athletes?id={athlete_id}")
    file = tmp_path / "hawkin_cmj.csv"
    file.write_text(hawkin_csv(countermovement_jump(flight_ms=500)))

    await tab.set_input_files("#import [name=file]", str(file))
    await tab.select_option("#import [name=test_type]", "cmj")
    await tab.click("#import button[type=submit]")
    await expect(tab.locator("#import-status")).to_contain_text("(hawkin): analysed, no flags")
    await tab.select_option("#test-kind", "cmj")

    first = tab.locator("#latest tbody tr").first
    await expect(first).to_contain_text("Jump height (impulse-momentum)")
    # g·t²/8 for the 500 ms flight: 0.3066 m, shown to the millimetre
    await expect(first).to_contain_text(f"{GRAVITY * 0.5**2 / 8:.3f} m")
    await expect(tab.locator("#latest tbody tr")).to_have_count(4)
    await screenshot(tab, "athlete-jump-trend")
