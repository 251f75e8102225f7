"""A meeting that has been held and ended, with everything the minutes put together: attendance in
every group, the secretary's notes and conclusions, speakers, an open vote and a secret one, and
a document that can be appended."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from meetings.models import AgendaItem, Document, Meeting, Participant, User
from meetings.services.agenda import agenda_item_create
from meetings.services.documents import document_upload
from meetings.services.live import agenda_set_current, attendance_mark, meeting_end, meeting_start
from meetings.services.participants import participants_invite
from meetings.services.speakers import speaker_request, speaker_start
from minutes.demo_pki import DEMO_PASSPHRASE, DEMO_PKI_DIR
from minutes.models import MinutesVersion
from minutes.services.entries import minutes_entry_update
from tests.conftest import make_user
from tests.realtime.conftest import _fresh_layer_and_hub, _quick_presence, connect  # noqa: F401
from tests.voting.conftest import council, member  # noqa: F401
from tests.voting.helpers import close, vote
from voting.models import Poll
from voting.services.ballots import poll_open
from voting.services.polls import poll_create

PASSPHRASE = DEMO_PASSPHRASE.decode()
GENERAL_NOTES = "Đồng chí Chủ tịch phát biểu khai mạc, nêu mục đích, yêu cầu của cuộc họp."
ITEM_NOTES = "Sở Thông tin và Truyền thông trình bày tóm tắt Đề án; các đại biểu thống nhất về sự cần thiết ban hành."
ITEM_CONCLUSIONS = "Giao Sở Thông tin và Truyền thông tiếp thu ý kiến, hoàn thiện Đề án trước ngày 15 tháng 7."
OPEN_QUESTION = "Thông qua Đề án chuyển đổi số?"
SECRET_QUESTION = "Nhân sự Tổ công tác đặc biệt?"
DOCUMENT_TITLE = "Tờ trình số 12/TTr-STTTT"
FILLER = (
    "Ý kiến thảo luận tập trung vào lộ trình triển khai, nguồn kinh phí thực hiện, việc bảo đảm an toàn thông tin "
    "và đào tạo nguồn nhân lực; các ý kiến đều nhất trí với sự cần thiết của Đề án."
)


@dataclass
class Held:
    """The ended meeting and the people and things in it, for assertions."""

    meeting: Meeting
    items: list[AgendaItem]
    polls: list[Poll]  # closed, in the order they were opened: the open vote, then the secret one
    document: Document
    assistant: User
    excused: User
    late: User


def demo_p12(name: str) -> bytes:
    return (DEMO_PKI_DIR / name).read_bytes()


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def stamp_text(pdf: bytes, page_index: int = -1) -> str:
    """The text of a page (the last by default) with the signature stamps drawn in: flattening draws the
    widgets into the page, so extraction goes through the embedded font's ToUnicode map as a reader's
    search or copy would."""
    document = pdfium.PdfDocument(pdf)
    document.init_forms()
    index = page_index % len(document)
    page = document[index]
    page.flatten()
    page.close()
    return document[index].get_textpage().get_text_range()


def version_bytes(version: MinutesVersion) -> bytes:
    with version.file.open("rb") as handle:
        return handle.read()


def media_files(root: Path) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


@pytest.fixture
def assistant(council: Meeting, secretary: User) -> User:  # noqa: F811
    """An assistant secretary, invited in the secretary's role: writes the minutes too."""
    user = make_user("thuky02", full_name="Đỗ Thị Phụ", position="Chuyên viên")
    participants_invite(actor=secretary, meeting=council, users=[user], role=Participant.Role.SECRETARY, can_vote=False)
    return user


@pytest.fixture
def minutes_items(council: Meeting, secretary: User, delegate: User) -> list[AgendaItem]:  # noqa: F811
    """The council's agenda: the opening, then the item that is debated and voted on."""
    agenda_item_create(
        actor=secretary, meeting=council, title="Thảo luận Đề án chuyển đổi số giai đoạn 2026–2030", presenter=delegate, duration_minutes=30
    )
    return list(AgendaItem.objects.filter(meeting=council).order_by("position", "id"))


@pytest.fixture
def appendable(council: Meeting, secretary: User, pdf_upload: Callable[..., object]) -> Document:  # noqa: F811
    """A two-page document of the meeting, which the secretary may append to the minutes."""
    return document_upload(actor=secretary, meeting=council, upload=pdf_upload("to-trinh-12.pdf", pages=2), title=DOCUMENT_TITLE)


def hold_meeting(*, meeting: Meeting, items: list[AgendaItem], secretary: User, chair: User, extra_notes: str = "") -> list[Poll]:
    """Start, take attendance, write, give the floor, vote twice, end. Returns the closed polls."""
    meeting = meeting_start(actor=chair, meeting=meeting)
    people = {p.user.username: p for p in meeting.participants.select_related("user")}
    for username, status in [
        ("chutoa", Participant.Attendance.PRESENT),
        ("thuky", Participant.Attendance.PRESENT),
        ("daibieu01", Participant.Attendance.PRESENT),
        ("daibieu02", Participant.Attendance.ABSENT_EXCUSED),
        ("daibieu3", Participant.Attendance.LATE),
        ("khach01", Participant.Attendance.PRESENT),
        ("thuky02", Participant.Attendance.PRESENT),
    ]:
        if username in people:
            attendance_mark(actor=secretary, meeting=meeting, participant_id=people[username].pk, status=status)
    minutes_entry_update(actor=secretary, meeting=meeting, field="notes", text=GENERAL_NOTES, base_version=0)
    agenda_set_current(actor=chair, meeting=meeting, item_id=items[1].pk)
    speaker_request(actor=people["daibieu01"].user, meeting=meeting)
    speaker_start(actor=chair, meeting=meeting, participant_id=people["daibieu01"].pk)
    notes = ITEM_NOTES + ("\n" + extra_notes if extra_notes else "")
    minutes_entry_update(actor=secretary, meeting=meeting, field="notes", text=notes, base_version=0, item_id=items[1].pk)
    minutes_entry_update(actor=secretary, meeting=meeting, field="conclusions", text=ITEM_CONCLUSIONS, base_version=0, item_id=items[1].pk)

    polls = []
    for question, secret, ballots in [
        (OPEN_QUESTION, False, {"chutoa": "yes", "daibieu01": "yes", "daibieu3": "no"}),
        (SECRET_QUESTION, True, {"chutoa": "no", "daibieu01": "yes", "daibieu3": "no"}),
    ]:
        poll = poll_create(actor=chair, meeting=meeting, question=question, agenda_item_id=items[1].pk, secret=secret, majority="cast")
        poll = poll_open(actor=chair, meeting=meeting, poll_id=poll.pk)
        for username, choice in ballots.items():
            vote(poll, people[username].user, choice)
        polls.append(close(poll, chair))
    meeting_end(actor=chair, meeting=meeting)
    return polls


@pytest.fixture
def extra_notes() -> str:
    """More of the secretary's notes on the debated item (a module overrides it for longer minutes)."""
    return ""


@pytest.fixture
def held(
    council: Meeting,  # noqa: F811
    minutes_items: list[AgendaItem],
    appendable: Document,
    assistant: User,
    secretary: User,
    chair: User,
    other_delegate: User,
    extra_notes: str,
) -> Held:
    """The council's meeting held and ended: two votes (open 2–1 passed, secret 1–2 not passed)."""
    polls = hold_meeting(meeting=council, items=minutes_items, secretary=secretary, chair=chair, extra_notes=extra_notes)
    return Held(
        meeting=Meeting.objects.get(pk=council.pk),
        items=minutes_items,
        polls=polls,
        document=appendable,
        assistant=assistant,
        excused=other_delegate,
        late=User.objects.get(username="daibieu3"),
    )
