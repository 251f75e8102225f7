"""The compiled minutes as a PDF: what it says (Decree 30/2020/NĐ-CP layout, attendance, notes, votes),
how it is laid out (A4, margins, page numbers, embedded fonts), and how it is put together
(bookmarks, appendices, metadata)."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from meetings.models import AgendaItem, AuditEvent, Meeting, Participant, User
from meetings.services.live import agenda_set_current, meeting_end, meeting_recess, meeting_resume, meeting_start
from meetings.templatetags.paperwork import official_date
from minutes.document import WORDS, _absence_reason, _item_view, attendance_sheet_html, minutes_html
from minutes.models import DEFAULT_RECIPIENTS, MinutesVersion
from minutes.selectors import ItemFacts, SpeechFact, minutes_facts
from minutes.services import workflow
from tests.minutes.conftest import (
    DOCUMENT_TITLE,
    FILLER,
    GENERAL_NOTES,
    ITEM_CONCLUSIONS,
    ITEM_NOTES,
    OPEN_QUESTION,
    SECRET_QUESTION,
    Held,
    version_bytes,
)
from voting.models import Poll

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
A4 = (595.28, 841.89)
TITLE = "Họp chuyên đề chuyển đổi số"
MARKUP = 'Đại biểu gõ <b>x</b> và <script>alert("x")</script> vào ghi chép.'
# Typed on a keyboard that sends combining marks: stored, and printed, composed.
DECOMPOSED = unicodedata.normalize("NFD", "Ủy ban nhân dân phường Thắng Tam đề nghị bổ sung kinh phí năm 2027.")
EXTRA_NOTES = "\n".join([*(f"Ý kiến thứ {n}: {FILLER}" for n in range(1, 13)), MARKUP, DECOMPOSED])


@dataclass(frozen=True)
class Compiled:
    pdf: bytes
    page_count: int
    signature_boxes: dict[str, list[float]]
    ended: str  # the end of the meeting as the closing sentence prints it


# One compile serves every test of this module: rendering takes seconds, the assertions milliseconds.
_COMPILED: dict[str, Compiled] = {}


@pytest.fixture
def extra_notes() -> str:
    return EXTRA_NOTES


def _compile(held: Held, secretary: User, *, language: str) -> MinutesVersion:
    workflow.minutes_settings_update(
        actor=secretary,
        meeting=held.meeting,
        number="",
        recipients=DEFAULT_RECIPIENTS,
        language=language,
        appendix_document_ids=[held.document.pk],
    )
    return workflow.minutes_compile(actor=secretary, meeting=held.meeting)


@pytest.fixture
def compiled(request: pytest.FixtureRequest) -> Compiled:
    if "vi" not in _COMPILED:
        held: Held = request.getfixturevalue("held")
        version = _compile(held, request.getfixturevalue("secretary"), language="vi")
        ended = timezone.localtime(held.meeting.ended_at)
        _COMPILED["vi"] = Compiled(
            pdf=version_bytes(version),
            page_count=version.page_count,
            signature_boxes=version.signature_boxes,
            ended=f"{ended:%H} giờ {ended:%M}, {official_date(ended)}",
        )
    return _COMPILED["vi"]


# --- reading the PDF -------------------------------------------------------------------------


def bookmarks(pdf: bytes) -> list[tuple[int, str, int | None]]:
    """(level, title, page index) of every bookmark, in document order."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [
            (item.level, item.get_title(), item.get_dest().get_index() if item.get_dest() is not None else None)
            for item in document.get_toc()
        ]
    finally:
        document.close()


def minutes_pages(pdf: bytes) -> int:
    """How many pages the minutes themselves take: the appendices start at the "Phụ lục" bookmark."""
    return next(page for level, title, page in bookmarks(pdf) if level == 0 and title in ("Phụ lục", "Appendices"))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Line breaks and runs of spaces made single spaces: a sentence reads the same wherever it wraps."""
    return " ".join(text.split())


def minutes_text(pdf: bytes) -> str:
    return flat("\n".join(page_texts(pdf)[: minutes_pages(pdf)]))


def between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin + len(start))]


def ink_box(pdf: bytes, index: int) -> tuple[float, float, float, float, float, float]:
    """Page width and height, and the leftmost, rightmost, lowest and highest ink of its text."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        textpage = page.get_textpage()
        boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars()) if not textpage.get_text_range(index=i, count=1).isspace()]
        width, height = page.get_size()
        return (
            width,
            height,
            min(b[0] for b in boxes),
            max(b[2] for b in boxes),
            min(b[1] for b in boxes),
            max(b[3] for b in boxes),
        )
    finally:
        document.close()


def top_margin_text(pdf: bytes, index: int) -> str:
    """The text printed in the top 20 mm of a page."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        width, height = page.get_size()
        return page.get_textpage().get_text_bounded(left=0, bottom=height - 20 * MM, right=width, top=height).strip()
    finally:
        document.close()


def fonts_of(resources: DictionaryObject | None) -> list[DictionaryObject]:
    """Every font a page uses, including those of the form XObjects it draws."""
    if resources is None:
        return []
    resources = resources.get_object()
    fonts = [font.get_object() for font in (resources.get("/Font") or {}).values()]
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            fonts += fonts_of(xobject.get("/Resources"))
    return fonts


def descriptor_of(font: DictionaryObject) -> DictionaryObject:
    if "/DescendantFonts" in font:
        return font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    return font["/FontDescriptor"].get_object()


# --- what the minutes say --------------------------------------------------------------------


def test_it_opens_with_the_national_header_the_body_and_the_number(compiled: Compiled) -> None:
    first_page = page_texts(compiled.pdf)[0]
    lines = [line.strip() for line in first_page.splitlines()]

    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert "Độc lập - Tự do - Hạnh phúc" in lines
    assert "UBND THÀNH PHỐ VŨNG TÀU" in lines
    assert "Số: …/BB-UBND" in lines
    assert "Vũng Tàu, ngày" in flat(first_page)
    # The name of the document, then what it is about.
    assert lines.index("BIÊN BẢN") + 1 == lines.index(TITLE)
    assert lines.index("Số: …/BB-UBND") < lines.index("BIÊN BẢN")


def test_it_lists_everyone_in_their_attendance_group(compiled: Compiled) -> None:
    text = minutes_text(compiled.pdf)

    assert "Chủ tọa: Nguyễn Văn Hùng (Chủ tịch UBND)." in text
    assert "Thư ký: Trần Thị Thu (Chuyên viên Văn phòng)." in text
    # Of everyone summoned but guests; those who came late are among them, and said so apart.
    present = between(text, "Có mặt (5/6 người được triệu tập):", "Trong đó đến muộn:")
    for name in ("Nguyễn Văn Hùng", "Trần Thị Thu", "Lê Minh Tuấn", "Đỗ Thị Phụ", "Lê Thị Ba"):
        assert name in present
    assert "Phạm Thị Lan" not in present
    # The time follows as the reason does for an absence, not in a second pair of brackets after the position's.
    assert re.match(r"Trong đó đến muộn: Lê Thị Ba, đến lúc \d\d:\d\d\. $", between(text, "Trong đó đến muộn:", "Vắng có lý do:"))
    assert between(text, "Vắng có lý do:", "Vắng không có lý do:") == "Vắng có lý do: Phạm Thị Lan (Trưởng phòng). "
    assert between(text, "Vắng không có lý do:", "Khách mời:") == "Vắng không có lý do: không. "
    assert "Khách mời: Võ Thanh Bình (Phóng viên)." in text
    # The quorum as the attendance was finally recorded: members with a vote only.
    assert "Số thành viên có quyền biểu quyết có mặt: 3/4, đủ điều kiện tiến hành cuộc họp (cần ít nhất 3)." in text


def test_it_keeps_the_notes_and_conclusions_with_their_diacritics(compiled: Compiled) -> None:
    text = minutes_text(compiled.pdf)

    for typed in (GENERAL_NOTES, ITEM_NOTES, ITEM_CONCLUSIONS, f"Ý kiến thứ 12: {FILLER}"):
        assert flat(typed) in text
    assert unicodedata.normalize("NFC", DECOMPOSED) in text
    assert DECOMPOSED not in text
    # Under their item, in the order of the meeting.
    item = between(text, "2. Thảo luận Đề án chuyển đổi số giai đoạn 2026–2030", "Cuộc họp kết thúc vào")
    assert item.index("Trình bày: Lê Minh Tuấn.") < item.index(ITEM_NOTES) < item.index("Kết luận:") < item.index(ITEM_CONCLUSIONS)
    assert "Ý kiến phát biểu: Lê Minh Tuấn (Giám đốc Sở), lúc" in item


def test_it_prints_each_vote_with_decimal_commas_and_its_outcome(compiled: Compiled) -> None:
    text = minutes_text(compiled.pdf)
    open_vote = between(text, OPEN_QUESTION, SECRET_QUESTION)
    secret_vote = between(text, SECRET_QUESTION, "Kết luận:")

    assert "(biểu quyết công khai; tỷ lệ thông qua: quá nửa tổng số phiếu biểu quyết)" in open_vote
    assert "Đồng ý 2 66,67 %" in open_vote
    assert "Không đồng ý 1 33,33 %" in open_vote
    assert "Không biểu quyết 0 0,00 %" in open_vote
    assert "Tổng số phiếu: 3; số phiếu cần đạt: 2 trên 3. Kết quả: THÔNG QUA." in open_vote
    assert "(bỏ phiếu kín; tỷ lệ thông qua:" in secret_vote
    assert "Đồng ý 1 33,33 %" in secret_vote
    assert "Không đồng ý 2 66,67 %" in secret_vote
    assert "Kết quả: KHÔNG THÔNG QUA." in secret_vote


def test_an_open_vote_names_the_voters_and_a_secret_one_does_not(compiled: Compiled) -> None:
    text = minutes_text(compiled.pdf)
    open_vote = between(text, OPEN_QUESTION, SECRET_QUESTION)
    secret_vote = between(text, SECRET_QUESTION, "Kết luận:")

    # By given name, as Vietnamese lists order people: Ba, Hùng, Tuấn.
    assert "Biểu quyết công khai: Lê Thị Ba: Không đồng ý; Nguyễn Văn Hùng: Đồng ý; Lê Minh Tuấn: Đồng ý." in open_vote
    assert "Biểu quyết công khai:" not in secret_vote
    for name in ("Lê Minh Tuấn", "Lê Thị Ba", "Nguyễn Văn Hùng"):
        assert name not in secret_vote
    assert text.count("Biểu quyết công khai:") == 1


def test_an_open_vote_counts_and_names_those_present_who_did_not_take_part(held: Held) -> None:
    open_vote = held.polls[0]
    absent_from_vote = {"participant_id": 0, "name": "Phạm Thị Lan", "position": "", "weight": 1, "proxy_name": "Lê Minh Tuấn"}
    Poll.objects.filter(pk=open_vote.pk).update(result={**open_vote.result, "not_voted_weight": 1, "not_voted": [absent_from_vote]})

    text = minutes_html(facts=minutes_facts(meeting=held.meeting))

    assert "Tổng số phiếu: 3; không tham gia biểu quyết: 1; số phiếu cần đạt" in text
    assert "Lê Minh Tuấn: Đồng ý; Phạm Thị Lan (ủy quyền cho Lê Minh Tuấn): không tham gia biểu quyết." in text


def test_it_closes_with_the_end_time_the_signatures_and_the_recipients(compiled: Compiled) -> None:
    text = minutes_text(compiled.pdf)
    closing = text[text.index("Cuộc họp kết thúc vào") :]

    assert closing.startswith(f"Cuộc họp kết thúc vào {compiled.ended}./.")
    assert closing.index("THƯ KÝ") < closing.index("Trần Thị Thu") < closing.index("CHỦ TỌA") < closing.index("Nguyễn Văn Hùng")
    assert closing.index("Nơi nhận:") > closing.index("CHỦ TỌA")
    # The page's own number, printed in its top margin, is extracted last.
    assert re.sub(r" \d+$", "", closing).endswith("Nơi nhận: - Thành phần dự họp; - Lưu: VT, VP.")


def test_it_prints_what_people_typed_as_text_not_markup(compiled: Compiled) -> None:
    text = minutes_text(compiled.pdf)

    assert flat(MARKUP) in text


# --- how it is laid out ----------------------------------------------------------------------


def test_every_page_of_the_minutes_is_a4_portrait(compiled: Compiled) -> None:
    reader = PdfReader(io.BytesIO(compiled.pdf))

    for page in reader.pages[: minutes_pages(compiled.pdf)]:
        assert float(page.mediabox.width) == pytest.approx(A4[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4[1], abs=1)


def test_the_text_keeps_within_the_margins_of_the_decree(compiled: Compiled) -> None:
    width, height, left, right, bottom, top = ink_box(compiled.pdf, 0)

    assert (width, height) == (pytest.approx(A4[0], abs=1), pytest.approx(A4[1], abs=1))
    assert left >= 30 * MM - 1 * MM
    assert left <= 30 * MM + 2 * MM  # the text does start at the margin, not somewhere inside
    assert width - right >= 15 * MM - 1 * MM
    assert height - top >= 20 * MM - 1 * MM
    assert bottom >= 20 * MM - 1 * MM
    for index in range(1, minutes_pages(compiled.pdf)):
        width, height, left, right, bottom, _top = ink_box(compiled.pdf, index)
        assert left >= 30 * MM - 1 * MM
        assert width - right >= 15 * MM - 1 * MM
        assert bottom >= 20 * MM - 1 * MM


def test_pages_are_numbered_at_the_top_from_the_second_page(compiled: Compiled) -> None:
    pages = minutes_pages(compiled.pdf)

    assert pages >= 2
    assert top_margin_text(compiled.pdf, 0) == ""
    for index in range(1, pages):
        assert top_margin_text(compiled.pdf, index) == str(index + 1)


def test_its_fonts_are_embedded_liberation_serif(compiled: Compiled) -> None:
    reader = PdfReader(io.BytesIO(compiled.pdf))

    for page in reader.pages[: minutes_pages(compiled.pdf)]:
        fonts = fonts_of(page.get("/Resources"))
        assert fonts
        for font in fonts:
            descriptor = descriptor_of(font)
            embedded = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
            assert embedded is not None, font
            # A subset ("ABCDEF+…") of the shipped Liberation Serif, metric-compatible with Times New Roman.
            assert re.fullmatch(r"/[A-Z]{6}\+.+", str(font["/BaseFont"])), font["/BaseFont"]
            program = TTFont(io.BytesIO(embedded.get_object().get_data()))
            assert program["name"].getDebugName(6).startswith("LiberationSerif"), program["name"].getDebugName(6)


def test_the_signatures_go_into_the_spaces_under_the_titles_on_the_last_page(compiled: Compiled) -> None:
    last = minutes_pages(compiled.pdf) - 1
    secretary, chair = compiled.signature_boxes["secretary"], compiled.signature_boxes["chair"]

    assert secretary[0] == chair[0] == last
    for _page, x1, y1, x2, y2 in (secretary, chair):
        assert 30 * MM <= x1 < x2 <= A4[0] - 15 * MM
        assert 20 * MM <= y1 < y2 <= A4[1] - 20 * MM
    # The secretary on the left, the chair on the right, side by side.
    assert secretary[3] <= chair[1]
    assert secretary[2] == pytest.approx(chair[2]) and secretary[4] == pytest.approx(chair[4])


# --- how it is put together ------------------------------------------------------------------


def test_bookmarks_lead_to_the_minutes_then_to_each_appendix(compiled: Compiled) -> None:
    marks = bookmarks(compiled.pdf)
    top = [(title, page) for level, title, page in marks if level == 0]
    pages = minutes_pages(compiled.pdf)
    appendix_at = marks.index((0, "Phụ lục", pages))
    children = []
    for level, title, page in marks[appendix_at + 1 :]:
        if level == 0:
            break
        children.append((level, title, page))

    assert top[:2] == [(f"Biên bản: {TITLE}", 0), ("Phụ lục", pages)]
    assert children == [
        (1, "Phụ lục I: Danh sách thành phần tham dự", pages),
        (1, f"Phụ lục II: Biểu quyết: {OPEN_QUESTION}", pages + 1),
        (1, f"Phụ lục III: Biểu quyết: {SECRET_QUESTION}", pages + 2),
        (1, f"Phụ lục IV: {DOCUMENT_TITLE}", pages + 3),
    ]
    # The body names them as the bookmarks do.
    text = minutes_text(compiled.pdf)
    for _level, title, _page in children:
        assert f"- {title}" in text
    assert text.index("- Phụ lục IV") < text.index("Cuộc họp kết thúc")


def test_the_only_top_level_bookmarks_are_the_minutes_and_the_appendices(compiled: Compiled) -> None:
    top = [title for level, title, _page in bookmarks(compiled.pdf) if level == 0]

    assert top == [f"Biên bản: {TITLE}", "Phụ lục"]


def outline_destinations(pdf: bytes) -> list[tuple[str, object]]:
    """(title, first element of the destination) of every bookmark, read from the raw outline tree."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[str, object]] = []

    def walk(node: DictionaryObject | None) -> None:
        while node is not None:
            node = node.get_object()
            destination = node.get("/Dest")
            if destination is None and "/A" in node:
                destination = node["/A"].get_object().get("/D")
            found.append((str(node["/Title"]), destination[0] if destination is not None else None))
            walk(node.get("/First"))
            node = node.get("/Next")

    walk(reader.trailer["/Root"]["/Outlines"].get_object().get("/First"))
    return found


def test_every_bookmark_points_at_a_page_object(compiled: Compiled) -> None:
    destinations = outline_destinations(compiled.pdf)

    assert destinations
    for title, page in destinations:
        assert isinstance(page, IndirectObject), (title, page)
        assert page.get_object()["/Type"] == "/Page", title


def test_the_appendices_follow_the_minutes_page_by_page(compiled: Compiled) -> None:
    texts = [flat(text) for text in page_texts(compiled.pdf)]
    pages = minutes_pages(compiled.pdf)

    # The minutes, one attendance sheet, one sheet per closed vote, then the ticked document: its head, its two pages.
    assert len(texts) == compiled.page_count == pages + 1 + 2 + 1 + 2
    assert texts[pages].startswith("PHỤ LỤC I (Kèm theo Biên bản số ")
    assert "DANH SÁCH THÀNH PHẦN THAM DỰ" in texts[pages]
    assert "Phạm Thị Lan Trưởng phòng Đại biểu Vắng có lý do" in texts[pages]
    assert "KẾT QUẢ BIỂU QUYẾT" in texts[pages + 1]
    assert texts[pages + 1].startswith("PHỤ LỤC II (Kèm theo Biên bản số ")
    assert f"Nội dung biểu quyết: {OPEN_QUESTION}" in texts[pages + 1]
    assert texts[pages + 2].startswith("PHỤ LỤC III (Kèm theo Biên bản số ")
    assert f"Nội dung biểu quyết: {SECRET_QUESTION}" in texts[pages + 2]
    # The document's own first page has no room for the appendix's head: a sheet before it says what follows.
    assert texts[pages + 3].startswith("PHỤ LỤC IV (Kèm theo Biên bản số ")
    assert texts[pages + 3].endswith(f") {DOCUMENT_TITLE} {TITLE} Tài liệu gồm 2 trang, đóng kèm ngay sau trang này.")
    assert texts[pages + 4 :] == ["", ""]


def test_a_vote_bound_into_the_minutes_is_signed_by_the_minutes_not_a_block_of_its_own(compiled: Compiled) -> None:
    texts = [flat(text) for text in page_texts(compiled.pdf)]
    pages = minutes_pages(compiled.pdf)

    # Unsigned "THƯ KÝ / CHỦ TỌA" boxes on an appendix would read as an unsigned record; nor does it repeat the national motto.
    for sheet in texts[pages + 1 : pages + 3]:
        assert "THƯ KÝ" not in sheet.upper()
        assert "CHỦ TỌA" not in sheet.upper()
        assert "Độc lập - Tự do - Hạnh phúc" not in sheet


def test_it_carries_the_title_the_author_and_the_dates(compiled: Compiled) -> None:
    metadata = PdfReader(io.BytesIO(compiled.pdf)).metadata

    assert metadata["/Title"] == f"Biên bản: {TITLE}"
    assert metadata["/Author"] == "UBND thành phố Vũng Tàu"
    assert metadata["/Subject"] == TITLE
    assert re.fullmatch(r"D:\d{14}\+07'00'", metadata["/CreationDate"]), metadata["/CreationDate"]
    assert metadata.creation_date is not None
    assert abs((timezone.now() - metadata.creation_date).total_seconds()) < 600


# --- the English layout ----------------------------------------------------------------------


def test_the_english_layout_speaks_english(held: Held, secretary: User) -> None:
    version = _compile(held, secretary, language="en")
    pdf = version_bytes(version)
    text = minutes_text(pdf)

    assert "SOCIALIST REPUBLIC OF VIET NAM" in text
    assert "Independence - Freedom - Happiness" in text
    assert "MINUTES" in text
    assert "BIÊN BẢN" not in text
    assert "Absent with leave: Phạm Thị Lan (Trưởng phòng)." in text
    assert "Ballots cast: 3; votes needed: 2 of 3. Outcome: PASSED." in text
    assert "Đồng ý 2 66.67 %" in text  # the choices print as the vote showed them; the share with a decimal point
    assert "Outcome: NOT PASSED." in text
    assert "The meeting ended at" in text
    assert "CHAIR" in text
    assert "Distribution:" in text
    assert [title for level, title, _page in bookmarks(pdf) if level == 0][:2] == [f"Minutes: {TITLE}", "Appendices"]


def test_someone_whose_attendance_was_never_recorded_is_not_called_absent_without_leave(held: Held, secretary: User) -> None:
    Participant.objects.filter(meeting=held.meeting, user=held.excused).update(attendance=Participant.Attendance.UNKNOWN)

    text = minutes_text(version_bytes(_compile(held, secretary, language="vi")))

    assert f"Chưa điểm danh: {held.excused.display_name}" in text
    assert held.excused.display_name not in between(text, "Vắng không có lý do", "Chưa điểm danh")


def test_the_reason_someone_gave_for_their_absence_is_in_the_minutes_and_the_attendance_sheet(held: Held, secretary: User) -> None:
    reason = "đi công tác tại Hà Nội"
    Participant.objects.filter(meeting=held.meeting, user=held.excused).update(
        absence_reason="Đi công tác tại Hà Nội.", absence_notified_at=timezone.now()
    )

    pdf = version_bytes(_compile(held, secretary, language="vi"))

    excused = f"{held.excused.display_name} ({held.excused.position})"
    assert f"Vắng có lý do: {excused}, lý do: {reason}." in minutes_text(pdf)
    appendix = flat("\n".join(page_texts(pdf)[minutes_pages(pdf) :]))
    assert f"Vắng có lý do: {reason}" in appendix


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Đi công tác tại Hà Nội.", "đi công tác tại Hà Nội"),
        ("Ốm", "ốm"),
        ("UBND tỉnh triệu tập họp", "UBND tỉnh triệu tập họp"),
        ("Hà Nội: dự hội nghị của Bộ", "Hà Nội: dự hội nghị của Bộ"),
        ("Bộ Tài chính triệu tập", "Bộ Tài chính triệu tập"),
        ("Nguyễn Văn A nhờ dự thay", "Nguyễn Văn A nhờ dự thay"),
        (" . ", ""),
    ],
)
def test_a_reason_for_absence_continues_the_sentence_without_lowering_a_name(typed: str, printed: str) -> None:
    assert _absence_reason(Participant(absence_reason=typed)) == printed


def test_a_vote_between_options_says_which_one_won(held: Held, secretary: User) -> None:
    # A vote between named options, as stored when it closed: the second option reached the majority.
    poll = held.polls[0]
    rows = [
        {**poll.result["choices"][0], "label": "Phường 1", "meaning": "option", "reached": False},
        {**poll.result["choices"][1], "label": "Phường Thắng Tam", "meaning": "option", "reached": True},
    ]
    Poll.objects.filter(pk=poll.pk).update(kind=Poll.Kind.OPTIONS, result={**poll.result, "choices": rows, "passed": True})

    text = minutes_text(version_bytes(_compile(held, secretary, language="vi")))

    assert "Kết quả: THÔNG QUA: Phường Thắng Tam." in " ".join(text.split())


def test_written_opinions_are_told_as_such_with_who_did_not_answer(held: Held) -> None:
    poll = held.polls[0]  # the open vote, as if its opinions had been asked in writing and too few answered
    not_voted = [{"participant_id": 0, "name": "Đinh Văn Im", "position": "", "weight": 1, "proxy_name": None}]
    result = {**poll.result, "no_quorum": True, "passed": False, "not_voted": not_voted, "not_voted_weight": 1}
    Poll.objects.filter(pk=poll.pk).update(mode=Poll.Mode.WRITTEN, result=result)

    text = " ".join(re.sub(r"<[^>]+>", " ", minutes_html(facts=minutes_facts(meeting=held.meeting))).split())

    assert f"Lấy ý kiến bằng văn bản: {poll.question}" in text
    assert "không trả lời: 1" in text and "Đinh Văn Im: không trả lời" in text
    assert "KHÔNG THÔNG QUA (không đủ số thành viên trả lời)" in text


def test_an_item_the_meeting_never_reached_says_so_instead_of_who_presents_it(held: Held, secretary: User) -> None:
    opening, debated = held.items
    AgendaItem.objects.filter(pk=opening.pk).update(done=False, used_seconds=0, presenter=held.assistant)

    text = " ".join(minutes_text(version_bytes(_compile(held, secretary, language="vi"))).split())

    never_reached = between(text, f"1. {opening.title}", f"2. {debated.title}")
    assert "Nội dung này không được xem xét tại cuộc họp." in never_reached
    assert "Trình bày" not in never_reached
    assert "không được xem xét" not in text.split(f"2. {debated.title}")[1]


def test_a_break_is_told_under_the_item_it_was_called_in(council: Meeting, minutes_items: list[AgendaItem], chair: User) -> None:
    opening, debated = minutes_items
    meeting = meeting_start(actor=chair, meeting=council)
    agenda_set_current(actor=chair, meeting=meeting, item_id=debated.pk)
    meeting_recess(actor=chair, meeting=meeting, minutes=15)
    meeting_resume(actor=chair, meeting=meeting)
    meeting_recess(actor=chair, meeting=meeting, minutes=10)
    meeting_end(actor=chair, meeting=meeting)  # during the second break: it ends with the meeting
    half_past_nine = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    log = AuditEvent.objects.filter(meeting=meeting, action__in=["meeting.recess", "meeting.resume", "meeting.end"]).order_by("id")
    for event, minutes_later in zip(log, [0, 15, 80, 90], strict=True):
        AuditEvent.objects.filter(pk=event.pk).update(created_at=half_past_nine + datetime.timedelta(minutes=minutes_later))

    text = " ".join(re.sub(r"<[^>]+>", " ", minutes_html(facts=minutes_facts(meeting=meeting))).split())

    assert "giải lao" not in between(text, f"1. {opening.title}", f"2. {debated.title}")
    told = text.split(f"2. {debated.title}")[1]
    assert "Cuộc họp nghỉ giải lao từ 09 giờ 30 đến 09 giờ 45 (15 phút)." in told
    assert "Cuộc họp nghỉ giải lao từ 10 giờ 50 đến 11 giờ 00 (10 phút)." in told


@pytest.mark.parametrize(("seconds", "printed"), [(3, "3 giây"), (120, "2 phút"), (125, "2 phút 5 giây"), (0, "0 giây")])
def test_a_speech_is_timed_in_the_words_a_person_would_use(seconds: int, printed: str) -> None:
    speech = SpeechFact(name="Lê Thị Minh Nguyệt", position="", started_at=None, seconds=seconds)
    item = ItemFacts(item_id=1, number="1", title="Khai mạc", presenter="", used_seconds=0, speeches=[speech])

    (line,) = _item_view(item, "vi")["speeches"]

    assert line.endswith(f", thời lượng {printed}")


def test_the_attendance_sheet_begins_with_the_chair_and_lists_a_guest_who_did_not_come(held: Held, chair: User, secretary: User) -> None:
    guest = Participant.objects.filter(meeting=held.meeting, role=Participant.Role.GUEST).select_related("user").first()
    assert guest is not None
    Participant.objects.filter(pk=guest.pk).update(attendance=Participant.Attendance.ABSENT)

    sheet = attendance_sheet_html(facts=minutes_facts(meeting=held.meeting))

    names = [person.user.display_name for person in held.meeting.participants.select_related("user")]
    order = sorted(names, key=sheet.index)
    secretaries = {p.user.display_name for p in held.meeting.participants.filter(role=Participant.Role.SECRETARY).select_related("user")}
    assert order[0] == chair.display_name
    assert set(order[1 : 1 + len(secretaries)]) == secretaries
    assert secretary.display_name in secretaries
    assert order[-1] == guest.user.display_name


def test_the_secretarys_closing_words_end_the_text_after_the_end_time(held: Held, secretary: User) -> None:
    closing = "Biên bản đã được đọc lại cho các đại biểu dự họp cùng nghe và nhất trí thông qua."
    workflow.minutes_settings_update(
        actor=secretary,
        meeting=held.meeting,
        number="15/BB-UBND",
        recipients=DEFAULT_RECIPIENTS,
        language="vi",
        appendix_document_ids=[],
        closing=closing,
    )

    text = " ".join(minutes_text(version_bytes(workflow.minutes_compile(actor=secretary, meeting=held.meeting))).split())

    ended = text.index("Cuộc họp kết thúc vào")
    assert text.index(closing.removesuffix(".") + "./.") > ended
    assert text.count("./.") == 1


@pytest.mark.parametrize(
    ("closed", "said"),
    [
        (True, "Kết quả biểu quyết đã bị hủy, lý do: Nhầm số liệu."),
        (False, "Cuộc biểu quyết đã bị hủy trước khi kết thúc, lý do: Nhầm số liệu."),
    ],
)
def test_the_minutes_tell_an_annulled_result_from_a_vote_called_off(closed: bool, said: str) -> None:
    poll = Poll(
        question="Thông qua Đề án",
        state=Poll.State.ANNULLED,
        annulled_reason="Nhầm số liệu.",
        closed_at=timezone.now() if closed else None,
    )

    html = render_to_string("minutes/_poll.html", {"poll": poll, "w": WORDS["vi"]})

    assert said in " ".join(html.split())


def test_the_minutes_call_the_vote_that_repeats_an_annulled_one_a_vote_again() -> None:
    annulled = Poll(pk=7, question="Thông qua Đề án", state=Poll.State.ANNULLED, annulled_reason="Nhầm số liệu.")
    again = Poll(question="Thông qua Đề án", state=Poll.State.DRAFT, repeat_of=annulled)

    first = " ".join(render_to_string("minutes/_poll.html", {"poll": annulled, "w": WORDS["vi"]}).split())
    second = " ".join(render_to_string("minutes/_poll.html", {"poll": again, "w": WORDS["vi"]}).split())

    assert '<span class="label">Biểu quyết:</span> Thông qua Đề án' in first
    assert '<span class="label">Biểu quyết lại:</span> Thông qua Đề án' in second


def test_a_speech_says_what_the_speaker_asked_to_speak_about() -> None:
    speech = SpeechFact(name="Lê Thị Minh Nguyệt", position="Ủy viên", started_at=None, seconds=65, topic="Hạ tầng mạng tại các phường")
    item = ItemFacts(item_id=1, number="1", title="Khai mạc", presenter="", used_seconds=0, speeches=[speech])

    (line,) = _item_view(item, "vi")["speeches"]

    assert line.startswith("Lê Thị Minh Nguyệt (Ủy viên) về “Hạ tầng mạng tại các phường”, lúc")
    assert line.endswith(", thời lượng 1 phút 5 giây")


def test_a_speech_the_secretary_wrote_up_in_the_notes_is_not_listed_again() -> None:
    written = SpeechFact(name="Lê Thị Minh Nguyệt", position="Ủy viên", started_at=None, seconds=65, topic="Hạ tầng mạng")
    unwritten = SpeechFact(name="Võ Hoàng Nam", position="", started_at=None, seconds=40)
    notes = "Các đại biểu thảo luận.\n- Lê Thị Minh Nguyệt, Ủy viên, phát biểu về “Hạ tầng mạng”: đề nghị bổ sung kinh phí."
    item = ItemFacts(item_id=1, number="1", title="Thảo luận", presenter="", used_seconds=0, notes=notes, speeches=[written, unwritten])

    (line,) = _item_view(item, "vi")["speeches"]

    assert line.startswith("Võ Hoàng Nam, lúc")
    # Speaking a second time, written up once: the other turn is still listed.
    again = SpeechFact(name="Lê Thị Minh Nguyệt", position="Ủy viên", started_at=None, seconds=30, continued=True)
    item.speeches = [written, again]
    (line,) = _item_view(item, "vi")["speeches"]
    assert line.startswith("Lê Thị Minh Nguyệt (Ủy viên), lúc") and line.endswith("thời lượng 30 giây (tiếp sau giải lao)")
