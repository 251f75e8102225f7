"""Live events: numbered under the meeting's row lock, logged, and published after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from meetings.models import Meeting, MeetingEvent
from meetings.services.statements import Statement, statements_run
from realtime.events import publish


def event_emit(
    *, meeting: Meeting, type: str, payload: dict[str, Any], along: Sequence[Statement] = (), audience: list[int] | None = None
) -> int:
    """Record the next event of a meeting; returns its seq.

    `meeting` is the instance lock_meeting returned inside the caller's transaction: its
    event_seq was read under the row lock, so sequence numbers are gap-free and in commit order.
    Every live command ends here, so the two writes are plain statements: through the ORM they
    cost 0.2 ms more in SQLite, which is most of what they cost at all. `along` are the
    command's own writes, sent in the same round trip as these (see statements_run). An event with
    an `audience` (user ids) is told only to them; the others' screens learn its number alone.
    """
    seq = meeting.event_seq + 1
    meeting.event_seq = seq
    payload_column = MeetingEvent._meta.get_field("payload").get_db_prep_save(payload, connection)
    audience_column = MeetingEvent._meta.get_field("audience").get_db_prep_save(audience, connection)
    statements_run(
        statements=[
            *along,
            ("UPDATE meetings_meeting SET event_seq = %s WHERE id = %s", [seq, meeting.pk]),
            (
                "INSERT INTO meetings_meetingevent (meeting_id, seq, type, payload, audience, created_at) VALUES (%s, %s, %s, %s, %s, %s)",
                [meeting.pk, seq, type, payload_column, audience_column, connection.ops.adapt_datetimefield_value(timezone.now())],
            ),
        ]
    )
    keep = settings.REALTIME_EVENT_LOG_SIZE
    if seq % 50 == 0 and seq > keep:
        MeetingEvent.objects.filter(meeting=meeting, seq__lte=seq - keep).delete()
    publish(meeting_id=meeting.pk, seq=seq, type=type, payload=payload, audience=audience)
    return seq


def event_as_message(*, seq: int, type: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"type": type, "seq": seq, **payload}
