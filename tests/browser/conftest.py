"""A live daphne server with its own database and the demo, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.servers import base_env, daphne, free_port, manage, meeting_script, prepare_site

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
PROJECTOR = {"width": 1280, "height": 720}

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


def open_page(context: BrowserContext, username: str, password: str, path: str) -> Page:
    page = context.new_page()
    log_in(page, username, password)
    page.goto(path)
    return page


def open_room(context: BrowserContext, username: str, password: str, path: str) -> Page:
    """A logged-in page on a live screen (the room or the projector)."""
    page = open_page(context, username, password, path)
    expect(page.locator("#connection, #proj-offline").first).to_be_attached()
    return page


def start_meeting(chair: Page) -> None:
    """The chair starts the meeting, saying yes to the question starting asks first."""
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.click("[data-command='meeting.start']")
    expect(chair.locator("#meeting-state")).to_have_text("Đang họp")


QUESTION = "Thông qua Kế hoạch chuyển đổi số năm 2027"
LATER_QUESTION = "Thông qua lịch họp quý I năm 2027"


def meeting_with_a_document(*, title: str, location: str, delegates: list[str], item: str, document: str, pages: int) -> str:
    """A `manage.py shell` script for a published meeting of its own with one item and the demo's
    document of `pages` pages under it; it prints the meeting's id."""
    return meeting_script(
        title=title,
        location=location,
        delegates=delegates,
        then=f"""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from meetings.demo.documents import demo_document_pdf
        from meetings.services.documents import document_upload
        item = agenda_item_create(actor=secretary, meeting=meeting, title={item!r}, duration_minutes=20)
        pdf = demo_document_pdf(title={document!r}, pages={pages}, index=0, date=datetime.date.today())
        document_upload(actor=secretary, meeting=meeting, upload=SimpleUploadedFile("tai-lieu.pdf", pdf), title={document!r},
            agenda_item=item)
        meeting_publish(actor=secretary, meeting=meeting)
        print(meeting.pk)
        """,
    )


# With a vote on each of its two items.
NEW_MEETING = meeting_script(
    title="Phiên họp biểu quyết",
    location="Phòng họp số 2",
    delegates=["daibieu01", "daibieu02"],
    then=f"""
    from voting.services.polls import poll_create
    item = agenda_item_create(actor=secretary, meeting=meeting, title="Biểu quyết", duration_minutes=10)
    poll_create(actor=secretary, meeting=meeting, question="{QUESTION}", agenda_item_id=item.pk, majority="cast")
    later = agenda_item_create(actor=secretary, meeting=meeting, title="Lịch họp quý I", duration_minutes=5)
    poll_create(actor=secretary, meeting=meeting, question="{LATER_QUESTION}", agenda_item_id=later.pk, majority="cast")
    meeting_publish(actor=secretary, meeting=meeting)
    print(meeting.pk)
    """,
)


def meeting_opened(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext], *, tablet: dict[str, int] = TABLET_LANDSCAPE
) -> tuple[Page, Page, BrowserContext]:
    """A meeting of its own, opened by the chair, its first delegate checked in from a tablet: the chair's
    page, the tablet's page and the tablet's browser (to cut its network)."""
    meeting_id = int(manage(daphne_server.env, "shell", "-c", NEW_MEETING).strip().splitlines()[-1])
    password = daphne_server.demo["password"]
    room = f"/meetings/{meeting_id}/live/"
    chair = open_page(new_context(LAPTOP, touch=False), "chutoa", password, room)
    tablet_context = new_context(tablet)
    delegate = open_page(tablet_context, "daibieu01", password, room)
    for page in (chair, delegate):
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    start_meeting(chair)
    delegate.click("#checkin")  # the chair is present from the moment he opens the meeting
    expect(chair.locator("#quorum")).to_have_class("quorum met")
    return chair, delegate, tablet_context
