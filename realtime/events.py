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


def _send(message: dict[str, Any]) -> None:
    if get_channel_layer() is not None:
        from realtime.hub import hub  # not at the top: the hub imports this module

        async_to_sync(hub.publish)(message)


def publish(*, meeting_id: int, seq: int, type: str, payload: dict[str, Any]) -> None:
    """Broadcast a numbered meeting event once the transaction that made it commits."""
    text = event_text(seq=seq, type=type, payload=payload)
    message = {"type": "meeting.event", "meeting": meeting_id, "seq": seq, "text": text}
    transaction.on_commit(lambda: _send(message))


def publish_ephemeral(*, meeting_id: int, type: str, payload: dict[str, Any], users: list[int] | None = None) -> None:
    """Broadcast something not kept for resync (presence, a pen stroke in progress), now."""
    message = {"type": "meeting.event", "meeting": meeting_id, "seq": None, "text": event_text(seq=None, type=type, payload=payload)}
    if users is not None:
        message["users"] = users
    _send(message)
