"""Finding an earlier meeting a year later: every one, by words without diacritics, by year, page by page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, User
from meetings.views.home import EARLIER_PER_PAGE
from minutes.models import Minutes
from tests.conftest import set_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(make_meeting: Callable[..., Meeting]) -> Callable[..., Meeting]:
    """A meeting held `days_ago`, closed."""

    def build(title: str, days_ago: int) -> Meeting:
        meeting = make_meeting(title=title, starts_in=datetime.timedelta(days=-days_ago))
        return set_state(meeting, Meeting.State.CLOSED)

    return build


def earlier(client: Client, user: User, **query: object) -> str:
    client.force_login(user)
    return client.get(reverse("meetings_earlier"), query).content.decode()


def test_it_finds_an_old_meeting_by_words_without_diacritics(client: Client, secretary: User, held: Callable[..., Meeting]) -> None:
    held("Họp chuyên đề chuyển đổi số", 400)
    held("Họp giao ban tháng 3", 380)

    page = earlier(client, secretary, q="chuyen DOI số,")

    assert "Họp chuyên đề chuyển đổi số" in page
    assert "Họp giao ban tháng 3" not in page
    assert "1 cuộc họp" in page


def test_it_keeps_to_the_year_chosen_and_offers_only_years_with_meetings(
    client: Client, secretary: User, held: Callable[..., Meeting]
) -> None:
    old = held("Họp tổng kết năm", 800)
    held("Họp sơ kết quý", 30)
    year = timezone.localtime(old.starts_at).year

    page = earlier(client, secretary, year=year)

    assert "Họp tổng kết năm" in page
    assert "Họp sơ kết quý" not in page
    assert f'<option value="{year}" selected>' in page
    recent = timezone.localtime(timezone.now() - datetime.timedelta(days=30)).year
    assert set(re.findall(r'<option value="(\d+)"', page)) == {str(year), str(recent)}


@pytest.mark.parametrize("year", ["²", "abc", "99999999999999999999", "-1"])
def test_a_year_that_is_not_one_is_ignored(client: Client, secretary: User, held: Callable[..., Meeting], year: str) -> None:
    held("Họp sơ kết quý", 30)
    client.force_login(secretary)

    response = client.get(reverse("meetings_earlier"), {"year": year, "page": "x"})

    assert response.status_code == 200
    assert "Họp sơ kết quý" in response.content.decode()


def test_it_lists_every_earlier_meeting_page_by_page(client: Client, secretary: User, held: Callable[..., Meeting]) -> None:
    for number in range(EARLIER_PER_PAGE + 2):
        held(f"Họp giao ban số {number:02d}", 10 + number)

    first, second = earlier(client, secretary), earlier(client, secretary, page=2)

    assert "Họp giao ban số 00" in first  # newest first
    assert f"Họp giao ban số {EARLIER_PER_PAGE + 1:02d}" not in first
    assert f"Họp giao ban số {EARLIER_PER_PAGE + 1:02d}" in second
    assert "Trang 2 / 2" in second


def test_it_shows_no_one_a_meeting_they_may_not_see(
    client: Client, published_meeting: Meeting, delegate: User, held: Callable[..., Meeting]
) -> None:
    held("Họp nội bộ lãnh đạo", 20)  # the delegate was not invited
    Meeting.objects.filter(pk=published_meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=3), ends_at=timezone.now() - datetime.timedelta(days=3, hours=-2)
    )
    set_state(published_meeting, Meeting.State.CLOSED)

    page = earlier(client, delegate)

    assert published_meeting.title in page
    assert "Họp nội bộ lãnh đạo" not in page


def test_the_home_page_leads_to_every_earlier_meeting(client: Client, secretary: User, held: Callable[..., Meeting]) -> None:
    held("Họp giao ban tuần", 7)
    client.force_login(secretary)

    assert 'data-testid="earlier-link"' in client.get(reverse("home")).content.decode()


def test_a_meeting_card_says_how_far_its_minutes_went_as_the_meeting_page_does(
    client: Client, secretary: User, held: Callable[..., Meeting], django_assert_max_num_queries: Callable[..., Any]
) -> None:
    signed = set_state(held("Họp giao ban tháng 10", 40), Meeting.State.MINUTES_APPROVED)
    Minutes.objects.create(meeting=signed, state=Minutes.State.SIGNED)
    approved = set_state(held("Họp giao ban tháng 11", 10), Meeting.State.MINUTES_APPROVED)
    Minutes.objects.create(meeting=approved, state=Minutes.State.APPROVED)
    for number in range(5):
        held(f"Họp chuyên đề {number}", 50 + number)
    client.force_login(secretary)

    with django_assert_max_num_queries(12):
        home = client.get(reverse("home")).content.decode()
    page = client.get(signed.get_absolute_url()).content.decode()

    cards = home.split('class="card meeting-card"')[1:]
    signed_card, approved_card = (next(card for card in cards if title in card) for title in ("tháng 10", "tháng 11"))
    assert "Biên bản đã ký số" in signed_card
    assert "Đã duyệt biên bản" not in signed_card
    assert "Biên bản đã ký số" in page
    assert "Đã duyệt biên bản" in approved_card
