"""Imports, exclusion and trends over HTTP against a real server (issue 12, items 2–4 and 8).

The trend uses the hand-worked fixture of tests/loadcell/test_trends.py (its docstring holds
the arithmetic): the same peak forces, imported as recordings on those days.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._errors import json_error
from tests._recordings import chronojump_csv, ground_reaction_csv
from tests._rounding import gamma
from tests._server import LiveServer
from tests._services import require_service
from tests.forceplate._clients import TIMEOUT_S, running_server
from tests.loadcell.test_trends import DAYS

CSV = {"Content-Type": "text/csv"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("history") / "data") as live:
        yield live


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT_S) as client:
        yield client


def new_athlete(http: httpx.Client, **fields: Any) -> int:
    response = http.post("/api/athletes", json={"name": "Trend athlete", **fields})
    assert response.status_code == 201, response.text
    return int(response.json()["data"]["id"])


def import_text(http: httpx.Client, athlete_id: int, text: str, **params: Any) -> httpx.Response:
    path = f"/api/athletes/{athlete_id}/imports"
    return http.post(path, params=params, content=text.encode(), headers=CSV)


@pytest.fixture(scope="module")
def trend_athlete(http: httpx.Client) -> dict[str, Any]:
    """The fixture's days imported, plus one excluded trial and one Chronojump recording."""
    athlete_id = new_athlete(http)
    for day, forces in DAYS.items():
        for force in forces:
            response = import_text(
                http, athlete_id, ground_reaction_csv(force), recorded_at=f"{day}T12:00:00Z"
            )
            assert response.status_code == 201, response.text
    slipped = import_text(
        http, athlete_id, ground_reaction_csv(3000.0), recorded_at="2026-01-12T12:30:00Z"
    ).json()["data"]["id"]
    excluded = http.put(f"/api/tests/{slipped}/exclusion", json={"reason": "hands slipped"})
    assert excluded.status_code == 200, excluded.text
    chronojump = import_text(http, athlete_id, chronojump_csv(), filename="cj.csv").json()
    return {"id": athlete_id, "slipped": slipped, "chronojump": chronojump["data"]}


def test_chronojump_import_is_read_against_its_resting_baseline(
    trend_athlete: dict[str, Any],
) -> None:
    test = trend_athlete["chronojump"]
    summary = test["summary"]
    where = (test["source"], test["device_id"], test["sample_count"])
    assert where == ("chronojump", "import", 400)
    assert set(summary["flags"]) == {"low_sample_rate", "no_body_weight"}
    # Decimal commas read as decimals: the held 1200.5 N, 1200 N above the 0.5 N baseline.
    assert summary["peak_force_n"] == pytest.approx(1200.5, rel=gamma(4))
    assert summary["peak_net_force_n"] == pytest.approx(1200.0, rel=gamma(8))
    assert summary["body_weight_n"] is None
    assert summary["relative_peak_force_n_per_kg"] is None


def test_import_keeps_the_sample_rate_in_its_analysis(
    trend_athlete: dict[str, Any], http: httpx.Client
) -> None:
    analysis = http.get(f"/api/tests/{trend_athlete['chronojump']['id']}/analysis").json()["data"]
    assert analysis["result"]["sample_rate_hz"] == pytest.approx(80.0, rel=gamma(4))
    assert analysis["params"]["reference"] == "baseline"


def test_trend_without_a_study_uses_the_published_default_cv(
    trend_athlete: dict[str, Any], http: httpx.Client
) -> None:
    response = http.get(
        f"/api/athletes/{trend_athlete['id']}/trend", params={"metric": "peak_force_n"}
    )
    assert response.status_code == 200, response.text
    trend = response.json()["data"]

    assert [s["date"] for s in trend["sessions"]] == [str(day) for day in DAYS]
    assert [s["best"] for s in trend["sessions"]] == [2100.0, 2150.0, 2300.0, 2310.0, 2200.0]
    te = trend["typical_error"]
    assert (te["source"], te["cv_pct"], te["value"]) == ("default_cv", 5.3, None)
    assert "Applied Sciences" in te["description"]
    # CV 5.3 % of 2100 N is 111.3 N: the 90 % interval of +50 is ±1.645 × √2 × 111.3 = ±259 N.
    second = trend["sessions"][1]
    half = 1.6448536269514722 * math.sqrt(2.0) * 0.053 * 2100.0
    assert second["interval"] == pytest.approx([50.0 - half, 50.0 + half], rel=1e-12)
    assert [s["change"] for s in trend["sessions"]] == [None] + ["within_noise"] * 4
    assert (trend["unit"], trend["better"]) == ("N", "higher")
    assert trend["method"] == {"key": "sd:5", "label": "5 SD"}


def test_trend_judged_with_a_recorded_reliability_study(
    trend_athlete: dict[str, Any], http: httpx.Client
) -> None:
    # The athlete's own stable period, days 1–3: bests 2100, 2150, 2300; TE = the SD of those
    # values = √(195000 / 18) = 104.083 N, df 2 (tests/loadcell/test_trends.py); those days
    # are not judged.
    params: dict[str, str | int] = {
        "metric": "peak_force_n",
        "study_from": "2026-01-05",
        "study_to": "2026-01-19",
        "swc": 40,
    }
    trend = http.get(f"/api/athletes/{trend_athlete['id']}/trend", params=params).json()["data"]
    te = trend["typical_error"]
    assert (te["source"], te["df"]) == ("reliability_study", 2)
    assert te["value"] == pytest.approx(math.sqrt(195000.0 / 18.0), rel=gamma(30))
    assert "reliability study of the athlete's own sessions" in te["description"]
    assert trend["swc"] == {"value": 40.0, "source": "set by the coach"}
    assert [s["date"] for s in trend["sessions"]] == ["2026-01-26", "2026-02-02"]
    assert trend["sessions"][1]["change"] == "within_noise"  # −110 ± 6.31 × √2 × 50
    in_study = [x for x in trend["left_out"] if "reliability study" in x["reason"]]
    assert len(in_study) == 6  # the 6 counted trials of days 1–3


def test_a_study_open_at_one_end_takes_every_day_from_its_first(
    trend_athlete: dict[str, Any], http: httpx.Client
) -> None:
    # From day 1 on: every session is the study (5 sessions of one athlete: df 4), none judged.
    params = {"metric": "peak_force_n", "study_from": "2026-01-05"}
    trend = http.get(f"/api/athletes/{trend_athlete['id']}/trend", params=params).json()["data"]
    assert trend["typical_error"]["df"] == 4
    assert trend["sessions"] == []
    assert "2026-01-05 to the latest test" in trend["typical_error"]["description"]


def test_trend_says_which_tests_it_left_out_and_why(
    trend_athlete: dict[str, Any], http: httpx.Client
) -> None:
    trend = http.get(
        f"/api/athletes/{trend_athlete['id']}/trend", params={"metric": "peak_force_n"}
    ).json()["data"]

    reasons = {left["test_id"]: left["reason"] for left in trend["left_out"]}
    assert reasons[trend_athlete["slipped"]] == "excluded: hands slipped"
    assert "from the resting baseline" in reasons[trend_athlete["chronojump"]["id"]]
    assert len(reasons) == 2


def test_trend_of_the_series_load_cell_method_counts_only_that_recording(
    trend_athlete: dict[str, Any], http: httpx.Client
) -> None:
    trend = http.get(
        f"/api/athletes/{trend_athlete['id']}/trend",
        params={"metric": "peak_force_n", "method": "sd:5.0@baseline"},
    ).json()["data"]
    assert [s["best_test_id"] for s in trend["sessions"]] == [trend_athlete["chronojump"]["id"]]
    assert len(trend["left_out"]) == sum(len(forces) for forces in DAYS.values()) + 1


def test_included_again_a_trial_counts_again(
    trend_athlete: dict[str, Any], http: httpx.Client
) -> None:
    athlete_id = new_athlete(http)
    test_id = import_text(http, athlete_id, ground_reaction_csv(2000.0)).json()["data"]["id"]
    trend_of = f"/api/athletes/{athlete_id}/trend"
    http.put(f"/api/tests/{test_id}/exclusion", json={"reason": "warm-up"})
    assert http.get(trend_of, params={"metric": "peak_force_n"}).json()["data"]["sessions"] == []

    included = http.put(f"/api/tests/{test_id}/exclusion", json={"reason": None})

    assert included.json()["data"]["excluded_reason"] is None
    sessions = http.get(trend_of, params={"metric": "peak_force_n"}).json()["data"]["sessions"]
    assert [s["best_test_id"] for s in sessions] == [test_id]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"metric": "strength"}, "metric"),
        ({}, "metric"),
        ({"metric": "peak_force_n", "method": "sd"}, "method"),
        ({"metric": "peak_force_n", "rule": "worst"}, "rule"),
    ],
)
def test_bad_trend_query_is_a_422_naming_it(
    trend_athlete: dict[str, Any], http: httpx.Client, params: dict[str, str], field: str
) -> None:
    response = http.get(f"/api/athletes/{trend_athlete['id']}/trend", params=params)
    json_error(response, 422, "validation_error", field)


def test_import_refuses_other_content_types(http: httpx.Client) -> None:
    athlete_id = new_athlete(http)
    response = http.post(
        f"/api/athletes/{athlete_id}/imports",
        content=chronojump_csv().encode(),
        headers={"Content-Type": "text/plain"},
    )
    json_error(response, 415, "unsupported_media_type", "content-type")


@pytest.mark.parametrize(
    ("text", "names"),
    [("hello\n1\n", "hello"), ("Time (s),Force (N)\n0,abc\n", "line 2"), ("", "empty")],
)
def test_unreadable_file_is_a_422_saying_why(http: httpx.Client, text: str, names: str) -> None:
    response = import_text(http, new_athlete(http), text, filename="bad.csv")
    body = json_error(response, 422, "validation_error", names)
    assert "bad.csv" in body["message"]


def test_import_for_an_unknown_athlete_is_a_404(http: httpx.Client) -> None:
    json_error(import_text(http, 999999, chronojump_csv()), 404, "athlete_not_found", "999999")


def test_excluding_a_test_of_no_athlete_is_a_409(server: LiveServer, http: httpx.Client) -> None:
    started = http.post("/api/start_test", json={"device_id": "history-plate"}).json()
    http.post("/api/stop_test", json={"device_id": "history-plate"})
    response = http.put(f"/api/tests/{started['session_id']}/exclusion", json={"reason": "x"})
    json_error(response, 409, "test_has_no_athlete", "no athlete")


def test_sensorhub_import_command_posts_the_file(
    server: LiveServer, http: httpx.Client, tmp_path: Path
) -> None:
    athlete_id = new_athlete(http)
    file = tmp_path / "chronojump.csv"
    file.write_text(chronojump_csv())
    command = [sys.executable, "-m", "sensorhub", "import", str(file)]
    command += ["--athlete-id", str(athlete_id), "--url", server.url]

    done = subprocess.run(command, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert "chronojump, 400 samples" in done.stdout
    assert "low_sample_rate" in done.stdout
    listed = http.get("/api/tests", params={"athlete_id": athlete_id}).json()["data"]
    assert [t["source"] for t in listed] == ["chronojump"]


@pytest.fixture(scope="module")
def squad(http: httpx.Client) -> dict[str, Any]:
    """Three athletes of a group with peaks 2000, 2200, 2400 N and one without tests."""
    group = "squad-test"
    ids = []
    for peak in (2000.0, 2200.0, 2400.0):
        athlete_id = new_athlete(http, name=f"Squad {peak:g}", groups=[group])
        assert import_text(http, athlete_id, ground_reaction_csv(peak)).status_code == 201
        ids.append(athlete_id)
    ids.append(new_athlete(http, name="Squad none", groups=[group]))
    return {"group": group, "ids": ids}


def test_squad_lists_latest_values_with_z_scores(squad: dict[str, Any], http: httpx.Client) -> None:
    response = http.get(f"/api/groups/{squad['group']}/squad")

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    rows = {row["athlete_id"]: row for row in data["athletes"]}
    assert set(rows) == set(squad["ids"])
    first, second, third, none = (rows[i] for i in squad["ids"])
    # Peaks 2000, 2200, 2400: mean 2200, sample SD 200, z = −1, 0, 1. Relative peak force
    # (÷ 800 N / 9.81) and RFD 0–200 ms on the 0.5 s ramps ((peak − 800) / 0.5 s) are linear
    # in the peak, so their z-scores are the same; no sides, so no asymmetry.
    tolerance = gamma(40)
    for metric in ("peak_force_n", "relative_peak_force_n_per_kg", "rfd_0_200_n_per_s"):
        z = [row["z"][metric] for row in (first, second, third)]
        assert z == pytest.approx([-1.0, 0.0, 1.0], abs=tolerance), metric
        assert none["values"][metric] is None and none["z"][metric] is None
    assert first["values"]["peak_force_n"] == 2000.0
    assert first["z"]["asymmetry_pct"] is None
    assert first["asymmetry_side"] is None
    assert data["units"]["rfd_0_200_n_per_s"] == "N/s"


def test_squad_csv_holds_the_same_rows(squad: dict[str, Any], http: httpx.Client) -> None:
    response = http.get(f"/api/groups/{squad['group']}/squad.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("athlete_id,name,date,peak_force_n,peak_force_n_z,")
    by_name = {line.split(",")[1]: line.split(",") for line in lines[1:]}
    assert by_name["Squad 2000"][3] == "2000.0"
    assert by_name["Squad none"][3:] == [""] * 9
    assert lines[0].endswith(",asymmetry_pct,asymmetry_pct_z,asymmetry_side")


def test_squad_of_a_bad_group_name_is_a_422(http: httpx.Client) -> None:
    json_error(http.get("/api/groups/a%3Cb/squad"), 422, "validation_error", "group")


def pdf_text_and_png(pdf: bytes, folder: Path) -> tuple[str, list[Path]]:
    """The PDF's text (pdftotext) and its pages rendered to PNG (pdftoppm)."""
    tools = [shutil.which("pdftotext"), shutil.which("pdftoppm")]
    if None in tools:
        require_service("poppler-utils", "apt-get install poppler-utils (pdftotext, pdftoppm)")
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    to_text = ["pdftotext", "-layout", str(source), "-"]
    text = subprocess.run(to_text, check=True, capture_output=True, text=True, timeout=60).stdout
    to_png = ["pdftoppm", "-png", "-r", "50", str(source), str(folder / "page")]
    subprocess.run(to_png, check=True, capture_output=True, timeout=60)
    return text, sorted(folder.glob("page*.png"))


def test_test_report_pdf_is_one_page_of_text(
    trend_athlete: dict[str, Any], http: httpx.Client, tmp_path: Path
) -> None:
    test_id = trend_athlete["chronojump"]["id"]
    response = http.get(f"/api/tests/{test_id}/report.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text, pages = pdf_text_and_png(response.content, tmp_path)
    assert len(pages) == 1 and pages[0].stat().st_size > 1000  # a drawn page, not a blank
    for words in (
        f"IMTP test {test_id}",
        "Trend athlete",
        "2026-",  # the date
        "Peak force",
        "1200.5 N",
        "RFD 0–200 ms",
        "Asymmetry",
        "low_sample_rate",
        "no_body_weight",
        "80 Hz",
    ):
        assert words in text, words


def test_athlete_report_pdf_covers_the_period_asked_for(
    trend_athlete: dict[str, Any], http: httpx.Client, tmp_path: Path
) -> None:
    response = http.get(
        f"/api/athletes/{trend_athlete['id']}/report.pdf",
        params={"from": "2026-01-12", "to": "2026-01-26"},
    )

    assert response.status_code == 200, response.text
    text, pages = pdf_text_and_png(response.content, tmp_path)
    words = " ".join(text.split())
    assert len(pages) == 1
    assert "IMTP history: Trend athlete" in text
    assert "2026-01-12 to 2026-01-26" in text
    # Days 2–4 only, judged with the published default CV (no study recorded).
    assert "Typical error CV 5.3 %, from default CV 5.3 %" in words
    for value in ("2150.0 N (first)", "2300.0 N", "2310.0 N"):
        assert value in words
    assert "2026-01-05" not in text
    assert "hands slipped" in text


def test_athlete_report_pdf_shows_the_study_te_and_each_interval(
    trend_athlete: dict[str, Any], http: httpx.Client, tmp_path: Path
) -> None:
    # Study: days 1–3 (TE 104.083 N, df 2: t(0.95, 2) = 2.91999); judged: 2310 then 2200 N, a
    # change of −110 N with the 90 % interval −110 ± 2.91999 × √2 × 104.083 = −539.8 to +319.8.
    params = {"study_from": "2026-01-05", "study_to": "2026-01-19"}
    response = http.get(f"/api/athletes/{trend_athlete['id']}/report.pdf", params=params)
    assert response.status_code == 200, response.text
    text, pages = pdf_text_and_png(response.content, tmp_path)
    words = " ".join(text.split())
    assert len(pages) == 1
    assert "Typical error 104.1 N (90 % CI" in words
    assert "reliability study of the athlete's own sessions" in words
    assert "2310.0 N (first)" in words
    assert "change -110.0 (90 % CI -539.8 to +319.8) within noise" in words


def test_reports_of_unknown_ids_are_404(http: httpx.Client) -> None:
    json_error(http.get("/api/tests/999999/report.pdf"), 404, "test_not_found", "999999")
    response = http.get("/api/athletes/999999/report.pdf")
    json_error(response, 404, "athlete_not_found", "999999")


def test_report_of_a_test_without_samples_says_so(http: httpx.Client, tmp_path: Path) -> None:
    started = http.post("/api/start_test", json={"device_id": "empty-plate"}).json()
    http.post("/api/stop_test", json={"device_id": "empty-plate"})

    response = http.get(f"/api/tests/{started['session_id']}/report.pdf")

    assert response.status_code == 200, response.text
    text, _ = pdf_text_and_png(response.content, tmp_path)
    assert "No curve: the test has 0 sample(s)." in text
    assert "the test has no samples to analyse" in text


@pytest.mark.parametrize(("name", "value"), [("from", "0"), ("to", "2026-1-5"), ("to", "x")])
def test_report_dates_must_be_iso_days(
    trend_athlete: dict[str, Any], http: httpx.Client, name: str, value: str
) -> None:
    response = http.get(f"/api/athletes/{trend_athlete['id']}/report.pdf", params={name: value})
    json_error(response, 422, "validation_error", name)


def test_an_80_hz_import_has_an_interpolated_onset_and_a_true_20_ms_peak_rfd(
    trend_athlete: dict[str, Any], http: httpx.Client
) -> None:
    # The Chronojump fixture rests at exactly 0.5 N (SD 0: the band is its 1e-6 N floor), then
    # rises 1200 N/s from 2.0 s; the line from 2.0 s (0.5 N) to 2.0125 s (15.5 N) crosses
    # 0.5 + 1e-6 N at 2.0 s + 1e-6 / 15 × 12.5 ms. On that straight rise RFD 0–200 ms and the
    # 20 ms peak RFD are its slope.
    result = http.get(f"/api/tests/{trend_athlete['chronojump']['id']}/analysis").json()["data"][
        "result"
    ]
    onset = result["onset"]
    assert onset["interpolated"] is True
    assert onset["time_s"] == pytest.approx(2.0 + 1e-6 / 15.0 * 0.0125, abs=1e-12)
    assert result["windows"][3]["rfd_n_per_s"] == pytest.approx(1200.0, rel=1e-9)
    assert result["peak_rfd"]["window_ms"] == 20.0
    assert result["peak_rfd"]["rfd_n_per_s"] == pytest.approx(1200.0, rel=1e-9)


def test_an_inverted_import_is_flipped_and_flagged_with_the_stored_mass(
    http: httpx.Client,
) -> None:
    athlete_id = new_athlete(http, name="Inverted", body_mass_kg=80.0)
    rows = chronojump_csv().splitlines()
    inverted = [rows[0]] + [f"{t};-{force}" for t, force in (row.split(";") for row in rows[1:])]
    response = import_text(http, athlete_id, "\n".join(inverted) + "\n", filename="cj.csv")
    assert response.status_code == 201, response.text
    summary = response.json()["data"]["summary"]
    assert "inverted" in summary["flags"]
    assert summary["peak_force_n"] == pytest.approx(1200.5, rel=gamma(4))
    # The stored 80 kg: ground reaction at peak 80 × 9.81 + 1200 N, so 1200 / 80 + 9.81 N/kg.
    assert summary["relative_peak_force_n_per_kg"] == pytest.approx(1200.0 / 80.0 + 9.81, rel=1e-9)
