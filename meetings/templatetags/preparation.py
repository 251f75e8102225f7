"""What the preparation pages show beside the secretary's steps."""

from __future__ import annotations

from django import template

from meetings.models import Meeting
from meetings.selectors.changes import meeting_changes_since_notice

register = template.Library()


@register.simple_tag
def changes_since_notice(meeting: Meeting) -> list[str]:
    """The lines the next update notice will send, so the secretary sees them before everyone gets them."""
    return meeting_changes_since_notice(meeting=meeting)
