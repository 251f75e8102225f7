"""A break in the meeting as the room sees it: the chair calls it, a tablet and the projector say until
when, the chair's forecast of the end counts it, the meeting does not move on meanwhile, and the chair
resumes it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import PROJECTOR, QUESTION, TABLET_PORTRAIT, DaphneServer, meeting_opened, open_room

pytestmark = pytest.mark.browser


def test_chair_calls_a_break_and_resumes_the_meeting(daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]) -> None:
    chair, delegate, _ = meeting_opened(daphne_server, new_context, tablet=TABLET_PORTRAIT)
    projector = open_room(
        new_context(PROJECTOR, touch=False), "thuky", daphne_server.demo["password"], chair.url.replace("/live/", "/projector/")
    )
    expect(projector.locator("#proj-recess")).to_be_hidden()
    # The chair sees when the agenda ends at its planned pace (10 + 5 minutes); a delegate is not pressed with it.
    forecast = chair.locator("#agenda-forecast")
    expect(forecast).to_have_text(
        re.compile(r"^Theo thời lượng dự kiến: còn khoảng 15 phút, kết thúc lúc \d\d:\d\d \(giấy mời: \d\d:\d\d\)$")
    )
    expect(delegate.locator("#agenda-forecast")).to_be_hidden()

    # The delegate has the floor when the chair calls the break.
    delegate.click("#request-speak")
    chair.locator("#queue li .give-floor").click()
    expect(delegate.locator("#speaker-timer")).to_be_visible()

    chair.click("#recess-open")
    dialog = chair.locator("#recess-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[value='15']")).to_be_checked()  # the usual break, one tap away
    expect(dialog.locator("input[value='15']")).to_be_focused()  # and one key away
    dialog.get_by_text("10 phút").click()
    dialog.get_by_role("button", name="Bắt đầu giải lao").click()

    for page in (chair, delegate):
        expect(page.locator("#recess-bar")).to_be_visible()
        expect(page.locator("#recess-until")).to_have_text(re.compile(r"^họp tiếp lúc \d\d:\d\d$"))
        expect(page.locator("#recess-left")).to_have_text(re.compile(r"^còn (10:00|9:5\d)$"))
        expect(page.locator("#meeting-state")).to_have_text("Giải lao")
    expect(projector.locator("#proj-recess")).to_be_visible()
    expect(chair.locator("#now-line")).to_have_text(re.compile(r"^Sau giải lao, tiếp tục nội dung 1\. Biểu quyết"))
    expect(projector.locator("#proj-recess-until")).to_have_text(re.compile(r"họp tiếp lúc \d\d:\d\d"))
    # Nothing moves the meeting on during the break: no next item, no vote to open, and only the chair resumes.
    expect(chair.locator("[data-action='next-item']")).to_be_hidden()
    expect(chair.locator(f".poll:has-text('{QUESTION}') [data-action=open-poll]")).to_have_count(0)
    expect(chair.locator("#poll-create")).to_be_hidden()
    expect(delegate.locator("#recess-resume")).to_be_hidden()
    expect(forecast).to_contain_text("còn khoảng 25 phút")  # the break, then the agenda
    # The speech is cut short: its speaker heads the queue to go on, which is not a second turn.
    expect(delegate.locator("#notice")).to_contain_text("Bạn đứng đầu danh sách để phát biểu tiếp")
    expect(chair.locator("#queue li").first.locator(".speaks-again")).to_have_text("phát biểu tiếp sau giải lao")
    # A delegate can still ask to speak, for when the meeting goes on.
    delegate.click("#withdraw-speak")
    delegate.click("#request-speak")
    expect(delegate.locator("#withdraw-speak")).to_be_visible()
    expect(chair.locator("#queue li").first.locator(".speaks-again")).to_have_text("lần 2 về nội dung này")
    expect(chair.locator(".give-floor")).to_have_count(0)

    chair.click("#recess-resume")

    for page in (chair, delegate):
        expect(page.locator("#recess-bar")).to_be_hidden()
        expect(page.locator("#meeting-state")).to_have_text("Đang họp")
    expect(projector.locator("#proj-recess")).to_be_hidden()
    expect(chair.locator("[data-action='next-item']")).to_be_visible()
    expect(chair.locator(f".poll:has-text('{QUESTION}') [data-action=open-poll]")).to_be_visible()
    expect(chair.locator(".give-floor")).to_have_count(1)
