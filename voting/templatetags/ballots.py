"""How a vote's choices read on a page, in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template

from voting.models import YES_NO_LABELS

register = template.Library()


@register.filter
def choice_label(row: Any) -> str:
    """A choice or a result row (a dict with `label` and `meaning`): agree / disagree / no opinion in
    the reader's language, a named option as written."""
    meaning, label = (row.get("meaning"), row.get("label")) if isinstance(row, dict) else (row.meaning, row.label)
    return str(YES_NO_LABELS.get(meaning, label))


@register.filter
def choices_sent(my_choices: dict[int, list[int]], poll_id: int) -> list[int]:
    """The choices of the member's own answer to a poll that they may still change ([] when none)."""
    return my_choices.get(poll_id, [])
