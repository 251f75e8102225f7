"""Password rules Django's validators miss here: a Vietnamese name typed without its accents, and the
Vietnamese words everyone tries first."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from meetings.text import fold_for_search

# With any digits added or left out ("matkhau1", "matkhau2026"): what a ward's staff would guess first.
VIETNAMESE_GUESSES = frozenset(
    {"matkhau", "matkhaumoi", "matkhaucuatoi", "doimatkhau", "anhyeuem", "emyeuanh", "vietnam", "hanoi", "saigon", "hochiminh", "ubnd"}
)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold_for_search(text))


class VietnameseNameValidator:
    """Refuses a password that is the person's full name (in any order of its words, with or without
    accents and digits), and the common Vietnamese guesses. Django's similarity check reads first and last
    name, which these accounts leave empty: the name is in `full_name`."""

    def __init__(self, max_similarity: float = 0.7) -> None:
        self.max_similarity = max_similarity

    def validate(self, password: str, user: Any = None) -> None:
        letters = _letters(password)
        if letters in VIETNAMESE_GUESSES:
            raise ValidationError(_("This password is one of the first that anyone would try."), code="password_too_common")
        words = fold_for_search(getattr(user, "full_name", "") or "").split()
        if not letters or not words:
            return
        spellings = {"".join(words), "".join(reversed(words)), "".join(words[-1:] + words[:-1])}
        if any(SequenceMatcher(a=letters, b=spelling).ratio() >= self.max_similarity for spelling in spellings):
            raise ValidationError(_("The password is too much like your name."), code="password_too_similar")

    def get_help_text(self) -> str:
        return _("Your password cannot be your name, with or without accents.")
