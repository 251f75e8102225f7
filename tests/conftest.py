from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone, translation
from icalendar import Calendar, Event
from pypdf import PdfReader, PdfWriter

from meetings.models import Body, Meeting, Participant, User
from meetings.services.agenda import agenda_item_create
from meetings.services.meetings import meeting_create, meeting_publish
from meetings.services.participants import participants_invite


@pytest.fixture(autouse=True)
def _media_root(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_rendering_ahead(settings: pytest.FixtureRequest) -> None:
    # Rendering every uploaded page in the background would compete with the tests; its own tests turn it on.
    settings.RENDER_AHEAD = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    # The default PBKDF2 takes most of a test's time when every test creates six accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_is_not_default(settings: pytest.FixtureRequest) -> None:
    settings.LANGUAGE_CODE = "vi"


@pytest.fixture(autouse=True)
def _no_language_left_active() -> Iterator[None]:
    # A request through the test client leaves its language active in the thread; start each test afresh.
    yield
    translation.deactivate()


def logged_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def meeting_form_of(meeting: Meeting) -> dict[str, object]:
    """The meeting's details form as the page fills it in, to post back with changes."""
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "body": meeting.body_id,
        "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(meeting.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "location": meeting.location,
        "chair": meeting.chair_id,
        "secretary": meeting.secretary_id,
        "allow_self_checkin": "on",
        "notify_now": "on",  # ticked on the page of a published meeting; no such field on a draft's
    }


def make_user(username: str, *, full_name: str = "", position: str = "", can_create: bool = False) -> User:
    user = User.objects.create_user(
        username=username, password="matkhau-123", email=f"{username}@vungtau.gov.vn", full_name=full_name or username
    )
    user.position = position
    user.save()
    if can_create:
        user.user_permissions.add(Permission.objects.get(codename="add_meeting"))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def body(db: None) -> Body:
    return Body.objects.create(name="UBND thành phố Vũng Tàu", short_name="UBND", parent_name="UBND TỈNH BÀ RỊA - VŨNG TÀU")


@pytest.fixture
def secretary(body: Body) -> User:
    """The secretary of the city's People's Committee: prepares its meetings."""
    user = make_user("thuky", full_name="Trần Thị Thu", position="Chuyên viên Văn phòng", can_create=True)
    User.objects.filter(pk=user.pk).update(body=body)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def chair(db: None) -> User:
    return make_user("chutoa", full_name="Nguyễn Văn Hùng", position="Chủ tịch UBND")


@pytest.fixture
def delegate(db: None) -> User:
    return make_user("daibieu01", full_name="Lê Minh Tuấn", position="Giám đốc Sở")


@pytest.fixture
def other_delegate(db: None) -> User:
    return make_user("daibieu02", full_name="Phạm Thị Lan", position="Trưởng phòng")


@pytest.fixture
def guest(db: None) -> User:
    return make_user("khach01", full_name="Võ Thanh Bình", position="Phóng viên")


@pytest.fixture
def outsider(db: None) -> User:
    return make_user("nguoingoai", full_name="Đặng Văn Ngoài")


@pytest.fixture
def meeting(body: Body, secretary: User, chair: User, delegate: User, guest: User) -> Meeting:
    """A draft meeting next week with a delegate and a guest invited and one agenda item."""
    starts = timezone.now() + datetime.timedelta(days=7)
    meeting = meeting_create(
        actor=secretary,
        body=body,
        title="Họp chuyên đề chuyển đổi số",
        kind=Meeting.Kind.THEMATIC,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        location="Phòng họp số 1, trụ sở UBND thành phố",
        chair=chair,
        secretary=secretary,
    )
    participants_invite(actor=secretary, meeting=meeting, users=[delegate], role=Participant.Role.DELEGATE, can_vote=True)
    participants_invite(actor=secretary, meeting=meeting, users=[guest], role=Participant.Role.GUEST, can_vote=False)
    agenda_item_create(actor=secretary, meeting=meeting, title="Khai mạc", duration_minutes=5)
    return meeting


@pytest.fixture
def published_meeting(meeting: Meeting, secretary: User) -> Meeting:
    return meeting_publish(actor=secretary, meeting=meeting)


def make_pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_page_turned(pdf: bytes, *, page_index: int, degrees: int = 90) -> bytes:
    """The same PDF with one page's /Rotate set, as a scanned landscape table often comes."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))
    writer.pages[page_index].rotate(degrees)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def pdf_upload() -> Callable[..., SimpleUploadedFile]:
    def build(name: str = "to-trinh.pdf", pages: int = 1, content: bytes | None = None) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, make_pdf_bytes(pages) if content is None else content, content_type="application/pdf")

    return build


# --- Shared helpers for the foundation tests -------------------------------------------------


@pytest.fixture
def make_meeting(body: Body, secretary: User, chair: User) -> Callable[..., Meeting]:
    """Another meeting prepared by the same secretary; by default next week, with one agenda item."""

    def build(
        *,
        title: str = "Họp giao ban UBND thành phố",
        starts_in: datetime.timedelta = datetime.timedelta(days=10),
        hours: int = 2,
        with_item: bool = True,
    ) -> Meeting:
        starts = timezone.now() + starts_in
        created = meeting_create(
            actor=secretary,
            body=body,
            title=title,
            kind=Meeting.Kind.REGULAR,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=hours),
            location="Hội trường tầng 3",
            chair=chair,
            secretary=secretary,
        )
        if with_item:
            agenda_item_create(actor=secretary, meeting=created, title="Thông qua chương trình")
        return created

    return build


def set_state(meeting: Meeting, state: str) -> Meeting:
    """Put a meeting in a later state directly (the live meeting's services come later)."""
    meeting.state = state
    meeting.save(update_fields=["state"])
    return meeting


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


def calendar_of(message: EmailMultiAlternatives) -> Calendar:
    """The iCalendar attachment of a notice e-mail, parsed."""
    attachments = [a for a in message.attachments if a[0].endswith(".ics")]
    assert len(attachments) == 1, message.attachments
    content = attachments[0][1]
    return Calendar.from_ical(content if isinstance(content, bytes) else content.encode())


def calendar_mimetype_of(message: EmailMultiAlternatives) -> str:
    return next(a[2] for a in message.attachments if a[0].endswith(".ics"))


def event_of(message: EmailMultiAlternatives) -> Event:
    events = list(calendar_of(message).walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def attendee_emails(event: Event) -> set[str]:
    attendees = event.get("attendee", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    return {str(a).removeprefix("mailto:").removeprefix("MAILTO:") for a in attendees}
