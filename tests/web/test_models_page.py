"""The models page: registered models with their leave-one-participant-out figures, one
activated from the page (no restart), and the training report it links to."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page

from sensorhub.physio.e4 import e4_texts
from tests._server import LiveServer, start_server
from tests.learning._participants import PHASES, participant, recording
from tests.web._browser import screenshot

PARTICIPANTS = 3  # enough for a leave-one-participant-out table; the page is what is tested


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("models-page") / "data",
                        env={"SENSORHUB_SIGNAL_STEP_S": "10"})  # fmt: skip
    with httpx.Client(base_url=live.url, timeout=120.0) as http:
        sessions = []
        for index in range(PARTICIPANTS):
            body = {"participant": participant(index), "phases": list(PHASES),
                    "files": e4_texts(recording(index))}  # fmt: skip
            sessions.append(
                http.post("/api/wearable/sessions/import-e4", json=body).json()["data"]["id"]
            )
        for relative in (False, True):
            train = {"sessions": sessions, "relative_to_baseline": relative}
            assert http.post("/api/models/train", json=train).status_code == 200
    yield live
    live.stop()


async def test_models_are_listed_and_one_is_activated_from_the_page(
    tab: Page, trained: LiveServer
) -> None:
    await tab.goto(trained.url + "/models")
    rows = tab.locator("#models tbody tr")
    await rows.first.wait_for()
    assert await rows.count() == 2
    newest, oldest = rows.nth(0), rows.nth(1)
    assert (
        "stress@v2" in await newest.inner_text() and "(fewer than 10)" in await newest.inner_text()
    )
    assert await newest.get_by_role("button").is_disabled()  # baseline-relative: re-score only
    await oldest.get_by_role("button", name="Activate").click()
    await oldest.get_by_role("button", name="Active").wait_for()
    health = httpx.get(trained.url + "/api/health").json()
    assert health["window_model"]["name"] == "stress@v1"
    await screenshot(tab, "models-page")


async def test_the_training_report_has_its_figures_and_plots(
    tab: Page, trained: LiveServer
) -> None:
    await tab.goto(trained.url + "/api/models/1/report")
    await tab.get_by_text("Leave one participant out").wait_for()
    assert await tab.locator("figure svg").count() == 3
    assert await tab.locator("table tr").count() == PARTICIPANTS + 1
    await screenshot(tab, "training-report")
