"""A secretary prepares and publishes a meeting on a tablet; a delegate then finds it on theirs."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pypdf import PdfWriter

from tests.browser.conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, DaphneServer, log_in
from tests.servers import manage

pytestmark = pytest.mark.browser

TITLE = "Họp giao ban tháng 12 về cải cách hành chính"


def write_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def agenda_numbers(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#agenda-sortable .agenda-number").all_inner_texts()]


def agenda_titles(page: Page) -> list[str]:
    return [row.split("·")[0].strip() for row in page.locator("#agenda-sortable .agenda-title").all_inner_texts()]


def add_item(page: Page, title: str, minutes: int, parent: str | None = None) -> None:
    form = page.locator("form:has(input[name=title])")
    form.locator("input[name=title]").fill(title)
    form.locator("input[name=duration_minutes]").fill(str(minutes))
    if parent:
        form.locator("select[name=parent]").select_option(label=parent)
    form.locator("button[type=submit]").click()
    expect(page.locator("#agenda-sortable")).to_contain_text(title)


def test_secretary_prepares_and_publishes_and_a_delegate_sees_it(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    password = daphne_server.demo["password"]
    secretary = new_context(TABLET_LANDSCAPE).new_page()
    log_in(secretary, daphne_server.demo["accounts"]["secretary"], password)

    # Create the meeting.
    secretary.goto("/meetings/new/")
    starts = datetime.datetime.now() + datetime.timedelta(days=10)
    secretary.fill("input[name=title]", TITLE)
    secretary.select_option("select[name=kind]", "regular")
    secretary.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT08:00"))
    secretary.fill("input[name=ends_at]", starts.strftime("%Y-%m-%dT11:00"))
    secretary.fill("input[name=location]", "Phòng họp số 2, UBND thành phố")
    secretary.select_option("select[name=chair]", label="Nguyễn Văn Thành – Chủ tịch UBND thành phố")
    secretary.click("form:has(input[name=location]) button[type=submit]")
    expect(secretary).to_have_url(re.compile(r"/meetings/\d+/participants/$"))
    meeting_url = re.sub(r"participants/$", "", secretary.url)

    # Invite one delegate with a vote, using the search box.
    secretary.fill("input.js-filter", "nguyet")
    secretary.get_by_label(re.compile("Lê Thị Minh Nguyệt")).check()
    secretary.click("form:has(input.js-filter) button[type=submit]")
    expect(secretary.locator("table")).to_contain_text("Lê Thị Minh Nguyệt")

    # A three-item agenda with a sub-item.
    secretary.goto(meeting_url + "agenda/")
    add_item(secretary, "Khai mạc", 5)
    add_item(secretary, "Báo cáo tình hình cải cách hành chính", 20)
    add_item(secretary, "Kết luận", 10)
    add_item(secretary, "Kết quả chỉ số PAR INDEX", 10, parent="Báo cáo tình hình cải cách hành chính")
    assert agenda_numbers(secretary) == ["1.", "2.", "2.1.", "3."]

    # The button fallback: move "Kết luận" up above item 2 (it goes with its sub-item).
    secretary.locator("#agenda-sortable li", has_text="Kết luận").locator("button[value=up]").click()
    assert agenda_titles(secretary)[:2] == ["Khai mạc", "Kết luận"]
    assert agenda_numbers(secretary) == ["1.", "2.", "3.", "3.1."]

    # Drag and drop with the pointer: "Kết luận" back to the end, below the sub-item it passes.
    handle = secretary.locator("#agenda-sortable li", has_text="Kết luận").locator(".drag-handle")
    handle.scroll_into_view_if_needed()
    target = secretary.locator("#agenda-sortable li", has_text="PAR INDEX")
    start, end = handle.bounding_box(), target.bounding_box()
    assert start and end
    secretary.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    secretary.mouse.down()
    for step in range(1, 11):
        y = start["y"] + (end["y"] + end["height"] - start["y"]) * step / 10 + 5
        secretary.mouse.move(start["x"] + start["width"] / 2, y)
    # Dropping saves the new order, then the page reloads itself to show the server's numbering.
    with (
        secretary.expect_response(lambda response: response.url.endswith("/agenda/reorder/")) as reorder,
        secretary.expect_navigation(),
    ):
        secretary.mouse.up()
    assert reorder.value.ok
    assert agenda_titles(secretary) == ["Khai mạc", "Báo cáo tình hình cải cách hành chính", "Kết quả chỉ số PAR INDEX", "Kết luận"]
    assert agenda_numbers(secretary) == ["1.", "2.", "2.1.", "3."]

    # Upload a PDF for item 2 and a text file pretending to be one.
    secretary.goto(meeting_url + "documents/upload/")
    good = write_pdf(tmp_path / "bao-cao-cchc.pdf", pages=3)
    fake = tmp_path / "gia-mao.pdf"
    fake.write_text("đây không phải PDF")
    secretary.set_input_files("input[name=files]", [str(good), str(fake)])
    secretary.select_option("select[name=agenda_item]", label="2. Báo cáo tình hình cải cách hành chính")
    secretary.click("form:has(input[name=files]) button[type=submit]")
    expect(secretary.locator(".errorlist")).to_contain_text("gia-mao.pdf")
    secretary.goto(meeting_url)
    expect(secretary.locator(".agenda")).to_contain_text("bao-cao-cchc")
    expect(secretary.locator(".agenda")).not_to_contain_text("gia-mao")

    # Publish.
    secretary.click("[data-testid=publish]")
    expect(secretary.locator(".recipient-list")).to_contain_text("daibieu01@")
    secretary.click("[data-testid=publish-confirm]")
    expect(secretary.locator(".message-success")).to_be_visible()
    expect(secretary.locator("[data-testid=publish]")).to_have_count(0)
    secretary.screenshot(path=str(tmp_path / "secretary-published.png"), full_page=True)

    # The delegate, on a tablet in portrait, sees it on their home page and opens it.
    delegate = new_context(TABLET_PORTRAIT).new_page()
    log_in(delegate, "daibieu01", password)
    expect(delegate.locator(".meeting-list", has_text=TITLE)).to_have_count(1)
    delegate.locator(".meeting-card", has_text=TITLE).click()
    expect(delegate.locator("h1")).to_have_text(TITLE)
    expect(delegate.locator(".agenda")).to_contain_text("2.1.")
    document_link = delegate.locator(".doc-link", has_text="bao-cao-cchc")
    response = delegate.request.get(document_link.get_attribute("href") or "")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    # A delegate has no preparation tools.
    expect(delegate.locator("[data-testid=publish]")).to_have_count(0)
    assert delegate.request.get(meeting_url + "agenda/").status == 403

    # Someone not invited cannot tell the meeting exists.
    outsider = new_context(TABLET_PORTRAIT).new_page()
    log_in(outsider, "daibieu02", password)
    expect(outsider.locator("body")).not_to_contain_text(TITLE)
    assert outsider.request.get(meeting_url).status == 404


def test_the_poll_form_shows_the_option_fields_only_for_named_options_and_the_time_limit_only_in_the_meeting(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    secretary = new_context(TABLET_LANDSCAPE).new_page()
    log_in(secretary, "thuky", daphne_server.demo["password"])
    secretary.goto(f"/meetings/{daphne_server.demo['meeting_id']}/polls/")

    expect(secretary.locator("#option-fields")).to_be_hidden()
    secretary.select_option(".poll-form select[name=kind]", "options")
    expect(secretary.locator("#option-fields textarea[name=options]")).to_be_visible()
    secretary.select_option(".poll-form select[name=kind]", "yes_no")
    expect(secretary.locator("#option-fields")).to_be_hidden()
    # Written opinions run until their deadline: no time limit in the meeting to give.
    expect(secretary.locator("#time-limit-field input")).to_be_visible()
    secretary.select_option(".poll-form select[name=mode]", "written")
    expect(secretary.locator("#time-limit-field")).to_be_hidden()
    secretary.select_option(".poll-form select[name=mode]", "live")
    expect(secretary.locator("#time-limit-field input")).to_be_visible()


DRAFT_WITH_A_GUEST = """
import datetime
from django.utils import timezone
from meetings.models import Body, Participant, User
from meetings.services.meetings import meeting_create
from meetings.services.participants import participants_invite
secretary = User.objects.get(username="thuky")
starts = timezone.now() + datetime.timedelta(days=2)
meeting = meeting_create(actor=secretary, body=Body.objects.first(), title="Họp thử vai trò", kind="regular",
    starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), location="Phòng họp số 3",
    chair=User.objects.get(username="chutoa"), secretary=secretary)
guest = User.objects.get(username="khach01")
participants_invite(actor=secretary, meeting=meeting, users=[guest], role=Participant.Role.GUEST, can_vote=False)
print(meeting.pk)
print(guest.display_name)
"""


def test_a_role_stepped_through_with_the_arrow_keys_is_saved_only_once_chosen(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    # A draft of its own: the demo's meeting may have been started by the other browser tests.
    meeting_id, guest = manage(daphne_server.env, "shell", "-c", DRAFT_WITH_A_GUEST).strip().splitlines()[-2:]
    secretary = new_context(TABLET_LANDSCAPE).new_page()
    log_in(secretary, "thuky", daphne_server.demo["password"])
    secretary.goto(f"/meetings/{meeting_id}/participants/")
    role = secretary.get_by_label(f"Vai trò của {guest}")
    expect(role).to_have_value("guest")

    role.focus()
    secretary.keyboard.press("ArrowUp")
    secretary.wait_for_timeout(500)
    # Still choosing: nothing was saved, the page did not reload under the keyboard.
    expect(role).to_be_focused()
    expect(secretary.locator(".message-success")).to_have_count(0)
    secretary.keyboard.press("ArrowDown")
    secretary.keyboard.press("Tab")
    secretary.wait_for_timeout(500)
    expect(secretary.locator(".message-success")).to_have_count(0)

    role.focus()
    secretary.keyboard.press("ArrowUp")
    secretary.keyboard.press("Enter")
    expect(secretary.locator(".message-success")).to_be_visible()
    role = secretary.get_by_label(f"Vai trò của {guest}")
    expect(role).to_have_value("delegate")
    role.select_option("guest")  # a choice with the mouse saves at once
    expect(secretary.get_by_label(f"Vai trò của {guest}")).to_have_value("guest")

    # Inviting as a guest: the vote box is cleared and cannot be ticked, rather than dropped on saving.
    invite = secretary.locator("#invite form:has(input.js-filter)")
    vote = invite.locator("input[name=can_vote]")
    expect(vote).to_be_checked()
    invite.locator("select[name=role]").select_option("guest")
    expect(vote).not_to_be_checked()
    expect(vote).to_be_disabled()
    invite.locator("select[name=role]").select_option("delegate")
    expect(vote).to_be_enabled()
