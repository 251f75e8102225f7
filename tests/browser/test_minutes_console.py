"""The minutes written in the room: the secretary types, the chair reads along, a reload or a lost
network loses nothing, and the chair's conclusion reaches the projector and every tablet."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.utils import translation
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LAPTOP, PROJECTOR, TABLET_LANDSCAPE, DaphneServer, meeting_script, open_page, start_meeting
from tests.servers import manage

pytestmark = pytest.mark.browser

NOTES = "Đồng chí Giám đốc Sở Thông tin và Truyền thông trình bày tóm tắt Đề án; các đại biểu thống nhất."
OFFLINE_NOTES = " Bổ sung khi mất mạng: đề nghị làm rõ nguồn kinh phí năm 2027."
CONCLUSION = "Thống nhất thông qua Đề án; giao Sở hoàn thiện trước ngày 15/7."
GENERAL_CONCLUSION = "Các đơn vị khẩn trương triển khai các nội dung đã thống nhất.\nVăn phòng theo dõi, báo cáo trước ngày 30/12."

NEW_MEETING = meeting_script(
    title="Phiên họp ghi biên bản",
    location="Phòng họp số 3",
    delegates=["daibieu01", "daibieu02"],
    then="""
    import json
    agenda_item_create(actor=secretary, meeting=meeting, title="Thảo luận Đề án chuyển đổi số", duration_minutes=20)
    agenda_item_create(actor=secretary, meeting=meeting, title="Các vấn đề khác", duration_minutes=10)
    meeting_publish(actor=secretary, meeting=meeting)
    print(json.dumps({"id": meeting.pk, "secretary": secretary.display_name}))
    """,
)


def saved_by(name: str) -> str:
    """The start of the status the secretary's console shows once a text is saved, in Vietnamese."""
    with translation.override("vi"):
        template = translation.gettext("Saved (%(name)s, %(time)s)")
    return template.split("%(name)s")[0] + name


def outbox_size(page: Page) -> int:
    return page.evaluate("() => window.liveRoom.connection.outbox.length")


def test_the_secretary_writes_the_minutes_and_the_chair_announces_a_conclusion(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    created = json.loads(manage(daphne_server.env, "shell", "-c", NEW_MEETING).strip().splitlines()[-1])
    password = daphne_server.demo["password"]
    room = f"/meetings/{created['id']}/live/"
    secretary_context = new_context(LAPTOP, touch=False)
    secretary = open_page(secretary_context, "thuky", password, room)
    chair = open_page(new_context(LAPTOP, touch=False), "chutoa", password, room)
    tablet = open_page(new_context(TABLET_LANDSCAPE), "daibieu01", password, room)
    projector = open_page(new_context(PROJECTOR, touch=False), "thuky", password, f"/meetings/{created['id']}/projector/")
    for page in (secretary, chair, tablet):
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")

    # The writers see the minutes card; a delegate's tablet does not.
    expect(secretary.locator("#minutes-card")).to_be_visible()
    expect(chair.locator("#minutes-card")).to_be_visible()
    expect(tablet.locator("#minutes-card")).to_be_hidden()

    # The chair starts the meeting; the consoles follow to its first item.
    start_meeting(chair)
    for page in (secretary, chair):
        expect(page.locator("#meeting-state")).to_have_text("Đang họp")
        expect(page.locator("#minutes-item option:checked")).to_have_text("1. Thảo luận Đề án chuyển đổi số")

    # The secretary types; the console saves it and says so.
    notes = secretary.locator("#minutes-notes")
    notes.click()
    notes.press_sequentially(NOTES[:20])
    notes.press_sequentially(NOTES[20:])
    expect(secretary.locator("#minutes-status")).to_contain_text(saved_by(created["secretary"]), timeout=10_000)

    # The chair reads along without a reload, and cannot type in the notes.
    expect(chair.locator("#minutes-notes")).to_have_value(NOTES)
    expect(chair.locator("#minutes-notes")).not_to_be_editable()
    expect(tablet.locator("#minutes-card")).to_be_hidden()

    # A reload of the secretary's console loses nothing.
    secretary.reload()
    expect(secretary.locator("#connection")).to_have_attribute("data-state", "online")
    expect(secretary.locator("#minutes-notes")).to_have_value(NOTES)
    expect(secretary.locator("#minutes-status")).to_contain_text(saved_by(created["secretary"]))

    # The network drops while the secretary goes on typing: the edit waits in the outbox.
    secretary_context.set_offline(True)
    expect(secretary.locator("#connection")).to_have_attribute("data-state", "offline", timeout=15_000)
    notes = secretary.locator("#minutes-notes")
    notes.click()
    notes.press("End")
    notes.press_sequentially(OFFLINE_NOTES)
    notes.blur()
    secretary.wait_for_function("() => window.liveRoom.connection.outbox.length > 0")
    expect(chair.locator("#minutes-notes")).to_have_value(NOTES)

    # Back online, the edit is sent and reaches the chair.
    secretary_context.set_offline(False)
    expect(secretary.locator("#connection")).to_have_attribute("data-state", "online", timeout=20_000)
    expect(chair.locator("#minutes-notes")).to_have_value(NOTES + OFFLINE_NOTES, timeout=15_000)
    secretary.wait_for_function("() => window.liveRoom.connection.outbox.length === 0")
    expect(secretary.locator("#minutes-notes")).to_have_value(NOTES + OFFLINE_NOTES)
    expect(secretary.locator("#minutes-replaced")).to_be_hidden()

    # A delegate takes the floor: the secretary writes down who speaks with one tap, in the middle of
    # typing (no half-sentence save that would later look like someone else's change), and goes on.
    tablet.click("#request-speak")
    tablet.locator("#speak-topic input").fill("Kinh phí")
    tablet.locator("#speak-topic button").click()
    expect(chair.locator("#queue li .queue-topic")).to_have_text("về: Kinh phí")
    chair.locator("#queue li .give-floor").click()
    speaker = secretary.locator("#minutes-speaker")
    expect(speaker).to_have_text("+ Ghi ý kiến: Lê Thị Minh Nguyệt")
    expect(chair.locator("#minutes-speaker")).to_be_hidden()
    expect(tablet.locator("#minutes-speaker")).to_be_hidden()
    notes = secretary.locator("#minutes-notes")
    notes.click()
    notes.press("Control+End")
    notes.press_sequentially(" Hết.")
    speaker.click()
    secretary.keyboard.type("đề nghị bổ sung kinh phí.")
    said = " Hết.\n- Lê Thị Minh Nguyệt, Phó Chủ tịch UBND thành phố, phát biểu về “Kinh phí”: đề nghị bổ sung kinh phí."
    expect(chair.locator("#minutes-notes")).to_have_value(NOTES + OFFLINE_NOTES + said, timeout=15_000)
    secretary.keyboard.type(" Thống nhất.")
    expect(chair.locator("#minutes-notes")).to_have_value(NOTES + OFFLINE_NOTES + said + " Thống nhất.", timeout=15_000)
    expect(secretary.locator("#minutes-replaced")).to_be_hidden()
    # The speech over, and the console reloaded, the button still offers who spoke last.
    chair.click("#speaker-end")
    secretary.reload()
    expect(secretary.locator("#connection")).to_have_attribute("data-state", "online")
    expect(speaker).to_have_text("+ Ghi ý kiến: Lê Thị Minh Nguyệt")
    # Not in the notes of another item, where she did not speak.
    secretary.select_option("#minutes-item", label="2. Các vấn đề khác")
    expect(speaker).to_be_hidden()
    secretary.select_option("#minutes-item", label="1. Thảo luận Đề án chuyển đổi số")
    expect(speaker).to_be_visible()

    # The item's time counts on beside the notes, as on the agenda.
    expect(secretary.locator("#minutes-time-used")).to_contain_text("Thời gian đã dùng:")
    expect(secretary.locator("#minutes-time-used")).not_to_contain_text(" 0:00 ")

    # The chair states the item's conclusion: the projector and the tablets show it, and it goes into the minutes.
    expect(chair.locator("#minutes-conclude")).to_be_visible()
    expect(secretary.locator("#minutes-conclude")).to_be_hidden()
    # The secretary writes a conclusion while the chair drafts theirs: the chair reads it before announcing over it.
    chair.locator("#minutes-conclusions").fill("Bản nháp của chủ tọa.")
    expect(chair.locator("#minutes-status")).to_have_text("Bản nháp của bạn: được ghi vào biên bản khi bạn thông báo kết luận.")
    secretary.locator("#minutes-conclusions").fill("Giao Sở tổng hợp ý kiến.")
    expect(secretary.locator("#minutes-status")).to_contain_text(saved_by(created["secretary"]), timeout=15_000)
    asked: list[str] = []
    chair.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    chair.click("#minutes-conclude")
    expect(chair.locator("#minutes-conclusions")).to_have_value("Giao Sở tổng hợp ý kiến.")
    expect(chair.locator("#minutes-replaced textarea")).to_have_value("Bản nháp của chủ tọa.")
    assert "Giao Sở tổng hợp ý kiến." in asked[0]
    chair.locator("#minutes-conclusions").fill(CONCLUSION)
    chair.click("#minutes-conclude")
    expect(projector.locator("#proj-notice")).to_contain_text(CONCLUSION)
    expect(tablet.locator("#notice")).to_contain_text(CONCLUSION)
    expect(secretary.locator("#minutes-conclusions")).to_have_value(CONCLUSION)
    assert outbox_size(chair) == 0
    # It stays under its item on the tablets, for whoever missed the notice or opens the room afterwards.
    concluded = tablet.locator('#agenda .live-item[data-status="current"] details.agenda-conclusion')
    expect(concluded).to_contain_text("Kết luận")
    concluded.locator("summary").click()
    expect(concluded).to_contain_text(CONCLUSION)
    tablet.reload()
    expect(tablet.locator('#agenda .live-item[data-status="current"] details.agenda-conclusion')).to_be_attached()

    # Before closing, the chair reads out the meeting's conclusion: with "the meeting as a whole" chosen,
    # the button says so; it stays on the projector while read, and on every tablet under the agenda.
    chair.select_option("#minutes-item", index=0)
    expect(chair.locator("#minutes-conclude")).to_have_text("Thông báo kết luận cuộc họp")
    chair.locator("#minutes-conclusions").fill(GENERAL_CONCLUSION)
    chair.click("#minutes-conclude")
    expect(projector.locator("#proj-notice")).to_contain_text(f"Kết luận chung của chủ tọa: {GENERAL_CONCLUSION}")
    expect(tablet.locator("#notice")).to_contain_text("Chủ tọa đã thông báo kết luận cuộc họp")
    general = tablet.locator("#general-conclusion details")
    expect(general).to_have_attribute("open", "")
    expect(general).to_contain_text(GENERAL_CONCLUSION)
    secretary.select_option("#minutes-item", index=0)
    expect(secretary.locator("#minutes-conclusions")).to_have_value(GENERAL_CONCLUSION)
    # The item's conclusion is where it was.
    expect(tablet.locator('#agenda .live-item[data-status="current"] details.agenda-conclusion')).to_be_attached()
