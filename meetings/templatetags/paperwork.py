"""How official documents (Decree 30/2020/NĐ-CP) set their text."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

from meetings.text import PLACE_UNITS

register = template.Library()

# The administrative unit that begins a place's name: a header line breaks before or after it, never inside the place.
UNIT_WORDS = tuple(unit.upper() for unit in PLACE_UNITS)
ONE_LINE = 24  # characters: what fits the issuer's column (44 % of the text width) in capitals at 13 pt


@register.filter
def issuer_lines(name: str) -> list[str]:
    """A body's name in capitals as the header sets it: one line when short, otherwise two, broken where
    the place begins ("ỦY BAN NHÂN DÂN / THÀNH PHỐ VŨNG TÀU", "UBND TỈNH / BÀ RỊA - VŨNG TÀU"), so that
    the column never breaks a name in its middle ("BÀ RỊA - VŨNG / TÀU")."""
    upper = " ".join((name or "").upper().split())
    if len(upper) <= ONE_LINE:
        return [upper] if upper else []
    # Where the first place begins ("UBND XÃ LONG SƠN HUYỆN …" breaks before XÃ, not HUYỆN).
    hits = sorted((upper.find(f" {unit} "), unit) for unit in UNIT_WORDS if upper.find(f" {unit} ") > 0)
    if not hits:
        return [upper]
    index, unit = hits[0]
    organ = upper[:index]
    if len(organ) >= 8:  # "ỦY BAN NHÂN DÂN" | "THÀNH PHỐ VŨNG TÀU"
        return [organ, upper[index + 1 :]]
    cut = index + 1 + len(unit)  # "UBND TỈNH" | "BÀ RỊA - VŨNG TÀU"
    return [upper[:cut], upper[cut + 1 :]]


def official_date(day: datetime.date) -> str:
    """ "ngày 05 tháng 3 năm 2026": the decree writes a 0 before a day under 10 and before the months 1
    and 2 (nothing can then be written in front of them), not before the other months."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(*, place: str, moment: datetime.datetime | None, language: str = "vi") -> str:
    """The line under the national motto: "Vũng Tàu, ngày 05 tháng 3 năm 2026", in local time."""
    if moment is None:
        return ""
    day = timezone.localtime(moment)
    when = official_date(day) if language == "vi" else f"{day.day} {day:%B %Y}"
    return f"{place}, {when}" if place else when


@register.filter
def dated_at(moment: datetime.datetime | None, place: str) -> str:
    return place_date(place=place, moment=moment)
