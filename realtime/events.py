"""The one way meeting events leave a service: serialised once, published after commit."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def meeting_group(meeting_id: int) -> str:
    return f"meeting.{meeting_id}"


def event_text(*, seq: int | None, type: str, payload: dict[str, Any]) -> str:
    message = {"type": type, **({"seq": seq} if seq is not None else {}), **payload}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


def hidden_event_text(*, seq: int) -> str:
    """What a screen outside an event's audience gets in its place: its number, so no gap is seen, and nothing else."""
    return event_text(seq=seq, type="hidden", payload={})


def logged_event_text(*, user_id: int, seq: int, type: str, payload: dict[str, Any], audience: list[int] | None) -> str:
    """A logged event as it is told again to one user (resync, a gap filled in)."""
    if audience is not None and user_id not in audience:
        return hidden_event_text(seq=seq)
    return event_text(seq=seq, type=type, payload=payload)


def _send(message: dict[str, Any]) -> None:
    if get_channel_layer() is not None:
        from realtime.hub import hub  # not at the top: the hub imports this module

        async_to_sync(hub.publish)(message)


def publish(*, meeting_id: int, seq: int, type: str, payload: dict[str, Any], audience: list[int] | None = None) -> None:
    """Broadcast a numbered meeting event once the transaction that made it commits.

    With an `audience` (user ids), everyone else is sent only the event's number (hidden_event_text).
    """
    text = event_text(seq=seq, type=type, payload=payload)
    message: dict[str, Any] = {"type": "meeting.event", "meeting": meeting_id, "seq": seq, "text": text}
    if audience is not None:
        message["users"] = audience
    transaction.on_commit(lambda: _send(message))


def publish_rejoin(*, meeting_id: int, users: list[int]) -> None:
    """Once the transaction commits, the screens of `users` in the meeting start again from a snapshot of
    their own: their place in it changed (invited, another role, the chair now, removed). Whoever may no
    longer see the meeting is shut out."""
    message = {"type": "meeting.event", "meeting": meeting_id, "seq": None, "rejoin": sorted(set(users))}
    transaction.on_commit(lambda: _send(message))


def publish_ephemeral(*, meeting_id: int, type: str, payload: dict[str, Any], users: list[int] | None = None) -> None:
    """Broadcast something not kept for resync (presence, a pen stroke in progress), now."""
    message = {"type": "meeting.event", "meeting": meeting_id, "seq": None, "text": event_text(seq=None, type=type, payload=payload)}
    if users is not None:
        message["users"] = users
    _send(message)
