from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from meetings.models import AgendaItem, Body, Document, DocumentVersion, Meeting, Participant, User


def run_seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_a_published_vietnamese_demo_meeting() -> None:
    data = json.loads(run_seed("--json", "--delegates", "3", "--password", "matkhau-demo"))
    meeting = Meeting.objects.get(pk=data["meeting_id"])
    assert meeting.state == Meeting.State.PUBLISHED
    assert "chuyển đổi số" in meeting.title
    assert meeting.body.name == "Ủy ban nhân dân thành phố Vũng Tàu"
    assert data["password"] == "matkhau-demo"
    assert data["accounts"]["secretary"] == "thuky"
    assert data["accounts"]["chair"] == "chutoa"
    assert data["accounts"]["delegates"] == ["daibieu01", "daibieu02", "daibieu03"]
    assert len(data["accounts"]["guests"]) == 2
    assert User.objects.get(username="daibieu02").check_password("matkhau-demo")
    titles = " ".join(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True))
    for topic in ("họp không giấy", "Dịch vụ công trực tuyến", "chợ 4.0", "GIS"):
        assert topic in titles
    assert AgendaItem.objects.filter(meeting=meeting, parent__isnull=False).exists()
    assert Participant.objects.filter(meeting=meeting, role=Participant.Role.GUEST, can_vote=False).count() == 2


@pytest.mark.django_db
def test_its_documents_are_real_vietnamese_pdfs() -> None:
    from django.conf import settings
    from pypdf import PdfReader

    run_seed("--json")
    versions = DocumentVersion.objects.all()
    assert versions.count() == 5
    assert Document.objects.filter(confidential=True).count() == 1
    assert Document.objects.get(confidential=True).readers.exists()
    longest = max(versions, key=lambda v: v.page_count)
    assert longest.page_count >= 5
    reader = PdfReader(settings.MEDIA_ROOT / longest.file.name)
    text = reader.pages[0].extract_text()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text.upper()


@pytest.mark.django_db
def test_running_it_twice_duplicates_nothing() -> None:
    first = json.loads(run_seed("--json"))
    counts = [model.objects.count() for model in (Body, User, Meeting, Participant, AgendaItem, Document, DocumentVersion)]
    second = json.loads(run_seed("--json"))
    assert first["meeting_id"] == second["meeting_id"]
    assert counts == [model.objects.count() for model in (Body, User, Meeting, Participant, AgendaItem, Document, DocumentVersion)]


@pytest.mark.django_db
def test_running_it_again_with_more_delegates_invites_them() -> None:
    run_seed("--json", "--delegates", "2")
    data = json.loads(run_seed("--json", "--delegates", "15"))
    meeting = Meeting.objects.get(pk=data["meeting_id"])
    assert meeting.participants.filter(role=Participant.Role.DELEGATE).count() == 15
    assert len(set(User.objects.filter(username__startswith="daibieu").values_list("full_name", flat=True))) == 15


@pytest.mark.django_db
def test_its_human_output_lists_the_accounts() -> None:
    output = run_seed()
    assert "thuky" in output and "chutoa" in output and "daibieu01" in output and "hop2026" in output


@pytest.mark.django_db
def test_one_delegate_has_already_said_they_cannot_come() -> None:
    data = json.loads(run_seed("--json"))

    away = Participant.objects.get(meeting_id=data["meeting_id"], absence_notified_at__isnull=False)
    assert away.user.username == "daibieu08"
    assert away.attendance == Participant.Attendance.ABSENT_EXCUSED
    assert away.absence_reason.startswith("Đi công tác")
