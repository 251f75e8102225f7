"""A guest who is not in the directory: the secretary invites them with a name and an address, their
account is made then, and they set their own first password from the invitation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from meetings.errors import NotAllowed
from meetings.models import AuditEvent, Meeting, Participant, User
from meetings.services.meetings import meeting_publish
from meetings.services.participants import guest_invite, guest_password_issue
from tests.conftest import logged_in, make_user, set_state

pytestmark = pytest.mark.django_db

GUEST = {
    "form": "guest",
    "full_name": "Đoàn Thị Hồng Vân",
    "position": "Phóng viên Báo Bà Rịa - Vũng Tàu",
    "email": "hongvan@baobariavungtau.vn",
}


def test_the_secretary_invites_a_guest_who_is_not_in_the_directory_and_they_set_their_password(
    client: Client, meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: Any
) -> None:
    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", GUEST, follow=True)

    guest = User.objects.get(email=GUEST["email"])
    assert (guest.full_name, guest.position, guest.username) == (GUEST["full_name"], GUEST["position"], "hongvan")
    assert not guest.has_usable_password()
    participant = Participant.objects.get(meeting=meeting, user=guest)
    assert (participant.role, participant.can_vote) == (Participant.Role.GUEST, False)
    # A draft: the secretary is told when the invitation goes, and the user name to give on the telephone.
    assert (
        "Đã mời Đoàn Thị Hồng Vân với tư cách khách mời (tên đăng nhập hongvan). "
        "Giấy mời sẽ gửi tới hongvan@baobariavungtau.vn khi bạn công bố cuộc họp."
    ) in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_publish(actor=secretary, meeting=meeting)
    (invitation,) = [message for message in mail.outbox if message.to == [guest.email]]
    assert 'tài khoản "hongvan" cho Ông/Bà, chưa có mật khẩu' in invitation.body
    # The calendar entry (shared, forwarded) does not carry the link that sets the password.
    (calendar,) = invitation.attachments
    assert "/accounts/reset/" not in str(calendar[1])
    assert guest.body == meeting.body  # offered again by this body, not by every other
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", invitation.body)
    assert link

    client.logout()
    form = client.get(link.group(1), follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "Bao-chi-2026!", "new_password2": "Bao-chi-2026!"})
    assert client.login(username="hongvan", password="Bao-chi-2026!")
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200


def test_a_guest_whose_address_is_known_is_invited_with_the_account_they_have(client: Client, meeting: Meeting, secretary: User) -> None:
    known = make_user("vanbao", full_name="Đoàn Thị Hồng Vân")
    User.objects.filter(pk=known.pk).update(email=GUEST["email"].upper())

    logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", GUEST)

    assert User.objects.filter(full_name=GUEST["full_name"]).count() == 1
    assert Participant.objects.get(meeting=meeting, user=known).role == Participant.Role.GUEST


def test_a_guest_invited_to_a_published_meeting_is_e_mailed_at_once_and_the_secretary_is_told(
    client: Client, published_meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(client, secretary).post(f"/meetings/{published_meeting.pk}/participants/", GUEST, follow=True)

    assert (
        "Giấy mời đã gửi tới hongvan@baobariavungtau.vn, kèm tên đăng nhập hongvan và đường dẫn để đặt mật khẩu."
    ) in response.content.decode()
    assert [message for message in mail.outbox if message.to == [GUEST["email"]]]


def test_a_guest_is_not_given_a_second_account_on_an_administrators_address(client: Client, meeting: Meeting, secretary: User) -> None:
    User.objects.create_superuser("quantri", "quantri@vungtau.gov.vn", "x")

    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", {**GUEST, "email": "QuanTri@vungtau.gov.vn"})

    assert "thuộc tài khoản quản trị" in response.content.decode()
    assert User.objects.filter(email__iexact="quantri@vungtau.gov.vn").count() == 1
    assert not User.objects.filter(full_name=GUEST["full_name"]).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"full_name": "  "}, "Hãy nhập họ và tên của khách mời"),
        ({"email": "hongvan@"}, "e-mail"),
    ],
)
def test_a_guest_without_a_name_or_with_a_wrong_address_is_refused_with_a_message(
    client: Client, meeting: Meeting, secretary: User, fields: dict[str, str], message: str
) -> None:
    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", {**GUEST, **fields})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(full_name=GUEST["full_name"]).exists()


def test_inviting_the_same_guest_twice_says_they_are_already_invited(client: Client, meeting: Meeting, secretary: User) -> None:
    logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", GUEST)

    response = client.post(f"/meetings/{meeting.pk}/participants/", GUEST)

    assert "đã có trong thành phần cuộc họp" in response.content.decode()
    assert User.objects.filter(email=GUEST["email"]).count() == 1


def test_a_delegate_may_not_invite_guests(client: Client, published_meeting: Meeting, delegate: User) -> None:
    response = logged_in(client, delegate).post(f"/meetings/{published_meeting.pk}/participants/", GUEST)

    assert response.status_code == 403
    assert not User.objects.filter(email=GUEST["email"]).exists()


def test_a_guest_without_a_password_yet_can_ask_for_one_by_e_mail(client: Client, meeting: Meeting, secretary: User) -> None:
    logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", GUEST)
    client.logout()
    mail.outbox.clear()

    client.post("/accounts/password_reset/", {"email": GUEST["email"]})

    (message,) = mail.outbox
    assert message.to == [GUEST["email"]]


def test_two_guests_without_addresses_get_their_own_login_names(client: Client, meeting: Meeting, secretary: User) -> None:
    logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", {**GUEST, "email": ""})
    client.post(f"/meetings/{meeting.pk}/participants/", {**GUEST, "email": "", "full_name": "Đoàn Thị Hồng Vân", "position": "Khách"})

    names = sorted(User.objects.filter(full_name=GUEST["full_name"]).values_list("username", flat=True))
    assert names == ["doan.thi.hong.van", "doan.thi.hong.van2"]


def test_a_guest_form_posted_after_the_meeting_started_says_why_nobody_was_invited(
    client: Client, published_meeting: Meeting, secretary: User
) -> None:
    set_state(published_meeting, Meeting.State.IN_PROGRESS)

    response = logged_in(client, secretary).post(f"/meetings/{published_meeting.pk}/participants/", GUEST, follow=True)

    assert "không thể mời thêm người" in response.content.decode()
    assert 'name="full_name"' not in response.content.decode()
    assert not User.objects.filter(email=GUEST["email"]).exists()


def test_an_address_in_use_is_the_active_account_not_a_switched_off_one_nor_an_administrators(
    client: Client, meeting: Meeting, secretary: User
) -> None:
    old = make_user("hongvan.cu", full_name="Đoàn Thị Hồng Vân")
    current = make_user("hongvan.moi", full_name="Đoàn Thị Hồng Vân")
    User.objects.filter(pk=old.pk).update(email=GUEST["email"], is_active=False)
    User.objects.filter(pk=current.pk).update(email=GUEST["email"])
    User.objects.create_superuser(username="quantri", password="x-y-z-123", email="quantri@vungtau.gov.vn")

    logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", GUEST)
    client.post(f"/meetings/{meeting.pk}/participants/", {**GUEST, "email": "QUANTRI@vungtau.gov.vn", "full_name": "Quản trị"})

    invited = set(Participant.objects.filter(meeting=meeting, role=Participant.Role.GUEST).values_list("user__username", flat=True))
    assert "hongvan.moi" in invited and "hongvan.cu" not in invited and "quantri" not in invited


def test_a_guest_without_an_address_is_given_a_password_to_hand_over_once(
    client: Client, published_meeting: Meeting, secretary: User
) -> None:
    guest = guest_invite(actor=secretary, meeting=published_meeting, full_name="Nguyễn Thị Năm", position="Phóng viên")
    client.force_login(secretary)
    page = client.get(reverse("meeting_participants", args=[published_meeting.pk])).content.decode()
    assert 'data-testid="guest-password"' in page

    response = client.post(reverse("guest_password", args=[published_meeting.pk, guest.pk]))

    html = response.content.decode()
    password = html.split('data-testid="guest-password-value"><code>')[1].split("</code>")[0]
    assert response["Cache-Control"] == "no-store"
    assert User.objects.get(pk=guest.user_id).check_password(password)
    assert len(password.split("-")) == 6
    assert AuditEvent.objects.filter(meeting=published_meeting, action="user.guest_password", actor=secretary).exists()
    # Given, it is not made again over the guest's head, and the page no longer offers it.
    again = client.post(reverse("guest_password", args=[published_meeting.pk, guest.pk]), follow=True)
    assert User.objects.get(pk=guest.user_id).check_password(password)
    assert "Chỉ khách mời được mời không có địa chỉ e-mail" in again.content.decode()
    assert 'data-testid="guest-password"' not in again.content.decode()


def test_no_password_is_made_for_a_delegate_nor_a_guest_with_an_address(
    published_meeting: Meeting, secretary: User, delegate: User, guest: User
) -> None:
    # A delegate with neither address nor password yet is still an official: the administrator's to set.
    User.objects.filter(pk=delegate.pk).update(email="", password="!")
    for user in (delegate, guest):
        participant = Participant.objects.get(meeting=published_meeting, user=user)
        password_before = User.objects.get(pk=user.pk).password

        with pytest.raises(NotAllowed):
            guest_password_issue(actor=secretary, participant=participant)

        assert User.objects.get(pk=user.pk).password == password_before


def test_a_delegate_may_not_make_a_guest_password(client: Client, published_meeting: Meeting, secretary: User, delegate: User) -> None:
    guest = guest_invite(actor=secretary, meeting=published_meeting, full_name="Trần Văn Sáu")
    client.force_login(delegate)

    response = client.post(reverse("guest_password", args=[published_meeting.pk, guest.pk]))

    assert response.status_code in (403, 404)
    assert not User.objects.get(pk=guest.user_id).has_usable_password()


def test_publishing_names_the_guests_who_cannot_sign_in_yet(client: Client, meeting: Meeting, secretary: User) -> None:
    guest_invite(actor=secretary, meeting=meeting, full_name="Nguyễn Thị Năm", position="Phóng viên")
    with_address = guest_invite(actor=secretary, meeting=meeting, full_name="Trần Văn Sáu", email="sau@example.vn")

    page = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/publish/").content.decode()

    warning = page.split('data-testid="cannot-sign-in">')[1].split("</p>")[0]
    assert "Nguyễn Thị Năm" in warning
    assert with_address.user.display_name not in warning
    assert f'href="/meetings/{meeting.pk}/participants/"' in warning
