"""GraphiQL and the anesthesia monitor in a real Chromium with no internet: they load, query, stream and recover.

Chromium is Debian's (`apt-get install -y chromium`; `.ci/run` installs it), driven by Playwright from PyPI
(its own browser download cannot reach its host here). Without Chromium these tests fail, never skip.
Screenshots go to VETQL_SCREENSHOTS (default tests/screenshots/), printed at the end of each test.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest

from server.cli import FIRST_QUERY
from tests.conftest import LiveServer, free_port
from tests.test_live_protocols import http_data, record, start_log
from tests.world import World

Token = Callable[..., str]
SCREENSHOTS = Path(os.environ.get("VETQL_SCREENSHOTS", Path(__file__).parent / "screenshots"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WAIT_MS = 15_000
COMPLETE = """
mutation($input: CompleteAnesthesiaInput!) { completeAnesthesia(input: $input) { userErrors { code } } }
"""
PHASE = """
mutation($input: RecordAnesthesiaPhaseInput!) { recordAnesthesiaPhase(input: $input) { userErrors { code } } }
"""


def chromium_path() -> str:
    found = os.environ.get("VETQL_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if not found:
        pytest.fail(
            "Chromium not found: these tests need Debian's chromium (`apt-get install -y chromium`, which .ci/run "
            "does) or VETQL_CHROMIUM=/path/to/chromium. They are not skipped on purpose."
        )
    return found


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:  # pragma: no cover - the dev extras install it
        pytest.fail("playwright is not installed: pip install -e '.[dev]'")
    executable = chromium_path()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


class Offline:
    """A page whose every request off 127.0.0.1 is refused and remembered (the test then fails)."""

    def __init__(self) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []

    async def page(self, browser: Any) -> Any:
        context = await browser.new_context(viewport={"width": 1440, "height": 900}, locale="es-PY")
        page = await context.new_page()

        async def guard(route: Any) -> None:
            if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
                await route.continue_()
            else:
                self.outside.append(route.request.url)
                await route.abort()

        await page.route("**/*", guard)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        return page


def shot(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name


def admin(world: World, token: Token) -> str:
    return token(world.a.admin, world.a.tenant, "admin")


async def test_graphiql_loads_offline_runs_the_overview_and_opens_the_docs(
    browser: Any, live_servers: list[LiveServer], world: World, token: Token
) -> None:
    offline = Offline()
    page = await offline.page(browser)
    headers = json.dumps({"Authorization": f"Bearer {admin(world, token)}"})
    await page.goto(f"{live_servers[0].url}/graphql?headers={quote(headers)}")
    await page.wait_for_selector(".graphiql-execute-button", timeout=WAIT_MS)
    tabs = await page.locator(".graphiql-tab").all_inner_texts()
    assert [t.strip() for t in tabs][:6] == ["Overview", "Pet", "Today", "RecordVitals", "WatchVitals", "WatchAlarms"]
    await page.click(".graphiql-execute-button")
    result = page.locator(".result-window")
    await result.get_by_text('"totalCount"').wait_for(timeout=WAIT_MS)
    text = await result.inner_text()
    assert "Clínica A" in text and '"errors"' not in text, text[:500]
    await page.screenshot(path=shot("graphiql.png"))

    await page.click('[aria-label="Show Documentation Explorer"]')
    docs = page.locator(".graphiql-doc-explorer")
    await docs.get_by_text("Root Types").wait_for(timeout=WAIT_MS)
    await docs.get_by_text("Query", exact=True).first.click()
    await docs.get_by_text("pets", exact=True).first.wait_for(timeout=WAIT_MS)
    await page.screenshot(path=shot("graphiql-docs.png"))
    await page.click('[aria-label="Show GraphiQL Explorer"]')  # the explorer plugin, also served locally
    await page.locator(".graphiql-explorer-root").get_by_text("viewer").first.wait_for(timeout=WAIT_MS)
    assert offline.outside == [], offline.outside
    assert offline.errors == [], offline.errors
    print(f"\nscreenshots: {SCREENSHOTS}")


async def test_the_link_serve_prints_opens_the_overview_once_first(
    browser: Any, live_servers: list[LiveServer], world: World, token: Token
) -> None:
    headers = json.dumps({"Authorization": f"Bearer {admin(world, token)}"})
    page = await Offline().page(browser)
    link = urlencode({"q": FIRST_QUERY, "headers": headers}, quote_via=quote)  # as server/cli.py prints it
    await page.goto(f"{live_servers[0].url}/graphql?{link}")
    await page.wait_for_selector(".graphiql-execute-button", timeout=WAIT_MS)
    tabs = [t.strip() for t in await page.locator(".graphiql-tab").all_inner_texts()]
    assert tabs[:6] == ["Overview", "Pet", "Today", "RecordVitals", "WatchVitals", "WatchAlarms"], tabs
    assert tabs.count("Overview") == 1, tabs


async def test_graphiql_runs_a_subscription_over_websocket(
    browser: Any, live_servers: list[LiveServer], world: World, token: Token
) -> None:
    staff = admin(world, token)
    log = await start_log(live_servers[0], staff, world.a.pets[5])
    offline = Offline()
    page = await offline.page(browser)
    query = "subscription Watch($log: ID!) { vitalsRecorded(anesthesiaLogId: $log) { heartRate spo2 } }"
    headers = json.dumps({"Authorization": f"Bearer {staff}"})
    variables = json.dumps({"log": log})
    await page.goto(
        f"{live_servers[0].url}/graphql?q={quote(query)}&variables={quote(variables)}&headers={quote(headers)}"
    )
    await page.wait_for_selector(".graphiql-execute-button", timeout=WAIT_MS)
    await page.click(".graphiql-execute-button")
    result = page.locator(".result-window")
    for attempt in range(30):  # the page subscribes asynchronously: record until a reading shows
        await record(live_servers[0], staff, log, [{"heartRate": 111 + attempt, "spo2": 97.0}])
        try:
            await result.get_by_text('"heartRate"').wait_for(timeout=500)
            break
        except Exception:  # noqa: S112 - not yet subscribed; record again
            continue
    await page.screenshot(path=shot("graphiql-subscription.png"))
    assert '"heartRate"' in await result.inner_text()
    await http_data(live_servers[0], COMPLETE, {"input": {"anesthesiaLogId": log, "outcome": "NORMAL"}}, staff)
    assert offline.outside == [], offline.outside


async def _wait(page: Any, expression: str, arg: Any = None) -> None:
    await page.wait_for_function(expression, arg=arg, timeout=WAIT_MS)


async def _shows(page: Any, selector: str, text: str) -> None:
    """The element's text becomes `text` (values are drawn on the next animation frame)."""
    await _wait(page, "([s, t]) => document.querySelector(s).textContent === t", [selector, text])


async def test_monitor_streams_vitals_lights_alarms_and_keeps_every_reading_across_a_dropped_socket(
    browser: Any, live_servers: list[LiveServer], database_url: str, world: World, token: Token
) -> None:
    staff = admin(world, token)
    port = free_port()
    own = LiveServer(database_url, port)
    await own.ready()
    try:
        log = await start_log(own, staff, world.a.pets[4])
        for phase in ("INDUCTION", "MAINTENANCE"):
            await http_data(own, PHASE, {"input": {"anesthesiaLogId": log, "phase": phase}}, staff)
        offline = Offline()
        page = await offline.page(browser)
        await page.goto(f"{own.url}/monitor")
        await page.fill("#token", staff)
        await page.click("#signin-form button[type=submit]")
        await page.click(f'button.open-log[data-log-id="{log}"]', timeout=WAIT_MS)
        await page.locator("#status.live").wait_for(timeout=WAIT_MS)
        assert await page.evaluate("window.location.href") == f"{own.url}/monitor"  # the token is not in the URL
        assert await page.evaluate("localStorage.length + sessionStorage.length") == 0

        stored: list[str] = []

        async def write(server: LiveServer, vitals: list[dict[str, Any]]) -> None:
            stored.extend(v["id"] for v in await record(server, staff, log, vitals))

        async def on_chart() -> list[str]:
            ids: list[str] = await page.evaluate("window.vetqlMonitor.readingIds()")
            return ids

        normal = {"heartRate": 92, "spo2": 98.0, "etco2": 38.0, "bloodPressureMean": 75,
                  "bloodPressureSystolic": 110, "bloodPressureDiastolic": 60, "temperature": 37.8,
                  "anesthesiaDepth": "SURGICAL"}
        for i in range(3):
            await write(own, [{**normal, "heartRate": 90 + i}])
        await _wait(page, "n => window.vetqlMonitor.readingIds().length === n", len(stored))
        await _shows(page, "#value-heartRate", "92lpm")

        # SpO2 under 90 %: the severe hypoxemia alarm lights, the SpO2 tile turns critical.
        await write(own, [{**normal, "spo2": 86.0}])
        hypoxemia = page.locator('.light[data-kinds~="SEVERE_HYPOXEMIA"]')
        await _wait(page, "() => document.querySelector('.light[data-kinds~=\"SEVERE_HYPOXEMIA\"].on.critical')")
        assert "critical" in (await page.locator("#vital-spo2").get_attribute("class") or "")
        assert await page.evaluate("window.vetqlMonitor.activeAlarms()") == ["SEVERE_HYPOXEMIA"]
        await page.screenshot(path=shot("monitor-alarm.png"), full_page=True)

        # Back in range: the light goes out, the history keeps the alarm as resolved.
        await write(own, [{**normal, "spo2": 97.0}])
        await _wait(page, "() => window.vetqlMonitor.activeAlarms().length === 0")
        assert "on" not in (await hypoxemia.get_attribute("class") or "").split()
        history = await page.locator("#alarm-history").inner_text()
        assert "Hipoxemia grave" in history and "resuelta" in history

        # The server drops the socket (its process is killed); readings go on through another server.
        own.process.kill()
        own.process.wait(10)
        await page.locator("#status.wait").wait_for(timeout=WAIT_MS)
        for i in range(3):
            await write(live_servers[0], [{**normal, "heartRate": 100 + i}])
        restarted = LiveServer(database_url, port)
        try:
            await restarted.ready()
            await _wait(page, "() => window.vetqlMonitor.connects() >= 2")
            await _wait(page, "n => window.vetqlMonitor.readingIds().length >= n", len(stored))
            await write(restarted, [{**normal, "heartRate": 95}, {**normal, "heartRate": 96}])
            await _wait(page, "n => window.vetqlMonitor.readingIds().length >= n", len(stored))
            await page.wait_for_timeout(500)  # anything doubled would arrive by now
            assert await on_chart() == stored  # every reading, once, in order
            await _shows(page, "#value-heartRate", "96lpm")
            await page.screenshot(path=shot("monitor.png"), full_page=True)
            await http_data(restarted, COMPLETE, {"input": {"anesthesiaLogId": log, "outcome": "NORMAL"}}, staff)
        finally:
            restarted.stop()
        assert offline.outside == [], offline.outside
        print(f"\nscreenshots: {SCREENSHOTS}")
    finally:
        if own.process.poll() is None:
            own.stop()
        else:
            own.log.close()


async def test_monitor_refuses_an_owner_and_opens_a_log_by_its_id(
    browser: Any, live_servers: list[LiveServer], world: World, token: Token
) -> None:
    server = live_servers[0]
    offline = Offline()
    page = await offline.page(browser)
    await page.goto(f"{server.url}/monitor")
    await page.fill("#token", token(world.a.owners[0], world.a.tenant, "owner"))
    await page.click("#signin-form button[type=submit]")
    await page.get_by_text("Este monitor es para el personal de la clínica").wait_for(timeout=WAIT_MS)
    assert await page.locator("#signin").is_visible()

    staff = token(world.a.vet, world.a.tenant, "vet")
    log = await start_log(server, staff, world.a.pets[4])
    await page.fill("#token", staff)
    await page.click("#signin-form button[type=submit]")
    await page.fill("#log-id", "not-an-id")
    await page.click("#open-by-id button[type=submit]")
    await page.locator("#picker-error").get_by_text("registro de anestesia").wait_for(timeout=WAIT_MS)
    await page.fill("#log-id", log)
    await page.click("#open-by-id button[type=submit]")
    await page.locator("#status.live").wait_for(timeout=WAIT_MS)
    assert await page.locator("#patient").inner_text() == "Rocky · perro"
    await http_data(server, COMPLETE, {"input": {"anesthesiaLogId": log, "outcome": "NORMAL"}}, staff)
    assert offline.outside == [], offline.outside
