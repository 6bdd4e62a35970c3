"""The athletes and Squad pages on a server with no athletes yet say what to do (issue 23)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import Page, expect

from tests._server import LiveServer, start_server
from tests.web._browser import screenshot


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("first-use") / "data")
    yield live
    live.stop()


async def test_athletes_page_with_no_athletes_says_how_to_add_one(
    tab: Page, server: LiveServer
) -> None:
    await tab.goto(f"{server.url}/athletes")

    await expect(tab.locator("#athlete-list")).to_have_text(
        "No athletes yet: press New athlete to add one."
    )


async def test_squad_with_no_groups_says_where_groups_come_from(
    tab: Page, server: LiveServer
) -> None:
    await tab.goto(f"{server.url}/squad")

    await expect(tab.locator("#squad-empty")).to_contain_text("No groups yet.")
    await expect(tab.locator("#squad-empty a")).to_have_attribute("href", "/athletes")
    await expect(tab.locator("#group-form [name=group] option")).to_have_count(1)
    await screenshot(tab, "squad-no-groups")
