"""Athletes, groups and trials managed in the pages, no curl (issue 23, item 1): create, edit
and delete athletes with the API's 422 beside the field; exclude a trial with a reason from the
test page and the athlete page and see it leave the trend and the squad; the Squad page's group
list, test type choice, empty states and its table at 820 px. One server for the module; every
change is made by clicking, and read back from the API the page talks to."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, ViewportSize, expect

from sensorhub.devices.jump_curve import countermovement_jump
from tests._recordings import ground_reaction_csv, hawkin_csv
from tests._server import LiveServer, start_server
from tests.web._browser import DESKTOP, screenshot

#: The tablet of issue 23 (an 820 × 1180 iPad Air in portrait).
TABLET_820: ViewportSize = {"width": 820, "height": 1180}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("athlete-management") / "data")
    yield live
    live.stop()


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def tag() -> str:
    return uuid.uuid4().hex[:6]


def athlete(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = http.post("/api/athletes", json={"name": f"Athlete {tag()}", **fields})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def imported(http: httpx.Client, athlete_id: int, csv: str, **params: str) -> int:
    response = http.post(
        f"/api/athletes/{athlete_id}/imports",
        params={"recorded_at": "2026-03-02T10:00:00Z", **params},
        content=csv.encode(),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    test_id: int = response.json()["data"]["id"]
    return test_id


async def test_an_athlete_is_created_edited_and_deleted_with_their_tests(
    tab: Page, server: LiveServer, http: httpx.Client
) -> None:
    name, group = f"Ann Page {tag()}", f"U23-{tag()}"
    await tab.goto(f"{server.url}/athletes")

    await tab.click("#new-athlete")
    await tab.fill("#athlete-form [name=name]", name)
    await tab.fill("#athlete-form [name=sport]", "rowing")
    await tab.fill("#athlete-form [name=groups]", f"{group}, rowing")
    await tab.fill("#athlete-form [name=body_mass_kg]", "71.5")
    await tab.fill("#athlete-form [name=birth_year]", "2001")
    await tab.select_option("#athlete-form [name=sex]", "female")
    await tab.fill("#athlete-form [name='setup.bar_height_cm']", "82.5")
    await tab.fill("#athlete-form [name='setup.knee_angle_deg']", "125")
    await tab.fill("#athlete-form [name='setup.grip']", "hook")
    await tab.select_option("#athlete-form [name='setup.straps']", "true")
    await tab.fill("#athlete-form [name=notes]", "left knee 2023")
    await screenshot(tab, "athlete-new-form")
    await tab.click("#athlete-form button[type=submit]")

    await expect(tab.locator("#notice")).to_have_text(f"{name} was added.")
    await expect(tab.locator("#athlete-name")).to_have_text(name)
    await expect(tab.locator("#athlete-meta")).to_have_text(
        f"rowing · groups: {group}, rowing · 71.5 kg · female · born 2001"
    )
    await expect(tab.locator("#athlete-setup")).to_have_text(
        "Setup: bar 82.5 cm, knee 125°, grip hook, straps"
    )
    athlete_id = int(tab.url.split("id=")[1])
    stored = http.get(f"/api/athletes/{athlete_id}").json()["data"]
    assert (stored["groups"], stored["body_mass_kg"], stored["notes"]) == (
        sorted([group, "rowing"]),
        71.5,
        "left knee 2023",
    )
    assert stored["setup"] == {
        "bar_height_cm": 82.5,
        "knee_angle_deg": 125,
        "grip": "hook",
        "straps": True,
    }

    await tab.click("#edit-athlete")
    form = tab.locator("#athlete-form")
    await expect(form.locator("[name=body_mass_kg]")).to_have_value("71.5")
    await expect(form.locator("[name='setup.straps']")).to_have_value("true")
    await form.locator("[name=body_mass_kg]").fill("72")
    await form.locator("[name=groups]").fill(group)
    await form.locator("[name='setup.knee_angle_deg']").fill("")
    await form.locator("button[type=submit]").click()
    await expect(tab.locator("#notice")).to_have_text(f"{name} was saved.")
    await expect(tab.locator("#athlete-meta")).to_have_text(
        f"rowing · groups: {group} · 72 kg · female · born 2001"
    )
    stored = http.get(f"/api/athletes/{athlete_id}").json()["data"]
    assert (stored["groups"], stored["body_mass_kg"]) == ([group], 72)
    assert "knee_angle_deg" not in stored["setup"]

    await tab.select_option("#search [name=group]", group)
    await expect(tab.locator(f"#search [name=group] option[value='{group}']")).to_have_text(
        f"{group} (1)"
    )
    await tab.click("#search button[type=submit]")
    await expect(tab.locator("#athlete-list li")).to_have_text(f"{name} · {group} · 0 tests")

    test_id = imported(http, athlete_id, ground_reaction_csv(2000.0))  # after the page drew
    await tab.click("#delete-athlete")
    await expect(tab.locator("#confirm-text")).to_contain_text(
        "Their 1 test (samples, analyses and CSV files)"
    )
    await screenshot(tab, "athlete-delete-dialog")
    await tab.click("#confirm-delete button[value=cancel]")
    await expect(tab.locator("#confirm-delete")).to_be_hidden()
    assert http.get(f"/api/athletes/{athlete_id}").status_code == 200

    await tab.click("#delete-athlete")
    await tab.click("#confirm-delete button[value=delete]")
    await expect(tab.locator("#notice")).to_have_text(f"{name} was deleted, with 1 test.")
    await expect(tab.locator("#athlete")).to_be_hidden()
    assert http.get(f"/api/athletes/{athlete_id}").status_code == 404
    assert http.get(f"/api/tests/{test_id}").status_code == 404
    assert group not in [g["name"] for g in http.get("/api/groups").json()["data"]]


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET_820], ids=["1280", "820"])
async def test_the_apis_422_shows_next_to_the_field_it_names(
    tab: Page,
    server: LiveServer,
    http: httpx.Client,
    viewport: ViewportSize,
    console_errors: list[str],
) -> None:
    name = f"Bad Field {tag()}"
    await tab.set_viewport_size(viewport)
    await tab.goto(f"{server.url}/athletes")
    await tab.click("#new-athlete")
    form = tab.locator("#athlete-form")
    save = form.locator("button[type=submit]")

    # Each field in turn: the API's message beside it, the field marked; then fixed.
    cases = [
        ("name", "", "#err-name", "must not be blank", name),
        ("body_mass_kg", "600", "#err-body_mass_kg", "less than or equal to 500", "80"),
        ("body_mass_kg", "80,5", "#err-body_mass_kg", "number", "80.5"),
        ("'setup.knee_angle_deg'", "200", "#err-knee", "less than or equal to 180", "120"),
        ("groups", "U23, a/b", "#err-groups", "entry 2: must be 1 to 64 letters", "U23"),
        ("birth_year", "1850", "#err-birth_year", "greater than or equal to 1900", "1999"),
    ]
    for field, bad, slot, message, good in cases:
        await form.locator(f"[name={field}]").fill(bad)
        await save.click()
        await expect(tab.locator(slot)).to_contain_text(message)
        await expect(form.locator(f"[name={field}]")).to_have_attribute("aria-invalid", "true")
        await expect(tab.locator("#editor-status")).to_have_text("Not saved: see the field marked.")
        if field == "body_mass_kg" and bad == "600":
            await screenshot(tab, f"athlete-field-error-{viewport['width']}")
        assert http.get("/api/athletes", params={"search": name}).json()["data"] == []
        await form.locator(f"[name={field}]").fill(good)

    await save.click()
    await expect(tab.locator("#athlete-name")).to_have_text(name)
    await expect(form.locator("[aria-invalid]")).to_have_count(0)
    found = http.get("/api/athletes", params={"search": name}).json()["data"]
    assert [a["body_mass_kg"] for a in found] == [80.5]
    assert all("status of 422" in error for error in console_errors)  # the refused saves
    assert len(console_errors) == len(cases)
    console_errors.clear()


def squad_peak(http: httpx.Client, group: str, athlete_id: int) -> float:
    rows = http.get(f"/api/groups/{group}/squad").json()["data"]["athletes"]
    peak: float = next(r for r in rows if r["athlete_id"] == athlete_id)["values"]["peak_force_n"]
    return peak


async def test_a_trial_excluded_on_the_athlete_page_leaves_trend_and_squad(
    tab: Page, server: LiveServer, http: httpx.Client, console_errors: list[str]
) -> None:
    group = f"squad-{tag()}"
    ann = athlete(http, groups=[group])
    athlete(http, groups=[group])  # a second member, so the squad has a mean
    imported(http, ann["id"], ground_reaction_csv(2000.0))
    best = imported(http, ann["id"], ground_reaction_csv(2400.0))  # the day's best trial

    await tab.goto(f"{server.url}/athletes?id={ann['id']}")
    latest = tab.locator("#latest tbody tr").first
    await expect(latest).to_contain_text("2400 N")
    row = tab.locator(f"#trials tr[data-test-id='{best}']")
    await expect(row).to_contain_text("Counts")

    await row.get_by_role("button", name="Exclude…").click()
    dialog = tab.locator("#exclude-dialog")
    await dialog.get_by_role("button", name="Exclude").click()  # no reason given
    await expect(dialog.locator("#exclude-error")).to_contain_text("must not be empty")
    assert len(console_errors) == 1 and "status of 422" in console_errors[0]
    console_errors.clear()  # that refusal was provoked
    await dialog.locator("[name=reason]").fill("hands slipped")
    await screenshot(tab, "exclude-dialog")
    await dialog.get_by_role("button", name="Exclude").click()

    await expect(row).to_have_attribute("data-excluded", "yes")
    await expect(row).to_contain_text("Excluded: hands slipped")
    await expect(latest).to_contain_text("2000 N")  # the other trial is the day's best now
    await screenshot(tab, "athlete-trial-excluded")
    assert http.get(f"/api/tests/{best}").json()["data"]["excluded_reason"] == "hands slipped"

    await tab.goto(f"{server.url}/squad?group={group}")
    squad_row = tab.locator("#squad tbody tr", has_text=ann["name"])
    await expect(squad_row).to_contain_text("2000\u00a0N")
    assert squad_peak(http, group, ann["id"]) == 2000.0

    await tab.goto(f"{server.url}/athletes?id={ann['id']}")
    await row.get_by_role("button", name="Count it again").click()
    await expect(row).to_have_attribute("data-excluded", "no")
    await expect(latest).to_contain_text("2400 N")
    assert squad_peak(http, group, ann["id"]) == 2400.0


async def test_the_test_page_excludes_a_trial_and_counts_it_again(
    tab: Page, server: LiveServer, http: httpx.Client
) -> None:
    owner = athlete(http)
    test_id = imported(http, owner["id"], ground_reaction_csv(2100.0))

    await tab.goto(f"{server.url}/tests/{test_id}")
    exclusion = tab.locator("#exclusion")
    await expect(exclusion).to_contain_text("Counts")
    await exclusion.get_by_role("button", name="Exclude…").click()
    await tab.fill("#exclude-dialog [name=reason]", "stepped off the plate")
    await tab.click("#exclude-dialog button[value=exclude]")
    await expect(exclusion).to_have_attribute("data-excluded", "yes")
    await expect(exclusion).to_contain_text("Excluded: stepped off the plate")
    await screenshot(tab, "test-page-excluded")
    trend = http.get(f"/api/athletes/{owner['id']}/trend", params={"metric": "peak_force_n"})
    assert trend.json()["data"]["sessions"] == []

    await exclusion.get_by_role("button", name="Count it again").click()
    await expect(exclusion).to_have_attribute("data-excluded", "no")
    assert http.get(f"/api/tests/{test_id}").json()["data"]["excluded_reason"] is None


async def test_a_test_of_no_athlete_offers_no_exclusion(tab: Page, server: LiveServer) -> None:
    device = f"plate-{tag()}"
    with httpx.Client(base_url=server.url, timeout=10) as http:
        started = http.post("/api/start_test", json={"device_id": device})
        http.post("/api/stop_test", params={"device_id": device}).raise_for_status()
    test_id = started.json()["session_id"]

    await tab.goto(f"{server.url}/tests/{test_id}")

    await expect(tab.locator("#exclusion")).to_have_text(
        "Belongs to no athlete: counts in no trend."
    )


def squad_of_three(http: httpx.Client) -> tuple[str, list[dict[str, Any]]]:
    """A group of three with IMTP tests; the first also with a CMJ."""
    group = f"Team {tag()}"
    members = [athlete(http, groups=[group]) for _ in range(3)]
    for number, member in enumerate(members):
        imported(http, member["id"], ground_reaction_csv(2000.0 + 300 * number))
    csv = hawkin_csv(countermovement_jump(flight_ms=500))
    imported(http, members[0]["id"], csv, test_type="cmj")
    return group, members


async def test_squad_picks_a_group_from_a_list_with_counts_and_a_test_type(
    tab: Page, server: LiveServer, http: httpx.Client
) -> None:
    group, members = squad_of_three(http)
    await tab.goto(f"{server.url}/squad")
    await expect(tab.locator("#squad-empty")).to_have_text(
        "Choose a group above to compare its athletes' latest results."
    )

    choice = tab.locator("#group-form [name=group] option", has_text=group)
    await expect(choice).to_have_text(f"{group} (3 athletes)")
    await tab.select_option("#group-form [name=group]", group)
    rows = tab.locator("#squad tbody tr")
    await expect(rows).to_have_count(3)
    await expect(tab.locator("#squad-empty")).to_be_hidden()
    await expect(tab.locator("#squad thead")).to_contain_text("Relative peak force")
    await tab.click("#squad thead button[data-key=peak_force_n]")  # highest first
    await expect(rows.first).to_contain_text(members[2]["name"])
    await expect(rows.first).to_contain_text("2600\u00a0N")

    await tab.select_option("#group-form [name=test]", "cmj")
    await expect(tab.locator("#squad thead")).to_contain_text("Jump height")
    await expect(tab.locator("#squad thead")).not_to_contain_text("Peak force")
    jumper = tab.locator("#squad tbody tr", has_text=members[0]["name"])
    await expect(jumper).to_contain_text("30.7\u00a0cm")  # g·(0.5 s)²/8 = 0.3066 m
    assert tab.url.endswith(f"?group={group.replace(' ', '+')}&test=cmj")
    await expect(tab.locator("#csv-link")).to_have_attribute(
        "href", f"/api/groups/{group.replace(' ', '%20')}/squad.csv?method=cmj"
    )
    await tab.select_option("#group-form [name=test]", "drop_jump")
    await expect(tab.locator("#squad-empty")).to_contain_text(
        f"None of the 3 athletes in {group} has a counted Drop jump test yet."
    )


async def test_squad_says_what_to_do_for_an_unknown_group(tab: Page, server: LiveServer) -> None:
    await tab.goto(f"{server.url}/squad?group=Nobody-{tag()}")

    await expect(tab.locator("#squad-empty")).to_contain_text("no athlete is in it")
    await expect(tab.locator("#squad-empty a")).to_have_attribute("href", "/athletes")
    await expect(tab.locator("#squad tbody tr")).to_have_count(0)


@pytest.mark.parametrize("viewport", [DESKTOP, TABLET_820], ids=["1280", "820"])
async def test_the_squad_table_scrolls_in_its_box_with_a_hint_when_too_wide(
    tab: Page, server: LiveServer, http: httpx.Client, viewport: ViewportSize
) -> None:
    group, _ = squad_of_three(http)
    await tab.set_viewport_size(viewport)
    await tab.goto(f"{server.url}/squad?group={group}")
    await expect(tab.locator("#squad tbody tr")).to_have_count(3)
    box = tab.locator("#squad-box")
    size = await box.evaluate("b => ({scroll: b.scrollWidth, client: b.clientWidth})")
    too_wide = size["scroll"] > size["client"] + 1

    hint = tab.locator("#scroll-hint")
    await (expect(hint).to_be_visible() if too_wide else expect(hint).to_be_hidden())
    page_width = await tab.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= viewport["width"], "the page itself scrolls sideways"
    await screenshot(tab, f"squad-{viewport['width']}")

    # The last column is reached by scrolling the box, not clipped.
    await box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    last = await tab.locator("#squad thead th").last.bounding_box()
    frame = await box.bounding_box()
    assert last is not None and frame is not None
    assert last["x"] + last["width"] <= frame["x"] + frame["width"] + 1
    if viewport is TABLET_820:
        assert too_wide, "the IMTP squad table was expected not to fit at 820 px"
