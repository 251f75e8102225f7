from __future__ import annotations

import asyncio
import contextlib
import datetime
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from meetings.models import AgendaItem, Document, Meeting, User
from meetings.services.live import meeting_start
from realtime.hub import hub
from realtime.routing import websocket_urlpatterns

_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _quick_presence(settings: Any) -> None:
    settings.REALTIME_PRESENCE_DEBOUNCE_SECONDS = 0.05


@pytest.fixture(autouse=True)
def _fresh_layer_and_hub() -> None:
    # Each async test runs in its own event loop: the in-memory layer and the hub start anew.
    channel_layers.backends.clear()
    hub.reset()


class Client:
    """A tablet: a websocket communicator that keeps what it receives."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.ws = communicator
        self.snapshot: dict[str, Any] | None = None

    async def receive(self, timeout: float = 3) -> dict[str, Any]:
        return json.loads(await self.ws.receive_from(timeout=timeout))

    async def receive_until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 3) -> list[dict[str, Any]]:
        """Everything received up to and including the first message that matches."""
        seen = []
        while True:
            message = await self.receive(timeout=timeout)
            seen.append(message)
            if predicate(message):
                return seen

    async def command(self, type: str, **fields: Any) -> dict[str, Any]:
        """Send a command and return its ack or error; events received meanwhile are kept in self.events."""
        command_id = fields.pop("id", None) or f"cmd-{next(_ids)}"
        await self.ws.send_to(text_data=json.dumps({"type": type, "id": command_id, **fields}))
        seen = await self.receive_until(lambda m: m.get("type") in ("ack", "error") and m.get("id") == command_id)
        self.events = seen[:-1]
        return seen[-1]

    async def send_raw(self, text: str) -> dict[str, Any]:
        await self.ws.send_to(text_data=text)
        return (await self.receive_until(lambda m: m.get("type") == "error"))[-1]

    async def nothing_more(self, timeout: float = 0.3) -> bool:
        return await self.ws.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.ws.disconnect()


@pytest.fixture
async def connect() -> AsyncIterator[Callable[..., Awaitable[Client]]]:
    clients: list[Client] = []

    async def open_socket(user: User | None, meeting: Meeting, *, expect_snapshot: bool = True) -> Client:
        from django.contrib.auth.models import AnonymousUser

        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/meetings/{meeting.pk}/")
        communicator.scope["user"] = user or AnonymousUser()
        connected, _ = await communicator.connect()
        assert connected
        client = Client(communicator)
        clients.append(client)
        if expect_snapshot:
            message = await client.receive()
            assert message["type"] == "snapshot", message
            client.snapshot = message
        return client

    yield open_socket
    for client in clients:
        # A socket the test already saw fail must not turn into an error for every later test.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await client.close()
    await asyncio.sleep(0)
    await _hub_settled()


async def _hub_settled() -> None:
    """The hub's own work still under way (a poll's progress a moment after the ballots, presence) is
    finished before the test's database is flushed: a write still in flight there locked the table."""
    for handle in hub.poll_checks.values():
        handle.cancel()
    hub.poll_checks.clear()
    if hub.presence_pending:
        await asyncio.sleep(settings.REALTIME_PRESENCE_DEBOUNCE_SECONDS * 2)
    current = asyncio.current_task()
    running = [task for task in asyncio.all_tasks() if task not in (current, hub.task, hub.heartbeat) and not task.done()]
    if running:
        await asyncio.wait(running, timeout=3)


@pytest.fixture
def live_meeting(published_meeting: Meeting, secretary: User, pdf_upload: Callable[..., Any]) -> Meeting:
    """A published meeting starting within the half hour (its members can check in), with two agenda
    items and a five-page document."""
    from meetings.services.agenda import agenda_item_create
    from meetings.services.documents import document_upload

    agenda_item_create(actor=secretary, meeting=published_meeting, title="Thảo luận", duration_minutes=20)
    document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload("de-an.pdf", pages=5), title="Đề án")
    soon = timezone.now() + datetime.timedelta(minutes=30)
    Meeting.objects.filter(pk=published_meeting.pk).update(starts_at=soon, ends_at=soon + datetime.timedelta(hours=3))
    return Meeting.objects.get(pk=published_meeting.pk)


@pytest.fixture
def started(live_meeting: Meeting, chair: User) -> Meeting:
    return meeting_start(actor=chair, meeting=live_meeting)


@pytest.fixture
def items(live_meeting: Meeting) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(meeting=live_meeting).order_by("position", "id"))


@pytest.fixture
def document(live_meeting: Meeting) -> Document:
    return Document.objects.get(meeting=live_meeting)
