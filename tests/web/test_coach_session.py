"""Issue 23's scripted coach session at 820 × 1180, on one real server, through the pages only.

Three athletes of one group are created with the athlete form; each does 3 pulls on a simulated
plate with the live page's guided flow (automatic start when weighed, automatic stop when they
step off), the page reloaded once mid-pull; the best trial of the first is excluded on its test
page; Squad and the first athlete's trend are opened. The test itself sends no HTTP request: the
browser does, and every request it makes is recorded and must go to the server under test. The
expected numbers come from the simulated pulls (the samples the plate sent), not from the server.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import numpy as np
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Response, ViewportSize, expect

from tests._server import LiveServer, start_server
from tests.web._browser import ARTIFACTS, TIMEOUT_MS, eventually
from tests.web._esp import (
    LEFT_STANDING,
    LET_GO,
    RAMP,
    RIGHT_STANDING,
    STANDING,
    STEPPED_OFF,
    Sample,
    StreamingEsp,
    guided_trial,
)

TABLET: ViewportSize = {"width": 820, "height": 1180}
SCREENSHOTS = ARTIFACTS.parents[1] / "docs" / "screenshots"
TRIALS = 3  # the live page's default target of trials per athlete
DEVICE = "plate-session"
RELOADED_TRIAL = 2  # of the first athlete: the page is reloaded in the middle of this pull
# A trial: weighing (≥ 1 s), the pull, 1 s off the plate, the save; three in a row.
ATHLETE_TIMEOUT_MS = 60_000
# Samples travel as JSON (exact) but may be stored as float32: a sum of two keeps ~2⁻²³.
STORED_REL = float(np.finfo(np.float32).eps)


class Pulls:
    """The plate's force (guided_trial), remembering each trial's totals (l + r) as sent.

    Each trial pulls a little harder than the one before (``STEP`` of the pull over standing),
    so every trial, and so the excluded one, has its own peak, visible in whole newtons.
    """

    STEP = 0.05

    def __init__(self) -> None:
        self.trials: list[list[float]] = []
        self.ended_at: list[float] = []  # monotonic time of each trial's latest sample

    def __call__(self, k: int | None, rng: random.Random) -> tuple[float, float]:
        left, right = guided_trial(k, rng)
        if k == 0:
            self.trials.append([])
            self.ended_at.append(0.0)
        if k is not None and STANDING <= k < STEPPED_OFF - LET_GO:  # the pull itself
            harder = 1 + self.STEP * len(self.trials)
            left = LEFT_STANDING + (left - LEFT_STANDING) * harder
            right = RIGHT_STANDING + (right - RIGHT_STANDING) * harder
        if k is not None:
            self.trials[-1].append(left + right)
            self.ended_at[-1] = time.monotonic()
        return left, right

    def peaks(self) -> list[float]:
        return [max(totals) for totals in self.trials]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("coach-session") / "data")
    yield live
    live.stop()


@pytest.fixture
async def session(chromium: Browser) -> AsyncIterator[BrowserContext]:
    context = await chromium.new_context(viewport=TABLET)
    yield context
    await context.close()


async def shot(page: Page, step: str) -> None:
    """docs/screenshots/coach-session-<step>.png, the viewport a coach sees on the tablet."""
    await page.screenshot(path=SCREENSHOTS / f"coach-session-{step}.png")


def newtons(text: str) -> float:
    """The number of "2,345 N" (a page's rounded newtons)."""
    found = re.search(r"([\d,]+)\s*N", text)
    assert found is not None, text
    return float(found.group(1).replace(",", ""))


def shown_as(shown: float, expected: float) -> bool:
    """A value the page rounds to whole newtons, from samples perhaps stored as float32."""
    return abs(shown - expected) <= 0.5 + expected * STORED_REL


def elapsed_s(text: str) -> float:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + float(seconds)


async def create_athlete(page: Page, name: str, group: str, body_mass_kg: str) -> int:
    await page.click("#new-athlete")
    form = page.locator("#athlete-form")
    await form.locator("[name=name]").fill(name)
    await form.locator("[name=sport]").fill("rowing")
    await form.locator("[name=groups]").fill(group)
    await form.locator("[name=body_mass_kg]").fill(body_mass_kg)
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#notice")).to_have_text(f"{name} was added.")
    return int(page.url.split("id=")[1])


async def choose_athlete(page: Page, name: str) -> None:
    """Automatic starts off while the athlete changes; then the guided flow on for them."""
    await page.uncheck("#auto-start")
    await page.fill("#athlete", name)
    await page.select_option("#test-type", "imtp")
    await expect(page.locator("#trial-count")).to_have_text(f"0 of {TRIALS}")
    await page.check("#auto-stop")
    await page.check("#auto-start")


async def reload_mid_pull(page: Page, esp: StreamingEsp, pulls: Pulls, name: str) -> None:
    """Reload in the middle of a pull: the page rebuilds athlete, elapsed, samples and peak."""
    await eventually(
        lambda: len(pulls.trials) == RELOADED_TRIAL and len(pulls.trials[-1]) > STANDING + RAMP
    )
    sent_before = len(pulls.trials[-1])
    loaded: list[Response] = []  # the running test's samples, as the server sent them to the page
    page.on("response", lambda r: loaded.append(r) if "/api/session_data" in r.url else None)
    await page.reload()
    await expect(page.locator("#state")).to_have_text("running")
    await expect(page.locator("#athlete")).to_have_value(name)
    await expect(page.locator("#test-type")).to_have_value("imtp")
    await expect(page.locator("#cue")).to_have_text("Pull!")
    shown = elapsed_s(await page.locator("#elapsed").text_content() or "")
    # Not from 0:00: at least the samples of this pull sent before the reload (1000 Hz), at
    # most the time since the previous trial's last sample (this one started after it).
    assert sent_before / 1000 - 0.05 <= shown <= time.monotonic() - pulls.ended_at[-2] + 0.05

    # Hold the plate: the page must then count exactly the samples sent since the test's
    # first one (as the server sent it to the page), and show their highest total.
    await asyncio.to_thread(esp.hold)
    await eventually(lambda: len(loaded) > 0)
    first_t = (await loaded[-1].json())["samples"][0]["t"]
    in_test: list[Sample] = [s for s in esp.snapshot() if s["t"] >= first_t]
    await expect(page.locator("#test-samples")).to_have_text(str(len(in_test)))
    peak = max(s["l"] + s["r"] for s in in_test)
    assert shown_as(float(await page.locator("#v-peak").text_content() or "nan"), peak)
    await shot(page, "3-reloaded-mid-pull")
    esp.resume()
    await page.check("#auto-stop")  # a fresh page: the guided flow on again
    await page.check("#auto-start")


async def best_row_test_id(page: Page) -> int:
    best = page.locator("#trials tr[data-best='yes']")
    return int(await best.get_attribute("data-test") or "")


async def test_a_coach_session_on_a_tablet_through_the_pages_only(
    session: BrowserContext, server: LiveServer
) -> None:
    requests: list[str] = []
    errors: list[str] = []
    session.on("request", lambda r: requests.append(r.url))
    page = await session.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    group = f"U23-{uuid.uuid4().hex[:4]}"
    names = ["Ada Pull", "Ben Pull", "Cy Pull"]
    # The plate weighs each at 780 N (the simulated standing): their stored mass, 79.5 kg.

    # 1. Three athletes of one group, through the athlete form.
    await page.goto(f"{server.url}/athletes")
    ids = [
        await create_athlete(page, n, group, kg)
        for n, kg in zip(names, ["79.5", "79.5", "79.5"], strict=True)
    ]
    await shot(page, "1-athlete-created")

    # 2. Three guided pulls each on the simulated plate; the page reloaded once mid-pull.
    pulls = Pulls()
    trial_ids: list[list[int]] = []
    with StreamingEsp(server.url, DEVICE, force=pulls, streams_between_tests=True) as esp:
        await page.goto(f"{server.url}/?device={DEVICE}")
        for index, name in enumerate(names):
            await choose_athlete(page, name)
            await expect(page.locator("#cue")).to_have_text("Pull!", timeout=ATHLETE_TIMEOUT_MS)
            if index == 0:
                await shot(page, "2-pull-cue")
                await reload_mid_pull(page, esp, pulls, name)
            await expect(page.locator("#trial-count")).to_have_text(
                f"{TRIALS} of {TRIALS}", timeout=ATHLETE_TIMEOUT_MS
            )
            await expect(page.locator("#state")).to_have_text("idle")
            await expect(page.locator("#cue")).to_have_text(
                f"Target reached: {TRIALS} of {TRIALS} trials — next athlete"
            )
            rows = page.locator("#trials tbody tr")
            await expect(rows).to_have_count(TRIALS)
            trial_ids.append(
                [int(await r.get_attribute("data-test") or "") for r in await rows.all()]
            )
            await expect(page.locator("#result")).to_be_visible()
            if index == 0:
                await shot(page, "4-three-trials")
        await expect(page.locator("#trial-count")).to_have_text(f"{TRIALS} of {TRIALS}")
        assert [c.get("cmd") for c in esp.commands].count("start") == TRIALS * len(names)
    peaks = pulls.peaks()
    assert len(peaks) == TRIALS * len(names)
    by_athlete = [peaks[i * TRIALS : (i + 1) * TRIALS] for i in range(len(names))]

    # 3. The first athlete's best trial excluded on its test page, with a reason.
    best_of_first = by_athlete[0].index(max(by_athlete[0]))
    excluded_id = trial_ids[0][best_of_first]
    await page.goto(f"{server.url}/tests/{excluded_id}")
    exclusion = page.locator("#exclusion")
    await exclusion.get_by_role("button", name="Exclude…").click()
    await page.fill("#exclude-dialog [name=reason]", "hands slipped on the bar")
    await page.click("#exclude-dialog button[value=exclude]")
    await expect(exclusion).to_have_attribute("data-excluded", "yes")
    await expect(exclusion).to_contain_text("Excluded: hands slipped on the bar")
    await shot(page, "5-trial-excluded")
    counted = [
        [p for j, p in enumerate(trials) if (i, j) != (0, best_of_first)]
        for i, trials in enumerate(by_athlete)
    ]

    # 4. Squad for the group: the three athletes, the excluded trial left out.
    await page.goto(f"{server.url}/squad")
    await page.select_option("#group-form [name=group]", group)
    await expect(page.locator("#squad tbody tr")).to_have_count(len(names))
    peak_column = await page.evaluate(
        """() => [...document.querySelectorAll('#squad thead th')]
            .findIndex((th) => th.textContent.trim().startsWith('Peak force'))"""
    )
    for name, trials in zip(names, counted, strict=True):
        peak_cell = page.locator("#squad tbody tr", has_text=name).locator("td").nth(peak_column)
        assert shown_as(newtons(await peak_cell.text_content() or ""), max(trials)), name
    await shot(page, "6-squad")

    # 5. The first athlete's trend, from their name in the squad.
    await page.locator("#squad tbody tr", has_text=names[0]).get_by_role("link").click()
    await expect(page.locator("#athlete-name")).to_have_text(names[0])
    assert page.url.endswith(f"/athletes?id={ids[0]}")
    excluded_row = page.locator(f"#trials tr[data-test-id='{excluded_id}']")
    await expect(excluded_row).to_have_attribute("data-excluded", "yes")
    latest = page.locator("#latest tbody tr").first
    await expect(latest).to_contain_text("N")
    best_cell = latest.locator("td").nth(1)  # the metric, then its latest session's best
    assert shown_as(newtons(await best_cell.text_content() or ""), max(counted[0]))
    await page.locator("#latest").scroll_into_view_if_needed()
    await shot(page, "7-athlete-trend")

    origin = server.url.removeprefix("http://")
    outside = [u for u in requests if not re.match(rf"(http|ws)://{re.escape(origin)}/", u)]
    assert requests and outside == [], outside
    assert errors == [], errors
