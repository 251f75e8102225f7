"""Text as people type it: one normal form, so that the same words compare, search and print the same."""

from __future__ import annotations

import re
import unicodedata

from django.utils.text import slugify

NOT_A_WORD = re.compile(r"[\W_]+")


def clean_text(value: str) -> str:
    """NFC (a Vietnamese keyboard may send a letter and its marks apart) without surrounding blanks."""
    return unicodedata.normalize("NFC", value).strip()


# Vietnamese alphabetical order: letters with a breve, circumflex, horn or stroke are letters of their
# own (d < đ, o < ô < ơ), tones count only between words that are otherwise alike (a < à < ả < ã < á < ạ).
# Unicode's order would put every name beginning with Đ after Z.
ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng


def _word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    letters: list[int] = []
    tones: list[int] = []
    for character in word.lower():
        decomposed = unicodedata.normalize("NFD", character)
        letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c) or c in LETTER_MARKS))
        index = ALPHABET.find(letter) if len(letter) == 1 else -1
        letters.append(index if index >= 0 else len(ALPHABET) + ord(letter[:1] or " "))
        tones.append(next((TONES[c] for c in decomposed if c in TONES), 0))
    return tuple(letters), tuple(tones)


def person_sort_key(full_name: str) -> tuple:
    """How Vietnamese lists order people: by given name (the last word), then family and middle names."""
    words = clean_text(full_name).split() or [""]
    rest = [_word_key(word) for word in words[:-1]]
    return (_word_key(words[-1])[0], [key[0] for key in rest], _word_key(words[-1])[1], [key[1] for key in rest])


def fold_characters(text: str) -> str:
    """Each character lower case without its diacritics (đ → d): the same length as `text`, so places match."""
    folded = []
    for char in text:
        base = unicodedata.normalize("NFD", char.lower())[:1] or char
        folded.append("d" if base == "đ" else base)
    return "".join(folded)


def fold_for_search(text: str) -> str:
    """Words only, lower case, no diacritics, one space between: "ton tai han che" finds "tồn tại, hạn chế"."""
    return " ".join(NOT_A_WORD.sub(" ", fold_characters(unicodedata.normalize("NFC", text))).split())


def file_slug(text: str, *, limit: int | None = None) -> str:
    """A file name's words in ASCII: "Đề án" → "de-an". Django's slugify drops đ, which has no decomposition.
    With a `limit`, cut after the last whole word that fits ("…-thanh-pho", not "…-thanh-pho-vun")."""
    slug = slugify(text.replace("đ", "d").replace("Đ", "D"))
    if limit is None or len(slug) <= limit:
        return slug
    cut = slug[: limit + 1]
    return cut[: cut.rfind("-")] if "-" in cut else slug[:limit]


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters: cut between words, with an ellipsis that says something was cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:-_.") + "…"


# Administrative units as names write them: where a place's name begins.
PLACE_UNITS = ("thành phố", "thị trấn", "thị xã", "phường", "quận", "huyện", "tỉnh", "xã")


def place_in_name(name: str) -> str:
    """The place a body's name is of: the name after its first administrative unit, up to the next one
    or a comma ("Ủy ban nhân dân xã Long Sơn, huyện …" → "Long Sơn"); a place named by a number keeps
    its unit, as Decree 30/2020 writes it ("Phường 1")."""
    text = unicodedata.normalize("NFC", " ".join((name or "").split()))
    lowered = text.lower()
    hits = sorted(
        (match.start(1), match.end(1), unit)
        for unit in PLACE_UNITS
        for match in re.finditer(rf"(?:^|\s)({re.escape(unit)})(?=\s)", lowered)
    )
    if not hits:
        return ""
    _start, end, unit = hits[0]
    following = [start for start, _end, _unit in hits[1:] if start > end]
    place = text[end : following[0] if following else len(text)].split(",")[0].strip()
    return f"{unit.capitalize()} {place}" if place.isdigit() else place
