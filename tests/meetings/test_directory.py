"""The directory by body: a ward's secretary prepares the ward's meetings with the ward's people, and
invites someone from another body only on request."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from meetings.apps import SECRETARIES_GROUP
from meetings.errors import NotAllowed, ServiceError
from meetings.models import Body, Meeting, User
from meetings.selectors.meetings import directory_of
from meetings.services.meetings import meeting_create
from tests.conftest import logged_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward(db: None) -> Body:
    return Body.objects.create(name="Ủy ban nhân dân phường Thắng Tam", short_name="UBND")


@pytest.fixture
def city(body: Body) -> Body:
    return body


def member(username: str, body: Body | None, full_name: str) -> User:
    user = make_user(username, full_name=full_name)
    User.objects.filter(pk=user.pk).update(body=body)
    return User.objects.get(pk=user.pk)


def test_a_bodys_directory_is_its_people_and_those_of_no_body_but_not_the_administrator(ward: Body, city: Body) -> None:
    ward_member = member("pct.thangtam", ward, "Võ Thị Ngọc Ý")
    city_member = member("gd.stttt", city, "Lê Minh Tuấn")
    unattached = member("chuyengia", None, "Trần Văn Chuyên")
    User.objects.create_superuser(username="quantri", password="x-y-z-123", email="qt@vungtau.gov.vn")

    assert set(directory_of(body=ward)) == {ward_member, unattached}
    assert set(directory_of(body=ward, everyone=True)) == {ward_member, city_member, unattached}


def test_the_invite_list_offers_other_bodies_people_on_request(client: Client, ward: Body, city: Body) -> None:
    secretary = member("thuky.thangtam", ward, "Phan Thị Thư")
    secretary.groups.add(_secretaries())
    chair = member("ct.thangtam", ward, "Đỗ Quang Vinh")
    city_member = member("gd.stttt", city, "Lê Minh Tuấn")
    meeting = _ward_meeting(client, secretary, chair, ward)

    own = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/participants/").content.decode()
    everyone = client.get(f"/meetings/{meeting.pk}/participants/?everyone=1").content.decode()
    client.post(f"/meetings/{meeting.pk}/participants/?everyone=1", {"users": [city_member.pk], "role": "guest"})

    assert "Lê Minh Tuấn" not in own and "Mời người của cơ quan khác" in own
    assert "Lê Minh Tuấn" in everyone
    assert meeting.participants.filter(user=city_member).exists()


def test_a_wards_secretary_prepares_only_the_wards_meetings_with_its_people(client: Client, ward: Body, city: Body) -> None:
    secretary = member("thuky.thangtam", ward, "Phan Thị Thư")
    secretary.groups.add(_secretaries())
    chair = member("ct.thangtam", ward, "Đỗ Quang Vinh")
    city_chair = member("ct.vungtau", city, "Nguyễn Văn Thành")

    page = logged_in(client, secretary).get("/meetings/new/").content.decode()
    response = client.post("/meetings/new/", _details(body=city, chair=chair, secretary=secretary))

    assert city.name not in page and ward.name in page
    assert "Đỗ Quang Vinh" in page and "Nguyễn Văn Thành" not in page
    assert response.status_code == 200 and not Meeting.objects.exists()
    client.post("/meetings/new/", _details(body=ward, chair=city_chair, secretary=secretary))
    assert not Meeting.objects.exists()


def _secretaries() -> object:
    from django.contrib.auth.models import Group

    return Group.objects.get(name=SECRETARIES_GROUP)


def _details(*, body: Body, chair: User, secretary: User) -> dict[str, object]:
    return {
        "title": "Họp giao ban tháng 12",
        "kind": "regular",
        "body": body.pk,
        "starts_at": "2030-12-15T08:00",
        "ends_at": "2030-12-15T10:00",
        "location": "Hội trường UBND phường",
        "chair": chair.pk,
        "secretary": secretary.pk,
        "speaker_seconds": 3,
        "initial-speaker_seconds": 3,
        "allow_self_checkin": "on",
    }


def _ward_meeting(client: Client, secretary: User, chair: User, ward: Body) -> Meeting:
    logged_in(client, secretary).post("/meetings/new/", _details(body=ward, chair=chair, secretary=secretary))
    return Meeting.objects.get()


def test_someone_invited_from_another_body_can_present_an_item(client: Client, ward: Body, city: Body) -> None:
    secretary = member("thuky.thangtam", ward, "Phan Thị Thư")
    secretary.groups.add(_secretaries())
    chair = member("ct.thangtam", ward, "Đỗ Quang Vinh")
    city_member = member("gd.stttt", city, "Lê Minh Tuấn")
    meeting = _ward_meeting(client, secretary, chair, ward)
    before = client.get(f"/meetings/{meeting.pk}/agenda/").content.decode()

    client.post(f"/meetings/{meeting.pk}/participants/?everyone=1", {"users": [city_member.pk], "role": "delegate", "can_vote": "on"})

    assert "Lê Minh Tuấn" not in before
    assert "Lê Minh Tuấn" in client.get(f"/meetings/{meeting.pk}/agenda/").content.decode()


def test_the_services_keep_a_secretary_to_their_bodys_meetings_and_leaders_in_use(ward: Body, city: Body) -> None:
    secretary = member("thuky.thangtam", ward, "Phan Thị Thư")
    secretary.groups.add(_secretaries())
    secretary = User.objects.get(pk=secretary.pk)
    chair = member("ct.thangtam", ward, "Đỗ Quang Vinh")
    details = {
        "title": "Họp giao ban",
        "kind": "regular",
        "starts_at": timezone.now() + datetime.timedelta(days=3),
        "ends_at": timezone.now() + datetime.timedelta(days=3, hours=2),
        "location": "Hội trường",
        "secretary": secretary,
    }

    with pytest.raises(NotAllowed):
        meeting_create(actor=secretary, body=city, chair=chair, **details)
    User.objects.filter(pk=chair.pk).update(is_active=False)
    with pytest.raises(ServiceError) as refused:
        meeting_create(actor=secretary, body=ward, chair=User.objects.get(pk=chair.pk), **details)
    assert refused.value.code == "switched_off"
