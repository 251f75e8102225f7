"""Shared checks for the live-protocol tests: error replies, presence settling, probes that the socket still serves."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async

from meetings.models import Meeting, MeetingEvent, Participant, User
from tests.realtime.conftest import Client

Connect = Callable[..., Awaitable[Client]]

# Letters only Vietnamese text has; an English sentence never contains them.
VIETNAMESE_LETTERS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")

_refusal_ids = itertools.count(1)


def looks_vietnamese(message: str) -> bool:
    return bool(VIETNAMESE_LETTERS & set(message.lower()))


def assert_error(reply: dict[str, Any], *, code: str, id: str | None) -> None:
    """An error reply that names the command, says why in a stable code, and explains in words."""
    assert reply["type"] == "error", reply
    assert reply["id"] == id, reply
    assert reply["code"] == code, reply
    assert isinstance(reply["message"], str), reply
    assert reply["message"].strip(), reply
    assert set(reply) == {"type", "id", "code", "message"}, reply


def numbered(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The meeting events among received messages (presence and replies carry no seq)."""
    return [m for m in messages if "seq" in m and m["type"] not in ("ack", "error", "snapshot")]


async def settle(clients: list[Client], users: list[User]) -> None:
    """Wait until every client has heard that exactly these users are online (presence is debounced)."""
    expected = sorted({u.pk for u in users})
    for client in clients:
        seen = await client.receive_until(lambda m: m["type"] == "presence" and m["online"] == expected, timeout=10)
        assert [m["type"] for m in seen] == ["presence"] * len(seen), seen


async def room(connect: Connect, meeting: Meeting, *users: User) -> list[Client]:
    """One socket per user on the meeting, each past its snapshot and the presence announcement."""
    clients = [await connect(user, meeting) for user in users]
    await settle(clients, list(users))
    return clients


async def assert_quiet(*clients: Client) -> None:
    """Nothing more reaches any of these clients (listened to side by side, so the wait is paid once)."""
    quiet = await asyncio.gather(*(client.nothing_more() for client in clients))
    heard = [await client.ws.receive_json_from() for client, nothing in zip(clients, quiet, strict=True) if not nothing]
    assert not heard, f"a message reached a client that should have heard nothing: {heard}"


async def assert_refused(actor: Client, observers: list[Client], type: str, *, code: str, **fields: Any) -> dict[str, Any]:
    """The command gets an error reply naming it, and nothing is broadcast to anyone."""
    command_id = f"refused-{next(_refusal_ids)}"
    reply = await actor.command(type, id=command_id, **fields)
    assert_error(reply, code=code, id=command_id)
    assert numbered(actor.events) == [], actor.events
    await assert_quiet(actor, *observers)
    return reply


async def assert_still_serving(client: Client, type: str = "speaker.withdraw", **fields: Any) -> None:
    """A valid command on the same socket is still acknowledged (the connection survived)."""
    reply = await client.command(type, **fields)
    assert reply["type"] == "ack", reply


async def assert_still_serving_resync(client: Client, meeting: Meeting) -> None:
    """For a closed meeting, where every command is refused: the socket still answers a resync."""
    seq = await current_seq(meeting)
    await client.ws.send_to(text_data=json.dumps({"type": "resync", "since": seq - 1}))
    message = await client.receive()
    assert message["seq"] == seq, message


@sync_to_async
def current_seq(meeting: Meeting) -> int:
    return Meeting.objects.values_list("event_seq", flat=True).get(pk=meeting.pk)


@sync_to_async
def event_types(meeting: Meeting) -> list[str]:
    return list(MeetingEvent.objects.filter(meeting=meeting).order_by("seq").values_list("type", flat=True))


@sync_to_async
def participant_of(meeting: Meeting, user: User) -> Participant:
    return Participant.objects.get(meeting=meeting, user=user)


def entry_of(attendance: dict[str, Any], user: User) -> dict[str, Any]:
    return next(p for p in attendance["participants"] if p["user_id"] == user.pk)


async def heard(client: Client, *types: str) -> list[dict[str, Any]]:
    """The next meeting events of a client are exactly these, in this order (presence is not one)."""
    messages = []
    while len(messages) < len(types):
        message = await client.receive()
        if message["type"] != "presence":
            messages.append(message)
    assert [m["type"] for m in messages] == list(types), messages
    return messages


def events_lost(monkeypatch: Any, *, lost: Callable[[int | None], bool]) -> None:
    """Numbered events whose seq `lost` says are never published (a message lost between processes):
    the hub finds the gap at the next one and reads the missing ones back from the log."""
    import realtime.events

    send = realtime.events._send
    monkeypatch.setattr(realtime.events, "_send", lambda message: None if lost(message.get("seq")) else send(message))
