"""Frames that are not commands at all: each gets an error reply, and the socket and the meeting carry on."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from meetings.models import Meeting, Participant, User
from realtime.routing import websocket_urlpatterns
from tests.realtime.conftest import Client
from tests.realtime.helpers import (
    Connect,
    assert_error,
    assert_quiet,
    assert_still_serving,
    current_seq,
    looks_vietnamese,
    room,
)

pytestmark = pytest.mark.django_db(transaction=True)


async def _pair(connect: Connect, meeting: Meeting, delegate: User, chair: User) -> tuple[Client, Client]:
    delegate_client, chair_client = await room(connect, meeting, delegate, chair)
    return delegate_client, chair_client


async def _refused_frame(client: Client, observer: Client, text: str, *, code: str, id: str | None = None) -> dict[str, Any]:
    reply = await client.send_raw(text)
    assert_error(reply, code=code, id=id)
    await assert_quiet(client, observer)
    await assert_still_serving(client)
    return reply


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{not json", id="broken-json"),
        pytest.param("   ", id="blank"),
        pytest.param("speaker.request", id="bare-word"),
        pytest.param('{"type": "speaker.request", "id": "a-1",}', id="trailing-comma"),
    ],
)
async def test_it_answers_text_that_is_not_json_with_malformed(
    connect: Connect, started: Meeting, delegate: User, chair: User, text: str
) -> None:
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    await _refused_frame(delegate_client, chair_client, text, code="malformed")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('[{"type": "speaker.request", "id": "a-1"}]', id="list"),
        pytest.param('"speaker.request"', id="string"),
        pytest.param("42", id="number"),
        pytest.param("null", id="null"),
    ],
)
async def test_it_answers_json_that_is_not_an_object_with_malformed(
    connect: Connect, started: Meeting, delegate: User, chair: User, text: str
) -> None:
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    await _refused_frame(delegate_client, chair_client, text, code="malformed")

    assert await sync_to_async(lambda: list(started.speaker_requests.all()))() == []


@pytest.mark.parametrize(
    "message",
    [
        pytest.param({"id": "a-1"}, id="missing"),
        pytest.param({"type": 5, "id": "a-1"}, id="number"),
        pytest.param({"type": None, "id": "a-1"}, id="null"),
        pytest.param({"type": ["speaker.request"], "id": "a-1"}, id="list"),
    ],
)
async def test_it_answers_a_message_without_a_textual_type_with_malformed(
    connect: Connect, started: Meeting, delegate: User, chair: User, message: dict[str, Any]
) -> None:
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    await _refused_frame(delegate_client, chair_client, json.dumps(message), code="malformed")


async def test_it_answers_an_unknown_type_with_unknown_type_and_the_command_id(
    connect: Connect, started: Meeting, delegate: User, chair: User
) -> None:
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    reply = await delegate_client.command("vote.start", title="Biểu quyết")

    assert_error(reply, code="unknown_type", id=reply["id"])
    assert "vote.start" in reply["message"]
    await assert_quiet(delegate_client, chair_client)
    await assert_still_serving(delegate_client)


async def test_it_does_not_echo_a_long_unknown_type_in_full(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    delegate_client, _chair_client = await _pair(connect, started, delegate, chair)

    reply = await delegate_client.command("x" * 1000)

    assert_error(reply, code="unknown_type", id=reply["id"])
    assert "x" * 40 in reply["message"]
    assert "x" * 41 not in reply["message"]
    await assert_still_serving(delegate_client)


@pytest.mark.parametrize(
    "message",
    [
        pytest.param({"type": "speaker.request"}, id="missing"),
        pytest.param({"type": "speaker.request", "id": None}, id="null"),
        pytest.param({"type": "speaker.request", "id": 17}, id="number"),
        pytest.param({"type": "speaker.request", "id": ""}, id="empty"),
        pytest.param({"type": "speaker.request", "id": "có dấu"}, id="not-ascii"),
        pytest.param({"type": "speaker.request", "id": "a b"}, id="space"),
        pytest.param({"type": "speaker.request", "id": "a" * 65}, id="too-long"),
    ],
)
async def test_it_refuses_a_command_without_a_usable_id(
    connect: Connect, started: Meeting, delegate: User, chair: User, message: dict[str, Any]
) -> None:
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    reply = await _refused_frame(delegate_client, chair_client, json.dumps(message), code="invalid")

    assert "id" in reply["message"]
    assert await sync_to_async(lambda: list(started.speaker_requests.all()))() == []


async def test_it_accepts_an_id_of_64_allowed_characters(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    reply = await delegate_client.command("speaker.request", id="Ab0_.:-" * 9 + "z")

    assert reply == {"type": "ack", "id": "Ab0_.:-" * 9 + "z"}
    await chair_client.receive_until(lambda m: m["type"] == "speaker.request")


@pytest.mark.parametrize("command_id", [pytest.param("a-1\n", id="short"), pytest.param("a" * 64 + "\n", id="65-characters")])
async def test_it_refuses_a_command_id_with_a_trailing_newline(
    connect: Connect, started: Meeting, delegate: User, chair: User, command_id: str
) -> None:
    delegate_client, _chair_client = await _pair(connect, started, delegate, chair)

    await delegate_client.ws.send_to(text_data=json.dumps({"type": "speaker.request", "id": command_id}))
    replies = await delegate_client.receive_until(lambda m: m["type"] in ("ack", "error"))

    assert_error(replies[-1], code="invalid", id=None)


async def test_it_refuses_a_frame_over_the_size_limit(
    connect: Connect, started: Meeting, secretary: User, delegate: User, settings: Any
) -> None:
    settings.REALTIME_MAX_FRAME_BYTES = 256
    secretary_client, delegate_client = await room(connect, started, secretary, delegate)

    reply = await secretary_client.send_raw(json.dumps({"type": "notice.send", "id": "n-1", "text": "x" * 300}))

    assert_error(reply, code="too_large", id=None)
    assert "256" in reply["message"]
    await assert_quiet(secretary_client, delegate_client)
    await assert_still_serving(secretary_client)


async def test_it_counts_the_size_limit_in_bytes_not_characters(
    connect: Connect, started: Meeting, secretary: User, delegate: User, settings: Any
) -> None:
    settings.REALTIME_MAX_FRAME_BYTES = 256
    secretary_client, delegate_client = await room(connect, started, secretary, delegate)
    text = json.dumps({"type": "notice.send", "id": "n-1", "text": "ệ" * 100}, ensure_ascii=False)
    assert len(text) < 256 < len(text.encode("utf-8"))

    reply = await secretary_client.send_raw(text)

    assert_error(reply, code="too_large", id=None)
    await assert_quiet(secretary_client, delegate_client)
    await assert_still_serving(secretary_client)


async def test_it_accepts_a_frame_of_exactly_the_size_limit(
    connect: Connect, started: Meeting, secretary: User, delegate: User, settings: Any
) -> None:
    settings.REALTIME_MAX_FRAME_BYTES = 256
    secretary_client, delegate_client = await room(connect, started, secretary, delegate)
    empty = json.dumps({"type": "notice.send", "id": "n-1", "text": ""})
    text = json.dumps({"type": "notice.send", "id": "n-1", "text": "x" * (256 - len(empty))})
    assert len(text.encode("utf-8")) == 256

    await secretary_client.ws.send_to(text_data=text)
    replies = await secretary_client.receive_until(lambda m: m["type"] in ("ack", "error"))

    assert replies[-1] == {"type": "ack", "id": "n-1"}
    await delegate_client.receive_until(lambda m: m["type"] == "notice")


async def test_it_answers_a_binary_frame_with_malformed(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    await delegate_client.ws.send_to(bytes_data=json.dumps({"type": "speaker.request", "id": "b-1"}).encode())
    reply = await delegate_client.receive()

    assert_error(reply, code="malformed", id=None)
    await assert_quiet(delegate_client, chair_client)
    await assert_still_serving(delegate_client)


async def test_it_answers_a_binary_frame_over_the_limit_with_too_large(
    connect: Connect, started: Meeting, delegate: User, chair: User, settings: Any
) -> None:
    settings.REALTIME_MAX_FRAME_BYTES = 256
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    await delegate_client.ws.send_to(bytes_data=b"\x00" * 257)
    reply = await delegate_client.receive()

    assert_error(reply, code="too_large", id=None)
    await assert_quiet(delegate_client, chair_client)
    await assert_still_serving(delegate_client)


async def test_it_slows_down_a_flood_and_then_accepts_again(
    connect: Connect, started: Meeting, delegate: User, chair: User, settings: Any
) -> None:
    settings.REALTIME_RATE_BURST = 3
    settings.REALTIME_RATE_PER_SECOND = 2
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)

    for number in range(5):
        await delegate_client.ws.send_to(text_data=json.dumps({"type": "speaker.withdraw", "id": f"f-{number}"}))
    replies = [await delegate_client.receive() for _ in range(5)]

    assert [r["type"] for r in replies[:3]] == ["ack", "ack", "ack"]
    assert [r["id"] for r in replies[:3]] == ["f-0", "f-1", "f-2"]
    # The refusal names the command, so the tablet knows which one to send again.
    for number, reply in zip((3, 4), replies[3:], strict=True):
        assert_error(reply, code="rate_limited", id=f"f-{number}")
    await assert_quiet(delegate_client, chair_client)

    await asyncio.sleep(0.6)  # at 2 a second, one message is allowed again after half a second

    reply = await delegate_client.command("speaker.request")
    assert reply["type"] == "ack"
    await chair_client.receive_until(lambda m: m["type"] == "speaker.request")


async def test_a_flood_from_one_tablet_does_not_slow_another(
    connect: Connect, started: Meeting, delegate: User, chair: User, settings: Any
) -> None:
    settings.REALTIME_RATE_BURST = 2
    settings.REALTIME_RATE_PER_SECOND = 1
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)
    for number in range(4):
        await delegate_client.ws.send_to(text_data=json.dumps({"type": "speaker.withdraw", "id": f"f-{number}"}))
    assert [(await delegate_client.receive())["type"] for _ in range(4)] == ["ack", "ack", "error", "error"]

    assert (await chair_client.command("speaker.withdraw"))["type"] == "ack"
    assert (await chair_client.command("speaker.withdraw"))["type"] == "ack"


async def test_a_refused_frame_does_not_disturb_the_commands_around_it(
    connect: Connect, started: Meeting, delegate: User, chair: User
) -> None:
    delegate_client, chair_client = await _pair(connect, started, delegate, chair)
    seq = await current_seq(started)

    await delegate_client.ws.send_to(text_data=json.dumps({"type": "speaker.request", "id": "s-1"}))
    await delegate_client.ws.send_to(text_data="{oops")
    await delegate_client.ws.send_to(text_data=json.dumps({"type": "speaker.withdraw", "id": "s-2"}))
    replies = [m for m in await delegate_client.receive_until(lambda m: m.get("id") == "s-2") if m["type"] in ("ack", "error")]

    assert [(r["type"], r["id"]) for r in replies] == [("ack", "s-1"), ("error", None), ("ack", "s-2")]
    events = await chair_client.receive_until(lambda m: m["type"] == "speaker.withdraw")
    assert [(e["type"], e["seq"]) for e in events] == [("speaker.request", seq + 1), ("speaker.withdraw", seq + 2)]


@contextlib.asynccontextmanager
async def _fragile_socket(user: User, meeting: Meeting) -> AsyncIterator[WebsocketCommunicator]:
    """A socket whose consumer may die in the test: closing it must not fail the teardown too."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/meetings/{meeting.pk}/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    assert json.loads(await communicator.receive_from(timeout=3))["type"] == "snapshot"
    try:
        yield communicator
    finally:
        with contextlib.suppress(BaseException):
            await communicator.disconnect()


async def _next_reply(socket: WebsocketCommunicator) -> dict[str, Any]:
    while True:
        message = json.loads(await socket.receive_from(timeout=3))
        if message["type"] in ("ack", "error"):
            return message


async def test_it_answers_deeply_nested_json_with_malformed(started: Meeting, delegate: User) -> None:
    async with _fragile_socket(delegate, started) as socket:
        await socket.send_to(text_data="[" * 50_000)
        reply = await _next_reply(socket)
        assert_error(reply, code="malformed", id=None)
        await socket.send_to(text_data=json.dumps({"type": "speaker.withdraw", "id": "after"}))
        assert await _next_reply(socket) == {"type": "ack", "id": "after"}


async def test_it_answers_numbers_json_cannot_hold_as_invalid(connect: Connect, started: Meeting, chair: User, delegate: User) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    document_id = await sync_to_async(lambda: started.documents.get().pk)()

    for text in (
        json.dumps({"type": "present.page", "id": "p-1", "document_id": document_id, "page": 1, "viewport": {"x": float("nan")}}),
        json.dumps({"type": "present.page", "id": "p-2", "document_id": document_id, "page": 1, "viewport": {"zoom": float("inf")}}),
        json.dumps({"type": "present.page", "id": "p-3", "document_id": document_id, "page": 1}).replace('"page": 1', '"page": 1e400'),
    ):
        reply = await chair_client.send_raw(text)
        assert reply["code"] in ("invalid", "malformed"), reply
        assert reply["message"]

    await assert_quiet(chair_client, delegate_client)
    await assert_still_serving(chair_client)


async def test_error_messages_are_in_vietnamese_by_default(
    connect: Connect, live_meeting: Meeting, delegate: User, chair: User, other_delegate: User
) -> None:
    delegate_client, chair_client = await _pair(connect, live_meeting, delegate, chair)
    participant = await sync_to_async(Participant.objects.get)(meeting=live_meeting, user=delegate)
    replies = [
        await delegate_client.send_raw("{not json"),
        await delegate_client.send_raw(json.dumps({"type": "speaker.request"})),
        await delegate_client.command("poll.open"),
        await delegate_client.command("agenda.current"),
        await delegate_client.command("meeting.start"),
        await delegate_client.command("speaker.request"),
        await chair_client.command("attendance.update", participant_id=participant.pk, status="here"),
    ]
    refused = await connect(other_delegate, live_meeting, expect_snapshot=False)
    replies.append(await refused.receive())

    english = [r["message"] for r in replies if not looks_vietnamese(r["message"])]
    assert english == []
