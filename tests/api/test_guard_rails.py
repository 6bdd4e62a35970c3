"""Guard rails of issue 23 (item 5) against a real server: tare under load asks for
confirmation, and an implausible result counts nowhere until a person includes it.

Known truth, the issue's story: an athlete of 863 N stands on the plate with 784 N of it while
the plate is tared, so every later reading is 784 N light. Their next pull weighs 79 N and peaks
at 1566.3 N on the plate, i.e. a relative peak of 1566.3 / (79 / 9.81) = 194.5 N/kg.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sensorhub.loadcell.calibration import GRAVITY
from tests._server import LiveServer
from tests.forceplate._clients import (
    TIMEOUT_S,
    complete_run,
    for_device,
    new_device,
    running_server,
    sio_client,
)

TARED_UNDER_N = 784.0  # on the plate during the tare
READ_WEIGHT_N = 79.0  # what the plate then reads of the athlete
READ_PEAK_N = 1566.3
GROUP = "guard-rails"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("guard_rails") / "data") as live:
        yield live


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT_S) as client:
        yield client


def standing(total_n: float, count: int = 200) -> list[dict[str, float]]:
    """Raw samples at 1 kHz (identity calibration: newtons), the load split over both sides."""
    return [{"t": t, "l": total_n / 2, "r": total_n / 2} for t in range(count)]


def pull(weight_n: float, peak_n: float) -> list[list[dict[str, float]]]:
    """1 kHz batches of 250: 1.5 s still at ``weight_n``, a 0.5 s linear rise to ``peak_n``,
    1.5 s held (the shape of tests/_recordings.ground_reaction_csv)."""
    rows = []
    for i in range(3500):
        total = weight_n + min(max(i - 1500, 0), 500) / 500 * (peak_n - weight_n)
        rows.append({"t": 10_000 + i, "l": total / 2, "r": total / 2})
    return [rows[i : i + 250] for i in range(0, len(rows), 250)]


def stream(server: LiveServer, device: str, samples: list[dict[str, float]]) -> None:
    with sio_client(server, "browser") as browser, sio_client(server, "esp", device) as esp:
        esp.send({"samples": samples})
        browser.expect("sensor_data", for_device(device))


def tare(http: httpx.Client, device: str, **params: Any) -> httpx.Response:
    return http.post(f"/api/devices/{device}/tare", params=params)


def new_athlete(http: httpx.Client, name: str) -> int:
    response = http.post("/api/athletes", json={"name": name, "groups": [GROUP]})
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


def test_tare_with_someone_on_the_plate_is_refused_naming_the_load(
    server: LiveServer, http: httpx.Client
) -> None:
    device = new_device("guard-loaded")
    stream(server, device, standing(TARED_UNDER_N))

    refused = tare(http, device)

    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "plate_loaded"
    assert f"{TARED_UNDER_N:.0f} N ({TARED_UNDER_N / GRAVITY:.1f} kg)" in refused.json()["message"]
    offsets = http.get(f"/api/devices/{device}").json()["data"]["calibration"]
    assert (offsets["l"]["offset"], offsets["r"]["offset"]) == (0.0, 0.0)  # nothing changed


def test_confirmed_tare_zeroes_under_the_load(server: LiveServer, http: httpx.Client) -> None:
    device = new_device("guard-confirmed")
    stream(server, device, standing(TARED_UNDER_N))

    tared = tare(http, device, confirm="true")

    assert tared.status_code == 200, tared.text
    calibration = tared.json()["data"]["calibration"]
    assert calibration["l"]["offset"] + calibration["r"]["offset"] == TARED_UNDER_N


@pytest.fixture(scope="module")
def story(server: LiveServer, http: httpx.Client) -> dict[str, Any]:
    """The issue's session: a plate tared (confirmed) under 784 N, then a pull of an 863 N
    athlete; and a teammate's plausible pull, so the squad has a value to compare with."""
    device = new_device("guard-story")
    stream(server, device, standing(TARED_UNDER_N))
    assert tare(http, device, confirm="true").status_code == 200
    athlete_id = new_athlete(http, "Tared-on athlete")
    true_weight = TARED_UNDER_N + READ_WEIGHT_N
    test_id, _ = complete_run(
        server, device, pull(true_weight, TARED_UNDER_N + READ_PEAK_N), athlete_id=athlete_id
    )
    teammate = new_athlete(http, "Teammate")
    plain = new_device("guard-plain")
    complete_run(server, plain, pull(800.0, 2000.0), athlete_id=teammate)
    return {"athlete_id": athlete_id, "test_id": test_id, "teammate": teammate}


def test_the_pull_after_a_tare_under_load_is_flagged_implausible(
    story: dict[str, Any], http: httpx.Client
) -> None:
    test = http.get(f"/api/tests/{story['test_id']}").json()["data"]

    summary = test["summary"]
    assert summary["body_weight_n"] == pytest.approx(READ_WEIGHT_N)
    expected_relative = READ_PEAK_N / (READ_WEIGHT_N / GRAVITY)
    assert summary["relative_peak_force_n_per_kg"] == pytest.approx(expected_relative)
    assert f"{expected_relative:.1f}" == "194.5"  # the number
    body, relative = test["implausible"]
    assert body.startswith(f"body weight 79 N ({READ_WEIGHT_N / GRAVITY:.1f} kg) is outside")
    assert relative.startswith("relative peak force 194.5 N/kg is beyond human values")
    assert test["excluded_reason"] == "implausible: " + "; ".join(test["implausible"])


def squad_peak(http: httpx.Client, athlete_id: int) -> float | None:
    rows = http.get(f"/api/groups/{GROUP}/squad").json()["data"]["athletes"]
    value: float | None = next(r for r in rows if r["athlete_id"] == athlete_id)["values"][
        "peak_force_n"
    ]
    return value


def trend_of(http: httpx.Client, athlete_id: int) -> dict[str, Any]:
    response = http.get(f"/api/athletes/{athlete_id}/trend", params={"metric": "peak_force_n"})
    assert response.status_code == 200, response.text
    trend: dict[str, Any] = response.json()["data"]
    return trend


def test_an_implausible_pull_counts_in_no_trend_or_squad(
    story: dict[str, Any], http: httpx.Client
) -> None:
    trend = trend_of(http, story["athlete_id"])

    assert trend["sessions"] == []
    (left,) = trend["left_out"]
    assert left["test_id"] == story["test_id"]
    assert left["reason"].startswith("excluded: implausible: body weight 79 N")
    assert squad_peak(http, story["athlete_id"]) is None
    assert squad_peak(http, story["teammate"]) == pytest.approx(2000.0)


def test_an_implausible_pull_counts_again_once_a_person_includes_it(
    story: dict[str, Any], http: httpx.Client
) -> None:
    included = http.put(f"/api/tests/{story['test_id']}/exclusion", json={"reason": None})

    assert included.status_code == 200, included.text
    assert included.json()["data"]["excluded_reason"] is None
    assert len(included.json()["data"]["implausible"]) == 2  # still said, no longer excluding
    sessions = trend_of(http, story["athlete_id"])["sessions"]
    assert [s["best_test_id"] for s in sessions] == [story["test_id"]]
    assert squad_peak(http, story["athlete_id"]) == pytest.approx(READ_PEAK_N)
