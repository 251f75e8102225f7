"""Per-process fan-out: one channel-layer message per meeting per process, the same text to every local socket.

Channels' group_send to every consumer wakes each one through the channel layer. Instead,
each daphne process has one hub with one channel; the hub joins the group of every meeting
that has sockets here, receives each event once, and writes the already-serialised text
straight to the local sockets, in sequence order (an event committed in this process is
written here at once, without waiting for its copy to come back). An event that arrives ahead
of one still in flight from another process (both were committed in order, under the meeting's
row lock) is preceded by the missing ones read back from the event log, so no socket ever sees a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import logging
import os
import socket as socketlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone
from twisted.internet import tcp

from realtime.events import event_text, hidden_event_text, meeting_group

log = logging.getLogger(__name__)

PROCESS_ID = f"{socketlib.gethostname()}:{os.getpid()}"
HEARTBEAT_SECONDS = 30
PRESENCE_PREFIX = '{"type":"presence"'


def websocket_protocol(send: Callable[..., Any]) -> Any:
    """The autobahn protocol behind daphne's `send`, if that is what it is.

    Daphne gives each connection `partial(server.handle_reply, protocol)`; Channels' session
    middleware wraps it (keeping it as `real_send`). Autobahn protocols accept a message framed
    once for many sockets (`sendPreparedMessage`), which is what lets one event cost one
    encoding and one frame however many tablets listen. Events never touch the session, so
    skipping the wrapper loses nothing. Under any other server this returns None and events
    go through `send` as usual.
    """
    for _depth in range(4):
        if isinstance(send, functools.partial) and send.args and hasattr(send.args[0], "sendPreparedMessage"):
            return send.args[0]
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            return None
    return None


def write_now(transport: Any, data: bytes) -> None:
    """Send on a plain TCP socket at once when nothing is queued before it, as asyncio's transports do.

    Twisted's write always waits for the next reactor turn, which costs two epoll changes per
    socket: with hundreds of tablets that, not the network, is the time a page turn takes.
    Anything unusual (TLS, bytes already queued, a closing socket) goes through Twisted.
    """
    sock = getattr(transport, "socket", None)
    if (
        not isinstance(transport, tcp.Connection)
        or transport.TLS
        or sock is None
        or not transport.connected
        or transport.disconnecting
        or getattr(transport, "_writeDisconnected", True)
        or len(transport.dataBuffer) > transport.offset
        or getattr(transport, "_tempDataBuffer", True)
    ):
        transport.write(data)
        return
    try:
        sent = sock.send(data)
    except (BlockingIOError, InterruptedError):
        sent = 0
    except OSError:
        transport.write(data)  # Twisted notices the broken connection and closes it properly
        return
    if sent < len(data):
        transport.write(data[sent:])


class Outgoing:
    """One event's text, and its websocket frame, built at most once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._frame: Any = None

    def frame(self, protocol: Any) -> Any:
        if self._frame is None:
            self._frame = protocol.factory.prepareMessage(self.text.encode("utf-8"))
        return self._frame


@dataclass(eq=False)
class LocalSocket:
    """One websocket of this process. Until its snapshot is sent, events for it are held back."""

    send: Callable[[dict[str, Any]], Awaitable[None]]
    user_id: int
    meeting_id: int
    resnapshot: Callable[[], Awaitable[None]]
    last_seq: int | None = None
    held: list[tuple[int | None, Outgoing]] = field(default_factory=list)
    last_presence: str | None = None

    def __post_init__(self) -> None:
        self.protocol = websocket_protocol(self.send)

    def write_at_once(self, outgoing: Outgoing) -> bool:
        """Write without awaiting anything; False when this socket is not autobahn's (tests)."""
        protocol = self.protocol
        if protocol is None:
            return False
        if protocol.state == protocol.STATE_OPEN:
            frame = outgoing.frame(protocol)
            if getattr(protocol, "_perMessageCompress", None) is None and not protocol.send_queue:
                # What autobahn's sendData does, without formatting a debug line per socket.
                write_now(protocol.transport, frame.payloadHybi)
            else:
                protocol.sendPreparedMessage(frame)
        return True

    async def send_text(self, outgoing: Outgoing) -> None:
        """Write through the ASGI `send`, for sockets autobahn does not serve (tests)."""
        with contextlib.suppress(Exception):
            await self.send({"type": "websocket.send", "text": outgoing.text})

    def admit(self, seq: int | None, outgoing: Outgoing) -> bool:
        """Whether `outgoing` is to be written now; what arrives before the snapshot is held back."""
        if self.last_seq is None:
            # Waiting for its snapshot: keep everything, unnumbered messages (presence, minutes
            # being written) too, or an edit made in that moment would never reach this screen.
            self.held.append((seq, outgoing))
            return False
        if seq is None:
            # Other unnumbered messages are answers (an annotation's state told again to a device
            # that was behind) and always go out. A presence equal to the last one this socket
            # was sent (announced by two processes, by a second connection in the same moment, or
            # held while the snapshot was read) says nothing new, whatever answers came between.
            if not outgoing.text.startswith(PRESENCE_PREFIX):
                return True
            if outgoing.text == self.last_presence:
                return False
            self.last_presence = outgoing.text
            return True
        if seq > self.last_seq:
            self.last_seq = seq
            return True
        return False

    def hold(self) -> None:
        """Hold events back until the next snapshot. That snapshot tells who is online, so the
        presence after it goes out even if it repeats the last one sent."""
        self.last_seq = None
        self.last_presence = None

    async def release(self, seq: int) -> None:
        """The client now has everything up to `seq`; send what was held back after it."""
        self.last_seq = seq
        held, self.held = self.held, []
        numbered = sorted((pair for pair in held if pair[0] is not None), key=lambda pair: pair[0])
        for held_seq, outgoing in [*numbered, *(pair for pair in held if pair[0] is None)]:
            await deliver_to([self], held_seq, outgoing)


async def deliver_to(sockets: Iterable[LocalSocket], seq: int | None, outgoing: Outgoing) -> None:
    """Write `outgoing` to each socket that admits it. Autobahn's sockets are written in this loop,
    without a coroutine each: at hundreds of tablets that is a good part of a page turn."""
    for local in list(sockets):
        if local.admit(seq, outgoing) and not local.write_at_once(outgoing):
            await local.send_text(outgoing)


async def deliver_numbered(sockets: Iterable[LocalSocket], seq: int, outgoing: Outgoing, audience: list[int] | None) -> None:
    """A numbered event: to its audience (everyone when None); the others get its number alone, so they see no gap."""
    if audience is None:
        await deliver_to(sockets, seq, outgoing)
        return
    audience_ids = set(audience)
    await deliver_to([s for s in sockets if s.user_id in audience_ids], seq, outgoing)
    await deliver_to([s for s in sockets if s.user_id not in audience_ids], seq, Outgoing(hidden_event_text(seq=seq)))


class MeetingHub:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget every socket and task (for tests, which start an event loop per test)."""
        self.sockets: dict[int, set[LocalSocket]] = {}
        self.delivered: dict[int, int] = {}
        self.channel: str | None = None
        self.layer: Any = None
        self.task: asyncio.Task | None = None
        self.heartbeat: asyncio.Task | None = None
        self.presence_pending: set[int] = set()
        self.poll_checks: dict[tuple[int, int, str], asyncio.TimerHandle] = {}
        self.lock = asyncio.Lock()

    async def _ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if self.task is not None and not self.task.done() and self.task.get_loop() is loop:
            return
        # A new event loop (tests start one per test) means a new channel and new tasks.
        self.layer = get_channel_layer()
        self.channel = await self.layer.new_channel(prefix="hub.")
        for meeting_id in list(self.sockets):
            await self.layer.group_add(meeting_group(meeting_id), self.channel)
        self.task = loop.create_task(self._receive_forever())
        self.heartbeat = loop.create_task(self._heartbeat_forever())

    async def join(self, local: LocalSocket) -> None:
        async with self.lock:
            await self._ensure_running()
            sockets = self.sockets.setdefault(local.meeting_id, set())
            first = not sockets
            sockets.add(local)
            if first:
                await self.layer.group_add(meeting_group(local.meeting_id), self.channel)
                # Events up to here are in every snapshot taken from now on.
                self.delivered[local.meeting_id] = await database_sync_to_async(_current_seq)(local.meeting_id)

    async def leave(self, local: LocalSocket) -> None:
        async with self.lock:
            sockets = self.sockets.get(local.meeting_id)
            if not sockets:
                return
            sockets.discard(local)
            if not sockets:
                del self.sockets[local.meeting_id]
                self.delivered.pop(local.meeting_id, None)
                if self.layer is not None and self.channel is not None:
                    await self.layer.group_discard(meeting_group(local.meeting_id), self.channel)

    def local_users(self, meeting_id: int) -> set[int]:
        return {s.user_id for s in self.sockets.get(meeting_id, ())}

    async def publish(self, message: dict[str, Any]) -> None:
        """Send a meeting's message to every process, and to this process's sockets at once.

        They need not wait for the message to come back through the channel layer (through Redis,
        a round trip); the copy that does come back names this hub as its origin and is dropped.
        """
        loop = asyncio.get_running_loop()
        here = self.task is not None and not self.task.done() and self.task.get_loop() is loop
        # Other processes first: their tablets should not wait for ours to be written.
        await get_channel_layer().group_send(meeting_group(message["meeting"]), {**message, "origin": self.channel} if here else message)
        if here:
            try:
                await self.dispatch(message)
            except Exception:
                # The next event finds the gap and fills it in from the log.
                log.exception("hub: delivering a meeting event failed")

    async def _receive_forever(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
                if message.get("origin") == self.channel:
                    continue
                await self.dispatch(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub: delivering a meeting event failed")

    async def dispatch(self, message: dict[str, Any]) -> None:
        meeting_id = message.get("meeting")
        sockets = self.sockets.get(meeting_id)
        if not sockets:
            return
        rejoin = message.get("rejoin")
        if rejoin is not None:
            for local in [s for s in sockets if s.user_id in rejoin]:
                await local.resnapshot()  # closes its socket rather than raise: the others still get theirs
            return
        seq = message.get("seq")
        audience = message.get("users")
        if seq is None:
            targets = sockets if audience is None else [s for s in sockets if s.user_id in audience]
            await deliver_to(targets, None, Outgoing(message["text"]))
            return
        delivered = self.delivered.get(meeting_id, 0)
        if seq <= delivered:
            return
        if seq > delivered + 1:
            missing = await database_sync_to_async(_events_between)(meeting_id, delivered, seq)
            if len(missing) != seq - delivered - 1:
                # The log no longer holds them: every socket here starts again from a snapshot.
                self.delivered[meeting_id] = seq
                for local in list(sockets):
                    await local.resnapshot()
                return
            for missing_seq, text, missing_audience in missing:
                await deliver_numbered(sockets, missing_seq, Outgoing(text), missing_audience)
        self.delivered[meeting_id] = seq
        await deliver_numbered(sockets, seq, Outgoing(message["text"]), audience)

    def presence_changed(self, meeting_id: int) -> None:
        if meeting_id in self.presence_pending:
            return
        self.presence_pending.add(meeting_id)
        asyncio.get_running_loop().call_later(
            settings.REALTIME_PRESENCE_DEBOUNCE_SECONDS, lambda: asyncio.ensure_future(self._publish_presence(meeting_id))
        )

    async def _publish_presence(self, meeting_id: int) -> None:
        self.presence_pending.discard(meeting_id)
        try:
            online = await database_sync_to_async(online_users)(meeting_id)
        except Exception:
            # A busy database must not silence presence for good: try again shortly.
            log.warning("hub: reading presence failed; trying again", exc_info=True)
            self.presence_changed(meeting_id)
            return
        text = event_text(seq=None, type="presence", payload={"online": online})
        await self.layer.group_send(meeting_group(meeting_id), {"type": "meeting.event", "meeting": meeting_id, "seq": None, "text": text})

    def poll_check_soon(self, meeting_id: int, poll_id: int) -> None:
        """Announce a poll's progress shortly: a burst of ballots makes one announcement.

        Any process may do it; the announcement is read from the database under the meeting's
        lock, so processes that both check only repeat an unchanged count, which is skipped.
        """
        self._schedule((meeting_id, poll_id, "progress"), settings.REALTIME_POLL_PROGRESS_SECONDS)

    def poll_check_at_deadline(self, meeting_id: int, poll_id: int, delay: float) -> None:
        """Close a poll when its time limit runs out (kept apart from progress checks, which come and go)."""
        self._schedule((meeting_id, poll_id, "deadline"), delay)

    def _schedule(self, key: tuple[int, int, str], delay: float) -> None:
        loop = asyncio.get_running_loop()
        pending = self.poll_checks.get(key)
        if pending is not None and not pending.cancelled() and pending.when() <= loop.time() + delay:
            return
        if pending is not None:
            pending.cancel()
        self.poll_checks[key] = loop.call_later(max(0.0, delay), lambda: asyncio.ensure_future(self._check_poll(key)))

    async def _check_poll(self, key: tuple[int, int, str]) -> None:
        self.poll_checks.pop(key, None)
        from voting.services.ballots import poll_progress_announce

        meeting_id, poll_id, _purpose = key
        try:
            await database_sync_to_async(poll_progress_announce)(meeting_id=meeting_id, poll_id=poll_id)
        except Exception:
            log.warning("hub: announcing a poll's progress failed; trying again", exc_info=True)
            self._schedule(key, 1.0)

    async def _heartbeat_forever(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(Exception):
                await database_sync_to_async(_touch_connections)()


def _current_seq(meeting_id: int) -> int:
    from meetings.models import Meeting

    return Meeting.objects.filter(pk=meeting_id).values_list("event_seq", flat=True).first() or 0


def _events_between(meeting_id: int, after: int, before: int) -> list[tuple[int, str, list[int] | None]]:
    from meetings.models import MeetingEvent

    events = MeetingEvent.objects.filter(meeting_id=meeting_id, seq__gt=after, seq__lt=before).order_by("seq")
    return [(e.seq, event_text(seq=e.seq, type=e.type, payload=e.payload), e.audience) for e in events]


def _touch_connections() -> None:
    from meetings.models import LiveConnection
    from realtime.commands import receipts_forget_old

    LiveConnection.objects.filter(process=PROCESS_ID).update(last_seen=timezone.now())
    receipts_forget_old()


def online_users(meeting_id: int) -> list[int]:
    """Users with an open socket on any process that has been heard from lately."""
    from meetings.models import LiveConnection

    fresh = timezone.now() - datetime.timedelta(seconds=HEARTBEAT_SECONDS * 3)
    return sorted(set(LiveConnection.objects.filter(meeting_id=meeting_id, last_seen__gte=fresh).values_list("user_id", flat=True)))


hub = MeetingHub()
