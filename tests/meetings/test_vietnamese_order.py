"""People listed as Vietnamese lists order them: by given name, with Đ after D and tones after letters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from meetings.models import Meeting, Participant, User
from meetings.selectors.meetings import participants_of
from meetings.text import person_sort_key
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("Nguyễn Văn Dũng", "Lê Văn Đức"),  # đ is a letter after d, not after z
        ("Trần Thị Nhung", "Đặng Thị Oanh"),  # the given name counts first, not the family name
        ("Dương Văn An", "Lê Văn An"),  # then the family name
        ("Lê Văn An", "Lê Văn Ăn"),  # a < ă < â
        ("Lê Văn Ăn", "Lê Văn Ân"),
        ("Lê Văn Ân", "Lê Văn Ấn"),  # the tone only between names otherwise alike
        ("Lê Thị Nguyệt", "Lê Thị Nhung"),  # ng before nh, letter by letter
        ("Phạm Quốc Cường", "Trần Thị Thu Hà"),
    ],
)
def test_it_orders_names_as_a_vietnamese_list_does(earlier: str, later: str) -> None:
    assert person_sort_key(earlier) < person_sort_key(later)
    assert sorted([later, earlier], key=person_sort_key) == [earlier, later]


def test_the_participants_come_by_role_then_in_vietnamese_order(published_meeting: Meeting, secretary: User) -> None:
    for username, name in [("d1", "Đặng Thị Hồng Nhung"), ("d2", "Bùi Văn Lợi"), ("d3", "Dương Minh Khoa")]:
        Participant.objects.create(meeting=published_meeting, user=make_user(username, full_name=name), role=Participant.Role.DELEGATE)

    delegates = [p.user.display_name for p in participants_of(meeting=published_meeting) if p.role == Participant.Role.DELEGATE]

    assert delegates == ["Dương Minh Khoa", "Bùi Văn Lợi", "Đặng Thị Hồng Nhung", "Lê Minh Tuấn"]


def test_the_directory_to_invite_from_is_in_vietnamese_order(client: Client, published_meeting: Meeting, secretary: User) -> None:
    for username, name in [("d1", "Đỗ Văn Anh"), ("d2", "Dương Văn Bình"), ("d3", "Zô Văn Chí")]:
        make_user(username, full_name=name)

    client.force_login(secretary)
    for url in (reverse("meeting_participants", args=[published_meeting.pk]), reverse("meeting_new")):
        page = client.get(url).content.decode()
        assert page.index("Đỗ Văn Anh") < page.index("Dương Văn Bình") < page.index("Zô Văn Chí"), url
