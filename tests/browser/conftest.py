"""A live daphne server with its own database and the demo, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.servers import base_env, daphne, free_port, prepare_site

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


@dataclass
class DaphneServer:
    url: str
    demo: dict
    env: dict[str, str]
    log: Path


@pytest.fixture(scope="session")
def daphne_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaphneServer]:
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp / 'live.sqlite3'}",
        MEDIA_ROOT=str(tmp / "media"),
        SITE_URL=f"http://127.0.0.1:{port}",
        # Tablets notice a dead connection within a few seconds instead of twenty.
        REALTIME_HEARTBEAT_SECONDS="2",
    )
    demo = prepare_site(env)
    log = tmp / "daphne.log"
    with daphne(env, port, log) as url:
        yield DaphneServer(url=url, demo=demo, env=env, log=log)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Per module, not per session: while Playwright's sync API is open its event loop runs in
    # this thread, and asyncio tests collected after the browser tests could not start theirs.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (CI does this in .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                # A page a test hands over through page.route() counts as coming from outside the
                # local network, and Chromium would then refuse its websocket to 127.0.0.1.
                "--disable-features=LocalNetworkAccessChecks",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, daphne_server: DaphneServer) -> Iterator:
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] = TABLET_LANDSCAPE, *, touch: bool = True) -> BrowserContext:
        context = browser.new_context(viewport=viewport, has_touch=touch, base_url=daphne_server.url, locale="vi-VN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=username]) button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def bottom_before_scrolling(page: Page, selector: str) -> float:
    """Where `selector` ends on the screen with the page and the live room's side column scrolled to the top."""
    return page.evaluate(
        """(selector) => {
            scrollTo(0, 0);
            const side = document.querySelector('.side');
            if (side) side.scrollTop = 0;
            return document.querySelector(selector).getBoundingClientRect().bottom;
        }""",
        selector,
    )


def open_room(context: BrowserContext, username: str, password: str, path: str) -> Page:
    """A logged-in page on a live screen (the room or the projector)."""
    page = context.new_page()
    log_in(page, username, password)
    page.goto(path)
    expect(page.locator("#connection, #proj-offline").first).to_be_attached()
    return page


def start_meeting(chair: Page) -> None:
    """The chair starts the meeting, saying yes to the question starting asks first."""
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.click("[data-command='meeting.start']")
    expect(chair.locator("#meeting-state")).to_have_text("Đang họp")
