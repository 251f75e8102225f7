"""Reading and marking up documents on tablets: the presenter's pen live, private and shared notes, search, downloads."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect
from pypdf import PdfReader

from tests.browser.conftest import (
    LAPTOP,
    PROJECTOR,
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    DaphneServer,
    log_in,
    meeting_with_a_document,
    open_room,
    start_meeting,
)
from tests.servers import manage

pytestmark = pytest.mark.browser

DOCUMENT = "Tờ trình triển khai hệ thống họp không giấy"

# The demo's document, five pages: this module neither depends on nor changes what the other browser
# tests do with the demo meeting.
NEW_MEETING = meeting_with_a_document(
    title="Phiên họp đọc tài liệu",
    location="Phòng họp số 4",
    delegates=["daibieu03", "daibieu04", "daibieu05", "daibieu06", "daibieu07"],
    item="Đề án họp không giấy",
    document=DOCUMENT,
    pages=5,
)


# Two touch pointers on the page, moving apart, as a pinch (Playwright has no multi-touch gesture).
PINCH_OUT = """() => {
  const layer = document.getElementById("ink-layer");
  const box = layer.getBoundingClientRect();
  const at = (id, type, dx) => layer.dispatchEvent(new PointerEvent(type, {
    pointerId: id, pointerType: "touch", isPrimary: id === 11, bubbles: true, cancelable: true,
    clientX: box.left + box.width / 2 + dx, clientY: box.top + 80 }));
  at(11, "pointerdown", -40); at(12, "pointerdown", 40);
  for (const step of [60, 90, 120]) { at(11, "pointermove", -step); at(12, "pointermove", step); }
  at(11, "pointerup", -120); at(12, "pointerup", 120);
}"""


@pytest.fixture(scope="module")
def meeting_id(daphne_server: DaphneServer) -> int:
    return int(manage(daphne_server.env, "shell", "-c", NEW_MEETING).strip().splitlines()[-1])


def draw(page: Page, start: tuple[float, float], end: tuple[float, float], *, steps: int = 12, pause_ms: int = 0) -> None:
    """A stroke from `start` to `end`, in fractions of the page, with a little zigzag like a hand."""
    # A person draws on the page they see: on a busy server the page's image may still be on its way.
    page.wait_for_function(
        "() => { const image = document.getElementById('page-image'); return image.complete && image.naturalWidth > 0; }"
    )
    # The page is taller than a tablet's screen: bring its top into view, and draw there.
    page.evaluate("document.getElementById('page-stage').scrollIntoView({block: 'start'})")
    box = page.locator("#ink-layer").bounding_box()
    assert box is not None
    x = lambda fraction: box["x"] + box["width"] * fraction  # noqa: E731
    y = lambda fraction: box["y"] + box["height"] * fraction  # noqa: E731
    page.mouse.move(x(start[0]), y(start[1]))
    page.mouse.down()
    for step in range(1, steps + 1):
        share = step / steps
        wobble = 0.01 if step % 2 else -0.01
        page.mouse.move(x(start[0] + (end[0] - start[0]) * share), y(start[1] + (end[1] - start[1]) * share + wobble))
        if pause_ms:
            page.wait_for_timeout(pause_ms)


def reading_the_document(context: BrowserContext, username: str, password: str, room: str) -> Page:
    """A tablet in the room, connected, with the meeting's document open on page 1."""
    page = open_room(context, username, password, room)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.select_option("#doc-select", label=DOCUMENT)
    return page


def reading_the_document_on(page: Page, username: str, password: str, room: str) -> Page:
    """As `reading_the_document`, on a page already made (its network routed by the test)."""
    log_in(page, username, password)
    page.goto(room)
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.select_option("#doc-select", label=DOCUMENT)
    expect(page.locator("#page-image")).to_have_attribute("data-page", "1")
    return page


def write_note(page: Page, text: str, *, at: tuple[float, float]) -> None:
    """A shared text note at `at` (fractions of the page), written with the note tool."""
    page.click("[data-tool=note]")
    page.check("#share-new")
    page.evaluate("document.getElementById('page-stage').scrollIntoView({block: 'start'})")
    box = page.locator("#ink-layer").bounding_box()
    page.mouse.click(box["x"] + box["width"] * at[0], box["y"] + box["height"] * at[1])
    page.fill(".note-editor textarea", text)
    page.click(".note-editor .button.primary")


def test_the_presenters_pen_is_seen_live_while_a_delegate_marks_up_page_two_privately(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext], meeting_id: int
) -> None:
    demo = daphne_server.demo
    password = demo["password"]
    room = f"/meetings/{meeting_id}/live/"
    chair = open_room(new_context(LAPTOP, touch=False), demo["accounts"]["chair"], password, room)
    drawer = open_room(new_context(TABLET_LANDSCAPE), "daibieu03", password, room)
    follower = open_room(new_context(TABLET_PORTRAIT), "daibieu04", password, room)
    projector = open_room(
        new_context(PROJECTOR, touch=False), demo["accounts"]["secretary"], password, f"/meetings/{meeting_id}/projector/"
    )
    for page in (chair, drawer, follower):
        expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    start_meeting(chair)
    expect(chair.locator("#meeting-state")).to_have_text("Đang họp")

    # The chair presents page 2; the follower's tablet and the projector turn to it.
    chair.select_option("#doc-select", label=DOCUMENT)
    chair.click("#next-page")
    chair.click("#present")
    expect(follower.locator("#page-image")).to_have_attribute("data-page", "2")
    expect(projector.locator("#proj-page")).to_have_attribute("data-page", "2")

    # The delegate reads the same page on their own and marks it up privately with the pen.
    drawer.select_option("#doc-select", label=DOCUMENT)
    drawer.click("#next-page")
    expect(drawer.locator("#page-image")).to_have_attribute("data-page", "2")
    drawer.click("[data-tool=ink]")
    draw(drawer, (0.15, 0.2), (0.6, 0.22))
    drawer.mouse.up()
    expect(drawer.locator("#ink-layer .annotation.mine")).to_have_count(1)

    # Meanwhile the chair draws with the pen: while the stroke is still being drawn the follower sees it.
    chair.click("[data-tool=ink]")
    draw(chair, (0.2, 0.12), (0.7, 0.15), steps=20, pause_ms=25)
    expect(follower.locator("#ink-layer .live-stroke")).to_have_count(1)
    expect(projector.locator("#proj-ink .live-stroke")).to_have_count(1)
    points_while_drawing = len(follower.locator("#ink-layer .live-stroke").get_attribute("points").split())
    assert points_while_drawing >= 2
    chair.mouse.up()

    # The finished stroke is stored once and shown as the chair's shared annotation; the live preview goes.
    expect(follower.locator("#ink-layer .annotation.theirs.shared")).to_have_count(1)
    expect(follower.locator("#ink-layer .live-stroke")).to_have_count(0)
    expect(projector.locator("#proj-ink .annotation")).to_have_count(1)
    # The delegate's private stroke reached nobody else.
    expect(follower.locator("#ink-layer .annotation")).to_have_count(1)
    expect(drawer.locator("#ink-layer .annotation")).to_have_count(2)  # their own, and the chair's shared one

    # Undo takes the private stroke away, redo brings it back; a reload keeps it.
    drawer.click("#undo")
    expect(drawer.locator("#ink-layer .annotation.mine")).to_have_count(0)
    drawer.click("#redo")
    expect(drawer.locator("#ink-layer .annotation.mine")).to_have_count(1)
    expect(drawer.locator("#connection .label")).not_to_contain_text("(")  # nothing left waiting to be sent
    drawer.reload()
    drawer.select_option("#doc-select", label=DOCUMENT)
    drawer.click("#next-page")
    expect(drawer.locator("#ink-layer .annotation.mine")).to_have_count(1)

    # Their annotated copy carries it as a real PDF annotation on page 2.
    drawer.click("#downloads summary")
    href = drawer.locator("#download-mine").get_attribute("href")
    response = drawer.request.get(href)
    assert response.ok
    reader = PdfReader(io.BytesIO(response.body()))
    annotations = [[a.get_object()["/Subtype"] for a in page.get("/Annots", [])] for page in reader.pages]
    assert annotations[1] == ["/Ink"]
    assert all(not kinds for index, kinds in enumerate(annotations) if index != 1)

    # With the hand, a tap on the stroke says who sees it; sharing it is a choice made in words, not the tap.
    drawer.click("#downloads summary")
    drawer.click("[data-tool=hand]")
    drawer.evaluate("document.getElementById('page-stage').scrollIntoView({block: 'start'})")
    box = drawer.locator("#ink-layer").bounding_box()
    drawer.mouse.click(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.2)
    panel = drawer.locator(".note-reader")
    expect(panel).to_contain_text("chỉ bạn xem")
    expect(follower.locator("#ink-layer .annotation")).to_have_count(1)
    panel.locator("button", has_text="Chia sẻ với mọi người").click()
    expect(follower.locator("#ink-layer .annotation.theirs.shared")).to_have_count(2)
    expect(drawer.locator("#ink-layer .annotation.mine.shared")).to_have_count(1)


def test_a_note_drawn_offline_is_sent_when_the_network_returns(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext], meeting_id: int
) -> None:
    demo = daphne_server.demo
    room = f"/meetings/{meeting_id}/live/"
    context = new_context(TABLET_PORTRAIT)
    tablet = reading_the_document(context, "daibieu05", demo["password"], room)
    other = reading_the_document(new_context(TABLET_LANDSCAPE), "daibieu06", demo["password"], room)

    context.set_offline(True)
    expect(tablet.locator("#connection")).not_to_have_attribute("data-state", "online")
    write_note(tablet, "Đề nghị làm rõ nguồn kinh phí", at=(0.3, 0.15))
    expect(tablet.locator("#ink-layer .annotation.mine")).to_have_count(1)
    expect(tablet.locator("#connection .label")).to_contain_text("(1")

    context.set_offline(False)
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "online", timeout=20_000)
    # The shared note reaches the other tablet, with its Vietnamese text intact.
    expect(other.locator("#ink-layer .annotation.theirs.shared")).to_have_count(1)
    expect(other.locator("#ink-layer .note-text")).to_have_text("Đề nghị làm rõ nguồn kinh phí")


def test_searching_without_accents_jumps_to_the_page(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext], meeting_id: int
) -> None:
    demo = daphne_server.demo
    tablet = open_room(new_context(TABLET_LANDSCAPE), "daibieu07", demo["password"], f"/meetings/{meeting_id}/live/")
    expect(tablet.locator("#connection")).to_have_attribute("data-state", "online")
    tablet.select_option("#doc-select", label=DOCUMENT)
    tablet.click("#toggle-search")
    tablet.fill("#search-form input[name=q]", "ton tai han che")
    tablet.press("#search-form input[name=q]", "Enter")
    hit = tablet.locator(".search-hit").first
    expect(hit).to_contain_text("tồn tại, hạn chế")
    expect(hit.locator("mark")).to_have_text(re.compile("tồn tại, hạn chế", re.IGNORECASE))
    page = hit.locator("strong").inner_text().split()[-1]  # "Trang 3"
    hit.click()
    expect(tablet.locator("#page-image")).to_have_attribute("data-page", page)

    tablet.click("#toggle-thumbs")
    expect(tablet.locator(".thumb")).to_have_count(5)
    tablet.locator(".thumb").nth(3).click()
    expect(tablet.locator("#page-image")).to_have_attribute("data-page", "4")

    # Zoomed in, the page is fetched at double width so the text stays sharp; a double tap zooms back out.
    for _ in range(3):
        tablet.click("#zoom-in")
    expect(tablet.locator("#zoom-label")).to_have_text("338%")
    expect(tablet.locator("#page-image")).to_have_attribute("src", re.compile(r"/pages/4/2560\.webp$"))
    stage = tablet.locator("#page-stage").bounding_box()
    assert stage is not None
    tablet.mouse.dblclick(stage["x"] + stage["width"] / 2, stage["y"] + 100)
    expect(tablet.locator("#zoom-label")).to_have_text("100%")

    # With the pen in hand, two fingers moving apart zoom in and draw nothing.
    tablet.click("[data-tool=ink]")
    tablet.evaluate(PINCH_OUT)
    expect(tablet.locator("#zoom-label")).not_to_have_text("100%")
    expect(tablet.locator("#ink-layer .annotation")).to_have_count(0)


def test_the_chair_takes_a_shared_note_off_the_screens_and_its_author_keeps_it(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext], meeting_id: int
) -> None:
    password = daphne_server.demo["password"]
    room = f"/meetings/{meeting_id}/live/"
    author = reading_the_document(new_context(TABLET_LANDSCAPE), "daibieu03", password, room)
    reader = reading_the_document(new_context(TABLET_PORTRAIT), "daibieu04", password, room)
    chair = reading_the_document(new_context(TABLET_LANDSCAPE), daphne_server.demo["accounts"]["chair"], password, room)
    text = "Ghi chú không phù hợp để chiếu chung"
    write_note(author, text, at=(0.55, 0.08))
    note = f".annotation:has(.note-text:text-is('{text}'))"
    expect(reader.locator(f"#ink-layer {note}")).to_have_count(1)

    # With the hand (the tool a screen opens with), the chair taps it and confirms.
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.locator(f"#ink-layer {note} .note-text").click()
    expect(chair.locator("#notice")).to_contain_text("Đã ẩn ghi chú khỏi màn hình của mọi người")
    for page in (reader, chair):
        expect(page.locator(f"#ink-layer {note}")).to_have_count(0)
    # Its author still has it, private now, and is told why it cannot be shared again.
    mine = author.locator(f"#ink-layer {note}")
    expect(mine).to_have_class("annotation mine")
    author.click("[data-tool=hand]")
    mine.locator(".note-text").click()
    expect(author.locator(".note-reader")).to_contain_text("Chủ tọa đã ẩn ghi chú này")
    expect(author.locator(".note-reader button", has_text="Chia sẻ")).to_have_count(0)
    expect(mine).to_have_class("annotation mine")


def test_a_note_longer_than_its_box_opens_in_full_with_the_hand(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext], meeting_id: int
) -> None:
    password = daphne_server.demo["password"]
    room = f"/meetings/{meeting_id}/live/"
    author = reading_the_document(new_context(TABLET_LANDSCAPE), "daibieu05", password, room)
    reader = reading_the_document(new_context(TABLET_PORTRAIT), "daibieu07", password, room)
    ending = "đề nghị bổ sung vào dự toán năm sau."
    text = "Về kinh phí triển khai: " + "các phường cần rà soát lại thiết bị hiện có trước khi mua sắm mới; " * 14 + ending
    write_note(author, text, at=(0.1, 0.3))

    # On the other tablet the box shows its start, fading out; a tap with the hand opens all of it.
    note = reader.locator("#ink-layer .annotation.theirs.shared.clipped")
    expect(note).to_have_count(1)
    note.locator(".note-text").click()
    opened = reader.locator(".note-reader")
    # A delegate may only read it: no sharing choice for someone else's note, no taking it down.
    expect(opened.locator("button")).to_have_count(1)
    # Closing it at once is not the second tap of a double tap on the page (which would zoom).
    opened.locator("button").click()
    expect(opened).to_have_count(0)
    expect(reader.locator("#zoom-label")).to_have_text("100%")
    note.locator(".note-text").click()
    expect(opened.locator(".note-full")).to_have_text(text)
    opened.locator("button").click()

    # Its author gets the same reading, with the choice to make it private again.
    author.click("[data-tool=hand]")
    author.locator("#ink-layer .annotation.mine.clipped .note-text").click()
    author.locator(".note-reader button", has_text="Chỉ mình tôi xem").click()
    expect(reader.locator("#ink-layer .note-text", has_text=ending)).to_have_count(0)


def _finger_drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    """A real touch (not a mouse): the browser decides, from touch-action, whether the drag is its scroll."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": start[0], "y": start[1]}]})
    for step in range(1, 9):
        x = start[0] + (end[0] - start[0]) * step / 8
        y = start[1] + (end[1] - start[1]) * step / 8
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_finger_swipes_pages_and_scrolls_the_screen_on_a_tablet_held_upright(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context(TABLET_PORTRAIT).new_page()
    log_in(page, "daibieu01", daphne_server.demo["password"])
    page.goto(f"/meetings/{daphne_server.demo['meeting_id']}/live/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")
    page.select_option("#doc-select", index=1)
    expect(page.locator("#page-image")).to_have_attribute("data-page", "1")
    stage = page.locator("#page-stage").bounding_box()
    assert stage
    y = stage["y"] + 150

    _finger_drag(page, (stage["x"] + stage["width"] * 0.8, y), (stage["x"] + stage["width"] * 0.2, y))
    expect(page.locator("#page-image")).to_have_attribute("data-page", "2")

    # Upright, the page is longer than the screen: an upward swipe on it scrolls the screen to its foot.
    _finger_drag(page, (stage["x"] + stage["width"] / 2, y + 300), (stage["x"] + stage["width"] / 2, y))
    page.wait_for_function("scrollY > 100")
    expect(page.locator("#page-image")).to_have_attribute("data-page", "2")


def test_a_page_slow_to_arrive_says_so_instead_of_showing_the_previous_one(
    daphne_server: DaphneServer, new_context: Callable[..., BrowserContext], meeting_id: int
) -> None:
    page = new_context(TABLET_PORTRAIT).new_page()
    held: list[Route] = []
    # Hotel wifi: the images of pages 4 and 5 do not come until released.
    page.route(re.compile(r"/pages/[45]/\d+\.webp"), lambda route: held.append(route))
    reading = reading_the_document_on(page, "daibieu05", daphne_server.demo["password"], f"/meetings/{meeting_id}/live/")
    for number in ("2", "3"):
        reading.click("#next-page")
        expect(reading.locator("#page-image")).to_have_attribute("data-page", number)
        expect(reading.locator("#page-frame")).not_to_have_attribute("data-loading", re.compile(".*"))

    reading.click("#next-page")

    expect(reading.locator("#page-frame")).to_have_attribute("data-loading", "Đang tải trang…")
    expect(reading.locator("#page-image")).to_be_hidden()
    for route in held:
        route.continue_()
    page.unroute(re.compile(r"/pages/[45]/\d+\.webp"))
    expect(reading.locator("#page-image")).to_be_visible()
    expect(reading.locator("#page-frame")).not_to_have_attribute("data-loading", re.compile(".*"))
    expect(reading.locator("#page-label")).to_have_text("Trang 4 / 5")
