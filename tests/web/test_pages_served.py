"""Pages and static files: types, caching, gzip, no escape from static/, nothing external."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sensorhub.web import STATIC_DIR, StaticFiles
from tests._server import LiveServer

PAGES = ["/", "/tests", "/tests/1", "/athletes", "/squad", "/wearable", "/models", "/docs"]
OWN_FILES = sorted(p for p in STATIC_DIR.rglob("*") if p.is_file() and "vendor" not in p.parts)
VENDORED = {"uplot": "1.6.32", "socket.io-client": "4.8.4"}


@pytest.fixture
def http(web_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_server.url, timeout=10.0) as client:
        yield client


@pytest.mark.parametrize("path", PAGES)
def test_pages_are_html_revalidated_and_locked_to_this_origin(
    http: httpx.Client, path: str
) -> None:
    response = http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.text.startswith("<!doctype html>")


def test_pages_are_not_in_the_api_document(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith("/api/")]


def test_own_files_are_revalidated_with_an_etag(http: httpx.Client) -> None:
    response = http.get("/static/js/live.js")
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    again = http.get("/static/js/live.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_vendored_files_are_cached_for_a_year_and_sent_gzipped(http: httpx.Client) -> None:
    path = "vendor/uplot-1.6.32/uPlot.iife.min.js"
    response = http.get(f"/static/{path}", headers={"Accept-Encoding": "gzip"})
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < (STATIC_DIR / path).stat().st_size / 2
    assert response.content == (STATIC_DIR / path).read_bytes()  # httpx decoded it
    plain = http.get(f"/static/{path}", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == (STATIC_DIR / path).read_bytes()
    assert gzip.decompress(gzip.compress(plain.content)) == plain.content


def test_docs_has_the_same_policy_as_the_other_pages_and_no_inline_script(
    http: httpx.Client,
) -> None:
    docs = http.get("/docs")
    policy = docs.headers["content-security-policy"]
    assert policy == http.get("/").headers["content-security-policy"]
    assert docs.content == (STATIC_DIR / "docs.html").read_bytes()
    assert "<script>" not in docs.text  # the policy blocks inline scripts (FastAPI's /docs has one)


@pytest.mark.parametrize(
    ("file", "content_type"),
    [
        ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("swagger-ui.css", "text/css; charset=utf-8"),
        ("LICENSE", "text/plain; charset=utf-8"),
        ("NOTICE", "text/plain; charset=utf-8"),
        ("swagger-ui-bundle.js.LICENSE.txt", "text/plain; charset=utf-8"),  # named by the bundle
    ],
)
def test_swagger_ui_is_served_from_the_vendor_folder(
    http: httpx.Client, file: str, content_type: str
) -> None:
    path = f"vendor/swagger-ui-dist-5.35.0/{file}"
    response = http.get(f"/static/{path}")
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.content == (STATIC_DIR / path).read_bytes()


@pytest.mark.parametrize(
    "path", ["/static/nope.js", "/static/%2e%2e/%2e%2e/%2e%2e/README.md", "/static/js"]
)
def test_missing_and_outside_files_are_404_json(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.json()["status"] == "error"


@pytest.mark.parametrize(
    "path", ["../../../README.md", "/etc/passwd", "js", "../_files.py", "js/../../_files.py"]
)
def test_no_path_leaves_the_static_folder(path: str) -> None:
    assert StaticFiles().get(path) is None


def test_every_local_reference_in_the_pages_and_modules_resolves(http: httpx.Client) -> None:
    references: set[str] = set()
    for file in OWN_FILES:
        text = file.read_text()
        if file.suffix == ".html":
            references |= set(re.findall(r'(?:src|href)="(/static/[^"]+)"', text))
        elif file.suffix == ".js":
            folder = "/static/" + str(file.parent.relative_to(STATIC_DIR))
            for target in re.findall(r'from "(\.[^"]+)"', text):
                references.add(str(httpx.URL(folder + "/").join(target).path))
    assert len(references) > 20
    for reference in sorted(references):
        assert http.get(reference).status_code == 200, reference


@pytest.mark.parametrize("file", OWN_FILES, ids=lambda p: str(p.relative_to(STATIC_DIR)))
def test_nothing_is_loaded_from_another_host(file: Path) -> None:
    text = file.read_text()
    if file.suffix == ".svg":  # only the XML namespace
        text = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "://" not in text


@pytest.mark.parametrize(("package", "version"), VENDORED.items())
def test_vendored_packages_carry_their_licence_and_pinned_version(
    package: str, version: str
) -> None:
    folder = STATIC_DIR / "vendor" / f"{package}-{version}"
    assert "MIT License" in (folder / "LICENSE").read_text()
    scripts = [p for p in folder.iterdir() if p.suffix == ".js"]
    assert scripts
    assert all(version in p.read_text()[:300] for p in scripts)  # the banner names it
    versions = (STATIC_DIR / "vendor" / "VERSIONS.md").read_text()
    assert f"| {package} | {version} |" in versions
