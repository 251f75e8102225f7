"""Upright and on a phone the live room shows one part at a time, chosen from tabs that say what waits
in each; lying down every part is in view and there are no tabs."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import (
    LAPTOP,
    NEW_MEETING,
    PHONE,
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    DaphneServer,
    meeting_script,
    meeting_with_a_document,
    open_page,
    start_meeting,
)
from tests.servers import manage

pytestmark = pytest.mark.browser

DOCUMENT = "Báo cáo tình hình kinh tế - xã hội tháng 11"
MEETING_WITH_A_DOCUMENT = meeting_with_a_document(
    title="Phiên họp giao ban tháng 12",
    location="Phòng họp số 3",
    delegates=["daibieu08"],
    item="Tình hình tháng 11",
    document=DOCUMENT,
    pages=3,
)


def room_of_its_own(daphne_server: DaphneServer) -> str:
    meeting_id = int(manage(daphne_server.env, "shell", "-c", NEW_MEETING).strip().splitlines()[-1])
    return f"/meetings/{meeting_id}/live/"


def online(page: Page) -> Page:
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    return page


def test_a_chair_on_a_phone_runs_the_debate_and_the_vote_from_their_tabs(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    room = room_of_its_own(daphne_server)
    password = daphne_server.demo["password"]
    chair = online(open_page(new_context(PHONE), "chutoa", password, room))
    delegate = online(open_page(new_context(TABLET_LANDSCAPE), "daibieu01", password, room))

    # The document first; the speakers' queue is a tab away, not a screen below it.
    expect(chair.locator("#pane-tabs")).to_be_visible()
    expect(chair.locator("#viewer")).to_be_visible()
    expect(chair.locator("#speakers-card")).to_be_hidden()
    start_meeting(chair)
    # The quorum is said on the attendance tab, and stays there as people arrive.
    chair.click("[data-pane-tab=attendance]")
    expect(chair.locator("#quorum")).to_be_visible()
    delegate.click("#checkin")
    expect(chair.locator("[data-pane-tab=attendance] .pane-count")).to_have_text(re.compile(r"^\d+/\d+$"))
    expect(chair.locator("#quorum")).to_have_class("quorum met")
    expect(chair.locator("#quorum")).to_be_visible()
    chair.click("[data-pane-tab=viewer]")

    delegate.click("#request-speak")
    speakers_tab = chair.locator("[data-pane-tab=speakers]")
    expect(speakers_tab.locator(".pane-count")).to_have_text("1")
    expect(speakers_tab).to_have_class(re.compile(r"\bnews\b"))

    speakers_tab.click()
    expect(speakers_tab).to_have_attribute("aria-selected", "true")
    expect(speakers_tab).not_to_have_class(re.compile(r"\bnews\b"))
    expect(chair.get_by_role("tabpanel")).to_have_id("speakers-card")
    expect(chair.locator("#viewer")).to_be_hidden()
    chair.locator("#queue .give-floor").click()
    expect(chair.locator("#speaker-bar")).to_be_visible()
    expect(chair.locator("#speaker-end")).to_be_in_viewport()
    expect(speakers_tab.locator(".pane-count")).to_be_hidden()
    # Scrolled down (a long queue, a long page), who speaks, their time and "End speech" stay at the top
    # of the screen, the tabs right under them.
    chair.evaluate("() => { document.querySelector('.live-grid').style.paddingBottom = '2000px'; window.scrollTo(0, 1500); }")
    expect(chair.locator("#speaker-end")).to_be_in_viewport()
    expect(chair.locator("#speaker-timer")).to_be_in_viewport()
    bar, tabs = (chair.locator(selector).bounding_box() for selector in ("#speaker-bar", "#pane-tabs"))
    assert abs(bar["y"] + bar["height"] - tabs["y"]) < 2, (bar, tabs)
    # The chair's message to the room, until closed, sticks above them: one under the other, none covered.
    secretary = online(open_page(new_context(LAPTOP, touch=False), "thuky", password, room))
    secretary.evaluate("() => window.liveRoom.connection.command('notice.send', { text: 'Đề nghị các đại biểu về chỗ ngồi' })")
    expect(chair.locator("#chair-notice")).to_be_in_viewport()
    notice, bar, tabs = (chair.locator(selector).bounding_box() for selector in ("#chair-notice", "#speaker-bar", "#pane-tabs"))
    assert notice["y"] + notice["height"] <= bar["y"] + 1 and bar["y"] + bar["height"] <= tabs["y"] + 1, (notice, bar, tabs)
    expect(chair.locator("#speaker-end")).to_be_in_viewport()
    chair.locator("#chair-notice button").click()
    chair.evaluate("() => { document.querySelector('.live-grid').style.paddingBottom = ''; window.scrollTo(0, 0); }")

    # The tab chosen stays chosen when the page is loaded again.
    chair.reload()
    online(chair)
    expect(chair.locator("[data-pane-tab=speakers]")).to_have_attribute("aria-selected", "true")
    expect(chair.locator("#speakers-card")).to_be_visible()

    votes_tab = chair.locator("[data-pane-tab=votes]")
    votes_tab.click()
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.locator("#polls [data-action=open-poll]").first.click()
    expect(votes_tab.locator(".pane-count")).to_have_text("1")
    expect(votes_tab.locator(".pane-count")).to_have_class(re.compile(r"\burgent\b"))
    expect(chair.locator("#polls [data-action=close-poll]")).to_be_visible()

    # A command's own "not found" is said in passing; the room stays (only a socket closed so is shut out).
    reply = chair.evaluate("() => window.liveRoom.connection.command('speaker.start', { request_id: 999999 })")
    assert reply["code"] == "not_found", reply
    expect(chair.locator("#notice")).to_be_visible()
    expect(chair.locator("#notice")).to_have_text(reply["message"])
    expect(chair.locator("#pane-tabs")).to_be_visible()

    # The arrow keys move along the row of tabs.
    votes_tab.focus()
    chair.keyboard.press("ArrowRight")
    expect(chair.locator("[data-pane-tab=agenda]")).to_be_focused()
    expect(chair.locator("#agenda-card")).to_be_visible()
    expect(chair.locator("#polls-card")).to_be_hidden()


def test_a_delegate_reading_another_tab_is_shown_that_the_presented_page_changed(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    meeting_id = int(manage(daphne_server.env, "shell", "-c", MEETING_WITH_A_DOCUMENT).strip().splitlines()[-1])
    room = f"/meetings/{meeting_id}/live/"
    password = daphne_server.demo["password"]
    chair = online(open_page(new_context(TABLET_LANDSCAPE), "chutoa", password, room))
    delegate = online(open_page(new_context(TABLET_PORTRAIT), "daibieu08", password, room))
    start_meeting(chair)
    chair.select_option("#doc-select", label=DOCUMENT)
    chair.click("#present")
    expect(delegate.locator("#page-image")).to_have_attribute("data-page", "1")

    delegate.click("[data-pane-tab=agenda]")
    expect(delegate.locator("#agenda .live-item.current")).to_be_visible()
    document_tab = delegate.locator("[data-pane-tab=viewer]")
    expect(document_tab).not_to_have_class(re.compile(r"\bnews\b"))
    chair.click("#next-page")  # presenting, the page turns on every screen that follows
    expect(document_tab).to_have_class(re.compile(r"\bnews\b"))
    document_tab.click()
    expect(delegate.locator("#page-image")).to_have_attribute("data-page", "2")
    expect(delegate.locator("#page-image")).to_be_visible()
    # Fetched while out of view behind its tab, the page is as sharp as the screen, not a stretched thumbnail.
    delegate.wait_for_function("() => document.getElementById('page-image').naturalWidth >= 600")
    expect(document_tab).not_to_have_class(re.compile(r"\bnews\b"))

    # A vote put in the room takes the delegate's screen to the votes, and gives it back when it closes.
    delegate.click("#checkin")
    delegate.click("[data-pane-tab=agenda]")
    chair.fill("#poll-create input[name=question]", "Thông qua báo cáo tháng 11?")
    chair.click("#poll-create button[type=submit]")
    expect(delegate.locator("[data-pane-tab=votes]")).to_have_attribute("aria-selected", "true")
    expect(delegate.locator("#polls-card")).to_be_visible()
    votes_count = delegate.locator("[data-pane-tab=votes] .pane-count")
    expect(votes_count).to_have_class(re.compile(r"\burgent\b"))
    # Once the ballot is cast the vote is only counted: no longer red, as if a ballot were still owed.
    delegate.locator("#ballot .choice.meaning-yes").click()
    delegate.locator("#ballot [data-action=confirm]").click()
    expect(delegate.locator("#ballot .ballot-card.voted")).to_be_visible()
    expect(votes_count).to_have_text("1")
    expect(votes_count).not_to_have_class(re.compile(r"\burgent\b"))
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.click("#polls [data-action=close-poll]")
    expect(delegate.locator("[data-pane-tab=agenda]")).to_have_attribute("aria-selected", "true")


def test_a_tablet_lying_down_shows_every_part_without_tabs(daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]) -> None:
    page = online(open_page(new_context(TABLET_LANDSCAPE), "chutoa", daphne_server.demo["password"], room_of_its_own(daphne_server)))
    expect(page.locator("#pane-tabs")).to_be_hidden()
    for part in ("#viewer", "#speakers-card", "#agenda-card", "#attendance-card"):
        expect(page.locator(part)).to_be_visible()
        expect(page.locator(part)).not_to_have_attribute("role", "tabpanel")


LONG_AGENDA = meeting_script(
    title="Kỳ họp thường lệ cuối năm",
    location="Hội trường lớn",
    delegates=["daibieu07"],
    then="""
    for number in range(1, 15):
        agenda_item_create(actor=secretary, meeting=meeting, title=f"Báo cáo chuyên đề số {number} năm 2026", duration_minutes=10)
    meeting_publish(actor=secretary, meeting=meeting)
    print(meeting.pk)
    """,
)


def test_the_agenda_tab_brings_the_item_now_discussed_into_view(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    meeting_id = int(manage(daphne_server.env, "shell", "-c", LONG_AGENDA).strip().splitlines()[-1])
    chair = online(open_page(new_context(PHONE), "chutoa", daphne_server.demo["password"], f"/meetings/{meeting_id}/live/"))
    start_meeting(chair)
    chair.click("[data-pane-tab=agenda]")
    last = chair.evaluate("() => window.liveRoom.store.state.agenda.at(-1).id")
    chair.evaluate("(id) => window.liveRoom.connection.command('agenda.current', { item_id: id })", last)
    current = chair.locator("#agenda .live-item.current")
    expect(current).to_contain_text("số 14")
    expect(current).to_be_in_viewport()

    # Chosen again from the top of the page, the agenda opens at the item now discussed.
    chair.click("[data-pane-tab=speakers]")
    chair.evaluate("() => window.scrollTo(0, 0)")
    chair.click("[data-pane-tab=agenda]")
    expect(current).to_be_in_viewport()


def test_a_participant_removed_while_their_tablet_is_open_is_told_so_in_place_of_the_room(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    meeting_id = int(manage(daphne_server.env, "shell", "-c", LONG_AGENDA).strip().splitlines()[-1])
    tablet = online(open_page(new_context(TABLET_PORTRAIT), "daibieu07", daphne_server.demo["password"], f"/meetings/{meeting_id}/live/"))

    find = f"from meetings.models import Participant as P; print(P.objects.get(meeting_id={meeting_id}, user__username='daibieu07').pk)"
    participant_id = int(manage(daphne_server.env, "shell", "-c", find).strip().splitlines()[-1])
    remove = f"/meetings/{meeting_id}/participants/{participant_id}/remove/"
    secretary = open_page(new_context(LAPTOP, touch=False), "thuky", daphne_server.demo["password"], remove)
    secretary.click("[data-testid=remove-confirm]")

    expect(tablet.locator("#state-line")).to_contain_text("không còn trong thành phần tham dự cuộc họp này")
    expect(tablet.locator("#state-line a")).to_have_attribute("href", "/")
    for gone in ("#viewer", "#pane-tabs", "#request-speak", "#connection"):
        expect(tablet.locator(gone)).to_be_hidden()
