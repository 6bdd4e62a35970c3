"""Ids that cannot name a stored row are a 422 naming the parameter, never a 5xx.

Stored ids are signed 64-bit integers (1 … 2⁶³−1); before the bound, 2⁶³ reached SQLite
and came back as a 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests._errors import json_error
from tests._server import LiveServer

MAX_ROW_ID = 2**63 - 1  # the documented range, stated here independently of the code
HOSTILE_IDS = [
    "0",
    "-1",
    str(MAX_ROW_ID + 1),
    str(10**22),
    "abc",
    "1e3",
    "1.5",
    "9" * 40,  # in range of nothing, but a plain integer
    "9" * 5000,  # longer than the integer parser takes
]
# (method, path with {id}, JSON body): every route that takes a test id in its path.
ID_ROUTES = [
    ("GET", "/api/tests/{id}", None),
    ("PATCH", "/api/tests/{id}", {"notes": "n"}),
    ("DELETE", "/api/tests/{id}", None),
    ("GET", "/api/tests/{id}/samples", None),
    ("GET", "/api/tests/{id}/analysis", None),
    ("POST", "/api/tests/{id}/analysis", {}),
    ("GET", "/api/tests/{id}.csv", None),
]
PAGED_LISTS = ["/api/tests", "/api/readings"]


@pytest.fixture(scope="module")
def http(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=10.0) as client:
        yield client


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize(("method", "path", "body"), ID_ROUTES)
def test_a_path_id_out_of_range_is_a_422_naming_test_id(
    http: httpx.Client, method: str, path: str, body: object, value: str
) -> None:
    response = http.request(method, path.format(id=value), json=body)
    json_error(response, 422, "validation_error", "test_id")


@pytest.mark.parametrize(("method", "path", "body"), ID_ROUTES)
def test_the_largest_id_is_in_range_and_simply_not_found(
    http: httpx.Client, method: str, path: str, body: object
) -> None:
    response = http.request(method, path.format(id=MAX_ROW_ID), json=body)
    json_error(response, 404, "test_not_found", str(MAX_ROW_ID))


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "names"),
    [
        # ``//samples`` has no id to name: no route matches. (``/api/tests/`` is the list.)
        ("GET", "/api/tests//samples", 404, "not_found", "Not Found"),
        ("GET", "/api/tests//analysis", 404, "not_found", "Not Found"),
        ("POST", "/api/tests//analysis", 404, "not_found", "Not Found"),
        # ``.csv`` alone is taken as the id of ``/api/tests/{test_id}``.
        ("GET", "/api/tests/.csv", 422, "validation_error", "test_id"),
    ],
)
def test_an_empty_path_id_is_a_4xx(
    http: httpx.Client, method: str, path: str, status: int, code: str, names: str
) -> None:
    json_error(http.request(method, path, json={}), status, code, names)


@pytest.mark.parametrize("value", [*HOSTILE_IDS, ""])
@pytest.mark.parametrize("path", PAGED_LISTS)
def test_a_before_id_out_of_range_is_a_422_naming_before_id(
    http: httpx.Client, path: str, value: str
) -> None:
    response = http.get(path, params={"before_id": value})
    json_error(response, 422, "validation_error", "before_id")


@pytest.mark.parametrize("path", PAGED_LISTS)
def test_the_largest_before_id_pages_from_the_newest(http: httpx.Client, path: str) -> None:
    response = http.get(path, params={"before_id": MAX_ROW_ID, "limit": 1})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "success"
