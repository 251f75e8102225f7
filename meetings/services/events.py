"""Live events: numbered under the meeting's row lock, logged, and published after commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from meetings.models import Meeting, MeetingEvent
from realtime.events import publish


def event_emit(*, meeting: Meeting, type: str, payload: dict[str, Any]) -> MeetingEvent:
    """Record the next event of a meeting.

    `meeting` is the instance lock_meeting returned inside the caller's transaction: its
    event_seq was read under the row lock, so sequence numbers are gap-free and in commit order.
    """
    seq = meeting.event_seq + 1
    Meeting.objects.filter(pk=meeting.pk).update(event_seq=seq)
    meeting.event_seq = seq
    event = MeetingEvent.objects.create(meeting=meeting, seq=seq, type=type, payload=payload, created_at=timezone.now())
    keep = settings.REALTIME_EVENT_LOG_SIZE
    if seq % 50 == 0 and seq > keep:
        MeetingEvent.objects.filter(meeting=meeting, seq__lte=seq - keep).delete()
    publish(meeting_id=meeting.pk, seq=seq, type=type, payload=payload)
    return event


def event_as_message(*, seq: int, type: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": type, "seq": seq, **payload}
