"""Ping: how a tablet on shaky wifi finds out whether a quiet connection is still alive."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async

from meetings.models import Meeting, User
from tests.realtime.helpers import Connect, assert_quiet, assert_still_serving, current_seq, room

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_answers_a_ping_with_a_pong_and_tells_no_one_else(
    connect: Connect, live_meeting: Meeting, delegate: User, chair: User
) -> None:
    tablet, chair_client = await room(connect, live_meeting, delegate, chair)
    seq = await current_seq(live_meeting)
    await tablet.ws.send_to(text_data=json.dumps({"type": "ping"}))
    assert await tablet.receive() == {"type": "pong"}
    await assert_quiet(tablet, chair_client)
    assert await current_seq(live_meeting) == seq


async def test_it_ignores_whatever_else_a_ping_carries(connect: Connect, started: Meeting, delegate: User) -> None:
    (tablet,) = await room(connect, started, delegate)
    await tablet.ws.send_to(text_data=json.dumps({"type": "ping", "id": 12, "since": "yesterday", "page": [1]}))
    assert await tablet.receive() == {"type": "pong"}
    await assert_still_serving(tablet, "speaker.request")


async def test_it_answers_a_ping_while_the_database_is_busy(connect: Connect, started: Meeting, delegate: User) -> None:
    """A long database call elsewhere in the process (a large snapshot, an export) must not make
    every tablet's ping go unanswered, or they would all take their connections for dead."""
    (tablet,) = await room(connect, started, delegate)
    release = threading.Event()
    busy = asyncio.ensure_future(database_sync_to_async(release.wait)(10))
    try:
        await asyncio.sleep(0.05)
        await tablet.ws.send_to(text_data=json.dumps({"type": "ping"}))
        assert await tablet.receive(timeout=1) == {"type": "pong"}
    finally:
        release.set()
        await busy
    await assert_still_serving(tablet, "speaker.request")
