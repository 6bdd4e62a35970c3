"""Reliability studies the coach records, over HTTP against a real server (issue 21): created,
listed with each metric's TE and its interval, judging the athletes they cover by default (the
trend and the PDF), overridden per request, deleted; bad ones refused naming the field.

Sessions are the hand-worked days of tests/loadcell/test_trends.py. Study arithmetic:
- one athlete, days 1–3: bests 2100, 2150, 2300 N; TE = the SD of those values =
  √(195000 / 18) = 104.083 N, df 2;
- a group, days 1–2: that athlete's 2100 → 2150 and a second athlete's 2000 → 2080 N;
  differences 50 and 80 (SD 21.213), TE 15 N, df 1.
A df-2 TE's 90 % interval is TE × √(2 / χ²(0.95; 2)) … TE × √(2 / χ²(0.05; 2)), and χ² with
two df is closed-form: χ²(p; 2) = −2 ln(1 − p).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._errors import json_error
from tests._recordings import ground_reaction_csv
from tests._rounding import gamma
from tests._server import LiveServer
from tests.api.test_history import import_text, new_athlete, pdf_text_and_png
from tests.loadcell.test_trends import DAYS

STUDIES = "/api/reliability-studies"
FIRST_THREE = {"first_day": "2026-01-05", "last_day": "2026-01-19"}
FIRST_TWO = {"first_day": "2026-01-05", "last_day": "2026-01-12"}


def _with_sessions(http: httpx.Client, sessions: dict[Any, list[float]], **fields: Any) -> int:
    athlete_id = new_athlete(http, **fields)
    for day, forces in sessions.items():
        for force in forces:
            at = f"{day}T12:00:00Z"
            response = import_text(http, athlete_id, ground_reaction_csv(force), recorded_at=at)
            assert response.status_code == 201, response.text
    return athlete_id


def _create(http: httpx.Client, **body: Any) -> dict[str, Any]:
    response = http.post(STUDIES, json={"name": "Pre-season", **body})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def _trend(http: httpx.Client, athlete_id: int, **params: Any) -> dict[str, Any]:
    response = http.get(
        f"/api/athletes/{athlete_id}/trend", params={"metric": "peak_force_n", **params}
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


OWN_TE = math.sqrt(195000.0 / 18.0)


def _df2_interval(te: float) -> list[float]:
    return [te * math.sqrt(1.0 / -math.log(0.05)), te * math.sqrt(1.0 / -math.log(0.95))]


@pytest.fixture(scope="module")
def athlete(server: LiveServer) -> int:
    """An athlete with the five hand-worked days and nothing recorded about them yet."""
    with httpx.Client(base_url=server.url, timeout=30.0) as http:
        return _with_sessions(http, DAYS)


def test_a_recorded_study_gives_each_metric_its_te_with_an_interval(
    http: httpx.Client,
) -> None:
    athlete_id = _with_sessions(http, DAYS)
    study = _create(http, athlete_id=athlete_id, swc={"peak_force_n": 40}, **FIRST_THREE)

    peak = study["typical_errors"]["peak_force_n"]
    assert (peak["source"], peak["df"]) == ("reliability_study", 2)
    assert peak["value"] == pytest.approx(OWN_TE, rel=gamma(30))
    assert peak["interval"] == pytest.approx(_df2_interval(OWN_TE), rel=gamma(60))
    assert '"Pre-season"' in peak["description"]
    assert "1 athlete(s), 3 session(s)" in peak["description"]
    # No sides in these recordings: no asymmetry, so no TE of it from the study.
    assert study["typical_errors"]["asymmetry_pct"]["source"] == "unknown"
    stored = (study["athlete_id"], study["group"], study["first_day"], study["last_day"])
    assert stored == (athlete_id, None, "2026-01-05", "2026-01-19")
    assert study["swc"] == {"peak_force_n": 40.0}
    assert http.get(f"{STUDIES}/{study['id']}").json()["data"] == study


def test_the_stored_study_judges_the_athlete_by_default(http: httpx.Client) -> None:
    athlete_id = _with_sessions(http, DAYS)
    study = _create(http, athlete_id=athlete_id, swc={"peak_force_n": 40}, **FIRST_THREE)

    trend = _trend(http, athlete_id)

    te = trend["typical_error"]
    assert (te["source"], te["df"], trend["reliability_study_id"]) == (
        "reliability_study",
        2,
        study["id"],
    )
    assert te["value"] == pytest.approx(OWN_TE, rel=gamma(30))
    assert trend["swc"] == {"value": 40.0, "source": "set by the coach"}
    assert [s["date"] for s in trend["sessions"]] == ["2026-01-26", "2026-02-02"]
    # The coach set no SWC for relative force: it is not borrowed from peak force.
    relative = _trend(http, athlete_id, metric="relative_peak_force_n_per_kg")
    assert relative["swc"]["source"] != "set by the coach"


def test_a_study_named_in_the_request_overrides_the_stored_one(http: httpx.Client) -> None:
    athlete_id = _with_sessions(http, DAYS)
    _create(http, athlete_id=athlete_id, **FIRST_THREE)

    trend = _trend(http, athlete_id, study_from="2026-01-05")

    assert (trend["typical_error"]["df"], trend["reliability_study_id"]) == (4, None)


def test_a_group_study_judges_members_without_a_study_of_their_own(http: httpx.Client) -> None:
    group = "rs-group"
    ann = _with_sessions(http, DAYS, groups=[group])
    bob_days = dict(zip(list(DAYS)[:2], [[2000.0], [2080.0]], strict=True))
    bob = _with_sessions(http, bob_days, groups=[group])
    own = _create(http, athlete_id=ann, **FIRST_THREE)
    shared = _create(http, group=group, **FIRST_TWO)  # newer than Ann's own

    anns, bobs = _trend(http, ann), _trend(http, bob)

    assert anns["reliability_study_id"] == own["id"]
    assert bobs["reliability_study_id"] == shared["id"]
    assert bobs["typical_error"]["value"] == pytest.approx(15.0, rel=gamma(30))
    assert "group rs-group" in bobs["typical_error"]["description"]
    listed = http.get(STUDIES, params={"athlete_id": ann}).json()["data"]
    assert [s["id"] for s in listed] == [shared["id"], own["id"]]
    of_group = http.get(STUDIES, params={"group": group}).json()["data"]
    assert [s["id"] for s in of_group] == [shared["id"]]


def test_deleting_the_study_returns_the_athlete_to_the_default_cv(http: httpx.Client) -> None:
    athlete_id = _with_sessions(http, DAYS)
    study = _create(http, athlete_id=athlete_id, **FIRST_THREE)

    assert http.delete(f"{STUDIES}/{study['id']}").status_code == 200

    assert _trend(http, athlete_id)["typical_error"]["source"] == "default_cv"
    again = http.delete(f"{STUDIES}/{study['id']}")
    json_error(again, 404, "reliability_study_not_found", str(study["id"]))
    json_error(
        http.get(f"{STUDIES}/{study['id']}"), 404, "reliability_study_not_found", str(study["id"])
    )


def test_the_athlete_report_is_judged_with_the_stored_study(
    http: httpx.Client, tmp_path: Path
) -> None:
    athlete_id = _with_sessions(http, DAYS)
    _create(http, athlete_id=athlete_id, **FIRST_THREE)

    response = http.get(f"/api/athletes/{athlete_id}/report.pdf")

    assert response.status_code == 200, response.text
    words = " ".join(pdf_text_and_png(response.content, tmp_path)[0].split())
    assert "Typical error 104.1 N (90 % CI" in words
    assert 'reliability study "Pre-season"' in words


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"group": "rs-bad", "athlete_id": 1, **FIRST_THREE}, "athlete_id"),
        ({"athlete_id": None, **FIRST_THREE}, "athlete_id"),
        ({"first_day": "5 Jan", "last_day": "2026-01-05"}, "first_day"),
        ({"first_day": "2026-01-05", "last_day": 0}, "last_day"),  # not a Unix time
        ({**FIRST_THREE, "swc": {"peak_speed": 1}}, "swc"),
        ({**FIRST_THREE, "swc": {"peak_force_n": 0}}, "swc"),
        ({**FIRST_THREE, "name": " "}, "name"),
    ],
)
def test_a_bad_study_is_a_422_naming_the_field(
    http: httpx.Client, athlete: int, body: dict[str, Any], field: str
) -> None:
    response = http.post(STUDIES, json={"name": "Bad", "athlete_id": athlete, **body})
    json_error(response, 422, "validation_error", field)


def test_a_study_of_an_unknown_athlete_is_a_404(http: httpx.Client) -> None:
    unknown = http.post(STUDIES, json={"name": "X", "athlete_id": 999999, **FIRST_THREE})
    json_error(unknown, 404, "athlete_not_found", "999999")


def test_a_study_recorded_before_its_sessions_says_it_has_too_few(
    http: httpx.Client, athlete: int
) -> None:
    # A period planned ahead, a group still empty, a period whose last day is before its
    # first (no day, as a report's): recorded; the TEs fall back and say why.
    planned = {"first_day": "2026-03-02", "last_day": "2026-03-16"}
    backwards = {"first_day": "2026-01-19", "last_day": "2026-01-05"}
    for body in (
        {"athlete_id": athlete, **planned},
        {"group": "rs-nobody", **FIRST_THREE},
        {"athlete_id": athlete, **backwards},
    ):
        study = _create(http, **body)
        peak = study["typical_errors"]["peak_force_n"]
        assert peak["source"] == "default_cv"
        assert "0 session(s), too few for a TE" in peak["description"]
