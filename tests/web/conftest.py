"""Browser tests: Playwright's async API driving Debian's Chromium against a real server.

Why async: a sync Playwright session keeps an event loop running on the main thread, and
every pytest-asyncio test after it fails ("Runner.run() cannot be called from a running
event loop"). The async API runs on each test's own pytest-asyncio loop instead, so the web
tests and the rest of the suite can run in any order in one pytest process. pytest-playwright's
sync fixtures (``page``, ``browser``) are deliberately not used; ours are ``chromium`` and ``tab``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from tests._server import LiveServer, start_server
from tests._services import require_service
from tests.web._browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, TIMEOUT_MS


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real server for the browser tests; each test uses its own device ids."""
    server = start_server(tmp_path_factory.mktemp("web") / "data")
    yield server
    server.stop()


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        hint = "apt-get install chromium (or set CHROMIUM_PATH)"
        require_service("Chromium", f"nothing at {CHROMIUM}: {hint}")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Errors the page logged; a test that provokes some on purpose clears the list."""
    return []


@pytest.fixture
async def tab(chromium: Browser, console_errors: list[str]) -> AsyncIterator[Page]:
    """A fresh page (own context: empty cache) at desktop size; fails on console errors."""
    context = await chromium.new_context(viewport=DESKTOP, accept_downloads=True)
    opened = await context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{message.text} at {message.location.get('url')}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield opened
    await context.close()
    assert console_errors == [], "the page logged errors"
