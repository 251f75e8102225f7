"""How official documents set the issuing body's name in their header."""

from __future__ import annotations

import pytest

from meetings.templatetags.paperwork import issuer_lines


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
