"""Athletes over HTTP and Socket.IO against a real server (issue 12, item 1)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests._errors import json_error
from tests._server import LiveServer, wait_for
from tests.forceplate._clients import (
    TIMEOUT_S,
    new_device,
    record_of,
    running_server,
    sio_client,
    start_test_rest,
    stop_test_rest,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(tmp_path_factory.mktemp("athletes") / "data") as live:
        yield live


@pytest.fixture
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=TIMEOUT_S) as client:
        yield client


def unique(prefix: str) -> str:
    """A name or group no other test of the shared server uses."""
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def create(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = http.post("/api/athletes", json={"name": unique("Athlete"), **fields})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def one_test(server: LiveServer, **fields: Any) -> int:
    """A test started and stopped with no esp connected: it is saved at once."""
    device = new_device()
    response, session_id = start_test_rest(server, device, **fields)
    assert response.status_code == 200, response.text
    assert stop_test_rest(server, device).status_code == 200
    wait_for(lambda: record_of(server, session_id)["state"] == "complete", timeout=TIMEOUT_S)
    return int(session_id)


def test_created_athlete_reads_back_with_every_field(http: httpx.Client) -> None:
    setup = {"bar_height_cm": 82.5, "knee_angle_deg": 125, "hip_angle_deg": 145}
    fields = {
        "birth_year": 2001,
        "sex": "female",
        "sport": "rowing",
        "groups": ["U23", "rowing"],
        "body_mass_kg": 71.5,
        "setup": {**setup, "grip": "hook", "straps": True},
        "notes": "left knee surgery 2023",
    }
    created = create(http, **fields)

    read = http.get(f"/api/athletes/{created['id']}").json()["data"]

    assert read == created
    assert {key: read[key] for key in fields} == fields
    assert read["test_count"] == 0


def test_list_filters_by_group_and_searches_names_in_any_case(http: httpx.Client) -> None:
    group, tag = unique("g").replace(" ", "-"), uuid.uuid4().hex[:8]
    ann = create(http, name=f"Ann {tag} Smith", groups=[group])
    create(http, name=f"Bob {tag}", groups=[group])
    create(http, name=f"JOANN {tag}")  # matches the search, not in the group

    in_group = http.get("/api/athletes", params={"group": group}).json()["data"]
    found = http.get("/api/athletes", params={"search": f"nn {tag}".upper()}).json()["data"]
    both = http.get("/api/athletes", params={"group": group, "search": "ann "}).json()["data"]

    assert sorted(a["name"] for a in in_group) == [f"Ann {tag} Smith", f"Bob {tag}"]
    assert sorted(a["name"] for a in found) == [f"Ann {tag} Smith", f"JOANN {tag}"]
    assert [a["id"] for a in both] == [ann["id"]]


def test_groups_list_each_group_with_its_athlete_count(http: httpx.Client) -> None:
    big, small = unique("Squad"), unique("Pair")
    create(http, groups=[big])
    create(http, groups=[big, small])
    moved = create(http, groups=[big])
    http.patch(f"/api/athletes/{moved['id']}", json={"groups": [small]})

    groups = {g["name"]: g["athletes"] for g in http.get("/api/groups").json()["data"]}

    assert (groups[big], groups[small]) == (2, 2)


def test_a_group_whose_last_athlete_left_is_no_longer_listed(http: httpx.Client) -> None:
    group = unique("Gone")
    athlete = create(http, groups=[group])
    http.delete(f"/api/athletes/{athlete['id']}")

    names = [g["name"] for g in http.get("/api/groups").json()["data"]]

    assert group not in names


def test_search_takes_percent_and_underscore_literally(http: httpx.Client) -> None:
    tag = uuid.uuid4().hex[:8]
    create(http, name=f"x{tag}_%y")
    create(http, name=f"x{tag}abcy")

    found = http.get("/api/athletes", params={"search": f"{tag}_%"}).json()["data"]

    assert [a["name"] for a in found] == [f"x{tag}_%y"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "A", "birth_year": "2001"}, "birth_year"),
        ({"name": "A", "birth_year": 1800}, "birth_year"),
        ({"name": "A", "sex": "f"}, "sex"),
        ({"name": "A", "groups": ["a/b"]}, "groups"),
        ({"name": "A", "groups": "U18"}, "groups"),
        ({"name": "A", "body_mass_kg": 0}, "body_mass_kg"),
        ({"name": "A", "setup": {"knee_angle_deg": 200}}, "knee_angle_deg"),
        ({"name": "A", "setup": {"straps": "yes"}}, "straps"),
        ({"name": "A", "setup": {"seat": 3}}, "seat"),
        ({"name": "A", "height": 180}, "height"),
    ],
)
def test_bad_field_is_a_422_naming_it(http: httpx.Client, body: dict[str, Any], field: str) -> None:
    json_error(http.post("/api/athletes", json=body), 422, "validation_error", field)


def test_patch_changes_given_fields_and_renames_their_tests(
    server: LiveServer, http: httpx.Client
) -> None:
    athlete = create(http, sport="judo", groups=["a", "b"])
    test_id = one_test(server, athlete_id=athlete["id"])
    new_name = unique("Renamed")

    response = http.patch(f"/api/athletes/{athlete['id']}", json={"name": new_name, "groups": []})

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["name"], data["groups"], data["sport"]) == (new_name, [], "judo")
    assert record_of(server, test_id)["athlete"] == new_name


def test_patching_a_test_with_athlete_id_moves_it_and_its_trial(
    server: LiveServer, http: httpx.Client
) -> None:
    first, second = create(http), create(http)
    test_id = one_test(server, athlete_id=first["id"])
    http.put(f"/api/tests/{test_id}/exclusion", json={"reason": "hands slipped"})

    response = http.patch(f"/api/tests/{test_id}", json={"athlete_id": second["id"]})

    assert response.status_code == 200, response.text
    moved = record_of(server, test_id)
    assert (moved["athlete_id"], moved["athlete"]) == (second["id"], second["name"])
    assert moved["excluded_reason"] == "hands slipped"  # the trial moved, not a new one
    history = http.get("/api/tests", params={"athlete_id": first["id"]}).json()["data"]
    assert test_id not in {t["id"] for t in history}
    unknown = http.patch(f"/api/tests/{test_id}", json={"athlete_id": 999999})
    assert unknown.status_code == 404


@pytest.mark.parametrize(("body", "field"), [({"name": None}, "name"), ({}, "body")])
def test_patch_refuses_a_null_name_and_an_empty_body(
    http: httpx.Client, body: dict[str, Any], field: str
) -> None:
    athlete = create(http)
    response = http.patch(f"/api/athletes/{athlete['id']}", json=body)
    json_error(response, 422, "validation_error", field)


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_unknown_athlete_is_a_404(http: httpx.Client, method: str) -> None:
    response = http.request(method, "/api/athletes/999999", json={"notes": "x"})
    json_error(response, 404, "athlete_not_found", "999999")


def test_start_test_with_athlete_id_links_the_test_and_takes_the_name(
    server: LiveServer, http: httpx.Client
) -> None:
    athlete = create(http)

    test_id = one_test(server, athlete_id=athlete["id"])

    record = record_of(server, test_id)
    assert (record["athlete_id"], record["athlete"]) == (athlete["id"], athlete["name"])
    assert record["source"] == "sensorhub"
    listed = http.get("/api/tests", params={"athlete_id": athlete["id"]}).json()["data"]
    assert [t["id"] for t in listed] == [test_id]
    assert http.get(f"/api/athletes/{athlete['id']}").json()["data"]["test_count"] == 1


def test_start_test_by_name_joins_that_athlete_or_makes_one(
    server: LiveServer, http: httpx.Client
) -> None:
    known = create(http)
    new_name = unique("Walk-in")

    first = record_of(server, one_test(server, athlete=known["name"]))
    second = record_of(server, one_test(server, athlete=new_name))

    assert first["athlete_id"] == known["id"]
    made = http.get(f"/api/athletes/{second['athlete_id']}").json()["data"]
    assert made["name"] == new_name


def test_a_refused_start_creates_no_athlete(server: LiveServer, http: httpx.Client) -> None:
    device = new_device()
    response, _ = start_test_rest(server, device)
    assert response.status_code == 200, response.text
    walk_in = unique("Refused")
    refused, _ = start_test_rest(server, device, athlete=walk_in)  # the plate is busy
    assert refused.status_code == 409
    assert http.get("/api/athletes", params={"search": walk_in}).json()["data"] == []
    assert stop_test_rest(server, device).status_code == 200


def test_start_test_with_unknown_athlete_id_is_a_404_naming_it(server: LiveServer) -> None:
    response, _ = start_test_rest(server, new_device(), athlete_id=999999)
    json_error(response, 404, "athlete_not_found", "athlete_id")


def test_socketio_start_command_accepts_athlete_id(server: LiveServer, http: httpx.Client) -> None:
    athlete, device = create(http), new_device()
    with sio_client(server, "browser") as browser:
        browser.send({"cmd": "start", "device_id": device, "athlete_id": athlete["id"]})
        wait_for(
            lambda: http.get("/api/tests", params={"athlete_id": athlete["id"]}).json()["data"],
            timeout=TIMEOUT_S,
        )
        browser.send({"cmd": "stop", "device_id": device})
    [test] = http.get("/api/tests", params={"athlete_id": athlete["id"]}).json()["data"]
    assert (test["device_id"], test["athlete"]) == (device, athlete["name"])


def test_deleting_an_athlete_with_tests_needs_with_tests(
    server: LiveServer, http: httpx.Client
) -> None:
    athlete = create(http)
    test_id = one_test(server, athlete_id=athlete["id"])
    path = f"/api/athletes/{athlete['id']}"

    refused = http.delete(path)
    json_error(refused, 409, "athlete_has_tests", "with_tests")
    assert http.get(f"/api/tests/{test_id}").status_code == 200

    deleted = http.delete(path, params={"with_tests": "true"})
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deleted_tests"] == 1
    assert http.get(path).status_code == 404
    assert http.get(f"/api/tests/{test_id}").status_code == 404


def test_athlete_without_tests_deletes_at_once(http: httpx.Client) -> None:
    athlete = create(http)
    assert http.delete(f"/api/athletes/{athlete['id']}").status_code == 200
    assert http.get(f"/api/athletes/{athlete['id']}").status_code == 404
