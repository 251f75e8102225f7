"""A participant tells ahead that they cannot attend (báo vắng), from the meeting page."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from meetings.errors import ServiceError, WrongState
from meetings.models import AuditEvent, Meeting, MeetingEvent, Participant, User
from meetings.services.live import (
    attendance_check_in,
    attendance_mark,
    attendance_notify_absence,
    attendance_withdraw_absence,
    meeting_start,
)
from tests.conftest import set_state
from voting.services.proxies import proxy_give

pytestmark = pytest.mark.django_db

REASON = "Đi công tác tại Hà Nội theo Quyết định số 125/QĐ-UBND"


def participation(meeting: Meeting, user: User) -> Participant:
    return Participant.objects.get(meeting=meeting, user=user)


def notify(client: Client, meeting: Meeting, user: User, reason: str = REASON) -> object:
    client.force_login(user)
    return client.post(reverse("meeting_absence", args=[meeting.pk]), {"reason": reason}, follow=True)


def test_a_delegate_tells_ahead_and_is_listed_absent_with_leave(
    client: Client, published_meeting: Meeting, delegate: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = notify(client, published_meeting, delegate)

    me = participation(published_meeting, delegate)
    assert me.attendance == Participant.Attendance.ABSENT_EXCUSED
    assert me.absence_reason == REASON
    assert me.absence_notified_at is not None
    assert response.redirect_chain[-1][0] == f"/meetings/{published_meeting.pk}/"
    page = response.content.decode()
    assert "Đã báo vắng: chủ tọa và thư ký đã nhận được thông báo cùng lý do." in page
    assert "Chủ tọa và thư ký đã được thông báo" in page
    assert REASON in page
    assert "Tôi vẫn tham dự được" in page
    assert AuditEvent.objects.filter(meeting=published_meeting, action="attendance.absence_notice").exists()


def test_the_chair_and_the_secretary_get_an_email_with_the_reason(
    client: Client,
    published_meeting: Meeting,
    delegate: User,
    chair: User,
    secretary: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, published_meeting, delegate)

    assert sorted(message.to[0] for message in mail.outbox) == sorted([chair.email, secretary.email])
    for message in mail.outbox:
        assert delegate.display_name in message.subject
        assert published_meeting.title in message.subject
        assert REASON in message.body
        assert f"/meetings/{published_meeting.pk}/" in message.body


def test_the_room_is_told_but_the_reason_stays_off_its_screens(published_meeting: Meeting, delegate: User) -> None:
    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)

    event = MeetingEvent.objects.filter(meeting=published_meeting).latest("seq")
    assert event.type == "attendance.update"
    entry = next(p for p in event.payload["attendance"]["participants"] if p["user_id"] == delegate.pk)
    assert entry["attendance"] == Participant.Attendance.ABSENT_EXCUSED
    assert REASON not in str(event.payload)


def test_sending_again_replaces_the_reason(published_meeting: Meeting, delegate: User) -> None:
    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason="Ốm")
    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=f"  {REASON}\n")

    assert participation(published_meeting, delegate).absence_reason == REASON


def test_it_stores_the_reason_in_one_unicode_form(published_meeting: Meeting, delegate: User) -> None:
    decomposed = "Đi công tác".replace("ô", "o\u0302").replace("á", "a\u0301")

    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=decomposed)

    assert participation(published_meeting, delegate).absence_reason == "Đi công tác"


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_it_asks_for_a_reason(client: Client, published_meeting: Meeting, delegate: User, reason: str) -> None:
    response = notify(client, published_meeting, delegate, reason)

    assert "Vui lòng nhập lý do vắng mặt" in response.content.decode()
    assert participation(published_meeting, delegate).attendance == Participant.Attendance.UNKNOWN


def test_it_refuses_a_reason_longer_than_the_field(published_meeting: Meeting, delegate: User) -> None:
    with pytest.raises(ServiceError) as error:
        attendance_notify_absence(actor=delegate, meeting=published_meeting, reason="x" * 301)

    assert error.value.code == "invalid"
    assert participation(published_meeting, delegate).absence_reason == ""


def test_it_refuses_someone_already_marked_present(published_meeting: Meeting, delegate: User, chair: User) -> None:
    meeting_start(actor=chair, meeting=published_meeting)
    attendance_check_in(actor=delegate, meeting=published_meeting)

    with pytest.raises(WrongState):
        attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)

    assert participation(published_meeting, delegate).attendance == Participant.Attendance.PRESENT


def test_it_refuses_after_the_meeting_has_ended(client: Client, published_meeting: Meeting, delegate: User) -> None:
    set_state(published_meeting, Meeting.State.CLOSED)

    response = notify(client, published_meeting, delegate)

    assert "Cuộc họp đã kết thúc" in response.content.decode()
    assert participation(published_meeting, delegate).absence_reason == ""


def test_someone_not_invited_gets_not_found(client: Client, published_meeting: Meeting, outsider: User) -> None:
    client.force_login(outsider)

    response = client.post(reverse("meeting_absence", args=[published_meeting.pk]), {"reason": REASON})

    assert response.status_code == 404


def test_it_only_takes_a_post(client: Client, published_meeting: Meeting, delegate: User) -> None:
    client.force_login(delegate)

    assert client.get(reverse("meeting_absence", args=[published_meeting.pk])).status_code == 405
    assert client.get(reverse("meeting_absence_withdraw", args=[published_meeting.pk])).status_code == 405


def test_withdrawing_makes_them_expected_again(client: Client, published_meeting: Meeting, delegate: User) -> None:
    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)
    client.force_login(delegate)

    response = client.post(reverse("meeting_absence_withdraw", args=[published_meeting.pk]), follow=True)

    me = participation(published_meeting, delegate)
    assert (me.attendance, me.absence_reason, me.absence_notified_at) == (Participant.Attendance.UNKNOWN, "", None)
    assert "Không thể tham dự cuộc họp này?" in response.content.decode()
    assert AuditEvent.objects.filter(meeting=published_meeting, action="attendance.absence_withdrawn").exists()


def test_the_chair_and_the_secretary_are_told_when_an_absence_is_withdrawn(
    client: Client,
    published_meeting: Meeting,
    delegate: User,
    chair: User,
    secretary: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)
    mail.outbox.clear()
    client.force_login(delegate)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meeting_absence_withdraw", args=[published_meeting.pk]))

    assert sorted(message.to[0] for message in mail.outbox) == sorted([chair.email, secretary.email])
    for message in mail.outbox:
        assert message.subject == f"[Vẫn tham dự] {delegate.display_name} – {published_meeting.title}"
        assert "vẫn tham dự được cuộc họp" in message.body
        assert f"/meetings/{published_meeting.pk}/" in message.body
    # Withdrawn again (a second tap, a resend): nothing was withdrawn, nobody is told twice.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meeting_absence_withdraw", args=[published_meeting.pk]))
    assert mail.outbox == []


def test_the_secretarys_mark_overrules_a_notice(published_meeting: Meeting, delegate: User, secretary: User) -> None:
    me = attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)

    attendance_mark(actor=secretary, meeting=published_meeting, participant_id=me.pk, status=Participant.Attendance.ABSENT)
    attendance_withdraw_absence(actor=delegate, meeting=published_meeting)

    me = participation(published_meeting, delegate)
    assert (me.attendance, me.absence_reason, me.absence_notified_at) == (Participant.Attendance.ABSENT, "", None)


def test_marking_absent_with_leave_keeps_the_reason(published_meeting: Meeting, delegate: User, secretary: User) -> None:
    me = attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)

    attendance_mark(actor=secretary, meeting=published_meeting, participant_id=me.pk, status=Participant.Attendance.ABSENT_EXCUSED)

    assert participation(published_meeting, delegate).absence_reason == REASON


def test_marking_absent_with_leave_in_the_room_records_the_reason_the_secretary_heard(
    published_meeting: Meeting, delegate: User, secretary: User
) -> None:
    me = attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)

    excused = Participant.Attendance.ABSENT_EXCUSED
    attendance_mark(actor=secretary, meeting=published_meeting, participant_id=me.pk, status=excused, reason=" Ốm, nằm viện ")

    assert participation(published_meeting, delegate).absence_reason == "Ốm, nằm viện"
    assert AuditEvent.objects.filter(action="attendance.mark", data__reason="Ốm, nằm viện").exists()


def test_someone_marked_absent_without_leave_cannot_excuse_themselves(
    client: Client, published_meeting: Meeting, delegate: User, secretary: User
) -> None:
    me = participation(published_meeting, delegate)
    attendance_mark(actor=secretary, meeting=published_meeting, participant_id=me.pk, status=Participant.Attendance.ABSENT)

    response = notify(client, published_meeting, delegate)

    assert "Thư ký đã ghi bạn vắng không có lý do" in response.content.decode()
    assert 'id="my-attendance"' not in response.content.decode()
    assert participation(published_meeting, delegate).attendance == Participant.Attendance.ABSENT


def test_coming_after_all_forgets_the_reason(published_meeting: Meeting, delegate: User, chair: User, secretary: User) -> None:
    me = attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)
    meeting_start(actor=chair, meeting=published_meeting)

    attendance_mark(actor=secretary, meeting=published_meeting, participant_id=me.pk, status=Participant.Attendance.LATE)

    me = participation(published_meeting, delegate)
    assert (me.attendance, me.absence_reason, me.absence_notified_at) == (Participant.Attendance.LATE, "", None)


def test_checking_in_after_all_forgets_the_reason(published_meeting: Meeting, delegate: User, chair: User) -> None:
    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)
    meeting_start(actor=chair, meeting=published_meeting)

    attendance_check_in(actor=delegate, meeting=published_meeting)

    assert participation(published_meeting, delegate).absence_reason == ""


def test_checking_in_days_ahead_is_refused_and_keeps_the_notice(published_meeting: Meeting, delegate: User) -> None:
    # Reading the papers at home two days ahead: a tap on "check in" must not undo the notice.
    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)

    with pytest.raises(WrongState) as error:
        attendance_check_in(actor=delegate, meeting=published_meeting)

    assert error.value.code == "checkin_not_open"
    opens = timezone.localtime(published_meeting.starts_at - datetime.timedelta(hours=1))
    assert str(error.value) == f"Điểm danh mở từ {opens:%H:%M %d/%m/%Y}, ngày họp."
    me = participation(published_meeting, delegate)
    assert (me.attendance, me.absence_reason) == (Participant.Attendance.ABSENT_EXCUSED, REASON)


def test_checking_in_opens_an_hour_before_the_start(published_meeting: Meeting, delegate: User) -> None:
    soon = timezone.now() + datetime.timedelta(minutes=50)
    Meeting.objects.filter(pk=published_meeting.pk).update(starts_at=soon, ends_at=soon + datetime.timedelta(hours=2))

    me = attendance_check_in(actor=delegate, meeting=Meeting.objects.get(pk=published_meeting.pk))

    assert me.attendance == Participant.Attendance.PRESENT


def test_the_secretary_and_the_chair_see_the_reason_and_other_delegates_do_not(
    client: Client, published_meeting: Meeting, delegate: User, other_delegate: User, secretary: User, chair: User
) -> None:
    Participant.objects.create(meeting=published_meeting, user=other_delegate, role=Participant.Role.DELEGATE)
    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)
    meeting_page = reverse("meeting_detail", args=[published_meeting.pk])

    for organiser in (secretary, chair):
        client.force_login(organiser)
        page = client.get(meeting_page).content.decode()
        assert REASON in page
        assert "· 1 người báo vắng)" in page
    client.force_login(secretary)
    assert REASON in client.get(reverse("meeting_participants", args=[published_meeting.pk])).content.decode()
    client.force_login(other_delegate)
    assert REASON not in client.get(meeting_page).content.decode()


def test_the_meeting_page_offers_it_only_to_someone_still_expected(
    client: Client, published_meeting: Meeting, delegate: User, chair: User
) -> None:
    client.force_login(delegate)
    meeting_page = reverse("meeting_detail", args=[published_meeting.pk])
    assert 'id="my-attendance"' in client.get(meeting_page).content.decode()

    meeting_start(actor=chair, meeting=published_meeting)
    attendance_check_in(actor=delegate, meeting=published_meeting)

    assert 'id="my-attendance"' not in client.get(meeting_page).content.decode()


def test_the_home_page_reminds_them_they_said_they_cannot_attend(client: Client, published_meeting: Meeting, delegate: User) -> None:
    client.force_login(delegate)
    assert "Bạn đã báo vắng" not in client.get(reverse("home")).content.decode()

    attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)

    assert "Bạn đã báo vắng" in client.get(reverse("home")).content.decode()


def record_for(client: Client, meeting: Meeting, actor: User, participant: object, reason: str = REASON) -> object:
    client.force_login(actor)
    return client.post(reverse("meeting_absence", args=[meeting.pk]), {"reason": reason, "participant": participant}, follow=True)


def test_the_secretary_records_an_absence_telephoned_in(
    client: Client,
    published_meeting: Meeting,
    delegate: User,
    secretary: User,
    chair: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = record_for(client, published_meeting, secretary, participation(published_meeting, delegate).pk)

    me = participation(published_meeting, delegate)
    assert (me.attendance, me.absence_reason) == (Participant.Attendance.ABSENT_EXCUSED, REASON)
    assert response.redirect_chain[-1][0] == f"/meetings/{published_meeting.pk}/participants/"
    assert f"{delegate.display_name} được ghi là vắng có lý do." in response.content.decode()
    assert [message.to[0] for message in mail.outbox] == [chair.email]
    assert f"Người ghi nhận: {secretary.display_name}" in mail.outbox[0].body


def test_the_secretary_takes_it_back_for_them(client: Client, published_meeting: Meeting, delegate: User, secretary: User) -> None:
    me = attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)
    client.force_login(secretary)

    response = client.post(reverse("meeting_absence_withdraw", args=[published_meeting.pk]), {"participant": me.pk}, follow=True)

    assert participation(published_meeting, delegate).attendance == Participant.Attendance.UNKNOWN
    assert f"Đã hủy báo vắng cho {delegate.display_name}." in response.content.decode()


def test_a_delegate_cannot_tell_an_absence_for_someone_else(
    client: Client, published_meeting: Meeting, delegate: User, guest: User
) -> None:
    response = record_for(client, published_meeting, delegate, participation(published_meeting, guest).pk)

    assert "Chỉ chủ tọa hoặc thư ký" in response.content.decode()
    assert participation(published_meeting, guest).absence_reason == ""
    assert response.redirect_chain[-1][0] == f"/meetings/{published_meeting.pk}/"


@pytest.mark.parametrize("named", ["abc", "-1", "999999"])
def test_the_secretary_cannot_name_someone_who_is_not_a_participant(
    client: Client, published_meeting: Meeting, secretary: User, named: str
) -> None:
    response = record_for(client, published_meeting, secretary, named)

    assert "Người này không có trong thành phần tham dự cuộc họp." in response.content.decode()
    assert not Participant.objects.filter(meeting=published_meeting, absence_notified_at__isnull=False).exists()


def test_the_participants_page_offers_to_record_an_absence_only_for_someone_still_expected(
    client: Client, published_meeting: Meeting, delegate: User, secretary: User, chair: User
) -> None:
    client.force_login(secretary)
    page = reverse("meeting_participants", args=[published_meeting.pk])
    assert client.get(page).content.decode().count('class="absence-for small"') == 4  # chair, secretary, delegate, guest

    meeting_start(actor=chair, meeting=published_meeting)
    attendance_check_in(actor=delegate, meeting=published_meeting)

    # Present: the chair and the secretary as it opened, the delegate checked in; the guest is still expected.
    assert client.get(page).content.decode().count('class="absence-for small"') == 1


def test_the_email_says_which_proxy_the_absentee_holds(
    published_meeting: Meeting,
    delegate: User,
    other_delegate: User,
    secretary: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    Participant.objects.create(meeting=published_meeting, user=other_delegate, role=Participant.Role.DELEGATE)
    proxy_give(actor=other_delegate, meeting=published_meeting, holder_id=participation(published_meeting, delegate).pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)

    assert mail.outbox
    assert f"Người này đang giữ ủy quyền biểu quyết của {other_delegate.display_name}" in mail.outbox[0].body
    # The giver is told too: their vote goes with the absentee unless they name someone else.
    (to_giver,) = [message for message in mail.outbox if message.to == [other_delegate.email]]
    assert f"{delegate.display_name}, người đang giữ ủy quyền của Ông/Bà" in to_giver.body


def test_the_page_warns_a_proxy_holder_and_the_chair_what_their_absence_costs(
    client: Client, published_meeting: Meeting, delegate: User, other_delegate: User, chair: User
) -> None:
    Participant.objects.create(meeting=published_meeting, user=other_delegate, role=Participant.Role.DELEGATE)
    proxy_give(actor=other_delegate, meeting=published_meeting, holder_id=participation(published_meeting, delegate).pk)
    meeting_page = reverse("meeting_detail", args=[published_meeting.pk])

    client.force_login(delegate)
    assert f"Bạn đang giữ ủy quyền biểu quyết của {other_delegate.display_name}" in client.get(meeting_page).content.decode()
    client.force_login(chair)
    page = client.get(meeting_page).content.decode()
    assert "Bạn là chủ tọa cuộc họp này" in page
    assert "Báo vắng với thư ký" in page


def test_the_chair_records_an_absence_and_stays_on_the_meeting_page(
    client: Client, published_meeting: Meeting, delegate: User, chair: User
) -> None:
    response = record_for(client, published_meeting, chair, participation(published_meeting, delegate).pk)

    assert participation(published_meeting, delegate).attendance == Participant.Attendance.ABSENT_EXCUSED
    assert response.redirect_chain[-1][0] == f"/meetings/{published_meeting.pk}/"


def test_the_room_asks_for_the_reasons_only_for_the_chair_and_the_secretary(
    client: Client, published_meeting: Meeting, delegate: User, secretary: User, chair: User, outsider: User
) -> None:
    me = attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)
    url = reverse("meeting_absences", args=[published_meeting.pk])

    for organiser in (secretary, chair):
        client.force_login(organiser)
        response = client.get(url)
        assert response.json() == {"reasons": {str(me.pk): REASON}}
        assert "no-cache" in response["Cache-Control"]
    client.force_login(delegate)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(secretary)
    assert client.post(url).status_code == 405


# --- the record after the meeting, until the minutes are approved ---------------------------------


def test_the_secretary_corrects_attendance_after_the_meeting_until_the_minutes_are_approved(
    published_meeting: Meeting, guest: User, secretary: User
) -> None:
    set_state(published_meeting, Meeting.State.CLOSED)
    never_marked = participation(published_meeting, guest)

    attendance_mark(actor=secretary, meeting=published_meeting, participant_id=never_marked.pk, status=Participant.Attendance.PRESENT)

    corrected = participation(published_meeting, guest)
    assert corrected.attendance == Participant.Attendance.PRESENT
    assert corrected.arrived_at is None  # not the moment of the correction
    assert AuditEvent.objects.filter(meeting=published_meeting, action="attendance.mark").exists()
    set_state(published_meeting, Meeting.State.MINUTES_APPROVED)
    with pytest.raises(WrongState):
        attendance_mark(actor=secretary, meeting=published_meeting, participant_id=never_marked.pk, status=Participant.Attendance.ABSENT)


def test_a_reason_sent_after_the_meeting_is_recorded_by_the_secretary_without_e_mails(
    client: Client,
    published_meeting: Meeting,
    delegate: User,
    secretary: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    set_state(published_meeting, Meeting.State.CLOSED)
    me = participation(published_meeting, delegate)

    client.force_login(secretary)
    # The participants page still offers it after the meeting.
    assert "Báo vắng thay" in client.get(reverse("meeting_participants", args=[published_meeting.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meeting_absence", args=[published_meeting.pk]), {"reason": REASON, "participant": me.pk})

    me = participation(published_meeting, delegate)
    assert (me.attendance, me.absence_reason) == (Participant.Attendance.ABSENT_EXCUSED, REASON)
    assert mail.outbox == []  # a correction to the record is no news to the chair
    # The delegate no longer sends a notice of their own once the meeting is over.
    with pytest.raises(WrongState):
        attendance_notify_absence(actor=delegate, meeting=published_meeting, reason=REASON)
