"""The portal in a real browser: Debian's headless Chromium (/usr/bin/chromium, `make browser`) driven by
Playwright for Python, against the whole platform in this process with the demo district loaded once.

The tests of this package share that one load: `clean` (tests/plugin.py empties every table before each
test) is replaced here by one truncation before the load. Screenshots of every page land in
tests/browser/.artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from services.common.events.topology import dead_letter_queue_name, queue_name
from services.common.data.db import SERVICES
from services.demo import figures as F
from services.demo.load import load
from services.gateway.policy.portal import portal_built
from tests import support as testing

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / ".artifacts"
SCALE = 0.01


@pytest.fixture(autouse=True)
async def clean():
    """The demo loaded once for the package stays for each test (see the module docstring)."""
    yield


@pytest.fixture(scope="package")
async def demo(gateway, databases):
    """The demo district at 1% of its service records, loaded through the gateway; its expected figures."""
    if not portal_built():
        pytest.fail("the portal is not built: run `make portal`")
    await testing.truncate_all(databases)
    await testing.purge_queues([n for s in SERVICES for n in (queue_name(s), dead_letter_queue_name(s))] + ["civic.unrouted"])
    expected = F.SOURCE.scaled(SCALE).headline()
    assert await load(gateway.base, scale=SCALE, log=lambda *_: None) == expected
    return expected


@pytest.fixture(scope="package")
async def browser():
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                    args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        await chromium.close()


class Visit:
    """One browser context on the portal: every request outside the gateway is refused and recorded."""

    def __init__(self, context, page, base: str) -> None:
        self.context, self.page, self.base = context, page, base
        self.outside: list[str] = []
        self.console_errors: list[str] = []

    async def screenshot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path

    async def sign_in(self, subject: str) -> None:
        await self.page.goto(f"{self.base}/portal/#/signin")
        await self.page.locator(f"button[data-subject='{subject}']").click()
        await self.page.get_by_test_id("who").wait_for()


@pytest.fixture
async def visit(browser, demo, gateway, request):
    context = await browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    here = urlsplit(gateway.base).netloc
    v = Visit(context, page, gateway.base)

    async def only_the_platform(route):
        if urlsplit(route.request.url).netloc in (here, ""):
            await route.continue_()
        else:
            v.outside.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_platform)
    page.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" else None)
    yield v
    # The page as the test left it (a failure's picture), and what its console said.
    await page.screenshot(path=str(ARTIFACTS / f"last-{request.node.name}.png"), full_page=True)
    (ARTIFACTS / f"last-{request.node.name}.console.txt").write_text("\n".join(v.console_errors), encoding="utf-8")
    await context.close()
    assert v.outside == [], f"the page asked for something outside the platform: {v.outside}"
