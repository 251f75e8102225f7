"""Dates as people here write them, in both languages: day before month, a 24-hour clock."""

from __future__ import annotations

import datetime

import pytest
from django.utils import formats, translation

MOMENT = datetime.datetime(2026, 12, 5, 14, 30)


@pytest.mark.parametrize(
    ("language", "short", "long", "time"),
    [("vi", "05/12/2026", "ngày 5 tháng 12 năm 2026", "14:30"), ("en", "05/12/2026", "5 December 2026", "14:30")],
)
def test_dates_put_the_day_first_in_both_languages(language: str, short: str, long: str, time: str) -> None:
    with translation.override(language):
        assert formats.date_format(MOMENT, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(MOMENT, "DATE_FORMAT") == long
        assert formats.time_format(MOMENT, "TIME_FORMAT") == time
