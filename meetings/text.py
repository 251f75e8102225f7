"""Text as people type it: one normal form, so that the same words compare, search and print the same."""

from __future__ import annotations

import unicodedata


def clean_text(value: str) -> str:
    """NFC (a Vietnamese keyboard may send a letter and its marks apart) without surrounding blanks."""
    return unicodedata.normalize("NFC", value).strip()
