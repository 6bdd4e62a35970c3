"""The pages with auth on (asked for the token once) and a page on another origin (issue 10)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Dialog, Page, expect

from tests._server import LiveServer, start_server, wait_for
from tests.web._browser import screenshot

API_TOKEN = "browser-api-token-0123456789"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("web-auth") / "data"
    server = start_server(data, env={"SENSORHUB_API_TOKEN": API_TOKEN})
    yield server
    server.stop()


def saved_test(url: str, device_id: str, headers: dict[str, str] | None = None) -> int:
    """A test started and stopped with no esp connected: saved at once (docs/contracts.md)."""
    with httpx.Client(base_url=url, headers=headers) as http:
        started = http.post("/api/start_test", json={"device_id": device_id, "athlete": "Ada"})
        test_id: int = started.json()["session_id"]
        http.post("/api/stop_test", json={"device_id": device_id})
        wait_for(lambda: http.get(f"/api/tests/{test_id}").json()["data"]["state"] != "running")
    return test_id


async def test_pages_ask_for_the_token_once_and_then_work(
    tab: Page, guarded_server: LiveServer, console_errors: list[str]
) -> None:
    test_id = saved_test(guarded_server.url, "plate-auth", AUTH)
    dialogs: list[str] = []

    async def enter_token(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        await dialog.accept(API_TOKEN)

    tab.on("dialog", enter_token)
    await tab.goto(guarded_server.url + "/")
    await expect(tab.locator("#conn")).to_have_attribute("data-state", "connected")
    await tab.goto(guarded_server.url + "/tests")
    await expect(tab.locator(f"#history tr[data-test-id='{test_id}']")).to_contain_text("Ada")
    await screenshot(tab, "tests-with-auth")
    await tab.goto(f"{guarded_server.url}/tests/{test_id}")
    async with tab.expect_download() as download_info:  # a plain link could not send the token
        await tab.click("#csv")
    download = await download_info.value
    assert download.suggested_filename.endswith(".csv")
    csv_path = await download.path()
    assert Path(csv_path).read_text().startswith("t,l,r")
    assert len(dialogs) == 1 and "API token" in dialogs[0]
    assert await tab.evaluate("localStorage.getItem('sensorhub.apiToken')") == API_TOKEN
    # Chromium logs each refused request before the page asked for the token.
    assert all("401" in error for error in console_errors), console_errors
    console_errors.clear()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


@pytest.fixture
def other_origin(tmp_path: Path) -> Iterator[str]:
    """A second origin on 127.0.0.1 serving one page that tries a read and a delete."""
    (tmp_path / "attack.html").write_text(ATTACK_PAGE)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


ATTACK_PAGE = """<!doctype html>
<title>another site</title>
<p>GET: <span id="get">…</span>; DELETE: <span id="delete">…</span></p>
<script>
  const params = new URLSearchParams(location.search);
  const target = params.get("target");
  const attempt = (method, path) => fetch(target + path, { method })
    .then((response) => String(response.status), () => "blocked");
  (async () => {
    document.getElementById("get").textContent = await attempt("GET", "/api/tests");
    const path = `/api/tests/${params.get("id")}`;
    document.getElementById("delete").textContent = await attempt("DELETE", path);
  })();
</script>
"""


async def test_a_page_on_another_origin_can_read_but_not_delete(
    tab: Page, web_server: LiveServer, other_origin: str, console_errors: list[str]
) -> None:
    test_id = saved_test(web_server.url, "plate-other-origin")
    await tab.goto(f"{other_origin}/attack.html?target={web_server.url}&id={test_id}")
    await expect(tab.locator("#get")).to_have_text("200")
    await expect(tab.locator("#delete")).to_have_text("blocked")
    await screenshot(tab, "other-origin-cannot-delete")
    assert httpx.get(f"{web_server.url}/api/tests/{test_id}").status_code == 200
    # The browser reports the refused preflight; that is the point of this test.
    assert console_errors and all("CORS" in e or "Failed" in e for e in console_errors)
    console_errors.clear()
