"""Every page fits the width of a tablet held upright and of a phone (nothing to scroll sideways), and
a tablet lying down gives the document what height it can."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import PHONE, TABLET_LANDSCAPE, TABLET_PORTRAIT, DaphneServer, log_in

pytestmark = pytest.mark.browser

DELEGATE_PAGES = ["/", "/meetings/{id}/", "/meetings/{id}/live/"]
SECRETARY_PAGES = [
    *DELEGATE_PAGES,
    "/meetings/new/",
    "/meetings/{id}/agenda/",
    "/meetings/{id}/participants/",
    "/meetings/{id}/polls/",
    "/meetings/{id}/minutes/",
]
# What sticks out past the right edge, for the failure message.
WIDER_THAN_SCREEN = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > width + 1);
    return {
        scrollWidth: document.documentElement.scrollWidth,
        width,
        wide: wide.slice(0, 5).map((element) => `${element.tagName}.${element.className}#${element.id}`),
    };
}"""


def delegate_reading(daphne_server: DaphneServer, context: BrowserContext) -> Page:
    """A delegate in the live room with the first document open."""
    page = context.new_page()
    log_in(page, "daibieu01", daphne_server.demo["password"])
    page.goto(f"/meetings/{daphne_server.demo['meeting_id']}/live/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.select_option("#doc-select", index=1)
    expect(page.locator("#page-image")).to_be_visible()
    return page


@pytest.mark.parametrize("viewport", [PHONE, TABLET_PORTRAIT], ids=["phone", "tablet-portrait"])
@pytest.mark.parametrize(("username", "paths"), [("daibieu01", DELEGATE_PAGES), ("thuky", SECRETARY_PAGES)], ids=["delegate", "secretary"])
def test_no_page_is_wider_than_the_screen(
    daphne_server: DaphneServer,
    new_context: Callable[..., BrowserContext],
    viewport: dict[str, int],
    username: str,
    paths: list[str],
) -> None:
    page = new_context(viewport).new_page()
    log_in(page, username, daphne_server.demo["password"])
    for path in paths:
        page.goto(path.format(id=daphne_server.demo["meeting_id"]))
        if path.endswith("/live/"):
            expect(page.locator("#connection")).to_have_attribute("data-state", "online")
        measured = page.evaluate(WIDER_THAN_SCREEN)
        assert measured["scrollWidth"] <= measured["width"], f"{path} at {viewport['width']} px: {measured}"


def test_a_phone_shows_the_annotation_tools_in_one_row_and_the_page_on_the_first_screen(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    page = delegate_reading(daphne_server, new_context(PHONE))

    tool_tops = page.eval_on_selector_all(".tool-bar .tool", "tools => tools.map((tool) => Math.round(tool.getBoundingClientRect().top))")
    assert len(set(tool_tops)) == 1, tool_tops
    # The page begins right under that one row of tools.
    tools = page.locator(".tool-bar").bounding_box()
    gap = page.locator("#page-frame").bounding_box()["y"] - (tools["y"] + tools["height"])
    assert gap < 24, gap

    # The last tool of the sideways-scrolling row still opens its menu, not cut off by the row.
    page.click("#downloads summary")
    assert page.evaluate(
        """() => {
            const link = document.querySelector('#download-pdf');
            const box = link.getBoundingClientRect();
            return document.elementFromPoint(box.left + 10, box.top + box.height / 2) === link;
        }"""
    )
    page.keyboard.press("Escape")

    # The zoom buttons are hidden here; the keyboard still zooms the page (+, -, 0), not the whole screen.
    expect(page.locator("#zoom-in")).to_be_hidden()
    page.locator("#page-frame").click()
    page.keyboard.press("+")
    assert page.evaluate("() => window.liveRoom.viewer.zoom") == 1.5
    page.keyboard.press("0")
    assert page.evaluate("() => window.liveRoom.viewer.zoom") == 1


def test_a_landscape_tablet_moves_the_meeting_head_away_when_reading_down_the_page(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    page = delegate_reading(daphne_server, new_context(TABLET_LANDSCAPE))
    in_view = """() => {
        const box = document.getElementById('page-stage').getBoundingClientRect();
        return Math.min(box.bottom, innerHeight) - box.top;
    }"""
    stage_height = page.evaluate(in_view)

    # The page scrolls inside the viewer, where a finger never reaches the head above it: reading on does.
    page.evaluate("() => { document.getElementById('page-stage').scrollTop = 120; }")
    page.wait_for_function("() => document.getElementById('viewer').getBoundingClientRect().top < 70")
    page.wait_for_timeout(600)  # the smooth scroll settling
    grown = page.evaluate(in_view)
    assert grown > stage_height + 60, (stage_height, grown)
    # The head is still there for whoever scrolls back to it.
    page.evaluate("() => window.scrollTo(0, 0)")
    expect(page.locator(".live-title")).to_be_in_viewport()
