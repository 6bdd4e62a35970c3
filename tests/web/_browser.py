"""Helpers for the browser tests: Chromium settings, screenshots, waits, server restart."""

from __future__ import annotations

import asyncio
import inspect
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from playwright.async_api import Page, ViewportSize

from tests._server import LiveServer, start_server

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "web"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# RECIPES.md: headless Debian Chromium that makes no request beyond 127.0.0.1.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
    "--optimization-guide-manifest-override=/nonexistent",
    "--gaia-url=http://127.0.0.1:9",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
TABLET: ViewportSize = {"width": 768, "height": 1024}
TIMEOUT_MS = 10_000


async def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/web/ (look at them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    return path


async def eventually(
    predicate: Callable[[], bool] | Callable[[], Awaitable[bool]], timeout: float = 10.0
) -> None:
    """Poll ``predicate()`` (or await it, when it asks a server) without blocking the event
    loop; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not await _truth(predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.02)  # polling interval, not a wait for an outcome


async def _truth(answer: bool | Awaitable[bool]) -> bool:
    return await answer if inspect.isawaitable(answer) else answer


def restart_on_same_port(stopped: LiveServer) -> LiveServer:
    """A new server process on a stopped server's port and data, as after a power cut."""
    return start_server(stopped.data_dir, port=stopped.port)
