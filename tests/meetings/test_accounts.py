"""Accounts: the secretaries' group, passwords (change and reset, in the users' language), switched-off
accounts, names, and an administration that cannot bypass the meetings' own pages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.utils import translation

from meetings.apps import SECRETARIES_GROUP
from meetings.models import AuditEvent, Body, Meeting, Participant, User
from meetings.selectors.meetings import meetings_ahead_with
from meetings.services.meetings import meeting_update
from meetings.text import person_sort_key
from minutes.models import Minutes
from tests.conftest import logged_in, make_user, meeting_form_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db: None) -> User:
    return User.objects.create_superuser(username="quantri", password="matkhau-123", email="quantri@vungtau.gov.vn")


# --- who may create meetings ------------------------------------------------------------------


def test_a_new_installation_has_the_secretaries_group_that_lets_its_members_create_meetings(client: Client, body: Body) -> None:
    newcomer = make_user("thuky.phuong")
    assert logged_in(client, newcomer).get("/meetings/new/").status_code == 403

    newcomer.groups.add(Group.objects.get(name=SECRETARIES_GROUP))
    # A secretary prepares their own body's meetings: until they have one, they are told to ask for it.
    without_body = logged_in(client, User.objects.get(pk=newcomer.pk)).get("/meetings/new/")
    User.objects.filter(pk=newcomer.pk).update(body=body)

    assert without_body.status_code == 403
    assert "Tài khoản của bạn chưa thuộc cơ quan nào" in without_body.content.decode()
    assert logged_in(client, User.objects.get(pk=newcomer.pk)).get("/meetings/new/").status_code == 200


def test_the_administrator_is_warned_of_a_secretary_without_a_body_and_of_an_address_already_in_use(
    client: Client, administrator: User, secretary: User
) -> None:
    page = logged_in(client, administrator)
    group = Group.objects.get(name=SECRETARIES_GROUP)
    form = {
        "username": "thuky.phuong",
        "full_name": "Võ Thị Hạnh",
        "position": "Chuyên viên",
        "body": "",
        "groups": [group.pk],
        "usable_password": "true",
        "password1": "Hop-khong-giay-2026",
        "password2": "Hop-khong-giay-2026",
    }

    taken = page.post("/admin/meetings/user/add/", {**form, "email": secretary.email.upper()})
    added = page.post("/admin/meetings/user/add/", {**form, "email": "hanh@vungtau.gov.vn"}, follow=True)

    assert f"Địa chỉ e-mail này đã là địa chỉ của tài khoản {secretary.username}" in taken.content.decode()
    let_them_set_it = page.post(
        "/admin/meetings/user/add/", {**form, "username": "thuky.khac", "usable_password": "false", "email": secretary.email}
    )
    # One mistake, one message: not also "give their address" for an address that was given.
    assert list(let_them_set_it.context["adminform"].form.errors) == ["email"]
    assert len(let_them_set_it.context["adminform"].form.errors["email"]) == 1
    assert "Võ Thị Hạnh là thư ký nhưng chưa thuộc cơ quan nào" in added.content.decode()
    assert User.objects.filter(username="thuky.phuong").count() == 1


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("tranthithu", "password_too_similar"),
        ("thutranthi", "password_too_similar"),
        ("Trần Thị Thu 2026", "password_too_similar"),
        ("matkhau1", "password_too_common"),
        ("Matkhau2026", "password_too_common"),
    ],
)
def test_a_password_that_is_the_persons_name_or_a_vietnamese_first_guess_is_refused(
    client: Client, secretary: User, typed: str, code: str
) -> None:
    response = logged_in(client, secretary).post(
        "/accounts/password_change/", {"old_password": "matkhau-123", "new_password1": typed, "new_password2": typed}
    )

    assert code in [error.code for error in response.context["form"].errors.as_data()["new_password1"]]
    assert User.objects.get(pk=secretary.pk).check_password("matkhau-123")


def test_someone_who_may_not_create_meetings_is_told_whom_to_ask(client: Client, delegate: User) -> None:
    response = logged_in(client, delegate).get("/meetings/new/")

    assert response.status_code == 403
    assert "nhóm thư ký" in response.content.decode()


# --- passwords ----------------------------------------------------------------------------------


def test_the_login_page_offers_a_password_reset_that_speaks_vietnamese(client: Client, delegate: User) -> None:
    assert "/accounts/password_reset/" in client.get("/accounts/login/").content.decode()

    page = client.get("/accounts/password_reset/").content.decode()
    response = client.post("/accounts/password_reset/", {"email": delegate.email}, follow=True)

    assert "Quên mật khẩu?" in page and "Django" not in page
    assert "Hãy kiểm tra e-mail" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == [delegate.email]
    assert message.subject == "Đặt mật khẩu mới cho hệ thống họp không giấy"
    assert delegate.username in message.body and "you are" not in message.body
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body)
    assert link


def test_the_reset_link_sets_a_new_password_once(client: Client, delegate: User) -> None:
    client.post("/accounts/password_reset/", {"email": delegate.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link

    form = client.get(link.group(1), follow=True)
    new_password = {"new_password1": "Hop-khong-giay-2026", "new_password2": "Hop-khong-giay-2026"}
    done = client.post(form.redirect_chain[-1][0], new_password, follow=True)

    assert "Đặt mật khẩu mới" in form.content.decode()
    assert f"Tên đăng nhập của bạn là <strong>{delegate.username}</strong>" in form.content.decode()
    # Set, they are signed in and at their meetings, told the name to sign in with next time.
    assert done.redirect_chain[-1][0] == "/"
    assert f"Đã đặt mật khẩu và bạn đã đăng nhập. Tên đăng nhập cho lần sau: {delegate.username}." in done.content.decode()
    assert done.wsgi_request.user == delegate
    assert User.objects.get(pk=delegate.pk).check_password("Hop-khong-giay-2026")
    client.logout()
    assert "đã được dùng hoặc đã quá hạn" in client.get(link.group(1), follow=True).content.decode()


def test_a_password_set_from_the_link_is_told_the_rule_it_breaks_under_itself(client: Client, delegate: User) -> None:
    client.post("/accounts/password_reset/", {"email": delegate.email})
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)

    refused = client.post(form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"})

    assert "Mật khẩu này hoàn toàn là số." in refused.context["form"].errors["new_password1"]
    assert "new_password2" not in refused.context["form"].errors


def test_a_signed_in_user_changes_their_password_from_their_name_in_the_top_bar(client: Client, delegate: User) -> None:
    page = logged_in(client, delegate).get("/").content.decode()

    response = client.post(
        "/accounts/password_change/",
        {"old_password": "matkhau-123", "new_password1": "Hop-khong-giay-2026", "new_password2": "Hop-khong-giay-2026"},
        follow=True,
    )

    assert 'href="/accounts/password_change/"' in page
    assert "Đã đổi mật khẩu" in response.content.decode()
    assert User.objects.get(pk=delegate.pk).check_password("Hop-khong-giay-2026")


@pytest.mark.parametrize(("weak", "said"), [("12345678", "Mật khẩu này hoàn toàn là số."), ("password1", "Mật khẩu này quá phổ biến.")])
def test_it_refuses_a_password_anyone_would_guess(client: Client, delegate: User, weak: str, said: str) -> None:
    response = logged_in(client, delegate).post(
        "/accounts/password_change/", {"old_password": "matkhau-123", "new_password1": weak, "new_password2": weak}
    )

    assert said in response.content.decode()
    # Said under the new password, where the rules are listed, not under its confirmation.
    assert said in response.context["form"].errors["new_password1"]
    assert "new_password2" not in response.context["form"].errors
    assert User.objects.get(pk=delegate.pk).check_password("matkhau-123")


def test_two_different_new_passwords_are_told_under_the_confirmation(client: Client, delegate: User) -> None:
    response = logged_in(client, delegate).post(
        "/accounts/password_change/",
        {"old_password": "matkhau-123", "new_password1": "Hop-khong-giay-2026", "new_password2": "Hop-khong-giay-2027"},
    )

    assert list(response.context["form"].errors) == ["new_password2"]
    assert User.objects.get(pk=delegate.pk).check_password("matkhau-123")


def test_a_switched_off_account_is_told_so_rather_than_to_retype_its_password(client: Client, delegate: User) -> None:
    User.objects.filter(pk=delegate.pk).update(is_active=False)

    right = client.post("/accounts/login/", {"username": delegate.username, "password": "matkhau-123"}).content.decode()
    wrong = client.post("/accounts/login/", {"username": delegate.username, "password": "sai"}).content.decode()

    assert "đã bị khóa" in right
    assert "đã bị khóa" not in wrong and "chưa đúng" in wrong
    assert client.get("/").status_code == 302


# --- switched-off accounts in meetings ------------------------------------------------------------


def test_a_switched_off_participant_gets_no_notices_and_is_marked_on_the_participants_page(
    client: Client, published_meeting: Meeting, secretary: User, delegate: User, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=delegate.pk).update(is_active=False)
    meeting = Meeting.objects.get(pk=published_meeting.pk)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_update(
            actor=secretary,
            meeting=meeting,
            body=meeting.body,
            title=meeting.title,
            kind=meeting.kind,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            location="Phòng họp số 3",
            chair=meeting.chair,
            secretary=meeting.secretary,
        )

    recipients = {address for message in mail.outbox for address in message.to}
    assert delegate.email not in recipients
    assert recipients
    page = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/participants/").content.decode()
    assert "Tài khoản đã bị khóa" in page


def test_the_meeting_form_keeps_a_switched_off_chair_in_sight_and_asks_for_another(
    client: Client, meeting: Meeting, secretary: User, chair: User, delegate: User
) -> None:
    User.objects.filter(pk=chair.pk).update(is_active=False)
    page = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/edit/").content.decode()

    response = client.post(
        f"/meetings/{meeting.pk}/edit/", {**meeting_form_of(meeting), "speaker_seconds": 3, "initial-speaker_seconds": 3}
    )

    assert re.search(rf'<option value="{chair.pk}" selected>[^<]*tài khoản đã bị khóa', page)
    assert response.status_code == 200
    assert f"Tài khoản của {chair.display_name} đã bị khóa" in response.content.decode()


def test_the_meeting_form_refuses_one_person_as_both_chair_and_secretary(
    client: Client, meeting: Meeting, secretary: User, chair: User
) -> None:
    response = logged_in(client, secretary).post(
        f"/meetings/{meeting.pk}/edit/",
        {**meeting_form_of(meeting), "chair": secretary.pk, "speaker_seconds": 3, "initial-speaker_seconds": 3},
    )

    assert response.status_code == 200
    assert "Thư ký không thể đồng thời là chủ tọa" in response.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).chair_id == chair.pk


# --- names and words ------------------------------------------------------------------------------


def test_a_name_given_in_djangos_two_fields_reads_family_name_first() -> None:
    assert User(username="lythimy", first_name="Mỹ", last_name="Lý Thị").display_name == "Lý Thị Mỹ"


def test_yes_and_no_on_the_administration_pages_are_not_the_ballots_words() -> None:
    with translation.override("vi"):
        assert translation.gettext("Yes") != "Tán thành"
        assert translation.pgettext("meaning of a ballot choice", "Yes") == "Tán thành"


# --- the administration --------------------------------------------------------------------------


def test_the_administration_shows_a_meeting_but_changes_it_only_through_the_meetings_pages(
    client: Client, published_meeting: Meeting, administrator: User, delegate: User
) -> None:
    admin_page = f"/admin/meetings/meeting/{published_meeting.pk}/change/"
    chair = published_meeting.chair
    page = logged_in(client, administrator).get(admin_page)

    client.post(admin_page, {"chair": delegate.pk, "title": "Đổi tên"})

    assert page.status_code == 200
    assert "chọn “Thông tin chung” hoặc “Thành phần tham dự”" in page.content.decode()  # the buttons as they are named
    meeting = Meeting.objects.get(pk=published_meeting.pk)
    assert (meeting.chair, meeting.title) == (chair, published_meeting.title)
    assert Participant.objects.get(meeting=meeting, role=Participant.Role.CHAIR).user == chair
    assert client.get("/admin/meetings/meeting/add/").status_code == 403
    assert client.get(f"/admin/meetings/meeting/{meeting.pk}/delete/").status_code == 403
    assert "Phòng họp không giấy: quản trị hệ thống" in client.get("/admin/").content.decode()


def test_the_administrations_list_of_meetings_says_how_far_the_minutes_went(
    client: Client, published_meeting: Meeting, administrator: User
) -> None:
    Meeting.objects.filter(pk=published_meeting.pk).update(state=Meeting.State.MINUTES_APPROVED)
    Minutes.objects.create(meeting=published_meeting, state=Minutes.State.ARCHIVED)

    listing = logged_in(client, administrator).get("/admin/meetings/meeting/").content.decode()

    assert '<td class="field-status">Biên bản đã lưu trữ</td>' in listing


def test_the_administrator_makes_an_account_whose_owner_sets_the_first_password(
    client: Client, administrator: User, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    page = logged_in(client, administrator).get("/admin/meetings/user/add/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/meetings/user/add/",
            {"username": "pct.thangtam", "full_name": "Võ Thị Ngọc Ý", "email": "ngocy@thangtam.gov.vn", "usable_password": "false"},
            follow=True,
        )

    assert "Để người dùng tự đặt" in page and "Single Sign-On" not in page
    made = User.objects.get(username="pct.thangtam")
    assert (made.display_name, made.has_usable_password()) == ("Võ Thị Ngọc Ý", False)
    # They are told at once, not at a first invitation that a secretary never gets.
    assert "Đã gửi thư có tên đăng nhập và đường dẫn đặt mật khẩu tới ngocy@thangtam.gov.vn." in response.content.decode()
    (welcome,) = mailoutbox
    assert welcome.to == ["ngocy@thangtam.gov.vn"]
    assert "Kính gửi Võ Thị Ngọc Ý," in welcome.body and "Tên đăng nhập của Ông/Bà là pct.thangtam." in welcome.body
    link = re.search(r"http://\S+/accounts/reset/\S+", welcome.body)
    assert link is not None
    client.logout()
    form = client.get(link.group(0), follow=True)
    assert 'name="new_password1"' in form.content.decode()
    client.post(form.redirect_chain[-1][0], {"new_password1": "Hop-khong-giay-2026", "new_password2": "Hop-khong-giay-2026"})
    assert User.objects.get(pk=made.pk).check_password("Hop-khong-giay-2026")


def test_an_account_without_a_password_needs_an_address_for_the_link(client: Client, administrator: User) -> None:
    response = logged_in(client, administrator).post(
        "/admin/meetings/user/add/", {"username": "nhabao01", "full_name": "Nguyễn Thị Năm", "email": "", "usable_password": "false"}
    )

    assert response.status_code == 200
    assert "Hãy nhập địa chỉ e-mail: đường dẫn đặt mật khẩu được gửi đến đó." in response.content.decode()
    assert not User.objects.filter(username="nhabao01").exists()


def test_an_account_without_an_address_is_made_with_a_password(client: Client, administrator: User) -> None:
    logged_in(client, administrator).post(
        "/admin/meetings/user/add/",
        {
            "username": "nhabao02",
            "full_name": "Trần Văn Sáu",
            "email": "",
            "usable_password": "true",
            "password1": "Hop-khong-giay-2026",
            "password2": "Hop-khong-giay-2026",
        },
    )

    assert User.objects.get(username="nhabao02").check_password("Hop-khong-giay-2026")


def test_the_administrators_account_pages_are_in_vietnamese(client: Client, administrator: User, secretary: User) -> None:
    admin = logged_in(client, administrator)
    add_page = admin.get("/admin/meetings/user/add/").content.decode()
    password_page = admin.get(f"/admin/meetings/user/{secretary.pk}/password/").content.decode()
    widgets = admin.get("/admin/jsi18n/").content.decode()

    assert "Sau khi tạo tài khoản" in add_page and "After you’ve created a user" not in add_page
    assert "Đăng nhập bằng mật khẩu" in password_page and "Password-based authentication" not in password_page
    assert json.dumps("Chọn tất cả %s") in widgets  # the catalogue is JSON, its letters escaped


def test_the_administrations_lists_say_add_action_and_history_in_plain_vietnamese(
    client: Client, administrator: User, secretary: User
) -> None:
    admin = logged_in(client, administrator)
    users = admin.get("/admin/meetings/user/").content.decode()
    account = admin.get(f"/admin/meetings/user/{secretary.pk}/change/").content.decode()

    assert "Thêm người dùng" in users and "Thêm vào" not in users
    assert "Thao tác:" in users and "Hoạt động:" not in users
    assert "Lịch sử" in account and "Bản ghi nhớ" not in account
    assert "trạng thái superuser" not in account and "Quyền quản trị cao nhất" in account


def test_permissions_are_named_in_vietnamese_on_the_account_and_group_pages(client: Client, administrator: User, secretary: User) -> None:
    admin = logged_in(client, administrator)
    account_page = admin.get(f"/admin/meetings/user/{secretary.pk}/change/").content.decode()
    group = Group.objects.get(name=SECRETARIES_GROUP)
    group_page = admin.get(f"/admin/auth/group/{group.pk}/change/").content.decode()

    for page in (account_page, group_page):
        assert "Thêm cuộc họp" in page and "Xóa nội dung họp" in page and "Xem phiếu biểu quyết" in page
        assert "Can add meeting" not in page and "Can view" not in page
        assert "speaker request" not in page and "đăng nhập</option>" not in page


def test_a_password_too_short_is_refused_in_vietnamese(client: Client, secretary: User) -> None:
    response = logged_in(client, secretary).post(
        "/accounts/password_change/", {"old_password": "x", "new_password1": "ab1", "new_password2": "ab1"}
    )

    assert "Mật khẩu quá ngắn: cần ít nhất" in response.content.decode()


def test_the_audit_log_reads_in_words_the_latest_first(client: Client, administrator: User, published_meeting: Meeting) -> None:
    page = logged_in(client, administrator).get("/admin/meetings/auditevent/").content.decode()

    published = page.index("Công bố cuộc họp tới thành phần tham dự (meeting.publish)")
    created = page.index("Tạo cuộc họp (meeting.create)")
    assert published < created
    filtered = client.get("/admin/meetings/auditevent/", {"action": "meeting.publish"}).content.decode()
    assert "(meeting.publish)" in filtered and "(meeting.create)" not in filtered


def test_an_audit_entry_reads_in_words_not_codes_and_json(client: Client, administrator: User, published_meeting: Meeting) -> None:
    invited = AuditEvent.objects.filter(meeting=published_meeting, action="participant.invite").first()
    assert invited is not None and "role" in invited.data

    listed = logged_in(client, administrator).get("/admin/meetings/auditevent/").content.decode()
    entry = client.get(f"/admin/meetings/auditevent/{invited.pk}/change/").content.decode()

    assert "vai trò: Đại biểu" in listed or "vai trò: Khách mời" in listed
    assert "Mời thành phần tham dự" in str(invited) and "participant.invite" not in str(invited)
    assert "vai trò:" in entry and '{"' not in entry.split("<main", 1)[-1]


def test_an_audit_entrys_words_are_those_of_its_own_key() -> None:
    from meetings.audit_labels import audit_details_text

    # "chair" is a role here, not the way a vote was closed; a title that happens to be a code stays as typed.
    assert audit_details_text({"role": "chair", "title": "present"}) == "vai trò: Chủ tọa; tiêu đề: present"
    assert audit_details_text({"why": "chair"}) == "lý do kết thúc: người điều hành kết thúc"


def test_the_audit_log_is_searched_by_the_words_it_shows(client: Client, administrator: User, published_meeting: Meeting) -> None:
    found = logged_in(client, administrator).get("/admin/meetings/auditevent/", {"q": "Công bố"}).content.decode()

    assert "(meeting.publish)" in found and "(meeting.create)" not in found
    by_code = client.get("/admin/meetings/auditevent/", {"q": "meeting.create"}).content.decode()
    assert "(meeting.create)" in by_code and "(meeting.publish)" not in by_code
    # Every word must be in the action's words: a word common to many ("họp") with another narrows it down.
    both = client.get("/admin/meetings/auditevent/", {"q": '"tạo cuộc" họp'}).content.decode()
    assert "(meeting.create)" in both and "(meeting.publish)" not in both


def test_switching_off_a_chair_says_which_meetings_to_come_need_another(
    client: Client, administrator: User, published_meeting: Meeting, chair: User
) -> None:
    response = logged_in(client, administrator).post(
        "/admin/meetings/user/", {"action": "switch_off", "_selected_action": [chair.pk]}, follow=True
    )

    assert not User.objects.get(pk=chair.pk).is_active
    html = response.content.decode()
    assert "Đã khóa: 1." in html
    # The list they are back on says so in the chair's row.
    row = next(row for row in html.split("<tr")[1:] if f">{chair.username}<" in row)
    assert '<td class="field-account_state">đã khóa</td>' in row
    assert f"{chair.display_name} vẫn có trong các cuộc họp sắp tới: {published_meeting.title}" in html


def test_switching_off_several_names_each_one_still_in_meetings_to_come(
    client: Client,
    administrator: User,
    published_meeting: Meeting,
    chair: User,
    secretary: User,
    outsider: User,
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(2):
        ahead = meetings_ahead_with(users=[chair, secretary, outsider])
    assert ahead == {chair.pk: [published_meeting], secretary.pk: [published_meeting], outsider.pk: []}

    response = logged_in(client, administrator).post(
        "/admin/meetings/user/", {"action": "switch_off", "_selected_action": [chair.pk, secretary.pk, outsider.pk]}, follow=True
    )

    html = response.content.decode()
    assert "Đã khóa: 3." in html
    for user in (chair, secretary):
        assert f"{user.display_name} vẫn có trong các cuộc họp sắp tới: {published_meeting.title}" in html
    assert f"{outsider.display_name} vẫn có" not in html


def test_switching_off_someone_with_nothing_ahead_warns_of_nothing(client: Client, administrator: User, outsider: User) -> None:
    response = logged_in(client, administrator).post(
        "/admin/meetings/user/", {"action": "switch_off", "_selected_action": [outsider.pk]}, follow=True
    )

    assert not User.objects.get(pk=outsider.pk).is_active
    assert "cuộc họp sắp tới" not in response.content.decode()


def test_someone_who_may_only_read_accounts_cannot_switch_one_off(client: Client, administrator: User) -> None:
    reader = make_user("xemtaikhoan")
    reader.is_staff = True
    reader.save()
    reader.user_permissions.add(Permission.objects.get(codename="view_user"))

    logged_in(client, reader).post("/admin/meetings/user/", {"action": "switch_off", "_selected_action": [administrator.pk]})

    assert User.objects.get(pk=administrator.pk).is_active


def test_a_bodys_members_are_chosen_from_its_people_in_vietnamese_order_with_a_switched_off_one_said_so(
    client: Client, administrator: User, body: Body, delegate: User, other_delegate: User
) -> None:
    User.objects.filter(pk=other_delegate.pk).update(is_active=False)

    html = logged_in(client, administrator).get(f"/admin/meetings/body/{body.pk}/change/").content.decode()

    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html.split('name="voting_members"')[1].split("</select>")[0])
    assert any(option.startswith(other_delegate.display_name) and option.endswith("(tài khoản đã bị khóa)") for option in options)
    assert not any(option.startswith(administrator.display_name) for option in options)
    names = [option.split(" – ")[0].split(" (")[0] for option in options]
    assert names == sorted(names, key=person_sort_key)
