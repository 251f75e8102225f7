from __future__ import annotations

from meetings.models import Meeting


def test_it_creates_a_published_meeting(published_meeting: Meeting) -> None:
    assert published_meeting.state == Meeting.State.PUBLISHED
