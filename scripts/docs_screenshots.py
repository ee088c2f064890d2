"""Development only: the README's screenshots (docs/graphiql.png, docs/monitor.png) from a running `make run`.

    .venv/bin/python scripts/docs_screenshots.py [http://127.0.0.1:8000]

Drives Debian's Chromium (/usr/bin/chromium, or VETQL_CHROMIUM) with Playwright, as the browser tests do;
signs in with `vetql token --demo admin`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from playwright.async_api import async_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def demo_token() -> str:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "token", "--demo", "admin"], capture_output=True, text=True, check=True
    ).stdout.strip()


async def main(base: str, token: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=os.environ.get("VETQL_CHROMIUM", "/usr/bin/chromium"), args=ARGS
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 720}, locale="es-PY")
        await page.goto(f"{base}/graphql")  # in development the page carries the demo admin token itself
        await page.click(".graphiql-execute-button")
        await page.locator(".result-window").get_by_text('"totalCount"').wait_for()
        await page.screenshot(path=ROOT / "docs/graphiql.png")

        page = await browser.new_page(viewport={"width": 1280, "height": 860}, locale="es-PY")
        await page.goto(f"{base}/monitor")
        await page.fill("#token", token)
        await page.click("#signin-form button[type=submit]")
        await page.click("button.open-log")
        await page.locator("#status.live").wait_for()
        await page.wait_for_timeout(1000)
        await page.screenshot(path=ROOT / "docs/monitor.png")
        await browser.close()
    print("wrote docs/graphiql.png and docs/monitor.png")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000", demo_token()))
