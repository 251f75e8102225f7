"""Meeting life cycle while it is prepared: create, update, publish, notify, delete; e-mails; audit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from icalendar import Calendar
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import AuditEvent, Body, Meeting, MeetingEvent, Participant, User
from meetings.selectors.changes import meeting_changes_since_notice
from meetings.services.agenda import agenda_item_create
from meetings.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_delete,
    meeting_publish,
    meeting_send_update_notice,
    meeting_update,
)
from meetings.services.participants import participant_remove, participants_invite
from tests.conftest import attendee_emails, calendar_mimetype_of, calendar_of, event_of, logged_in, meeting_form_of, set_state

pytestmark = pytest.mark.django_db


def details(meeting: Meeting, **changes: Any) -> dict[str, Any]:
    """The keyword arguments of meeting_update: the meeting's current details with some changed."""
    values = {
        "body": meeting.body,
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "location": meeting.location,
        "chair": meeting.chair,
        "secretary": meeting.secretary,
    }
    values.update(changes)
    return values


def actions_of(meeting: Meeting) -> list[str]:
    return list(AuditEvent.objects.filter(meeting=meeting).order_by("id").values_list("action", flat=True))


# --- create --------------------------------------------------------------------------------------


def test_it_creates_a_draft_with_the_chair_and_the_secretary_taking_part(meeting: Meeting, chair: User, secretary: User) -> None:
    assert meeting.state == Meeting.State.DRAFT
    assert meeting.published_at is None
    roles = {p.user_id: (p.role, p.can_vote) for p in meeting.participants.all()}
    assert roles[chair.pk] == (Participant.Role.CHAIR, True)
    assert roles[secretary.pk] == (Participant.Role.SECRETARY, False)
    assert AuditEvent.objects.filter(meeting=meeting, action="meeting.create", actor=secretary).exists()


@pytest.mark.parametrize("who", ["delegate", "outsider"])
def test_it_rejects_creating_a_meeting_by_someone_without_the_secretary_role(
    request: pytest.FixtureRequest, who: str, body: Body, chair: User, secretary: User
) -> None:
    actor = request.getfixturevalue(who)
    starts = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(NotAllowed):
        meeting_create(
            actor=actor,
            body=body,
            title="Họp trái phép",
            kind=Meeting.Kind.REGULAR,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            location="Phòng 2",
            chair=chair,
            secretary=secretary,
        )
    assert not Meeting.objects.exists()


def test_it_rejects_a_meeting_that_ends_before_it_starts(body: Body, chair: User, secretary: User) -> None:
    starts = timezone.now() + datetime.timedelta(days=2)
    with pytest.raises(ServiceError) as excinfo:
        meeting_create(
            actor=secretary,
            body=body,
            title="Họp",
            kind=Meeting.Kind.REGULAR,
            starts_at=starts,
            ends_at=starts - datetime.timedelta(minutes=30),
            location="Phòng 2",
            chair=chair,
            secretary=secretary,
        )
    assert excinfo.value.code == "invalid_times"
    assert not Meeting.objects.exists()


# --- update --------------------------------------------------------------------------------------


def test_it_updates_a_draft_and_records_which_fields_changed(meeting: Meeting, secretary: User) -> None:
    new_details = details(meeting, title="  Họp chuyên đề về chuyển đổi số  ", location="Phòng họp số 2")
    meeting_update(actor=secretary, meeting=meeting, **new_details)

    meeting.refresh_from_db()
    assert meeting.title == "Họp chuyên đề về chuyển đổi số"
    assert meeting.location == "Phòng họp số 2"
    event = AuditEvent.objects.get(meeting=meeting, action="meeting.update")
    assert sorted(event.data["fields"]) == ["location", "title"]


def test_it_records_nothing_when_an_update_changes_nothing(meeting: Meeting, secretary: User) -> None:
    meeting_update(actor=secretary, meeting=meeting, **details(meeting))

    assert "meeting.update" not in actions_of(meeting)


@pytest.mark.parametrize("who", ["delegate", "outsider", "chair"])
def test_it_rejects_an_update_by_someone_who_does_not_prepare_the_meeting(
    request: pytest.FixtureRequest, who: str, meeting: Meeting
) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        meeting_update(actor=actor, meeting=meeting, **details(meeting, title="Đổi tên"))
    meeting.refresh_from_db()
    assert meeting.title == "Họp chuyên đề chuyển đổi số"


def test_it_gives_the_chair_role_to_a_new_chair_and_keeps_the_former_chair_as_a_delegate(
    meeting: Meeting, secretary: User, chair: User, other_delegate: User
) -> None:
    meeting_update(actor=secretary, meeting=meeting, **details(meeting, chair=other_delegate))

    assert meeting.participants.get(user=other_delegate).role == Participant.Role.CHAIR
    assert meeting.participants.get(user=chair).role == Participant.Role.DELEGATE
    assert meeting.participants.filter(role=Participant.Role.CHAIR).count() == 1


# --- publish -------------------------------------------------------------------------------------


def test_it_rejects_publishing_without_an_agenda_item(make_meeting: Callable[..., Meeting], secretary: User) -> None:
    empty = make_meeting(with_item=False)

    with pytest.raises(ServiceError) as excinfo:
        meeting_publish(actor=secretary, meeting=empty)

    assert excinfo.value.code == "empty_agenda"
    empty.refresh_from_db()
    assert empty.state == Meeting.State.DRAFT


def test_it_rejects_publishing_a_meeting_whose_time_has_passed(make_meeting: Callable[..., Meeting], secretary: User) -> None:
    past = make_meeting(starts_in=-datetime.timedelta(days=2))

    with pytest.raises(ServiceError) as excinfo:
        meeting_publish(actor=secretary, meeting=past)

    assert excinfo.value.code == "in_the_past"
    past.refresh_from_db()
    assert past.state == Meeting.State.DRAFT


def test_it_rejects_publishing_twice(published_meeting: Meeting, secretary: User) -> None:
    with pytest.raises(WrongState):
        meeting_publish(actor=secretary, meeting=published_meeting)
    assert actions_of(published_meeting).count("meeting.publish") == 1


@pytest.mark.parametrize("who", ["delegate", "outsider", "guest"])
def test_it_rejects_publishing_by_someone_who_does_not_prepare_the_meeting(
    request: pytest.FixtureRequest, who: str, meeting: Meeting
) -> None:
    with pytest.raises(NotAllowed):
        meeting_publish(actor=request.getfixturevalue(who), meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.DRAFT


def test_it_publishes_and_sends_every_participant_a_calendar_invitation(
    meeting: Meeting,
    secretary: User,
    chair: User,
    delegate: User,
    guest: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting_publish(actor=secretary, meeting=meeting)

    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.PUBLISHED
    assert meeting.published_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in (secretary, chair, delegate, guest))
    for message in mail.outbox:
        assert meeting.title in message.subject
        assert "Khai mạc" in message.body  # the agenda is in the invitation
        calendar = calendar_of(message)
        assert str(calendar["method"]) == "REQUEST"
        assert "method=REQUEST" in calendar_mimetype_of(message)
        event = event_of(message)
        assert str(event["summary"]) == meeting.title
        assert int(event["sequence"]) == 0
        assert event.decoded("dtstart") == meeting.starts_at.replace(microsecond=0)  # iCalendar keeps whole seconds
        # Each entry names its own recipient: a guest does not get every participant's address.
        assert attendee_emails(event) == {message.to[0]}
        ics_part = next(part for part in message.message().walk() if part.get_content_type() == "text/calendar")
        assert ics_part["Content-Type"].lower().count("charset") == 1
    # Each says in what role, and which account to log in with.
    by_address = {message.to[0]: message.body for message in mail.outbox}
    assert "Tham dự với tư cách: Đại biểu, có quyền biểu quyết" in by_address[delegate.email]
    assert "Tham dự với tư cách: Khách mời\n" in by_address[guest.email]
    assert f'Đăng nhập bằng tài khoản "{delegate.username}"' in by_address[delegate.email]
    assert "meeting.publish" in actions_of(meeting)


def test_it_sends_nothing_when_publishing_is_rolled_back(
    meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Abort), transaction.atomic():
        meeting_publish(actor=secretary, meeting=meeting)
        raise Abort

    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.DRAFT


def test_it_sends_no_e_mail_for_changes_to_a_draft(
    meeting: Meeting, secretary: User, other_delegate: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(actor=secretary, meeting=meeting, **details(meeting, starts_at=meeting.starts_at + datetime.timedelta(hours=1)))
        participants_invite(actor=secretary, meeting=meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True)

    assert mail.outbox == []
    meeting.refresh_from_db()
    assert meeting.notice_sequence == 0
    assert not meeting.changed_since_notice


# --- notices after publishing --------------------------------------------------------------------


def test_it_sends_an_update_with_a_higher_sequence_when_the_time_changes(
    published_meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # As the edit form gives it: in the site's time zone.
    later = timezone.localtime(published_meeting.starts_at) + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(
            actor=secretary,
            meeting=published_meeting,
            **details(published_meeting, starts_at=later, ends_at=later + datetime.timedelta(hours=3)),
        )

    published_meeting.refresh_from_db()
    assert published_meeting.notice_sequence == 1
    assert not published_meeting.changed_since_notice
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert str(calendar_of(message)["method"]) == "REQUEST"
        event = event_of(message)
        assert int(event["sequence"]) == 1
        assert event.decoded("dtstart") == later.replace(microsecond=0)
        # In UTC: a TZID would need a VTIMEZONE block the entry does not carry.
        assert "TZID" not in calendar_of(message).to_ical().decode()
        assert event["dtstart"].to_ical().decode().endswith("Z")


def test_it_tells_what_moved_in_the_update_with_the_former_and_new_time_and_place(
    published_meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    before = timezone.localtime(published_meeting.starts_at)
    later = published_meeting.starts_at + datetime.timedelta(days=1, hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(
            actor=secretary,
            meeting=published_meeting,
            **details(published_meeting, starts_at=later, ends_at=later + datetime.timedelta(hours=3), location="Hội trường tầng 3"),
        )

    body = mail.outbox[0].body
    after = timezone.localtime(later)
    time_line = next(line for line in body.splitlines() if line.startswith("- Thời gian:"))
    assert time_line.index(before.strftime("%H:%M")) < time_line.index("→") < time_line.index(after.strftime("%H:%M"))
    with translation.override("vi"):
        assert date_format(before, "DATE_FORMAT") in time_line.split("→")[0]
        assert date_format(after, "DATE_FORMAT") in time_line.split("→")[1]
    assert "- Địa điểm: Phòng họp số 1, trụ sở UBND thành phố → Hội trường tầng 3" in body
    assert "- Tiêu đề:" not in body  # the title did not change


def test_a_correction_saved_without_e_mailing_waits_for_the_next_update_notice(
    client: Client, published_meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    page = logged_in(client, secretary).get(f"/meetings/{published_meeting.pk}/edit/").content.decode()
    assert 'name="notify_now"' in page and "checked" in page.split('name="notify_now"')[1].split(">")[0]
    # To the minute, as the form shows it: posting it back then changes the title alone.
    to_the_minute = {"second": 0, "microsecond": 0}
    Meeting.objects.filter(pk=published_meeting.pk).update(
        starts_at=published_meeting.starts_at.replace(**to_the_minute), ends_at=published_meeting.ends_at.replace(**to_the_minute)
    )
    published_meeting.refresh_from_db()
    minutes = published_meeting.speaker_seconds // 60
    form = {**meeting_form_of(published_meeting), "speaker_seconds": minutes, "initial-speaker_seconds": minutes}
    form["title"] = published_meeting.title + " (sửa lỗi chính tả)"
    form.pop("notify_now")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/meetings/{published_meeting.pk}/edit/", form)

    published_meeting.refresh_from_db()
    assert published_meeting.title.endswith("(sửa lỗi chính tả)")
    assert mail.outbox == []
    assert published_meeting.changed_since_notice
    assert meeting_changes_since_notice(meeting=published_meeting) == ["Tên cuộc họp đã thay đổi."]

    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_update_notice(actor=secretary, meeting=published_meeting)

    assert mail.outbox and all("Tên cuộc họp đã thay đổi." in message.body for message in mail.outbox)
    assert meeting_changes_since_notice(meeting=published_meeting) == []


def test_a_draft_has_no_choice_of_e_mailing_its_changes(client: Client, meeting: Meeting, secretary: User) -> None:
    assert 'name="notify_now"' not in logged_in(client, secretary).get(f"/meetings/{meeting.pk}/edit/").content.decode()


def test_it_marks_agenda_changes_after_publishing_and_sends_them_in_one_update_notice(
    published_meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        agenda_item_create(actor=secretary, meeting=published_meeting, title="Báo cáo tiến độ đề án")
    published_meeting.refresh_from_db()
    assert published_meeting.changed_since_notice
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_update_notice(actor=secretary, meeting=published_meeting)

    published_meeting.refresh_from_db()
    assert not published_meeting.changed_since_notice
    assert published_meeting.notice_sequence == 1
    assert len(mail.outbox) == 4
    assert all("Báo cáo tiến độ đề án" in m.body for m in mail.outbox)
    assert all(int(event_of(m)["sequence"]) == 1 for m in mail.outbox)
    assert "meeting.notice_sent" in actions_of(published_meeting)


def test_the_update_notice_says_what_changed_since_the_last_one_and_never_names_a_confidential_document(
    published_meeting: Meeting,
    secretary: User,
    pdf_upload: Callable[..., Any],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from meetings.services.documents import document_delete, document_upload

    agenda_item_create(actor=secretary, meeting=published_meeting, title="Báo cáo công tác PCCC")
    document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload("pccc.pdf", pages=1), title="Báo cáo PCCC quý IV")
    secret = document_upload(
        actor=secretary, meeting=published_meeting, upload=pdf_upload("mat.pdf", pages=2), title="Phương án nhân sự", confidential=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_update_notice(actor=secretary, meeting=published_meeting)

    body = mail.outbox[0].body
    changed = body[body.index("Những điểm thay đổi:") :]
    assert "- Thêm nội dung: Báo cáo công tác PCCC" in changed
    assert "- Thêm tài liệu: Báo cáo PCCC quý IV" in changed
    assert "Phương án nhân sự" not in body

    # Withdrawn, a confidential document is not told of either: its existence is not every participant's.
    mail.outbox.clear()
    document_delete(actor=secretary, document=secret)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_update_notice(actor=secretary, meeting=Meeting.objects.get(pk=published_meeting.pk))
    assert "rút" not in mail.outbox[0].body

    # The next notice speaks only of what came after this one.
    mail.outbox.clear()
    agenda_item_create(actor=secretary, meeting=published_meeting, title="Kiến nghị của cử tri")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_update_notice(actor=secretary, meeting=Meeting.objects.get(pk=published_meeting.pk))
    changed = mail.outbox[0].body[mail.outbox[0].body.index("Những điểm thay đổi:") :]
    assert "- Thêm nội dung: Kiến nghị của cử tri" in changed
    assert "Báo cáo công tác PCCC" not in changed.split("Chương trình họp")[0]


def test_the_update_notice_says_a_document_was_renamed_or_moved_under_its_new_name(
    published_meeting: Meeting,
    secretary: User,
    pdf_upload: Callable[..., Any],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from meetings.services.documents import document_update, document_upload

    document = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload("pccc.pdf"), title="Báo cáo PCCC")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_update_notice(actor=secretary, meeting=published_meeting)
    mail.outbox.clear()
    item = agenda_item_create(actor=secretary, meeting=published_meeting, title="Công tác PCCC")
    meeting = Meeting.objects.get(pk=published_meeting.pk)
    document_update(actor=secretary, document=document, title="Báo cáo PCCC quý IV", agenda_item=item, confidential=False, readers=[])
    document_update(actor=secretary, document=document, title="Báo cáo PCCC quý IV", agenda_item=None, confidential=False, readers=[])

    with django_capture_on_commit_callbacks(execute=True):
        meeting_send_update_notice(actor=secretary, meeting=Meeting.objects.get(pk=meeting.pk))

    changed = mail.outbox[0].body[mail.outbox[0].body.index("Những điểm thay đổi:") :].split("Chương trình họp")[0]
    assert changed.count("- Tài liệu được sửa: Báo cáo PCCC quý IV") == 1


def test_it_marks_a_change_of_kind_after_publishing_without_sending_mail(
    published_meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(actor=secretary, meeting=published_meeting, **details(published_meeting, kind=Meeting.Kind.EXTRAORDINARY))

    published_meeting.refresh_from_db()
    assert published_meeting.changed_since_notice
    assert published_meeting.notice_sequence == 0
    assert mail.outbox == []


def test_it_rejects_an_update_notice_for_a_draft(meeting: Meeting, secretary: User) -> None:
    with pytest.raises(WrongState):
        meeting_send_update_notice(actor=secretary, meeting=meeting)


def test_it_sends_the_invitation_to_someone_invited_after_publishing(
    published_meeting: Meeting, secretary: User, other_delegate: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        participants_invite(
            actor=secretary, meeting=published_meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True
        )

    assert [m.to for m in mail.outbox] == [[other_delegate.email]]
    message = mail.outbox[0]
    assert str(calendar_of(message)["method"]) == "REQUEST"
    assert other_delegate.email in attendee_emails(event_of(message))
    assert str(event_of(message)["summary"]) == published_meeting.title


def test_it_sends_a_withdrawal_to_someone_removed_after_publishing(
    published_meeting: Meeting, secretary: User, delegate: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    participant = published_meeting.participants.get(user=delegate)
    with django_capture_on_commit_callbacks(execute=True):
        participant_remove(actor=secretary, participant=participant)

    assert [m.to for m in mail.outbox] == [[delegate.email]]
    message = mail.outbox[0]
    assert str(calendar_of(message)["method"]) == "CANCEL"
    assert "method=CANCEL" in calendar_mimetype_of(message)
    assert str(event_of(message)["uid"]).startswith(f"meeting-{published_meeting.pk}@")


def test_it_names_the_removed_person_as_the_attendee_of_the_withdrawal(
    published_meeting: Meeting, secretary: User, delegate: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    participant = published_meeting.participants.get(user=delegate)
    with django_capture_on_commit_callbacks(execute=True):
        participant_remove(actor=secretary, participant=participant)

    assert attendee_emails(event_of(mail.outbox[0])) == {delegate.email}


def test_it_does_not_call_the_meeting_cancelled_in_a_withdrawal(
    published_meeting: Meeting, secretary: User, delegate: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    participant = published_meeting.participants.get(user=delegate)
    with django_capture_on_commit_callbacks(execute=True):
        participant_remove(actor=secretary, participant=participant)

    assert "status" not in event_of(mail.outbox[0])


def test_it_sends_the_invitation_to_a_new_chair_after_publishing(
    published_meeting: Meeting, secretary: User, other_delegate: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(actor=secretary, meeting=published_meeting, **details(published_meeting, chair=other_delegate))

    assert [other_delegate.email] in [m.to for m in mail.outbox]


# --- delete --------------------------------------------------------------------------------------


def test_it_deletes_a_draft_with_its_participants_and_agenda(meeting: Meeting, secretary: User) -> None:
    meeting_delete(actor=secretary, meeting=meeting)

    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert not Participant.objects.filter(meeting_id=meeting.pk).exists()


def test_it_refuses_to_delete_a_published_meeting(published_meeting: Meeting, secretary: User) -> None:
    with pytest.raises(WrongState):
        meeting_delete(actor=secretary, meeting=published_meeting)
    assert Meeting.objects.filter(pk=published_meeting.pk).exists()


@pytest.mark.parametrize("who", ["delegate", "outsider"])
def test_it_rejects_deleting_by_someone_who_does_not_prepare_the_meeting(
    request: pytest.FixtureRequest, who: str, meeting: Meeting
) -> None:
    with pytest.raises(NotAllowed):
        meeting_delete(actor=request.getfixturevalue(who), meeting=meeting)
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_published_meeting_is_not_offered_for_deletion_but_for_cancelling(
    client: Client, published_meeting: Meeting, secretary: User
) -> None:
    page = logged_in(client, secretary)

    response = page.get(reverse("meeting_delete", args=[published_meeting.pk]), follow=True)

    assert response.redirect_chain[-1][0] == published_meeting.get_absolute_url()
    assert "Chỉ xóa được bản nháp." in response.content.decode()
    edit = page.get(reverse("meeting_edit", args=[published_meeting.pk])).content.decode()
    assert f'href="{reverse("meeting_cancel", args=[published_meeting.pk])}"' in edit


# --- cancel --------------------------------------------------------------------------------------


def test_cancelling_tells_everyone_why_and_takes_it_off_their_calendars(
    client: Client, published_meeting: Meeting, secretary: User, delegate: User, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, secretary).post(
            reverse("meeting_cancel", args=[published_meeting.pk]), {"reason": "Chủ tọa dự họp đột xuất của UBND tỉnh."}, follow=True
        )

    meeting = Meeting.objects.get(pk=published_meeting.pk)
    assert (meeting.state, meeting.cancel_reason) == (Meeting.State.CANCELLED, "Chủ tọa dự họp đột xuất của UBND tỉnh.")
    assert not meeting.changed_since_notice  # the cancellation is the last word: nothing waits to be told
    assert "Đã hủy cuộc họp." in response.content.decode()
    assert AuditEvent.objects.filter(meeting=meeting, action="meeting.cancel").exists()
    to_delegate = next(message for message in mail.outbox if message.to == [delegate.email])
    assert to_delegate.subject.startswith("[Đã hủy] ")
    assert "Cuộc họp dưới đây đã bị hủy và sẽ không diễn ra." in to_delegate.body
    assert "Lý do: Chủ tọa dự họp đột xuất của UBND tỉnh." in to_delegate.body
    event = event_of(to_delegate)
    assert (str(event["status"]), calendar_of(to_delegate)["method"]) == ("CANCELLED", "CANCEL")
    assert event["sequence"] > 0
    # The meeting stays on record: its page says so, and there is no room to open.
    page = logged_in(client, delegate).get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="cancelled"' in page and "Lý do: Chủ tọa dự họp đột xuất của UBND tỉnh." in page
    assert 'data-testid="open-live"' not in page
    toolbar = logged_in(client, secretary).get(meeting.get_absolute_url()).content.decode().split('class="toolbar"')[1].split("</div>")[0]
    assert reverse("minutes", args=[meeting.pk]) not in toolbar
    assert client.get(reverse("live_room", args=[meeting.pk])).url == meeting.get_absolute_url()
    # Among the meetings to come until its day is over, said so.
    home = client.get(reverse("home")).content.decode()
    assert "state-cancelled" in home and meeting.title in home


def test_cancelling_needs_a_reason(client: Client, published_meeting: Meeting, secretary: User) -> None:
    response = logged_in(client, secretary).post(reverse("meeting_cancel", args=[published_meeting.pk]), {"reason": "  "})

    assert "Hãy ghi lý do hủy cuộc họp" in response.content.decode()
    assert Meeting.objects.get(pk=published_meeting.pk).state == Meeting.State.PUBLISHED


@pytest.mark.parametrize("state", [Meeting.State.DRAFT, Meeting.State.IN_PROGRESS, Meeting.State.CLOSED])
def test_only_a_published_meeting_not_yet_begun_is_cancelled(published_meeting: Meeting, secretary: User, state: str) -> None:
    set_state(published_meeting, state)

    with pytest.raises(WrongState):
        meeting_cancel(actor=secretary, meeting=published_meeting, reason="Hoãn")
    assert Meeting.objects.get(pk=published_meeting.pk).state == state


@pytest.mark.parametrize("who", ["delegate", "outsider"])
def test_it_rejects_cancelling_by_someone_who_does_not_prepare_the_meeting(
    request: pytest.FixtureRequest, who: str, published_meeting: Meeting
) -> None:
    with pytest.raises(NotAllowed):
        meeting_cancel(actor=request.getfixturevalue(who), meeting=published_meeting, reason="Hoãn")
    assert Meeting.objects.get(pk=published_meeting.pk).state == Meeting.State.PUBLISHED


# --- preparation ends when the meeting starts ----------------------------------------------------


def _update(meeting: Meeting, secretary: User, other: User) -> None:
    meeting_update(actor=secretary, meeting=meeting, **details(meeting, location="Phòng khác"))


def _add_item(meeting: Meeting, secretary: User, other: User) -> None:
    agenda_item_create(actor=secretary, meeting=meeting, title="Mục thêm muộn")


def _invite(meeting: Meeting, secretary: User, other: User) -> None:
    participants_invite(actor=secretary, meeting=meeting, users=[other], role=Participant.Role.DELEGATE, can_vote=True)


def _notify(meeting: Meeting, secretary: User, other: User) -> None:
    meeting_send_update_notice(actor=secretary, meeting=meeting)


def _publish(meeting: Meeting, secretary: User, other: User) -> None:
    meeting_publish(actor=secretary, meeting=meeting)


def _delete(meeting: Meeting, secretary: User, other: User) -> None:
    meeting_delete(actor=secretary, meeting=meeting)


@pytest.mark.parametrize("state", [Meeting.State.IN_PROGRESS, Meeting.State.CLOSED, Meeting.State.MINUTES_APPROVED])
@pytest.mark.parametrize("operation", [_update, _add_item, _invite, _notify, _publish, _delete])
def test_it_forbids_preparation_once_the_meeting_has_started(
    published_meeting: Meeting, secretary: User, other_delegate: User, state: str, operation: Callable[[Meeting, User, User], None]
) -> None:
    set_state(published_meeting, state)
    before = list(AuditEvent.objects.values_list("id", flat=True))

    with pytest.raises(WrongState):
        operation(published_meeting, secretary, other_delegate)

    assert Meeting.objects.get(pk=published_meeting.pk).state == state
    assert list(AuditEvent.objects.values_list("id", flat=True)) == before


# --- audit ---------------------------------------------------------------------------------------


def test_it_records_every_preparation_step_in_the_audit_log(published_meeting: Meeting, secretary: User) -> None:
    assert actions_of(published_meeting) == [
        "meeting.create",
        "participant.invite",
        "participant.invite",
        "agenda.create",
        "meeting.publish",
    ]
    assert set(AuditEvent.objects.filter(meeting=published_meeting).values_list("actor", flat=True)) == {secretary.pk}


def test_it_refuses_to_modify_an_audit_event(published_meeting: Meeting) -> None:
    event = AuditEvent.objects.get(meeting=published_meeting, action="meeting.publish")
    event.action = "meeting.nothing"

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "meeting.publish"


def test_it_refuses_to_delete_an_audit_event(published_meeting: Meeting) -> None:
    event = AuditEvent.objects.get(meeting=published_meeting, action="meeting.publish")

    with pytest.raises(ValueError, match="append-only"):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- the room's rules -----------------------------------------------------------------------------


def test_it_gives_a_new_meeting_the_default_speaking_time(meeting: Meeting, settings: Any) -> None:
    assert meeting.speaker_seconds == settings.SPEAKER_SECONDS == 180


def test_it_changes_the_speaking_time_after_publishing_without_telling_anyone(
    published_meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(actor=secretary, meeting=published_meeting, **details(published_meeting, speaker_seconds=420))

    published_meeting.refresh_from_db()
    assert published_meeting.speaker_seconds == 420
    assert not published_meeting.changed_since_notice
    assert mail.outbox == []
    assert AuditEvent.objects.get(meeting=published_meeting, action="meeting.update").data == {"fields": ["speaker_seconds"]}
    # A meeting room already open before the start shows the new time.
    assert MeetingEvent.objects.get(meeting=published_meeting, type="speaker.allot").payload["speakers"]["speaker_seconds"] == 420


@pytest.mark.parametrize("seconds", [59, 90, 3601])
def test_it_rejects_a_speaking_time_under_a_minute_over_an_hour_or_not_in_whole_minutes(
    meeting: Meeting, secretary: User, seconds: int
) -> None:
    with pytest.raises(ServiceError):
        meeting_update(actor=secretary, meeting=meeting, **details(meeting, speaker_seconds=seconds))

    meeting.refresh_from_db()
    assert meeting.speaker_seconds == 180


def test_the_calendar_download_names_only_its_reader(published_meeting: Meeting, guest: User, client: Client) -> None:
    client.force_login(guest)

    response = client.get(reverse("meeting_calendar", args=[published_meeting.pk]))

    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert attendee_emails(event) == {guest.email}


def test_open_tablets_are_told_a_new_time_so_check_in_opens_by_it(published_meeting: Meeting, secretary: User) -> None:
    sooner = timezone.localtime(published_meeting.starts_at) - datetime.timedelta(days=6)

    meeting_update(
        actor=secretary,
        meeting=published_meeting,
        **details(published_meeting, starts_at=sooner, ends_at=sooner + datetime.timedelta(hours=2)),
    )

    event = MeetingEvent.objects.filter(meeting=published_meeting, type="meeting.state").latest("seq")
    opens = timezone.localtime(sooner - datetime.timedelta(hours=1))
    assert event.payload["meeting"]["checkin_opens_at"] == opens.isoformat()
