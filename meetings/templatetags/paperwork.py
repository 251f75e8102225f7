"""How official documents (Decree 30/2020/NĐ-CP) set their text."""

from __future__ import annotations

from django import template

register = template.Library()

# The administrative unit that begins a place's name: a header line breaks before or after it, never inside the place.
UNIT_WORDS = ("THÀNH PHỐ", "THỊ XÃ", "THỊ TRẤN", "TỈNH", "QUẬN", "HUYỆN", "PHƯỜNG", "XÃ")
ONE_LINE = 24  # characters: what fits the issuer's column (44 % of the text width) in capitals at 13 pt


@register.filter
def issuer_lines(name: str) -> list[str]:
    """A body's name in capitals as the header sets it: one line when short, otherwise two, broken where
    the place begins ("ỦY BAN NHÂN DÂN / THÀNH PHỐ VŨNG TÀU", "UBND TỈNH / BÀ RỊA - VŨNG TÀU"), so that
    the column never breaks a name in its middle ("BÀ RỊA - VŨNG / TÀU")."""
    upper = " ".join((name or "").upper().split())
    if len(upper) <= ONE_LINE:
        return [upper] if upper else []
    for unit in UNIT_WORDS:
        index = upper.find(f" {unit} ")
        if index > 0:
            organ = upper[:index]
            if len(organ) >= 8:  # "ỦY BAN NHÂN DÂN" | "THÀNH PHỐ VŨNG TÀU"
                return [organ, upper[index + 1 :]]
            cut = index + 1 + len(unit)  # "UBND TỈNH" | "BÀ RỊA - VŨNG TÀU"
            return [upper[:cut], upper[cut + 1 :]]
    return [upper]
