"""The live room in four browsers: the chair's laptop, two delegates' tablets and the projector."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.browser.conftest import (
    LAPTOP,
    PROJECTOR,
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    DaphneServer,
    bottom_before_scrolling,
    log_in,
    open_room,
    start_meeting,
)

pytestmark = pytest.mark.browser

# Options are grouped by agenda item (2.1.); the label is the title alone.
DOCUMENT = "Tờ trình triển khai hệ thống họp không giấy"
# Moves this screen's idea of when the speech began, as if `left` seconds of it remained.
# The presented page lies wholly within the projector's stage (not under its speakers' band).
PAGE_FITS_THE_STAGE = """() => {
  const page = document.querySelector('#proj-frame').getBoundingClientRect();
  const stage = document.querySelector('#proj-stage').getBoundingClientRect();
  return page.height > 0 && page.top >= stage.top - 1 && page.bottom <= stage.bottom + 1;
}"""

SECONDS_LEFT = """(left) => {
  const { store } = window.liveRoom || window.liveProjector;
  const speech = store.state.speakers.speaking;
  speech.started_at = new Date(store.now() - (speech.allotted_seconds - left) * 1000).toISOString();
}"""


def swipe(page: Page, *, ahead: bool) -> None:
    """A finger across the page, right to left to go ahead."""
    stage = page.locator("#page-stage").bounding_box()
    assert stage
    y = stage["y"] + 200
    start, end = (0.8, 0.2) if ahead else (0.2, 0.8)
    page.mouse.move(stage["x"] + stage["width"] * start, y)
    page.mouse.down()
    page.mouse.move(stage["x"] + stage["width"] * end, y, steps=5)
    page.mouse.up()


def test_the_room_follows_the_chair_and_survives_a_lost_connection(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    demo = daphne_server.demo
    password = demo["password"]
    room = f"/meetings/{demo['meeting_id']}/live/"
    chair = open_room(new_context(LAPTOP, touch=False), demo["accounts"]["chair"], password, room)
    first_context = new_context(TABLET_LANDSCAPE)
    first = open_room(first_context, "daibieu01", password, room)
    second_context = new_context(TABLET_PORTRAIT)
    second = open_room(second_context, "daibieu02", password, room)
    projector_context = new_context(PROJECTOR, touch=False)
    projector = open_room(projector_context, demo["accounts"]["secretary"], password, f"/meetings/{demo['meeting_id']}/projector/")
    for page in (chair, first, second):
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")

    # Before the meeting the projector shows it and its agenda, for people walking in.
    agenda_on_screen = projector.locator("#proj-idle .proj-agenda li")
    expect(projector.locator("#proj-idle h1")).to_have_text(re.compile("Phiên họp chuyên đề"))
    expect(agenda_on_screen.first).to_contain_text("Khai mạc, giới thiệu đại biểu")
    expect(projector.locator("#proj-idle .proj-agenda li.current")).to_have_count(0)

    # Before it, a tablet says the meeting has not begun and when it is called for (not "published").
    expect(first.locator("#meeting-state")).to_have_text("Chưa bắt đầu")
    expect(first.locator("#state-line")).to_have_text(re.compile(r"^Cuộc họp chưa bắt đầu: triệu tập lúc \d\d:\d\d ngày \d\d/\d\d\. "))

    # The chair opens the meeting; every screen shows it at once, and the projector's agenda says where the room is.
    start_meeting(chair)
    for page in (chair, first, second):
        expect(page.locator("#meeting-state")).to_have_text("Đang họp")
        expect(page.locator("#state-line")).to_be_hidden()
        expect(page.locator(".live-item.current")).to_contain_text("Khai mạc")
    expect(projector.locator("#proj-item")).to_contain_text("Khai mạc")
    expect(projector.locator("#proj-idle .proj-agenda li.current")).to_contain_text("Khai mạc")
    # Upright, the agenda is below the page: the tablet says at the top what is being discussed; on its side it does not need to.
    expect(second.locator("#now-line")).to_have_text(re.compile(r"^Đang thảo luận: 1\. Khai mạc"))
    expect(first.locator("#now-line")).to_be_hidden()
    # The roll-call is far down the side column: whoever keeps it is taken there, to the first person not yet marked.
    jump = chair.locator("#quorum .quorum-jump")
    expect(jump).to_have_text(re.compile(r"^Điểm danh: còn \d+ người chưa điểm danh"))
    expect(second.locator("#quorum")).to_be_hidden()
    jump.click()
    chair.wait_for_function("() => document.activeElement.matches('#attendance select') && document.activeElement.value === 'unknown'")

    # The chair lets the first item's presenter (the second delegate) drive the screens, then takes it back.
    expect(chair.locator("#handover")).to_contain_text("Phạm Quốc Cường")
    chair.click("#handover")
    # With nothing on the screen yet, the chair's button says at once that it takes presenting back.
    expect(chair.locator("#handover")).to_have_text("Lấy lại trình chiếu từ Phạm Quốc Cường")
    # The presenter is told, and what to do: until they present, their page turns are their own.
    expect(second.locator("#notice")).to_contain_text("Chủ tọa đã giao quyền trình chiếu cho bạn")
    expect(first.locator("#notice")).not_to_contain_text("giao quyền trình chiếu")
    second.select_option("#doc-select", label=DOCUMENT)
    second.click("#present")
    expect(first.locator("#page-image")).to_have_attribute("data-page", "1")
    expect(projector.locator("#proj-page")).to_have_attribute("data-page", "1")
    expect(first.locator("#present")).to_be_hidden()
    chair.click("#handover")
    expect(second.locator("#present")).to_be_hidden()
    expect(second.locator("#notice")).to_contain_text("Chủ tọa đã lấy lại quyền trình chiếu")
    # Taking it back, the chair drives the screen from where the presenter left it.
    expect(chair.locator("#page-image")).to_have_attribute("data-page", "1")
    expect(chair.locator("#present")).to_be_hidden()
    expect(chair.locator("#stop-present")).to_be_visible()

    # The chair turns to page 3; both tablets and the projector turn with them.
    chair.click("#next-page")
    chair.click("#next-page")
    for page in (first, second):
        expect(page.locator("#page-image")).to_have_attribute("data-page", "3")
        expect(page.locator("#page-label")).to_contain_text("3")
        expect(page.locator("#following-badge")).to_be_visible()
    expect(projector.locator("#proj-page")).to_have_attribute("data-page", "3")
    image = first.request.get(first.locator("#page-image").get_attribute("src") or "")
    assert image.status == 200 and image.headers["content-type"] == "image/webp"

    # The chair zooms in on small print: the projector shows the same part of the page, filling the
    # screen; the tablets keep the whole page. Back at 100 %, the projector shows the whole page again.
    projector_width = "() => document.getElementById('proj-page').getBoundingClientRect().width"
    frame_width = "() => document.getElementById('proj-frame').getBoundingClientRect().width"
    chair.click("#zoom-in")
    chair.click("#zoom-in")
    projector.wait_for_function(f"({projector_width})() > 1.5 * ({frame_width})()")
    # The laptop's short, wide view is shown to the projector's shape (more of the page below it), not as a strip.
    filled = "() => document.getElementById('proj-frame').offsetHeight / document.getElementById('proj-stage').clientHeight"
    assert projector.evaluate(filled) > 0.9
    assert first.evaluate("window.liveRoom.viewer.zoom") == 1
    chair.click("#zoom-out")
    chair.click("#zoom-out")
    projector.wait_for_function(f"Math.abs(({projector_width})() - ({frame_width})()) < 2")

    # The first delegate swipes ahead on their own; the chair moves on without them.
    swipe(first, ahead=True)
    expect(first.locator("#page-image")).to_have_attribute("data-page", "4")
    expect(first.locator("#follow")).to_be_visible()
    chair.click("#prev-page")
    expect(second.locator("#page-image")).to_have_attribute("data-page", "2")
    expect(projector.locator("#proj-page")).to_have_attribute("data-page", "2")
    expect(first.locator("#page-image")).to_have_attribute("data-page", "4")
    expect(first.locator("#follow")).to_have_text("Quay lại trang đang trình chiếu (trang 2)")
    # Back on the presented page by their own swipes, nothing offers to take them there.
    swipe(first, ahead=False)
    swipe(first, ahead=False)
    expect(first.locator("#page-image")).to_have_attribute("data-page", "2")
    expect(first.locator("#follow")).to_be_hidden()
    swipe(first, ahead=True)
    expect(first.locator("#follow")).to_have_text("Quay lại trang đang trình chiếu (trang 2)")
    # One tap brings them back to the presented page, and they follow again.
    first.click("#follow")
    expect(first.locator("#page-image")).to_have_attribute("data-page", "2")
    expect(first.locator("#following-badge")).to_be_visible()

    # The chair's tab reloads (tablets reload tabs they put to sleep): it goes on presenting, and
    # its next page turn still moves the room. Another screen of the chair only follows.
    chair.reload()
    expect(chair.locator("#connection")).to_have_attribute("data-state", "online")
    expect(chair.locator("#page-image")).to_have_attribute("data-page", "2")
    expect(chair.locator("#present")).to_be_hidden()
    chair.click("#next-page")
    expect(first.locator("#page-image")).to_have_attribute("data-page", "3")
    expect(projector.locator("#proj-page")).to_have_attribute("data-page", "3")
    chairs_second_screen = open_room(new_context(TABLET_LANDSCAPE), demo["accounts"]["chair"], password, room)
    expect(chairs_second_screen.locator("#page-image")).to_have_attribute("data-page", "3")
    expect(chairs_second_screen.locator("#present")).to_be_visible()
    chairs_second_screen.click("#next-page")
    expect(chairs_second_screen.locator("#page-image")).to_have_attribute("data-page", "4")
    expect(chairs_second_screen.locator("#follow")).to_be_visible()
    projector.wait_for_timeout(500)
    expect(projector.locator("#proj-page")).to_have_attribute("data-page", "3")
    chairs_second_screen.close()
    chair.click("#prev-page")
    for page in (first, second):
        expect(page.locator("#page-image")).to_have_attribute("data-page", "2")

    # The first delegate asks to speak (the button is in sight without scrolling, even on a tablet
    # held upright) and sees their place; the chair gives the floor; everyone sees who speaks.
    bottom = bottom_before_scrolling(second, "#request-speak")
    assert 0 < bottom <= TABLET_PORTRAIT["height"]
    expect(chair.locator("#request-speak")).to_be_hidden()
    first.click("#request-speak")
    expect(first.locator("#my-queue-place")).to_have_text("Bạn đang chờ phát biểu, thứ tự 1")
    expect(first.locator("#withdraw-speak")).to_be_visible()
    expect(chair.locator("#queue li")).to_have_count(1)
    expect(chair.locator("#queue")).to_contain_text("Lê Thị Minh Nguyệt")
    expect(projector.locator("#proj-queue")).to_have_text("Chờ phát biểu (1): Lê Thị Minh Nguyệt")
    # The band that names who waits takes room from the stage: the page is fitted again, its foot not cut off.
    projector.wait_for_function(PAGE_FITS_THE_STAGE)
    # Waiting, they say about what, and the chair sees it in the queue.
    topic = first.locator("#speak-topic")
    expect(second.locator("#speak-topic")).to_be_hidden()
    topic.locator("input").fill("Kinh phí cải tạo chợ phường")
    topic.locator("button").click()
    expect(chair.locator("#queue li .queue-topic")).to_have_text("về: Kinh phí cải tạo chợ phường")
    expect(first.locator("#notice")).to_have_text("Danh sách phát biểu đã ghi nội dung bạn sẽ phát biểu.")
    # Said, the form folds away (it took the page's room); their place in the queue offers to change it.
    expect(topic).to_be_hidden()
    first.locator("#queue li.mine .edit-topic").click()
    expect(topic.locator("input")).to_be_focused()
    expect(topic.locator("input")).to_have_value("Kinh phí cải tạo chợ phường")
    topic.locator("button").click()
    expect(topic).to_be_hidden()
    # They have not checked in: whoever keeps attendance sees it beside the request, and marks them.
    expect(chair.locator("#queue li .not-present")).to_have_text("chưa điểm danh")
    expect(first.locator("#queue .not-present")).to_have_count(0)
    chair.locator("#attendance select[aria-label$='Lê Thị Minh Nguyệt']").select_option("present")
    expect(chair.locator("#queue li .not-present")).to_have_count(0)
    # The chair gives the floor from where the queue already is, without scrolling past the votes and the agenda.
    bottom = bottom_before_scrolling(chair, "#queue li .give-floor")
    assert 0 < bottom <= LAPTOP["height"]
    chair.locator("#queue li .give-floor").click()
    # The one given the floor is told so in words; the others see who speaks.
    expect(first.locator("#speaker-bar")).to_contain_text("Đến lượt bạn phát biểu")
    expect(topic).to_be_hidden()
    for page in (chair, second):
        expect(page.locator("#speaker-name")).to_contain_text("Lê Thị Minh Nguyệt")
    for page in (chair, first, second):
        # The demo meeting gives each speaker five minutes.
        expect(page.locator("#speaker-timer")).to_have_text(re.compile(r"^4:5\d$"))
    expect(projector.locator("#proj-speaker")).to_contain_text("Lê Thị Minh Nguyệt")
    # What they asked to speak about goes with them to the floor.
    expect(second.locator("#speaker-topic")).to_have_text("về: Kinh phí cải tạo chợ phường")
    expect(projector.locator("#proj-speaker-topic")).to_have_text("về: Kinh phí cải tạo chợ phường")
    expect(projector.locator("#proj-queue")).to_be_empty()
    # The chair gives the speaker another minute: every timer, the projector's too, counts on from it.
    expect(first.locator("#speaker-extend")).to_be_hidden()
    chair.click("#speaker-extend")
    for page in (chair, first, second, projector):
        expect(page.locator("#speaker-timer, #proj-timer")).to_have_text(re.compile(r"^5:[1-5]\d$"))
    # In the last half-minute the timer turns amber, and red once the time is up (the clock moved on here).
    for page, timer in ((first, "#speaker-timer"), (projector, "#proj-timer")):
        page.evaluate(SECONDS_LEFT, 20)
        expect(page.locator(timer)).to_have_class(re.compile(r"\bsoon\b"))
        page.evaluate(SECONDS_LEFT, -5)
        expect(page.locator(timer)).to_have_class(re.compile(r"\bover\b"))
        expect(page.locator(timer)).not_to_have_class(re.compile(r"\bsoon\b"))

    # The second tablet loses its network: it says so, and what is done offline waits in its outbox.
    second_context.set_offline(True)
    expect(second.locator("#connection")).to_have_attribute("data-state", "offline", timeout=10_000)
    # So does the projector, to the room, without speaking of things done on it (no one operates it).
    projector_context.set_offline(True)
    expect(projector.locator("#proj-offline")).to_have_text("Mất kết nối, đang kết nối lại… Màn hình có thể chưa hiện nội dung mới nhất.")
    # A tap to speak is kept for later; the button says it is on its way and takes no second tap.
    second.click("#request-speak")
    expect(second.locator("#request-speak")).to_be_disabled()
    expect(second.locator("#request-speak")).to_have_class(re.compile(r"\bpending\b"))
    expect(second.locator("#connection")).to_contain_text("1")
    # Cut off, it cannot know the presenter's page and does not claim to.
    expect(second.locator("#following-badge")).to_have_text("Mất kết nối: người trình bày có thể đã chuyển trang")
    chair.fill("#notice-form input", "Đề nghị các đại biểu xem trang 4")
    chair.click("#notice-form button")
    expect(first.locator("#chair-notice")).to_contain_text("Đề nghị các đại biểu xem trang 4")
    chair.click("#next-page")
    chair.click("#next-page")
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.locator(".live-item", has_text="Báo cáo kết quả xây dựng").locator("button").click()
    expect(first.locator("#page-image")).to_have_attribute("data-page", "4")
    expect(second.locator("#page-image")).to_have_attribute("data-page", "2")

    # Back online, it catches up without a reload and its request to speak arrives once.
    second_context.set_offline(False)
    projector_context.set_offline(False)
    expect(second.locator("#connection")).to_have_attribute("data-state", "online", timeout=20_000)
    expect(projector.locator("#proj-offline")).to_be_hidden(timeout=20_000)
    expect(second.locator("#page-image")).to_have_attribute("data-page", "4")
    expect(second.locator("#following-badge")).to_have_text("Đang xem theo trình chiếu")
    expect(second.locator(".live-item.current")).to_contain_text("Báo cáo kết quả xây dựng")
    # The chair's notice sent meanwhile is shown on its return, and stays until closed.
    expect(second.locator("#chair-notice")).to_contain_text("Đề nghị các đại biểu xem trang 4")
    second.locator("#chair-notice button").click()
    expect(second.locator("#chair-notice")).to_be_hidden()
    # The first tablet showed it and was reloaded before anyone closed it: it is shown again, until closed.
    first.reload()
    expect(first.locator("#connection")).to_have_attribute("data-state", "online")
    expect(first.locator("#chair-notice")).to_contain_text("Đề nghị các đại biểu xem trang 4")
    first.locator("#chair-notice button").click()
    first.reload()
    expect(first.locator("#connection")).to_have_attribute("data-state", "online")
    expect(first.locator("#chair-notice")).to_be_hidden()
    expect(chair.locator("#queue li")).to_have_count(1)
    expect(chair.locator("#queue")).to_contain_text("Phạm Quốc Cường")
    second.wait_for_function("() => window.liveRoom.connection.outbox.length === 0")

    # The debate has moved on: the chair takes the second delegate's request off the queue, after
    # confirming by name, and that delegate's tablet says so and offers to ask again.
    chair.once("dialog", lambda dialog: (assert_names(dialog.message, "Phạm Quốc Cường"), dialog.accept()))
    chair.locator("#queue li", has_text="Phạm Quốc Cường").locator(".dismiss-request").click()
    expect(chair.locator("#queue li")).to_have_count(0)
    expect(second.locator("#notice")).to_contain_text("Chủ tọa đã rút lượt đăng ký phát biểu của bạn")
    expect(second.locator("#request-speak")).to_be_visible()
    expect(first.locator("#notice")).not_to_contain_text("Chủ tọa đã rút")

    # The chair invites someone who did not ask; whoever sent word they cannot come is not offered.
    expect(first.locator("#floor-to")).to_be_hidden()
    expect(chair.locator("#floor-to option", has_text="Trịnh Minh Khoa")).to_have_count(0)
    expect(chair.locator("#floor-to option", has_text="Nguyễn Văn Thành")).to_have_count(0)
    chair.select_option("#floor-to select", label="Võ Hoàng Nam – Trưởng phòng Văn hóa và Thông tin")
    # Lê Thị Minh Nguyệt still has the floor: the chair confirms cutting her off, with both names.
    chair.once("dialog", lambda dialog: (assert_names(dialog.message, "Lê Thị Minh Nguyệt"), dialog.accept()))
    chair.click("#floor-to button")
    for page in (chair, first, second):
        expect(page.locator("#speaker-name")).to_contain_text("Võ Hoàng Nam")
    expect(projector.locator("#proj-speaker")).to_contain_text("Võ Hoàng Nam")
    expect(chair.locator("#floor-to option", has_text="Võ Hoàng Nam")).to_have_count(0)

    # The chair shortens the turns to come; every tablet says how long a turn is.
    expect(first.locator("#speaking-time")).to_have_text("Mỗi lượt phát biểu tối đa 5 phút.")
    chair.select_option("#speaking-time select", "3")
    for page in (first, second):
        expect(page.locator("#speaking-time")).to_have_text("Mỗi lượt phát biểu tối đa 3 phút.")

    # Rules of procedure limit how often one speaks on an item: the chair sees who would speak again.
    # The first delegate spoke during the opening, not on this item; then she speaks on it and asks again.
    first.click("#request-speak")
    expect(chair.locator("#queue li")).to_have_count(1)
    expect(chair.locator("#queue .speaks-again")).to_have_count(0)
    # Võ Hoàng Nam is still speaking: the chair is asked before cutting him off; said no to, he goes on.
    chair.once("dialog", lambda dialog: (assert_names(dialog.message, "Võ Hoàng Nam"), dialog.dismiss()))
    chair.locator("#queue li .give-floor").click()
    expect(chair.locator("#speaker-name")).to_contain_text("Võ Hoàng Nam")
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.locator("#queue li .give-floor").click()
    expect(first.locator("#speaker-end")).to_be_visible()
    expect(first.locator("#speaker-timer")).to_have_text(re.compile(r"^2:5\d$"))
    expect(chair.locator("#speaking-time select")).to_have_value("3")
    expect(first.locator("#notice")).to_contain_text("Đến lượt bạn phát biểu")
    first.click("#speaker-end")
    expect(first.locator("#speaker-bar")).to_be_hidden()
    # "Your turn" goes with the turn, not 20 seconds later.
    expect(first.locator("#notice")).to_be_hidden()
    first.click("#request-speak")
    expect(chair.locator("#queue .speaks-again")).to_have_text("lần 2 về nội dung này")
    # The mark is for the item under discussion: it goes when the chair moves on, and comes back with it.
    # By keyboard: the agenda drawn again keeps the focus in the list, on the nearest item left to choose.
    # A tap on a row moves every screen, so it asks first: said no to, nothing moves.
    asked: list[str] = []
    chair.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    chair.locator(".live-item", has_text="Triển khai hệ thống họp không giấy").locator("button").click()
    assert "Triển khai hệ thống họp không giấy" in asked[0]
    expect(first.locator(".live-item.current")).not_to_contain_text("Triển khai hệ thống họp không giấy")
    chair.locator(".live-item", has_text="Triển khai hệ thống họp không giấy").locator("button").focus()
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.keyboard.press("Enter")
    expect(chair.locator(".live-item.current")).to_contain_text("Triển khai hệ thống họp không giấy")
    assert chair.evaluate("document.activeElement.matches('#agenda button.agenda-row')")
    expect(chair.locator("#queue .speaks-again")).to_have_count(0)
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.locator(".live-item", has_text="Báo cáo kết quả xây dựng").locator("button").click()
    expect(chair.locator("#queue .speaks-again")).to_have_count(1)

    # A notice reaches every screen, the projector included.
    chair.fill("#notice-form input", "Nghỉ giải lao 10 phút")
    chair.click("#notice-form button")
    for page in (first, second):
        expect(page.locator("#chair-notice")).to_contain_text("Nghỉ giải lao 10 phút")
        expect(page.locator("#chair-notice")).to_contain_text("Nguyễn Văn Thành")
    expect(projector.locator("#proj-notice")).to_contain_text("Nghỉ giải lao 10 phút")
    # Above the stage, not over it: what is shown there (a page, a vote's result) stays in sight.
    assert projector.evaluate(
        "() => document.querySelector('#proj-notice').getBoundingClientRect().bottom"
        " <= document.querySelector('#proj-stage').getBoundingClientRect().top"
    )
    # The chair who sent it is told it went, and nothing is pinned over his own controls.
    expect(chair.locator("#notice")).to_contain_text("Đã gửi")
    expect(chair.locator("#chair-notice")).to_be_hidden()

    # A confidential document is for the tablets of those allowed to read it, never the room's screen;
    # the chair is told so. The break's notice stays on the projector until the meeting moves on.
    chair.select_option("#doc-select", label="Dự thảo Kế hoạch xây dựng cơ sở dữ liệu GIS dùng chung (mật)")
    expect(chair.locator("#notice")).to_contain_text("màn chiếu không hiển thị")
    expect(projector.locator(".proj-confidential")).to_contain_text("tài liệu mật")
    expect(projector.locator("#proj-frame")).to_be_hidden()
    expect(projector.locator("#proj-notice")).to_be_hidden()

    # Ending cannot be undone: the chair confirms, and a vote still open stops it.
    messages: list[str] = []
    chair.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    chair.click("[data-command='meeting.end']")
    expect(chair.locator("#meeting-state")).to_have_text("Đang họp")
    assert "không thể mở lại" in messages[0]
    # It says first what ending leaves undone for good.
    assert "Các nội dung chưa được đưa ra thảo luận: " in messages[0]
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.click("[data-command='meeting.end']")
    for page in (chair, first, second):
        expect(page.locator("#meeting-state")).to_have_text("Đã kết thúc")
        expect(page.locator("#state-line")).to_contain_text("Cuộc họp đã kết thúc lúc ")
        expect(page.locator("#following-badge")).to_be_hidden()
    # The chair is led on to the minutes; a delegate has nothing to do there yet.
    expect(chair.locator("#state-line a")).to_have_attribute("href", f"/meetings/{demo['meeting_id']}/minutes/")
    expect(first.locator("#state-line a")).to_have_count(0)
    # The break's notice, left open on the tablets, no longer applies: it goes, and is not shown again on a reload.
    expect(first.locator("#chair-notice")).to_be_hidden()
    first.reload()
    expect(first.locator("#connection")).to_have_attribute("data-state", "online")
    expect(first.locator("#chair-notice")).to_be_hidden()
    expect(first.locator("#speaking-time")).to_be_hidden()


def assert_names(message: str, name: str) -> None:
    assert name in message, message


def test_a_room_left_open_over_an_upgrade_loads_the_new_code(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    demo = daphne_server.demo
    room = f"/meetings/{demo['meeting_id']}/live/"
    context = new_context(TABLET_LANDSCAPE)
    page = context.new_page()
    log_in(page, "daibieu03", demo["password"])
    # The page as a server handed it out before an upgrade: its scripts belong to another build.
    loads: list[str] = []
    stale_loads = {"left": 1}

    def before_the_upgrade(route: Route) -> None:
        response = route.fetch()
        loads.append(route.request.url)
        body = response.text()
        if stale_loads["left"] > 0:
            stale_loads["left"] -= 1
            body = re.sub(r'"build": "\w+"', '"build": "last-week"', body)
        route.fulfill(response=response, body=body)

    def wait_for_loads(count: int, seconds: float) -> None:
        for _ in range(int(seconds * 10)):
            if len(loads) >= count:
                break
            page.wait_for_timeout(100)
        assert len(loads) == count

    page.route(f"**{room}", before_the_upgrade)
    page.goto(room)
    # Its first snapshot names the server's build: within a few seconds the page loads itself again,
    # and then, on the server's code, stays.
    wait_for_loads(2, seconds=10)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.wait_for_timeout(6000)
    assert len(loads) == 2

    # A page that keeps coming back on the old code (a process not yet restarted) tries a few times, not forever.
    stale_loads["left"] = 100
    page.evaluate("() => sessionStorage.clear()")
    page.reload()
    wait_for_loads(2 + 1 + 3, seconds=25)
    page.wait_for_timeout(6000)
    assert len(loads) == 2 + 1 + 3
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
