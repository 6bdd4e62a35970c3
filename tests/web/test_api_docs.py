"""``/docs`` renders offline: vendored Swagger UI under the pages' CSP (issue 9, item 2).

Served files and headers are checked over plain HTTP in test_pages_served.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page, Route, expect

from sensorhub.web import STATIC_DIR
from tests._server import LiveServer
from tests.web._browser import screenshot

SWAGGER_UI = STATIC_DIR / "vendor" / "swagger-ui-dist-5.35.0"
# Operations of both halves of the API (wearable and force plate) that the page must list.
OPERATIONS = [("post", "/api/sensor-data"), ("post", "/api/start_test"), ("get", "/api/health")]
# Runs before the page's own scripts; init scripts are not subject to the page's CSP.
RECORD_CSP_VIOLATIONS = """
globalThis.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  globalThis.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


async def open_docs_offline(page: Page, server: LiveServer) -> list[str]:
    """Open /docs with every request that leaves 127.0.0.1 aborted; returns those attempted."""
    attempted: list[str] = []

    async def only_this_host(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            attempted.append(route.request.url)
            await route.abort("internetdisconnected")

    await page.route("**/*", only_this_host)
    await page.add_init_script(RECORD_CSP_VIOLATIONS)
    await page.goto(f"{server.url}/docs")
    return attempted


async def assert_offline_and_within_policy(page: Page, attempted: list[str]) -> None:
    """Nothing tried to leave, nothing was refused (the tab fixture adds: no console error)."""
    assert attempted == []
    assert await page.evaluate("globalThis.cspViolations") == []


async def test_the_docs_list_the_operations_with_the_network_closed(
    tab: Page, web_server: LiveServer
) -> None:
    attempted = await open_docs_offline(tab, web_server)

    for method, path in OPERATIONS:
        block = tab.locator(f".opblock-{method}").filter(
            has=tab.locator(f'.opblock-summary-path[data-path="{path}"]')
        )
        await expect(block.locator(".opblock-summary-method")).to_have_text(method.upper())
    await expect(tab.locator(".info .title")).to_contain_text("sensorhub")
    await screenshot(tab, "api_docs")
    await assert_offline_and_within_policy(tab, attempted)


async def test_try_it_out_calls_this_server(tab: Page, web_server: LiveServer) -> None:
    """The page's own requests pass the policy too (connect-src 'self')."""
    attempted = await open_docs_offline(tab, web_server)

    health = tab.locator("#operations-health-health_api_health_get")
    await health.locator(".opblock-summary-control").click()
    await health.get_by_role("button", name="Try it out").click()
    await health.get_by_role("button", name="Execute").click()

    await expect(
        health.locator(".live-responses-table .response .response-col_status")
    ).to_have_text("200")
    await expect(health.locator(".live-responses-table .response .highlight-code")).to_contain_text(
        '"status"'
    )
    await assert_offline_and_within_policy(tab, attempted)


def test_swagger_ui_carries_its_licence_notice_and_pinned_version() -> None:
    assert "Apache License" in (SWAGGER_UI / "LICENSE").read_text()
    assert "SmartBear" in (SWAGGER_UI / "NOTICE").read_text()
    assert 'PACKAGE_VERSION:"5.35.0"' in (SWAGGER_UI / "swagger-ui-bundle.js").read_text()
    versions = (STATIC_DIR / "vendor" / "VERSIONS.md").read_text()
    assert "| swagger-ui-dist | 5.35.0 | Apache-2.0 |" in versions
    assert (
        '"/static/vendor/swagger-ui-dist-5.35.0/swagger-ui-bundle.js"'
        in (STATIC_DIR / "docs.html").read_text()
    )
