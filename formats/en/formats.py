"""Dates in English as they are written in Viet Nam (day first, 24-hour clock): 27/11/2026, 27 November 2026, 14:00.
Django's American defaults put the month first (11/27/2026), which reads as another day here."""

# The numbers are written as in Vietnamese: the same short dates, clock, week and input formats.
from formats.vi.formats import (  # noqa: F401 - read by Django from this module
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "H:i, j F Y"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
