"""How official documents set the issuing body's name in their header, and the place and date under the motto."""

from __future__ import annotations

import datetime
import unicodedata

import pytest

from meetings.models import Body
from meetings.templatetags.paperwork import issuer_lines, official_date, place_date


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("UBND tỉnh Bà Rịa - Vũng Tàu", ["UBND TỈNH", "BÀ RỊA - VŨNG TÀU"]),
        ("Ủy ban nhân dân thành phố Vũng Tàu", ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ VŨNG TÀU"]),
        ("Ủy ban nhân dân phường Thắng Tam", ["ỦY BAN NHÂN DÂN", "PHƯỜNG THẮNG TAM"]),
        ("UBND thành phố Vũng Tàu", ["UBND THÀNH PHỐ VŨNG TÀU"]),
        ("UBND thành phố Thủ Dầu Một", ["UBND THÀNH PHỐ", "THỦ DẦU MỘT"]),
        ("UBND phường 1", ["UBND PHƯỜNG 1"]),
        ("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", ["VĂN PHÒNG HỘI ĐỒNG NHÂN DÂN VÀ ỦY BAN NHÂN DÂN"]),
        ("", []),
    ],
)
def test_a_long_name_breaks_where_the_place_begins_never_inside_it(name: str, lines: list[str]) -> None:
    assert issuer_lines(name) == lines


@pytest.mark.parametrize(
    ("name", "place_name", "place"),
    [
        ("Ủy ban nhân dân thành phố Vũng Tàu", "", "Vũng Tàu"),
        ("Ủy ban nhân dân phường Thắng Tam", "", "Thắng Tam"),
        ("UBND thị xã Phú Mỹ", "", "Phú Mỹ"),
        ("UBND xã Long Sơn", "", "Long Sơn"),
        ("Ủy ban nhân dân phường 1", "", "Phường 1"),  # a number is written with its unit
        ("UBND xã Long Sơn, huyện Long Điền", "", "Long Sơn"),  # the first unit, up to a comma
        ("UBND phường 1 thành phố Vũng Tàu", "", "Phường 1"),  # up to the next unit
        ("UBND Phường 10, Quận 3", "", "Phường 10"),
        (unicodedata.normalize("NFD", "Ủy ban nhân dân phường Thắng Tam"), "", "Thắng Tam"),  # decomposed letters
        ("Văn phòng UBND", "", ""),
        ("Ủy ban nhân dân phường 1", "Vũng Tàu", "Vũng Tàu"),
    ],
)
def test_a_body_dates_its_documents_at_its_place_name_or_the_place_in_its_name(name: str, place_name: str, place: str) -> None:
    assert Body(name=name, place_name=place_name).place == place


def test_the_place_and_date_are_written_as_the_decree_writes_them_in_local_time() -> None:
    moment = datetime.datetime(2026, 3, 4, 20, 30, tzinfo=datetime.UTC)  # 03:30 on the 5th in Viet Nam

    assert place_date(place="Vũng Tàu", moment=moment) == "Vũng Tàu, ngày 05 tháng 3 năm 2026"
    assert place_date(place="", moment=moment) == "ngày 05 tháng 3 năm 2026"
    assert place_date(place="Vũng Tàu", moment=moment, language="en") == "Vũng Tàu, 5 March 2026"


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (datetime.date(2026, 3, 5), "ngày 05 tháng 3 năm 2026"),
        (datetime.date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
        (datetime.date(2026, 2, 28), "ngày 28 tháng 02 năm 2026"),
        (datetime.date(2026, 12, 9), "ngày 09 tháng 12 năm 2026"),
    ],
)
def test_a_zero_goes_before_days_under_ten_and_the_first_two_months_only(day: datetime.date, written: str) -> None:
    assert official_date(day) == written
