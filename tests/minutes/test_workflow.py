"""The minutes after the meeting: compiled into numbered versions, circulated for remarks, approved by
the chair, signed by the secretary and then the chair (each signature a new, immutable version),
archived; and the pages that do it."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.contrib.messages import ERROR, SUCCESS
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText

from meetings.errors import ServiceError
from meetings.models import AuditEvent, Meeting, Participant, User
from meetings.permissions import user_can_view_document
from meetings.services.documents import document_upload
from meetings.services.live import meeting_start
from minutes.compile import CompiledMinutes
from minutes.demo_pki import DEMO_ORGANISATION, DEMO_PKI_DIR, ca_create, certificate_issue, certificate_pem, p12_export
from minutes.models import Minutes, MinutesAssent, MinutesEntry, MinutesRemark, MinutesVersion
from minutes.selectors import minutes_responses, minutes_tasks_of
from minutes.services import workflow
from minutes.services.entries import minutes_entry_update
from minutes.signing import pdf_verdict, pdf_verify, trust_roots_from_settings
from tests.minutes.conftest import PASSPHRASE, Held, demo_p12, hold_meeting, media_files, stamp_text, version_bytes
from tests.voting.helpers import refused

pytestmark = pytest.mark.django_db

# A real compile, made once for the module: the workflow does not care what the pages say.
_COMPILED: list[CompiledMinutes] = []


@pytest.fixture
def quick_compile(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = workflow.minutes_compile_pdf

    def once(*, meeting: Meeting) -> CompiledMinutes:
        if not _COMPILED:
            _COMPILED.append(real(meeting=meeting))
        return _COMPILED[0]

    monkeypatch.setattr(workflow, "minutes_compile_pdf", once)
    yield


def state_of(meeting: Meeting) -> str:
    return Minutes.objects.get(meeting=meeting).state


def versions_of(meeting: Meeting) -> list[MinutesVersion]:
    return list(MinutesVersion.objects.filter(minutes__meeting=meeting).order_by("number"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def compiled(held: Held, secretary: User, quick_compile: None) -> MinutesVersion:
    return workflow.minutes_compile(actor=secretary, meeting=held.meeting)


@pytest.fixture
def approved(held: Held, compiled: MinutesVersion, chair: User) -> Meeting:
    workflow.minutes_approve(actor=chair, meeting=held.meeting)
    return Meeting.objects.get(pk=held.meeting.pk)


def sign(meeting: Meeting, user: User, p12_name: str, passphrase: str = PASSPHRASE) -> MinutesVersion:
    return workflow.minutes_sign(actor=user, meeting=meeting, p12=demo_p12(p12_name), passphrase=passphrase)


@pytest.fixture
def signed(approved: Meeting, secretary: User, chair: User) -> Meeting:
    sign(approved, secretary, "thuky.p12")
    sign(approved, chair, "chutoa.p12")
    return approved


# --- compiling ------------------------------------------------------------------------------------


def test_it_is_not_compiled_before_the_meeting_has_ended(
    council: Meeting, secretary: User, chair: User, minutes_items: list[Any], quick_compile: None
) -> None:
    refused("wrong_state", workflow.minutes_compile, actor=secretary, meeting=council)
    started = meeting_start(actor=chair, meeting=council)
    refused("wrong_state", workflow.minutes_compile, actor=secretary, meeting=started)
    assert versions_of(council) == []


def test_a_delegate_or_the_chair_cannot_compile(held: Held, delegate: User, chair: User, quick_compile: None) -> None:
    refused("forbidden", workflow.minutes_compile, actor=delegate, meeting=held.meeting)
    refused("forbidden", workflow.minutes_compile, actor=chair, meeting=held.meeting)
    assert versions_of(held.meeting) == []


def test_an_assistant_secretary_can_compile(held: Held, quick_compile: None) -> None:
    version = workflow.minutes_compile(actor=held.assistant, meeting=held.meeting)

    assert (version.number, version.created_by_id) == (1, held.assistant.pk)


def test_each_compile_is_a_new_numbered_version_whose_hash_matches_its_file(held: Held, secretary: User) -> None:
    first = workflow.minutes_compile(actor=secretary, meeting=held.meeting)
    second = workflow.minutes_compile(actor=secretary, meeting=held.meeting)

    assert [v.number for v in versions_of(held.meeting)] == [1, 2]
    assert first.file.name != second.file.name
    for version in (first, second):
        data = version_bytes(version)
        assert data.startswith(b"%PDF-")
        assert version.sha256 == sha256(data)
        assert version.size == len(data)
        assert version.page_count == len(PdfReader(io.BytesIO(data)).pages)
        assert version.signers == []
        assert set(version.signature_boxes) == {"secretary", "chair"}
    audited = [e.data for e in AuditEvent.objects.filter(meeting=held.meeting, action="minutes.compile").order_by("id")]
    assert audited == [{"version": 1, "sha256": first.sha256}, {"version": 2, "sha256": second.sha256}]


# --- circulating and remarks ---------------------------------------------------------------------


def test_circulating_needs_a_compiled_version(held: Held, secretary: User, quick_compile: None) -> None:
    refused("wrong_state", workflow.minutes_circulate, actor=secretary, meeting=held.meeting)

    workflow.minutes_compile(actor=secretary, meeting=held.meeting)
    minutes = workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    assert minutes.state == Minutes.State.CIRCULATED
    assert minutes.circulated_at is not None


def test_circulating_emails_every_other_participant_a_link_to_the_draft(
    held: Held,
    compiled: MinutesVersion,
    secretary: User,
    chair: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    with_email = {p.user.email for p in held.meeting.participants.select_related("user") if p.user.email}
    assert secretary.email in with_email
    # Not to the secretary who sent it round.
    assert {address for message in mailoutbox for address in message.to} == with_email - {secretary.email}
    assert all(f"/meetings/{held.meeting.pk}/minutes/" in message.body for message in mailoutbox)
    assert all(held.meeting.title in message.subject for message in mailoutbox)
    # The chair is told they approve them there; the others are not.
    approve_line = "Với vai trò chủ tọa"
    assert [approve_line in message.body for message in mailoutbox].count(True) == 1
    assert next(message for message in mailoutbox if approve_line in message.body).to == [chair.email]


def test_a_guest_is_sent_the_draft_as_ong_ba_and_not_asked_to_agree(
    held: Held,
    compiled: MinutesVersion,
    secretary: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    guest = Participant.objects.filter(meeting=held.meeting, role=Participant.Role.GUEST).select_related("user").first()
    assert guest is not None and guest.user.email
    with django_capture_on_commit_callbacks(execute=True):
        workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    to_guest = next(message for message in mailoutbox if message.to == [guest.user.email])
    assert "đã sẵn sàng để Ông/Bà cho ý kiến" in to_guest.body
    assert "đồng chí" not in to_guest.body
    assert "Nhất trí, không có ý kiến" not in to_guest.body
    others = [message for message in mailoutbox if message.to != [guest.user.email]]
    assert others and all("đã sẵn sàng để đồng chí cho ý kiến" in message.body for message in others)


def test_a_member_recorded_absent_is_sent_the_draft_but_not_waited_for(
    held: Held,
    compiled: MinutesVersion,
    secretary: User,
    delegate: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    Participant.objects.filter(meeting=held.meeting, user=delegate).update(attendance=Participant.Attendance.ABSENT_EXCUSED)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    to_absent = next(message for message in mailoutbox if message.to == [delegate.email])
    assert "Nhất trí, không có ý kiến" not in to_absent.body
    responses = minutes_responses(meeting=held.meeting, minutes=Minutes.objects.get(meeting=held.meeting))
    assert delegate not in responses.waiting


def test_sent_round_again_the_draft_says_which_version_it_replaces_and_a_remark_reaches_the_secretary(
    held: Held,
    compiled: MinutesVersion,
    secretary: User,
    delegate: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    assert f"Phiên bản {compiled.number}." in mailoutbox[0].body
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        workflow.minutes_remark_add(actor=delegate, meeting=held.meeting, text="Đề nghị ghi rõ thời hạn hoàn thành.")
    (to_secretary,) = mailoutbox
    assert to_secretary.to == [secretary.email]
    assert "Đề nghị ghi rõ thời hạn hoàn thành." in to_secretary.body
    assert delegate.display_name in to_secretary.body
    mailoutbox.clear()

    workflow.minutes_back_to_draft(actor=secretary, meeting=held.meeting)
    workflow.minutes_compile(actor=secretary, meeting=held.meeting)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    assert f"Đây là phiên bản {compiled.number + 1}, thay cho phiên bản {compiled.number} đã gửi trước" in mailoutbox[0].body


def test_only_the_secretary_circulates(held: Held, compiled: MinutesVersion, delegate: User, chair: User) -> None:
    refused("forbidden", workflow.minutes_circulate, actor=delegate, meeting=held.meeting)
    refused("forbidden", workflow.minutes_circulate, actor=chair, meeting=held.meeting)


def test_remarks_are_taken_only_while_the_minutes_are_circulated(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User
) -> None:
    refused("wrong_state", workflow.minutes_remark_add, actor=delegate, meeting=held.meeting, text="Góp ý sớm.")
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    remark = workflow.minutes_remark_add(actor=delegate, meeting=held.meeting, text="  Đề nghị sửa tên Sở ở mục 2.  ")

    assert (remark.text, remark.author_id, remark.version_id) == ("Đề nghị sửa tên Sở ở mục 2.", delegate.pk, compiled.pk)
    workflow.minutes_back_to_draft(actor=secretary, meeting=held.meeting)
    refused("wrong_state", workflow.minutes_remark_add, actor=delegate, meeting=held.meeting, text="Góp ý muộn.")


def test_only_participants_remark(held: Held, compiled: MinutesVersion, secretary: User, outsider: User, guest: User) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    refused("forbidden", workflow.minutes_remark_add, actor=outsider, meeting=held.meeting, text="Tôi không dự họp.")
    workflow.minutes_remark_add(actor=guest, meeting=held.meeting, text="Khách mời góp ý.")
    refused("invalid", workflow.minutes_remark_add, actor=guest, meeting=held.meeting, text="   ")
    refused("invalid", workflow.minutes_remark_add, actor=guest, meeting=held.meeting, text="x" * 5001)
    assert list(MinutesRemark.objects.values_list("author__username", flat=True)) == ["khach01"]


def test_the_secretary_answers_a_remark_and_its_author_sees_the_answer_with_the_next_version(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User, chair: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    remark = workflow.minutes_remark_add(actor=delegate, meeting=held.meeting, text="Đề nghị ghi rõ thời hạn hoàn thành.")
    url = reverse("minutes_remark_answer", args=[held.meeting.pk, remark.pk])
    approve_page = page(chair).get(reverse("minutes_approve", args=[held.meeting.pk])).content.decode()

    page(secretary).post(url, {"outcome": "taken_in", "reply": "Đã bổ sung: trước ngày 31/12."})
    workflow.minutes_back_to_draft(actor=secretary, meeting=held.meeting)
    workflow.minutes_compile(actor=secretary, meeting=held.meeting)
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    answered = MinutesRemark.objects.get(pk=remark.pk)
    assert (answered.outcome, answered.reply, answered.answered_by) == ("taken_in", "Đã bổ sung: trước ngày 31/12.", secretary)
    own_page = page(delegate).get(reverse("minutes", args=[held.meeting.pk])).content.decode()
    assert "Đã tiếp thu, chỉnh sửa ở bản sau" in own_page and "Đã bổ sung: trước ngày 31/12." in own_page
    assert 'data-testid="unanswered"' in approve_page
    assert 'data-testid="unanswered"' not in page(chair).get(reverse("minutes_approve", args=[held.meeting.pk])).content.decode()


def test_the_approval_page_says_a_remark_taken_in_is_not_yet_in_the_version_offered(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User, chair: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    remark = workflow.minutes_remark_add(actor=delegate, meeting=held.meeting, text="Đề nghị ghi rõ thời hạn hoàn thành.")
    workflow.minutes_remark_answer(actor=secretary, meeting=held.meeting, remark_id=remark.pk, outcome="taken_in")
    approve_url = reverse("minutes_approve", args=[held.meeting.pk])

    promised = page(chair).get(approve_url).content.decode()
    workflow.minutes_back_to_draft(actor=secretary, meeting=held.meeting)
    workflow.minutes_compile(actor=secretary, meeting=held.meeting)

    assert "Thư ký đã tiếp thu 1 ý kiến góp ý trên phiên bản này" in promised
    assert "Đề nghị thư ký lập lại biên bản" in promised
    assert 'data-testid="promised"' not in page(chair).get(approve_url).content.decode()


def test_only_the_secretary_answers_a_remark_and_only_with_an_outcome_before_approval(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User, chair: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    remark = workflow.minutes_remark_add(actor=delegate, meeting=held.meeting, text="Sửa tên Sở.")
    answer = {"meeting": held.meeting, "remark_id": remark.pk}

    refused("forbidden", workflow.minutes_remark_answer, actor=delegate, outcome="kept", **answer)
    refused("invalid", workflow.minutes_remark_answer, actor=secretary, outcome="maybe", **answer)
    refused("not_found", workflow.minutes_remark_answer, actor=secretary, meeting=held.meeting, remark_id=remark.pk + 99, outcome="kept")
    workflow.minutes_remark_answer(actor=secretary, outcome="kept", reply="Tên Sở đã đúng theo quyết định thành lập.", **answer)
    workflow.minutes_approve(actor=chair, meeting=held.meeting)
    refused("wrong_state", workflow.minutes_remark_answer, actor=secretary, outcome="taken_in", **answer)
    assert MinutesRemark.objects.get(pk=remark.pk).outcome == "kept"


# --- settings ------------------------------------------------------------------------------------


def test_only_this_meetings_documents_are_appended(held: Held, secretary: User, make_meeting: Any, pdf_upload: Any) -> None:
    elsewhere = document_upload(actor=secretary, meeting=make_meeting(title="Cuộc họp khác"), upload=pdf_upload(), title="Khác")

    minutes = workflow.minutes_settings_update(
        actor=secretary,
        meeting=held.meeting,
        number=" 15/BB-UBND ",
        recipients="- Như trên;",
        language="en",
        appendix_document_ids=[held.document.pk, elsewhere.pk],
    )

    assert list(minutes.appendix_documents.all()) == [held.document]
    assert (minutes.number, minutes.recipients, minutes.language) == ("15/BB-UBND", "- Như trên;", "en")
    refused(
        "invalid",
        workflow.minutes_settings_update,
        actor=secretary,
        meeting=held.meeting,
        number="",
        recipients="",
        language="fr",
        appendix_document_ids=[],
    )
    refused(
        "forbidden",
        workflow.minutes_settings_update,
        actor=held.excused,
        meeting=held.meeting,
        number="",
        recipients="",
        language="vi",
        appendix_document_ids=[],
    )


def test_a_confidential_document_does_not_reach_non_readers_through_the_minutes(
    council: Meeting, minutes_items: list[Any], secretary: User, chair: User, delegate: User, pdf_upload: Any
) -> None:
    secret = document_upload(
        actor=secretary, meeting=council, upload=pdf_upload("mat.pdf", pages=3), title="Tài liệu mật", confidential=True, readers=[chair]
    )
    hold_meeting(meeting=council, items=minutes_items, secretary=secretary, chair=chair)
    council = Meeting.objects.get(pk=council.pk)
    assert not user_can_view_document(user=delegate, document=secret)
    # Refusing to append it is one way to keep it confidential.
    with contextlib.suppress(ServiceError):
        workflow.minutes_settings_update(
            actor=secretary, meeting=council, number="", recipients="", language="vi", appendix_document_ids=[secret.pk]
        )
    workflow.minutes_compile(actor=secretary, meeting=council)
    workflow.minutes_circulate(actor=secretary, meeting=council)

    response = page(delegate).get(reverse("minutes_file", args=[council.pk, 1]))

    assert response.status_code in (200, 404)
    if response.status_code == 200:
        document = pdfium.PdfDocument(b"".join(response.streaming_content))
        assert "Tài liệu mật" not in [item.get_title() for item in document.get_toc()]


# --- approving ------------------------------------------------------------------------------------


def test_only_the_chair_approves(held: Held, compiled: MinutesVersion, secretary: User, delegate: User, chair: User) -> None:
    refused("forbidden", workflow.minutes_approve, actor=secretary, meeting=held.meeting)
    refused("forbidden", workflow.minutes_approve, actor=delegate, meeting=held.meeting)

    minutes = workflow.minutes_approve(actor=chair, meeting=held.meeting)

    assert minutes.state == Minutes.State.APPROVED
    assert minutes.approved_at is not None
    assert Meeting.objects.get(pk=held.meeting.pk).state == Meeting.State.MINUTES_APPROVED
    refused("wrong_state", workflow.minutes_approve, actor=chair, meeting=held.meeting)


def test_a_version_compiled_after_the_chair_read_the_last_one_is_not_approved_unread(
    held: Held, compiled: MinutesVersion, secretary: User, chair: User
) -> None:
    newer = workflow.minutes_compile(actor=secretary, meeting=held.meeting)

    error = refused("wrong_state", workflow.minutes_approve, actor=chair, meeting=held.meeting, version_number=compiled.number)

    assert f"v{newer.number}" in str(error)
    assert state_of(held.meeting) == Minutes.State.DRAFT
    assert workflow.minutes_approve(actor=chair, meeting=held.meeting, version_number=newer.number).state == Minutes.State.APPROVED


def test_the_chair_sees_what_they_approve_and_what_it_lacks_before_approving(
    held: Held, compiled: MinutesVersion, chair: User, secretary: User
) -> None:
    Participant.objects.filter(meeting=held.meeting, user=held.excused).update(attendance=Participant.Attendance.UNKNOWN)
    Minutes.objects.filter(meeting=held.meeting).update(number="")
    url = reverse("minutes_approve", args=[held.meeting.pk])

    confirm = page(chair).get(url)

    content = confirm.content.decode()
    assert f'name="version" value="{compiled.number}"' in content
    for warning in ("not-circulated", "no-number", "unmarked"):
        assert f'data-testid="{warning}"' in content
    assert held.excused.display_name in content
    assert "Chưa phê duyệt</a>" in content  # not "Chưa công bố", the publishing page's "Not yet"
    assert state_of(held.meeting) == Minutes.State.DRAFT
    assert page(secretary).get(url).status_code == 403

    # A post that does not name the version read (an old page, a script) approves nothing.
    page(chair).post(url)
    assert state_of(held.meeting) == Minutes.State.DRAFT

    page(chair).post(url, {"version": compiled.number})
    assert state_of(held.meeting) == Minutes.State.APPROVED


def test_a_version_compiled_after_the_minutes_went_round_is_not_called_circulated(
    held: Held, compiled: MinutesVersion, chair: User, secretary: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    url = reverse("minutes_approve", args=[held.meeting.pk])
    assert 'data-testid="not-circulated"' not in page(chair).get(url).content.decode()

    workflow.minutes_compile(actor=secretary, meeting=held.meeting)

    assert 'data-testid="not-circulated"' in page(chair).get(url).content.decode()


def test_compiling_while_the_minutes_go_round_ends_that_round_and_the_new_version_waits_to_be_sent(
    held: Held, compiled: MinutesVersion, chair: User, secretary: User, delegate: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    workflow.minutes_assent(actor=delegate, meeting=held.meeting)

    asked = page(secretary).get(reverse("minutes", args=[held.meeting.pk])).content.decode()
    done = page(secretary).post(reverse("minutes_action", args=[held.meeting.pk, "compile"]), follow=True).content.decode()

    assert 'data-confirm="Phiên bản 1 đang được gửi lấy ý kiến người dự họp. Lập phiên bản mới sẽ kết thúc' in asked

    assert state_of(held.meeting) == Minutes.State.DRAFT
    assert "Đã lập phiên bản 2. Phiên bản này chưa được gửi cho người dự họp" in done
    assert 'data-testid="circulate"' in done
    # Nobody is asked about a version they were never sent.
    assert 'data-task="answer"' not in page(delegate).get("/").content.decode()
    approval = page(chair).get(reverse("minutes_approve", args=[held.meeting.pk])).content.decode()
    assert "Phiên bản 1 đã được gửi lấy ý kiến người dự họp; phiên bản 2 lập sau đó chưa được gửi cho họ." in approval


def test_nothing_is_approved_before_it_is_compiled(held: Held, chair: User) -> None:
    refused("wrong_state", workflow.minutes_approve, actor=chair, meeting=held.meeting)
    assert not Minutes.objects.filter(meeting=held.meeting, state=Minutes.State.APPROVED).exists()
    assert Meeting.objects.get(pk=held.meeting.pk).state == Meeting.State.CLOSED


def test_approved_minutes_are_no_longer_compiled_or_reconfigured(approved: Meeting, secretary: User, quick_compile: None) -> None:
    refused("wrong_state", workflow.minutes_compile, actor=secretary, meeting=approved)
    refused(
        "wrong_state",
        workflow.minutes_settings_update,
        actor=secretary,
        meeting=approved,
        number="1/BB",
        recipients="",
        language="vi",
        appendix_document_ids=[],
    )
    refused("wrong_state", workflow.minutes_circulate, actor=secretary, meeting=approved)
    assert len(versions_of(approved)) == 1


# --- signing --------------------------------------------------------------------------------------


def test_the_secretary_signs_first_then_the_chair(approved: Meeting, secretary: User, chair: User) -> None:
    refused("wrong_state", sign, approved, chair, "chutoa.p12")

    by_secretary = sign(approved, secretary, "thuky.p12")
    assert (by_secretary.number, by_secretary.signers, by_secretary.signed_from_id) == (2, ["secretary"], versions_of(approved)[0].pk)
    assert state_of(approved) == Minutes.State.APPROVED
    refused("wrong_state", sign, approved, secretary, "thuky.p12")

    by_chair = sign(approved, chair, "chutoa.p12")
    assert (by_chair.number, by_chair.signers, by_chair.signed_from_id) == (3, ["secretary", "chair"], by_secretary.pk)
    assert state_of(approved) == Minutes.State.SIGNED
    again = refused("wrong_state", sign, approved, chair, "chutoa.p12")
    assert str(again) == "Biên bản đã có đủ chữ ký số của thư ký và chủ tọa; không cần ký thêm."


def test_each_signer_is_told_by_e_mail_when_it_is_their_turn(
    held: Held,
    compiled: MinutesVersion,
    secretary: User,
    chair: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        workflow.minutes_approve(actor=chair, meeting=held.meeting)
    assert [message.to for message in mailoutbox] == [[secretary.email]]
    assert "ký" in mailoutbox[0].subject.lower()

    with django_capture_on_commit_callbacks(execute=True):
        sign(held.meeting, secretary, "thuky.p12")
    assert [message.to for message in mailoutbox[1:]] == [[chair.email]]
    assert secretary.display_name in mailoutbox[1].body

    with django_capture_on_commit_callbacks(execute=True):
        sign(held.meeting, chair, "chutoa.p12")
    assert len(mailoutbox) == 2


def test_nobody_else_signs(approved: Meeting, delegate: User, held: Held) -> None:
    refused("forbidden", sign, approved, delegate, "thuky.p12")
    refused("forbidden", sign, approved, held.assistant, "thuky.p12")


def test_nothing_is_signed_before_it_is_approved(held: Held, compiled: MinutesVersion, secretary: User) -> None:
    refused("wrong_state", sign, held.meeting, secretary, "thuky.p12")


def test_each_signature_is_a_new_version_and_the_earlier_ones_never_change(approved: Meeting, secretary: User, chair: User) -> None:
    original = versions_of(approved)[0]
    original_bytes = version_bytes(original)

    by_secretary = sign(approved, secretary, "thuky.p12")
    secretary_bytes = version_bytes(by_secretary)
    by_chair = sign(approved, chair, "chutoa.p12")
    chair_bytes = version_bytes(by_chair)

    stored = versions_of(approved)
    assert [v.number for v in stored] == [1, 2, 3]
    assert [version_bytes(v) for v in stored] == [original_bytes, secretary_bytes, chair_bytes]
    assert [v.sha256 for v in stored] == [sha256(original_bytes), sha256(secretary_bytes), sha256(chair_bytes)]
    assert len({v.file.name for v in stored}) == 3
    # Incremental updates: each signed copy is the previous file with the signature appended.
    assert secretary_bytes.startswith(original_bytes)
    assert chair_bytes.startswith(secretary_bytes)
    assert stored[1].page_count == stored[2].page_count == original.page_count


def test_a_wrong_passphrase_is_a_signing_failure_and_stores_nothing(approved: Meeting, secretary: User) -> None:
    error = refused("signing_failed", sign, approved, secretary, "thuky.p12", "sai-mat-khau")

    assert str(error) == gettext("The passphrase of the certificate file is wrong.")
    assert len(versions_of(approved)) == 1


def test_a_certificate_sent_without_its_password_is_asked_for_it(approved: Meeting, secretary: User) -> None:
    error = refused("signing_failed", sign, approved, secretary, "thuky.p12", "")

    assert str(error) == "Hãy nhập mật khẩu của tệp chứng thư số, rồi ký lại."


def test_a_file_that_is_not_a_certificate_is_a_signing_failure(approved: Meeting, secretary: User) -> None:
    refused("signing_failed", workflow.minutes_sign, actor=secretary, meeting=approved, p12=b"%PDF-1.7 not a p12", passphrase="x")
    assert len(versions_of(approved)) == 1


def test_without_a_certificate_the_organisations_is_used_when_configured(approved: Meeting, secretary: User, settings: Any) -> None:
    settings.SIGNING_ORGANISATION_P12 = ""
    refused("no_certificate", workflow.minutes_sign, actor=secretary, meeting=approved, p12=None, passphrase="")

    settings.SIGNING_ORGANISATION_P12 = str(DEMO_PKI_DIR / "organisation.p12")
    settings.SIGNING_ORGANISATION_PASSPHRASE = PASSPHRASE
    version = workflow.minutes_sign(actor=secretary, meeting=approved, p12=None, passphrase="")

    assert version.signers == ["secretary"]
    checks = pdf_verify(pdf=version_bytes(version), trust_roots=trust_roots_from_settings())
    assert [c.ok for c in checks] == [True]
    # The stamp names the certificate's holder, the organisation, and who signed with it in which role.
    assert checks[0].signer_name == DEMO_ORGANISATION
    stamp_page = int(version.signature_boxes["secretary"][0])
    assert f"Thư ký: {secretary.display_name}" in stamp_text(version_bytes(version), stamp_page)


def test_it_refuses_a_certificate_issued_to_someone_else(approved: Meeting, secretary: User) -> None:
    error = refused("not_your_certificate", sign, approved, secretary, "chutoa.p12")

    assert "Nguyễn Văn Thành" in str(error)
    assert len(versions_of(approved)) == 1


def _certificate_from_a_trusted_authority(settings: Any, tmp_path: Path, *, common_name: str) -> bytes:
    """A certificate as a public CA issues it: the holder's ID number, not the account, in the UID. Its
    authority is added to the server's trust roots."""
    ca_key, ca_certificate = ca_create(key_type="ec")
    (tmp_path / "ca.pem").write_bytes(certificate_pem(certificate=ca_certificate))
    settings.SIGNING_TRUST_ROOTS = [str(DEMO_PKI_DIR / "ca.pem"), str(tmp_path / "ca.pem")]
    key, certificate = certificate_issue(
        ca_key=ca_key, ca_certificate=ca_certificate, common_name=common_name, username="CCCD:079190000123", key_type="ec"
    )
    return p12_export(key=key, certificate=certificate, ca_certificate=ca_certificate, friendly_name="x", passphrase=b"mat-khau")


def test_a_certificate_with_the_signers_name_in_capitals_without_diacritics_is_theirs(
    approved: Meeting, secretary: User, tmp_path: Path, settings: Any
) -> None:
    p12 = _certificate_from_a_trusted_authority(settings, tmp_path, common_name="TRAN THI THU")

    version = workflow.minutes_sign(actor=secretary, meeting=approved, p12=p12, passphrase="mat-khau")

    assert version.signers == ["secretary"]


def test_a_name_that_differs_only_in_its_diacritics_is_someone_else(
    approved: Meeting, secretary: User, tmp_path: Path, settings: Any
) -> None:
    # The secretary is Trần Thị Thu; Trần Thị Thư is another person.
    p12 = _certificate_from_a_trusted_authority(settings, tmp_path, common_name="Trần Thị Thư")

    refused("not_your_certificate", workflow.minutes_sign, actor=secretary, meeting=approved, p12=p12, passphrase="mat-khau")
    assert len(versions_of(approved)) == 1


def test_the_meeting_page_says_the_minutes_are_signed_then_archived(signed: Meeting, secretary: User) -> None:
    url = reverse("meeting_detail", args=[signed.pk])
    assert "Biên bản đã ký số" in page(secretary).get(url).content.decode()

    workflow.minutes_archive(actor=secretary, meeting=signed)

    assert "Biên bản đã lưu trữ" in page(secretary).get(url).content.decode()


def test_archiving_from_the_page_asks_first(signed: Meeting, secretary: User) -> None:
    html = page(secretary).get(reverse("minutes", args=[signed.pk])).content.decode()

    archive_form = html.split('data-testid="archive"')[0].rsplit("<form", 1)[1]
    assert 'data-confirm="Lưu trữ biên bản đã ký?' in archive_form


def test_signed_minutes_wait_on_the_secretarys_home_page_to_be_archived(signed: Meeting, secretary: User, chair: User) -> None:
    waiting = page(secretary).get("/").content.decode()
    workflow.minutes_archive(actor=secretary, meeting=signed)

    assert 'data-task="archive"' in waiting
    assert "Lưu trữ biên bản đã ký" in waiting
    assert 'data-task="archive"' not in page(chair).get("/").content.decode()
    assert 'data-task="archive"' not in page(secretary).get("/").content.decode()


def test_a_copy_signed_by_the_secretary_alone_is_checked_as_not_yet_fully_signed(approved: Meeting, secretary: User) -> None:
    half = sign(approved, secretary, "thuky.p12")

    checked = page(secretary).get(reverse("minutes_verify", args=[approved.pk, half.number])).content.decode()

    assert 'class="verdict-box partial"' in checked
    assert "Chưa đủ chữ ký: các chữ ký số hiện có toàn vẹn và tin cậy, nhưng còn thiếu chữ ký của: Chủ tọa." in checked


def test_signed_minutes_are_archived(signed: Meeting, secretary: User, chair: User) -> None:
    refused("forbidden", workflow.minutes_archive, actor=chair, meeting=signed)

    minutes = workflow.minutes_archive(actor=secretary, meeting=signed)

    assert minutes.state == Minutes.State.ARCHIVED
    assert minutes.archived_at is not None
    refused("wrong_state", workflow.minutes_archive, actor=secretary, meeting=signed)


def test_unsigned_minutes_are_not_archived(approved: Meeting, secretary: User) -> None:
    refused("wrong_state", workflow.minutes_archive, actor=secretary, meeting=approved)


# --- verifying ------------------------------------------------------------------------------------


def test_the_final_file_carries_two_valid_trusted_signatures(signed: Meeting) -> None:
    final = version_bytes(versions_of(signed)[-1])

    checks = pdf_verify(pdf=final, trust_roots=trust_roots_from_settings())

    assert [c.field_name for c in checks] == ["Signature-secretary", "Signature-chair"]
    assert all(c.intact and c.valid and c.trusted and c.covers_whole_file for c in checks), checks
    assert pdf_verdict(checks=checks) is True


def test_an_annotation_added_after_signing_breaks_the_verdict(signed: Meeting) -> None:
    final = version_bytes(versions_of(signed)[-1])
    writer = PdfWriter(io.BytesIO(final), incremental=True)
    writer.add_annotation(page_number=0, annotation=FreeText(text="Đã sửa", rect=(100, 100, 300, 140)))
    out = io.BytesIO()
    writer.write(out)
    tampered = out.getvalue()

    assert tampered.startswith(final) and len(tampered) > len(final)
    checks = pdf_verify(pdf=tampered, trust_roots=trust_roots_from_settings())
    assert len(checks) == 2
    assert all(c.intact for c in checks)  # the signed bytes are untouched; what follows them is not a signature
    assert pdf_verdict(checks=checks) is False


def test_uploaded_certificates_and_passphrases_are_kept_nowhere(signed: Meeting, held: Held, settings: Any) -> None:
    certificates = [demo_p12("thuky.p12"), demo_p12("chutoa.p12")]
    minutes_files = {Path(settings.MEDIA_ROOT) / v.file.name for v in versions_of(signed)}
    document_files = {Path(settings.MEDIA_ROOT) / v.file.name for v in held.document.versions.all()}

    page_cache = Path(settings.MEDIA_ROOT) / "pages"
    page_images = [path for path in media_files(settings.MEDIA_ROOT) if path.is_relative_to(page_cache)]
    files = [path for path in media_files(settings.MEDIA_ROOT) if not path.is_relative_to(page_cache)]

    assert set(files) == minutes_files | document_files
    # Beside them only the documents' page images (page 1 is drawn at upload), nothing of a certificate.
    assert all(path.suffix == ".webp" and path.read_bytes()[8:12] == b"WEBP" for path in page_images), page_images
    for path in files:
        data = path.read_bytes()
        assert data.startswith(b"%PDF-"), path
        assert not any(certificate[:64] in data for certificate in certificates), path
    audit = json.dumps([e.data for e in AuditEvent.objects.all()], ensure_ascii=False)
    assert PASSPHRASE not in audit


# --- the pages ------------------------------------------------------------------------------------


def page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_secretarys_page_offers_to_compile(held: Held, secretary: User) -> None:
    response = page(secretary).get(reverse("minutes", args=[held.meeting.pk]))

    assert response.status_code == 200
    assert 'data-testid="compile"' in response.content.decode()


def test_the_secretarys_page_names_who_has_no_attendance_before_compiling(held: Held, secretary: User, delegate: User) -> None:
    Participant.objects.filter(meeting=held.meeting, user=delegate).update(attendance=Participant.Attendance.UNKNOWN)

    html = page(secretary).get(reverse("minutes", args=[held.meeting.pk])).content.decode()

    warning = html.split('data-testid="unmarked">')[1].split("</div>")[0]
    assert delegate.display_name in warning
    assert "Hãy điểm danh trong phòng họp trước" in warning
    assert f'href="{reverse("live_room", args=[held.meeting.pk])}"' in html


def test_compiling_from_the_page_makes_a_version(held: Held, secretary: User, quick_compile: None) -> None:
    response = page(secretary).post(reverse("minutes_action", args=[held.meeting.pk, "compile"]))

    assert response.status_code == 302
    assert response["Location"] == reverse("minutes", args=[held.meeting.pk])
    assert [v.number for v in versions_of(held.meeting)] == [1]


def test_compiling_takes_the_settings_typed_but_not_saved_with_it(held: Held, secretary: User, quick_compile: None) -> None:
    html = page(secretary).get(reverse("minutes", args=[held.meeting.pk])).content.decode()
    form = html.split('class="minutes-compile"')[1].split("</form>")[0]
    assert 'name="number"' in form and 'data-testid="compile"' in form  # one form: the button sends the fields

    page(secretary).post(
        reverse("minutes_action", args=[held.meeting.pk, "compile"]),
        {"with_settings": "1", "number": "15/BB-UBND", "recipients": "", "language": "vi", "closing": "Biên bản đã được đọc lại."},
    )

    minutes = Minutes.objects.get(meeting=held.meeting)
    assert (minutes.number, minutes.closing) == ("15/BB-UBND", "Biên bản đã được đọc lại.")
    assert [v.number for v in versions_of(held.meeting)] == [1]


def test_compiling_without_the_form_keeps_the_settings_as_they_were(held: Held, secretary: User, quick_compile: None) -> None:
    workflow.minutes_settings_update(
        actor=secretary, meeting=held.meeting, number="15/BB-UBND", recipients="", language="vi", appendix_document_ids=[]
    )

    page(secretary).post(reverse("minutes_action", args=[held.meeting.pk, "compile"]))

    assert Minutes.objects.get(meeting=held.meeting).number == "15/BB-UBND"


def _saved_settings_message(meeting: Meeting, secretary: User) -> list[str]:
    response = page(secretary).post(
        reverse("minutes_settings", args=[meeting.pk]),
        {"number": "15/BB-UBND", "recipients": "- Lưu: VT.", "language": "vi", "closing": ""},
        follow=True,
    )
    return [str(message) for message in response.context["messages"]]


def test_settings_saved_before_any_version_say_the_minutes_will_be_compiled_with_them(held: Held, secretary: User) -> None:
    assert _saved_settings_message(held.meeting, secretary) == ["Đã lưu. Biên bản sẽ được lập theo thông tin này."]


def test_settings_saved_after_a_version_ask_to_compile_again(held: Held, compiled: MinutesVersion, secretary: User) -> None:
    assert _saved_settings_message(held.meeting, secretary) == ["Đã lưu. Vui lòng lập lại biên bản để thấy thay đổi."]


def test_an_unknown_action_is_not_found(held: Held, secretary: User) -> None:
    assert page(secretary).post(reverse("minutes_action", args=[held.meeting.pk, "shred"])).status_code == 404


def test_a_delegate_sees_the_minutes_only_once_circulated(held: Held, compiled: MinutesVersion, secretary: User, delegate: User) -> None:
    url = reverse("minutes", args=[held.meeting.pk])
    file_url = reverse("minutes_file", args=[held.meeting.pk, 1])
    assert page(delegate).get(url).status_code == 404
    assert page(delegate).get(file_url).status_code == 404

    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    response = page(delegate).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{reverse("minutes_remark", args=[held.meeting.pk])}"' in html
    assert 'name="text"' in html
    assert 'data-testid="compile"' not in html
    # What they are asked to read is the first thing in their card, named by version and length.
    read = re.search(r'<a [^>]*href="([^"]+)"[^>]*data-testid="read-draft">([^<]+)</a>', html)
    assert read is not None
    assert read.group(1) == file_url
    assert read.group(2) == f"Đọc dự thảo biên bản (phiên bản {compiled.number}, {compiled.page_count} trang, PDF)"
    assert html.index('data-testid="read-draft"') < html.index('name="text"')


def test_an_outsider_never_sees_the_minutes(held: Held, compiled: MinutesVersion, secretary: User, outsider: User) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    assert page(outsider).get(reverse("minutes", args=[held.meeting.pk])).status_code == 404
    assert page(outsider).get(reverse("minutes_file", args=[held.meeting.pk, 1])).status_code == 404


def test_a_remark_is_sent_from_the_page(held: Held, compiled: MinutesVersion, secretary: User, delegate: User) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    response = page(delegate).post(reverse("minutes_remark", args=[held.meeting.pk]), {"text": "Sửa chính tả ở trang 2."})

    assert response.status_code == 302
    assert list(MinutesRemark.objects.values_list("text", flat=True)) == ["Sửa chính tả ở trang 2."]
    assert "Sửa chính tả ở trang 2." in page(secretary).get(reverse("minutes", args=[held.meeting.pk])).content.decode()
    # Its author sees what they sent; another participant does not.
    own_page = page(delegate).get(reverse("minutes", args=[held.meeting.pk])).content.decode()
    assert 'data-testid="my-remark"' in own_page and "Sửa chính tả ở trang 2." in own_page
    other = page(held.excused).get(reverse("minutes", args=[held.meeting.pk]))
    assert other.status_code == 200
    assert "Sửa chính tả ở trang 2." not in other.content.decode()


def names(users: list[User]) -> list[str]:
    return [user.username for user in users]


def test_a_participant_agrees_with_the_circulated_version_once(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    workflow.minutes_assent(actor=delegate, meeting=held.meeting)
    workflow.minutes_assent(actor=delegate, meeting=held.meeting)

    assert list(MinutesAssent.objects.values_list("author__username", "version__number")) == [(delegate.username, 1)]
    assert AuditEvent.objects.filter(meeting=held.meeting, action="minutes.assent").count() == 1
    responses = minutes_responses(meeting=held.meeting, minutes=Minutes.objects.get(meeting=held.meeting))
    assert names(responses.agreed) == [delegate.username]


def test_it_refuses_agreement_with_minutes_not_circulated(held: Held, compiled: MinutesVersion, delegate: User) -> None:
    refused("wrong_state", workflow.minutes_assent, actor=delegate, meeting=held.meeting)
    assert not MinutesAssent.objects.exists()


def test_it_refuses_agreement_from_a_guest_who_may_still_write(held: Held, compiled: MinutesVersion, secretary: User, guest: User) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    refused("forbidden", workflow.minutes_assent, actor=guest, meeting=held.meeting)
    workflow.minutes_remark_add(actor=guest, meeting=held.meeting, text="Ghi đúng chức danh của tôi.")
    html = page(guest).get(reverse("minutes", args=[held.meeting.pk])).content.decode()
    assert 'data-testid="assent"' not in html and 'data-testid="my-remark"' in html


def test_it_refuses_agreement_from_someone_not_invited(held: Held, compiled: MinutesVersion, secretary: User, outsider: User) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    refused("forbidden", workflow.minutes_assent, actor=outsider, meeting=held.meeting)
    assert not MinutesAssent.objects.exists()


def test_the_answers_say_who_agreed_who_wrote_and_who_is_silent(
    held: Held, compiled: MinutesVersion, secretary: User, chair: User, delegate: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    workflow.minutes_assent(actor=delegate, meeting=held.meeting)
    workflow.minutes_remark_add(actor=held.late, meeting=held.meeting, text="Giờ đến muộn là 8 giờ 20.")

    responses = minutes_responses(meeting=held.meeting, minutes=Minutes.objects.get(meeting=held.meeting))

    assert names(responses.agreed) == [delegate.username]
    assert names(responses.remarked) == [held.late.username]
    # Asked: everyone invited but the secretaries who wrote them, the chair who approves, guests, and
    # those recorded absent (who cannot say what was said).
    asked = (
        Participant.objects.filter(meeting=held.meeting)
        .exclude(role__in=["guest", "secretary", "chair"])
        .exclude(attendance__in=["absent", "absent_excused"])
    )
    expected_waiting = set(asked.values_list("user__username", flat=True)) - {delegate.username, held.late.username}
    assert set(names(responses.waiting)) == expected_waiting
    assert held.excused.username not in names(responses.waiting)
    assert {secretary.username, chair.username, held.assistant.username}.isdisjoint(names(responses.waiting))
    assert responses.expected == asked.count()


def test_a_remark_after_agreeing_counts_as_a_remark(held: Held, compiled: MinutesVersion, secretary: User, delegate: User) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    workflow.minutes_assent(actor=delegate, meeting=held.meeting)
    workflow.minutes_remark_add(actor=delegate, meeting=held.meeting, text="Xin bổ sung ý kiến của tôi ở mục 2.")

    responses = minutes_responses(meeting=held.meeting, minutes=Minutes.objects.get(meeting=held.meeting))

    assert names(responses.agreed) == []
    assert names(responses.remarked) == [delegate.username]


def test_a_new_version_asks_everyone_again(held: Held, compiled: MinutesVersion, secretary: User, delegate: User) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    workflow.minutes_assent(actor=delegate, meeting=held.meeting)
    workflow.minutes_back_to_draft(actor=secretary, meeting=held.meeting)
    workflow.minutes_compile(actor=secretary, meeting=held.meeting)
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    responses = minutes_responses(meeting=held.meeting, minutes=Minutes.objects.get(meeting=held.meeting))

    assert responses.version.number == 2
    assert delegate.username in names(responses.waiting)


def test_circulating_by_a_date_already_past_is_refused(held: Held, compiled: MinutesVersion, secretary: User) -> None:
    refused("invalid", workflow.minutes_circulate, actor=secretary, meeting=held.meeting, remarks_due=timezone.now() - timedelta(hours=1))
    assert state_of(held.meeting) == Minutes.State.DRAFT


def test_the_circulation_email_gives_the_date_for_remarks(
    held: Held, compiled: MinutesVersion, secretary: User, chair: User, delegate: User, django_capture_on_commit_callbacks: Any
) -> None:
    due = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=3), time(17, 0)))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.minutes_circulate(actor=secretary, meeting=held.meeting, remarks_due=due)

    (to_delegate,) = [message for message in mail.outbox if message.to == [delegate.email]]
    assert f"17:00 ngày {timezone.localtime(due):%d/%m/%Y}" in to_delegate.body
    assert gettext("I agree, no remarks") in to_delegate.body
    # The chair approves rather than agrees: not told of a button he does not have.
    (to_chair,) = [message for message in mail.outbox if message.to == [chair.email]]
    assert gettext("I agree, no remarks") not in to_chair.body
    assert Minutes.objects.get(meeting=held.meeting).remarks_due == due
    event = AuditEvent.objects.get(meeting=held.meeting, action="minutes.circulate")
    assert event.data["remarks_due"] == due.isoformat()


def test_the_page_circulates_by_the_day_chosen(held: Held, compiled: MinutesVersion, secretary: User) -> None:
    day = timezone.localdate() + timedelta(days=5)

    response = page(secretary).post(reverse("minutes_action", args=[held.meeting.pk, "circulate"]), {"remarks_due": day.isoformat()})

    assert response.status_code == 302
    due = timezone.localtime(Minutes.objects.get(meeting=held.meeting).remarks_due)
    assert (due.date(), due.time()) == (day, time(17, 0))


def test_the_page_keeps_the_draft_when_the_date_is_not_a_date(held: Held, compiled: MinutesVersion, secretary: User) -> None:
    response = page(secretary).post(reverse("minutes_action", args=[held.meeting.pk, "circulate"]), {"remarks_due": "31/02"}, follow=True)

    assert state_of(held.meeting) == Minutes.State.DRAFT
    (message,) = response.context["messages"]
    assert message.level == ERROR and str(message).strip()


def test_a_delegate_agrees_from_the_page_and_the_secretary_sees_it(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting, remarks_due=timezone.now() + timedelta(days=2))
    url = reverse("minutes", args=[held.meeting.pk])
    assert 'data-testid="assent"' in page(delegate).get(url).content.decode()

    response = page(delegate).post(reverse("minutes_action", args=[held.meeting.pk, "assent"]))

    assert response.status_code == 302
    own = page(delegate).get(url).content.decode()
    assert 'data-testid="my-assent"' in own and 'data-testid="assent"' not in own
    secretary_page = page(secretary).get(url).content.decode()
    assert delegate.display_name in secretary_page.split('data-testid="agreed"')[1].split("</p>")[0]
    waiting = secretary_page.split('data-testid="waiting"')[1].split("</p>")[0]
    assert held.late.display_name in waiting and held.excused.display_name not in waiting


def test_who_agreed_with_an_earlier_version_is_said_so_while_the_new_one_waits(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User, quick_compile: None
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    workflow.minutes_assent(actor=delegate, meeting=held.meeting)
    workflow.minutes_back_to_draft(actor=secretary, meeting=held.meeting)
    workflow.minutes_compile(actor=secretary, meeting=held.meeting)
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    responses = minutes_responses(meeting=held.meeting, minutes=Minutes.objects.get(meeting=held.meeting))

    assert delegate in responses.waiting
    assert responses.agreed_before == {delegate.pk: 1}
    waiting = page(secretary).get(reverse("minutes", args=[held.meeting.pk])).content.decode().split('data-testid="waiting"')[1]
    assert f'{delegate.display_name} <span class="muted">(đã nhất trí phiên bản 1)</span>' in waiting.split("</p>")[0]


def test_the_chair_is_told_when_the_time_for_remarks_has_not_run_out(
    held: Held, compiled: MinutesVersion, secretary: User, chair: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting, remarks_due=timezone.now() + timedelta(days=2))
    url = reverse("minutes_approve", args=[held.meeting.pk])
    assert 'data-testid="still-open"' in page(chair).get(url).content.decode()

    Minutes.objects.filter(meeting=held.meeting).update(remarks_due=timezone.now() - timedelta(minutes=1))
    html = page(chair).get(url).content.decode()

    assert 'data-testid="still-open"' not in html
    assert 'data-testid="responses"' in html and 'data-testid="remarks-due"' in html


def tasks(user: User) -> list[tuple[int, str]]:
    return [(task.meeting.pk, task.kind) for task in minutes_tasks_of(user=user)]


def test_the_home_page_asks_a_delegate_for_an_answer_until_given(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User
) -> None:
    assert tasks(delegate) == []
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting, remarks_due=timezone.now() + timedelta(days=2))

    html = page(delegate).get(reverse("home")).content.decode()
    assert 'data-task="answer"' in html and held.meeting.title in html
    assert tasks(secretary) == []  # the secretary wrote them

    workflow.minutes_assent(actor=delegate, meeting=held.meeting)
    assert tasks(delegate) == []
    assert tasks(held.excused) == []  # recorded absent: sent the draft, not waited for
    assert tasks(held.late) == [(held.meeting.pk, "answer")]

    # Past the date asked, silence is agreement: nothing waits any more.
    Minutes.objects.filter(meeting=held.meeting).update(remarks_due=timezone.now() - timedelta(minutes=1))
    assert tasks(held.late) == []


def test_the_home_page_leads_the_chair_to_approve_then_each_signer_in_turn(
    held: Held, compiled: MinutesVersion, secretary: User, chair: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)
    assert tasks(chair) == [(held.meeting.pk, "approve")]

    workflow.minutes_approve(actor=chair, meeting=held.meeting)
    assert (tasks(secretary), tasks(chair)) == ([(held.meeting.pk, "sign")], [])

    sign(held.meeting, secretary, "thuky.p12")
    assert (tasks(secretary), tasks(chair)) == ([], [(held.meeting.pk, "sign")])
    assert 'data-task="sign"' in page(chair).get(reverse("home")).content.decode()

    sign(held.meeting, chair, "chutoa.p12")
    assert (tasks(secretary), tasks(chair)) == ([(held.meeting.pk, "archive")], [])

    workflow.minutes_archive(actor=secretary, meeting=held.meeting)
    assert (tasks(secretary), tasks(chair)) == ([], [])


def test_the_pdf_is_downloaded_as_stored(held: Held, compiled: MinutesVersion, secretary: User) -> None:
    response = page(secretary).get(reverse("minutes_file", args=[held.meeting.pk, 1]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body == version_bytes(compiled)
    assert response["ETag"] == f'"{compiled.sha256[:32]}"'
    # Named by day and title, to be told apart from other meetings' minutes in a Downloads folder.
    day = timezone.localdate(held.meeting.starts_at)
    assert f'filename="bien-ban-{day:%Y-%m-%d}-hop-chuyen-de-chuyen-doi-so-v1.pdf"' in response["Content-Disposition"]


def test_a_delegate_downloads_only_the_latest_version(held: Held, secretary: User, delegate: User, quick_compile: None) -> None:
    workflow.minutes_compile(actor=secretary, meeting=held.meeting)
    workflow.minutes_compile(actor=secretary, meeting=held.meeting)
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    assert page(delegate).get(reverse("minutes_file", args=[held.meeting.pk, 2])).status_code == 200
    assert page(delegate).get(reverse("minutes_file", args=[held.meeting.pk, 1])).status_code == 404
    assert page(secretary).get(reverse("minutes_file", args=[held.meeting.pk, 1])).status_code == 200


def test_the_verify_page_shows_the_verdict(signed: Meeting, secretary: User) -> None:
    valid = page(secretary).get(reverse("minutes_verify", args=[signed.pk, 3]))
    unsigned = page(secretary).get(reverse("minutes_verify", args=[signed.pk, 1]))

    assert valid.status_code == unsigned.status_code == 200
    assert valid.context["stored"]["verdict"] is True
    assert [c.signer_name for c in valid.context["stored"]["checks"]] == ["Trần Thị Thu Hà", "Nguyễn Văn Thành"]
    assert 'class="verdict-box ok"' in valid.content.decode()
    # Who vouches for the signer: a demo authority is named as one, not hidden behind a tick.
    assert "Chứng thư số do " in valid.content.decode() and "có hiệu lực đến" in valid.content.decode()
    assert unsigned.context["stored"]["verdict"] is False
    assert unsigned.context["stored"]["checks"] == []
    assert 'class="verdict-box bad"' in unsigned.content.decode()
    assert 'data-testid="stored-changed"' not in valid.content.decode()


def test_a_stored_file_changed_on_the_server_is_said_so_and_its_certificates_are_not_blamed(signed: Meeting, secretary: User) -> None:
    final = versions_of(signed)[-1]
    with open(final.file.path, "wb") as handle:
        handle.write(version_bytes(final).replace(b"/Title", b"/Titlf", 1))

    checked = page(secretary).get(reverse("minutes_verify", args=[signed.pk, final.number])).content.decode()

    assert 'data-testid="stored-changed"' in checked
    assert 'class="verdict-box bad"' in checked
    assert "<td>—</td>" in checked  # the certificate is not judged over bytes that changed


def test_a_copy_someone_received_is_checked_against_the_versions_kept_and_not_kept(signed: Meeting, delegate: User, settings: Any) -> None:
    final = versions_of(signed)[-1]
    original = version_bytes(final)
    tampered = original.replace(b"/Title", b"/Titlf", 1)
    url = reverse("minutes_verify", args=[signed.pk, final.number])
    stored_before = media_files(settings.MEDIA_ROOT)

    same = page(delegate).post(url, {"copy": SimpleUploadedFile("bien-ban.pdf", original, content_type="application/pdf")})
    changed = page(delegate).post(url, {"copy": SimpleUploadedFile("bien-ban.pdf", tampered, content_type="application/pdf")})
    nothing = page(delegate).post(url, {})

    assert same.context["copy"]["verdict"] is True
    assert f"Đây đúng là phiên bản {final.number} đang lưu trên hệ thống" in same.content.decode()
    assert changed.context["copy"]["verdict"] is False
    assert "không trùng khớp với phiên bản nào" in changed.content.decode()
    assert "Hãy chọn tệp PDF bạn nhận được" in nothing.content.decode()
    assert media_files(settings.MEDIA_ROOT) == stored_before


def _sign_by_page(client: Client, meeting: Meeting, content: bytes, passphrase: str = PASSPHRASE) -> Any:
    upload = SimpleUploadedFile("chung-thu.p12", content, content_type="application/x-pkcs12")
    return client.post(reverse("minutes_sign", args=[meeting.pk]), {"certificate": upload, "passphrase": passphrase}, follow=True)


def test_the_secretary_signs_by_uploading_a_certificate(approved: Meeting, secretary: User) -> None:
    client = page(secretary)
    form = client.get(reverse("minutes", args=[approved.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in form
    assert 'data-testid="sign"' in form
    assert "Bạn ký phiên bản 1 (" in form and "Đọc trước khi ký" in form

    response = _sign_by_page(client, approved, demo_p12("thuky.p12"))

    assert response.status_code == 200
    [said] = response.context["messages"]
    assert said.level == SUCCESS
    # Whose certificate it was, and who vouches for it: the demo authority says it is one.
    assert str(said).startswith("Đã ký số bằng chứng thư số của Trần Thị Thu Hà do Demo CA – Phòng họp không giấy (KHÔNG DÙNG THẬT) cấp.")
    assert str(said).endswith("Bản đã ký được lưu thành phiên bản 2.")
    assert [v.signers for v in versions_of(approved)] == [[], ["secretary"]]


def test_the_page_reports_a_wrong_passphrase(approved: Meeting, secretary: User) -> None:
    response = _sign_by_page(page(secretary), approved, demo_p12("thuky.p12"), passphrase="sai")

    messages = list(response.context["messages"])
    assert [m.level for m in messages] == [ERROR]
    assert len(versions_of(approved)) == 1


def test_a_file_too_large_to_be_a_certificate_is_refused(approved: Meeting, secretary: User, settings: Any) -> None:
    too_large = demo_p12("thuky.p12") + b"\0" * (64 * 1024)

    response = _sign_by_page(page(secretary), approved, too_large)

    messages = list(response.context["messages"])
    assert [m.level for m in messages] == [ERROR]
    assert ".p12" in str(messages[0])
    assert len(versions_of(approved)) == 1
    assert all(not path.name.endswith(".p12") for path in media_files(settings.MEDIA_ROOT))


def test_a_delegates_signature_upload_is_refused(approved: Meeting, delegate: User, secretary: User) -> None:
    response = _sign_by_page(page(delegate), approved, demo_p12("thuky.p12"))

    assert response.status_code == 200
    assert [m.level for m in response.context["messages"]] == [ERROR]
    assert len(versions_of(approved)) == 1
    assert state_of(approved) == Minutes.State.APPROVED


@pytest.mark.parametrize("action", ["compile", "circulate", "draft", "archive"])
def test_actions_answer_only_to_post(held: Held, secretary: User, action: str) -> None:
    assert page(secretary).get(reverse("minutes_action", args=[held.meeting.pk, action])).status_code == 405


def test_changes_to_the_minutes_after_the_meeting_are_audited_and_the_live_note_taking_is_not(held: Held, secretary: User) -> None:
    # The held meeting's notes were written during it (the fixture): none of that is in the audit trail.
    assert MinutesEntry.objects.filter(meeting=held.meeting).exclude(notes="").exists()
    assert not AuditEvent.objects.filter(meeting=held.meeting, action="minutes.edit").exists()

    # One sitting after the meeting, saved as the secretary types: one entry, at its first save.
    minutes_entry_update(actor=secretary, meeting=held.meeting, field="notes", text="Bổ sung sau", base_version=1)
    minutes_entry_update(actor=secretary, meeting=held.meeting, field="notes", text="Bổ sung sau cuộc họp.", base_version=2)
    workflow.minutes_settings_update(
        actor=secretary, meeting=held.meeting, number="15/BB-UBND", recipients="- Lưu: VT.", language="vi", appendix_document_ids=[]
    )

    (edit,) = AuditEvent.objects.filter(meeting=held.meeting, action="minutes.edit")
    assert (edit.actor, edit.data["field"], edit.data["item"], edit.data["version"]) == (secretary, "notes", None, 2)
    settings = AuditEvent.objects.filter(meeting=held.meeting, action="minutes.settings").latest("id")
    assert (settings.data["number"], settings.data["recipients"]) == ("15/BB-UBND", "- Lưu: VT.")


def test_after_the_meeting_its_page_leads_to_the_minutes_and_a_delegate_is_not_shown_hashes(
    held: Held, compiled: MinutesVersion, secretary: User, delegate: User
) -> None:
    workflow.minutes_circulate(actor=secretary, meeting=held.meeting)

    meeting_page = page(delegate).get(reverse("meeting_detail", args=[held.meeting.pk])).content.decode()
    minutes_page = page(delegate).get(reverse("minutes", args=[held.meeting.pk])).content.decode()

    assert f'class="button primary" href="/meetings/{held.meeting.pk}/minutes/" data-testid="open-minutes"' in meeting_page
    assert "Tài liệu và ghi chú" in meeting_page
    assert "calendar.ics" not in meeting_page
    assert "SHA-256" not in minutes_page
    assert "SHA-256" in page(secretary).get(reverse("minutes", args=[held.meeting.pk])).content.decode()
    assert "SHA-256" in page(held.meeting.chair).get(reverse("minutes", args=[held.meeting.pk])).content.decode()
