"""Sequence numbers rise by one per meeting event, and a client that missed some gets them back (or a snapshot)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from meetings.models import AgendaItem, Document, Meeting, MeetingEvent, User
from meetings.services.live import notice_send
from tests.realtime.conftest import Client
from tests.realtime.helpers import Connect, assert_error, assert_still_serving, current_seq, events_lost, numbered, room, settle

pytestmark = pytest.mark.django_db(transaction=True)


async def run(client: Client, log: list[dict[str, Any]], type: str, **fields: Any) -> None:
    """A command that must be acknowledged; the events that came with the reply go to the client's log."""
    reply = await client.command(type, **fields)
    assert reply["type"] == "ack", reply
    log.extend(numbered(client.events))


async def catch_up(client: Client, log: list[dict[str, Any]], seq: int) -> list[dict[str, Any]]:
    """Read events (skipping presence) until the log reaches `seq`."""
    while not log or log[-1]["seq"] < seq:
        message = await client.receive()
        assert message["type"] not in ("ack", "error", "snapshot"), message
        if "seq" in message:
            log.append(message)
    return log


async def next_numbered(client: Client, count: int) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    while len(received) < count:
        message = await client.receive()
        if message["type"] != "presence":
            received.append(message)
    return received


async def resync(client: Client, since: Any) -> None:
    await client.ws.send_to(text_data=json.dumps({"type": "resync", "since": since}))


@sync_to_async
def send_notices(meeting: Meeting, sender: User, count: int) -> None:
    for number in range(count):
        notice_send(actor=sender, meeting=meeting, text=f"Thông báo {number}")


@sync_to_async
def kept_seqs(meeting: Meeting) -> list[int]:
    return list(MeetingEvent.objects.filter(meeting=meeting).order_by("seq").values_list("seq", flat=True))


async def test_seq_rises_by_one_without_gaps_while_two_tablets_send_commands(
    connect: Connect, started: Meeting, chair: User, delegate: User, secretary: User, items: list[AgendaItem], document: Document
) -> None:
    chair_client, delegate_client, secretary_client = await room(connect, started, chair, delegate, secretary)
    start = chair_client.snapshot["seq"]
    logs: dict[Client, list[dict[str, Any]]] = {chair_client: [], delegate_client: [], secretary_client: []}

    async def chair_works() -> None:
        for round in range(6):
            await run(chair_client, logs[chair_client], "agenda.current", item_id=items[(round + 1) % 2].pk)
            await run(chair_client, logs[chair_client], "present.page", document_id=document.pk, page=round % 5 + 1)

    async def delegate_works() -> None:
        for _ in range(6):
            await run(delegate_client, logs[delegate_client], "speaker.request")
            await run(delegate_client, logs[delegate_client], "speaker.withdraw")

    await asyncio.gather(chair_works(), delegate_works())
    final = await current_seq(started)

    assert final == start + 24
    for client, log in logs.items():
        await catch_up(client, log, final)
        assert [e["seq"] for e in log] == list(range(start + 1, final + 1))
    assert logs[chair_client] == logs[delegate_client] == logs[secretary_client]
    assert [e["type"] for e in logs[chair_client]] == (await sync_to_async(_types_after)(started, start))


def _types_after(meeting: Meeting, seq: int) -> list[str]:
    return list(MeetingEvent.objects.filter(meeting=meeting, seq__gt=seq).order_by("seq").values_list("type", flat=True))


async def test_a_tablet_that_reconnects_gets_exactly_the_events_it_missed(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem], document: Document
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    last_seen = delegate_client.snapshot["seq"]
    await delegate_client.close()
    chair_log: list[dict[str, Any]] = []
    await run(chair_client, chair_log, "notice.send", text="Mất sóng một lúc")
    await run(chair_client, chair_log, "agenda.current", item_id=items[1].pk)
    await run(chair_client, chair_log, "present.page", document_id=document.pk, page=2)
    final = await current_seq(started)
    await catch_up(chair_client, chair_log, final)

    back = await connect(delegate, started)
    assert back.snapshot["seq"] == final
    await settle([back], [chair, delegate])
    await resync(back, last_seen)

    missed = await next_numbered(back, 3)
    assert missed == chair_log
    assert [e["seq"] for e in missed] == [last_seen + 1, last_seen + 2, last_seen + 3]
    assert [e["type"] for e in missed] == ["notice", "agenda.current", "present.page"]
    assert await back.nothing_more()


async def test_a_resync_from_the_current_seq_sends_nothing(connect: Connect, started: Meeting, chair: User, delegate: User) -> None:
    _chair_client, delegate_client = await room(connect, started, chair, delegate)

    await resync(delegate_client, delegate_client.snapshot["seq"])

    assert await delegate_client.nothing_more()
    await assert_still_serving(delegate_client)


async def test_a_resync_from_zero_replays_the_whole_kept_log(connect: Connect, started: Meeting, chair: User, delegate: User) -> None:
    _chair_client, delegate_client = await room(connect, started, chair, delegate)

    await resync(delegate_client, 0)

    state, agenda, attendance = await next_numbered(delegate_client, 3)
    assert (state["type"], state["seq"], state["meeting"]["state"]) == ("meeting.state", 1, "in_progress")
    assert (agenda["type"], agenda["seq"]) == ("agenda.current", 2)
    # The chair, who opened it, is present.
    assert (attendance["type"], attendance["seq"]) == ("attendance.update", 3)
    assert await delegate_client.nothing_more()


async def test_a_resync_from_before_the_kept_log_gets_a_new_snapshot(
    connect: Connect, live_meeting: Meeting, secretary: User, delegate: User, settings: Any
) -> None:
    settings.REALTIME_EVENT_LOG_SIZE = 10
    await send_notices(live_meeting, secretary, 55)
    assert await kept_seqs(live_meeting) == list(range(41, 56))  # pruned at seq 50: everything up to 40 is gone
    (delegate_client,) = await room(connect, live_meeting, delegate)

    await resync(delegate_client, 5)

    (snapshot,) = await next_numbered(delegate_client, 1)
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == 55
    assert [n["text"] for n in snapshot["state"]["notices"]] == ["Thông báo 52", "Thông báo 53", "Thông báo 54"]
    assert await delegate_client.nothing_more()
    await assert_still_serving(delegate_client, "attendance.checkin")


async def test_a_resync_from_the_last_pruned_seq_still_gets_events(
    connect: Connect, live_meeting: Meeting, secretary: User, delegate: User, settings: Any
) -> None:
    settings.REALTIME_EVENT_LOG_SIZE = 10
    await send_notices(live_meeting, secretary, 55)
    (delegate_client,) = await room(connect, live_meeting, delegate)

    await resync(delegate_client, 40)
    events = await next_numbered(delegate_client, 15)
    assert [e["seq"] for e in events] == list(range(41, 56))
    assert events[-1]["text"] == "Thông báo 54"
    assert await delegate_client.nothing_more()

    await resync(delegate_client, 39)
    (snapshot,) = await next_numbered(delegate_client, 1)
    assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 55)


async def test_a_resync_from_a_seq_the_server_never_reached_gets_a_new_snapshot(
    connect: Connect, started: Meeting, chair: User, delegate: User
) -> None:
    _chair_client, delegate_client = await room(connect, started, chair, delegate)
    current = delegate_client.snapshot["seq"]

    await resync(delegate_client, current + 10)

    (snapshot,) = await next_numbered(delegate_client, 1)
    assert snapshot["type"] == "snapshot"
    assert snapshot["seq"] == current
    assert snapshot["state"]["meeting"]["state"] == "in_progress"
    assert await delegate_client.nothing_more()


@pytest.mark.parametrize(
    "message",
    [
        pytest.param({"type": "resync"}, id="missing"),
        pytest.param({"type": "resync", "since": -1}, id="negative"),
        pytest.param({"type": "resync", "since": "3"}, id="text"),
        pytest.param({"type": "resync", "since": True}, id="bool"),
        pytest.param({"type": "resync", "since": None}, id="null"),
        pytest.param({"type": "resync", "since": 1.5}, id="float"),
    ],
)
async def test_a_resync_without_a_usable_seq_is_refused(
    connect: Connect, started: Meeting, chair: User, delegate: User, message: dict[str, Any]
) -> None:
    _chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await delegate_client.send_raw(json.dumps(message))

    assert_error(reply, code="invalid", id=None)
    assert await delegate_client.nothing_more()
    await assert_still_serving(delegate_client)


async def test_a_refused_resync_names_its_id_when_it_has_one(connect: Connect, started: Meeting, chair: User, delegate: User) -> None:
    _chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await delegate_client.send_raw(json.dumps({"type": "resync", "id": "r-1", "since": "x"}))

    assert_error(reply, code="invalid", id="r-1")


async def test_events_during_a_resync_are_neither_lost_nor_repeated(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem]
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    chair_log: list[dict[str, Any]] = []

    async def chair_works() -> None:
        for round in range(16):
            await run(chair_client, chair_log, "agenda.current", item_id=items[(round + 1) % 2].pk)

    async def delegate_resyncs() -> None:
        # In the middle of the chair's work, however fast the machine runs it.
        while len(chair_log) < 2:
            await asyncio.sleep(0.002)
        await resync(delegate_client, 0)

    await asyncio.gather(chair_works(), delegate_resyncs())
    final = await current_seq(started)
    received: list[dict[str, Any]] = []
    await catch_up(delegate_client, received, final)

    seqs = [e["seq"] for e in received]
    replay = seqs.index(1)  # where the resync's answer begins; live events before it came ahead of the request
    assert seqs[replay:] == list(range(1, final + 1))
    assert seqs[:replay] == list(range(4, 4 + replay))  # after the start's three events


async def test_a_tablet_connecting_while_events_flow_continues_gap_free_from_its_snapshot(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem]
) -> None:
    (chair_client,) = await room(connect, started, chair)
    chair_log: list[dict[str, Any]] = []
    late: list[Client] = []

    async def chair_works() -> None:
        for round in range(16):
            await run(chair_client, chair_log, "agenda.current", item_id=items[(round + 1) % 2].pk)

    async def delegate_arrives() -> None:
        await asyncio.sleep(0.05)
        late.append(await connect(delegate, started))

    await asyncio.gather(chair_works(), delegate_arrives())
    final = await current_seq(started)
    (delegate_client,) = late
    received: list[dict[str, Any]] = []
    start = delegate_client.snapshot["seq"]
    if start < final:
        await catch_up(delegate_client, received, final)

    assert [e["seq"] for e in received] == list(range(start + 1, final + 1))


async def test_an_event_lost_on_the_way_is_filled_in_from_the_log(
    connect: Connect, started: Meeting, chair: User, delegate: User, secretary: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    lost = chair_client.snapshot["seq"] + 1
    events_lost(monkeypatch, lost=lambda seq: seq == lost)

    await send_notices(started, secretary, 2)

    first, second = await next_numbered(delegate_client, 2)
    assert (first["seq"], first["text"]) == (lost, "Thông báo 0")
    assert (second["seq"], second["text"]) == (lost + 1, "Thông báo 1")
    assert await delegate_client.nothing_more()


async def test_events_lost_beyond_the_log_send_every_tablet_a_new_snapshot(
    connect: Connect, live_meeting: Meeting, chair: User, delegate: User, secretary: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.REALTIME_EVENT_LOG_SIZE = 10
    chair_client, delegate_client = await room(connect, live_meeting, chair, delegate)
    events_lost(monkeypatch, lost=lambda seq: (seq or 0) <= 50)

    await send_notices(live_meeting, secretary, 51)

    for client in (chair_client, delegate_client):
        (snapshot,) = await next_numbered(client, 1)
        assert (snapshot["type"], snapshot["seq"]) == ("snapshot", 51)
        assert snapshot["state"]["notices"][-1]["text"] == "Thông báo 50"
        assert await client.nothing_more()
