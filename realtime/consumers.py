"""One websocket per meeting and user: snapshot on connect, numbered events, acknowledged commands."""

from __future__ import annotations

import datetime
import json
import logging
import time
import uuid
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings.errors import ServiceError
from meetings.models import LiveConnection, Meeting, MeetingEvent, User
from meetings.permissions import user_can_view_meeting
from meetings.selectors.live import live_snapshot
from realtime.commands import command_apply
from realtime.events import logged_event_text
from realtime.hub import PROCESS_ID, LocalSocket, hub, online_users
from realtime.protocol import ProtocolError, command_id_of, parse
from static_files import client_build

log = logging.getLogger(__name__)

CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404
CLOSE_TRY_AGAIN = 1011  # the tablet reconnects and starts from a snapshot


class TokenBucket:
    """A per-connection rate limit: `rate` messages a second, bursts up to `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.updated = burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _may_view(user: User, meeting_id: int) -> bool:
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    return meeting is not None and user_can_view_meeting(user=user, meeting=meeting)


def _events_after(meeting_id: int, since: int, user_id: int) -> tuple[int, list[str]] | None:
    """(current seq, the events after `since` as this user is told them), or None when the log no longer reaches back that far."""
    current = Meeting.objects.filter(pk=meeting_id).values_list("event_seq", flat=True).get()
    if since > current:
        return None  # the client knows of events this server never had (e.g. a restored database)
    if since == current:
        return current, []
    events = list(MeetingEvent.objects.filter(meeting_id=meeting_id, seq__gt=since).order_by("seq"))
    if not events or events[0].seq != since + 1:
        return None
    told = [e for e in events if e.seq <= current]
    return current, [logged_event_text(user_id=user_id, seq=e.seq, type=e.type, payload=e.payload, audience=e.audience) for e in told]


def _seconds_until_poll_closes(poll_id: int) -> float | None:
    from voting.models import Poll

    closes_at = Poll.objects.filter(pk=poll_id, state=Poll.State.OPEN).values_list("closes_at", flat=True).first()
    return (closes_at - timezone.now()).total_seconds() if closes_at else None


def _connection_open(meeting_id: int, user: User, socket_id: str) -> None:
    LiveConnection.objects.create(meeting_id=meeting_id, user=user, process=PROCESS_ID, socket=socket_id)


def _connection_close(socket_id: str) -> None:
    LiveConnection.objects.filter(socket=socket_id).delete()


class MeetingConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its close_old_connections, run in a worker thread before every
        frame: this consumer reaches the database only through database_sync_to_async, which does
        that itself, and the extra hop to the thread put 0.3-0.5 ms in front of every page turn."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.user = self.scope["user"]
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        self.language = self._language()
        self.local: LocalSocket | None = None
        self.socket_id = uuid.uuid4().hex
        self.bucket = TokenBucket(settings.REALTIME_RATE_PER_SECOND, settings.REALTIME_RATE_BURST)
        await self.accept()
        with translation.override(self.language):
            if not self.user.is_authenticated:
                await self._error(None, "not_authenticated", _("You are not logged in. Log in again, then reopen the meeting."))
                await self.close(code=CLOSE_NOT_AUTHENTICATED)
                return
            if not await database_sync_to_async(_may_view)(self.user, self.meeting_id):
                await self._error(None, "not_found", _("This meeting does not exist or you are not invited to it."))
                await self.close(code=CLOSE_NOT_FOUND)
                return
        self.local = LocalSocket(send=self.base_send, user_id=self.user.pk, meeting_id=self.meeting_id, resnapshot=self._snapshot_again)
        await hub.join(self.local)
        await database_sync_to_async(_connection_open)(self.meeting_id, self.user, self.socket_id)
        hub.presence_changed(self.meeting_id)
        await self._send_snapshot()

    async def disconnect(self, code: int) -> None:
        if self.local is not None:
            await hub.leave(self.local)
            await database_sync_to_async(_connection_close)(self.socket_id)
            hub.presence_changed(self.meeting_id)

    def _language(self) -> str:
        cookies = {}
        for name, value in self.scope.get("headers", []):
            if name == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    key, _sep, val = part.strip().partition("=")
                    cookies[key] = val
        chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
        return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    async def _snapshot_again(self) -> None:
        """A fresh snapshot for a socket already open (its user's place in the meeting changed, or events
        were lost); one whose user is no longer invited is closed as at connect."""
        try:
            if not await database_sync_to_async(_may_view)(self.user, self.meeting_id):
                with translation.override(self.language):
                    await self._error(
                        None,
                        "not_found",
                        _("You are no longer among this meeting's participants. If that is a mistake, ask the meeting's secretary."),
                    )
                await self.close(code=CLOSE_NOT_FOUND)
                return
            await self._send_snapshot()
        except Exception:
            # Held for a snapshot that did not come, the socket would hear nothing more: the tablet
            # connects again instead, and starts from a snapshot of its own.
            log.exception("realtime: a new snapshot for a socket already open failed")
            await self.close(code=CLOSE_TRY_AGAIN)

    async def _send_snapshot(self) -> None:
        self.local.hold()
        online = await database_sync_to_async(online_users)(self.meeting_id)
        with translation.override(self.language):  # the words in it (a vote's rule) in this user's language
            snapshot = await database_sync_to_async(live_snapshot)(user=self.user, meeting_id=self.meeting_id, online=online)
        snapshot["build"] = client_build()
        await self.send(text_data=json.dumps(snapshot, ensure_ascii=False, separators=(",", ":")))
        await self.local.release(snapshot["seq"])
        for poll in snapshot["state"]["polls"]:
            if poll["state"] == "open" and poll["closes_at"]:
                # The process that opened the poll may be gone; whoever is here watches its time limit.
                closes_at = datetime.datetime.fromisoformat(poll["closes_at"])
                hub.poll_check_at_deadline(self.meeting_id, poll["id"], (closes_at - timezone.now()).total_seconds())

    async def _reply(self, message: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(message, ensure_ascii=False, separators=(",", ":")))

    async def _error(self, command_id: str | None, code: str, message: str, detail: dict[str, Any] | None = None) -> None:
        reply = {"type": "error", "id": command_id, "code": code, "message": str(message)}
        if detail is not None:
            reply["detail"] = detail
        await self._reply(reply)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        with translation.override(self.language):
            try:
                await self._receive(text_data, bytes_data)
            except ProtocolError as error:
                await self._error(error.command_id, error.code, error.message)

    async def _receive(self, text_data: str | None, bytes_data: bytes | None) -> None:
        if self.local is None:
            return
        raw = text_data
        size = len(raw.encode("utf-8")) if raw is not None else len(bytes_data or b"")
        if not self.bucket.take():
            command_id = command_id_of(raw) if raw is not None and size <= settings.REALTIME_MAX_FRAME_BYTES else None
            raise ProtocolError("rate_limited", _("Too many messages at once. Wait a moment and try again."), command_id)
        if size > settings.REALTIME_MAX_FRAME_BYTES:
            raise ProtocolError(
                "too_large", _("The message is too large (at most %(limit)s bytes).") % {"limit": settings.REALTIME_MAX_FRAME_BYTES}
            )
        if raw is None:
            raise ProtocolError("malformed", _("Binary messages are not understood; send JSON text."))
        command = parse(raw)
        if command.type == "ping":
            # Tablets ping to find out whether a quiet connection is still alive.
            await self._reply({"type": "pong"})
            return
        if command.type == "resync":
            await self._resync(command.args["since"])
            return
        try:
            await database_sync_to_async(command_apply)(
                user=self.user, meeting_id=self.meeting_id, command_id=command.id, type=command.type, args=command.args
            )
        except ServiceError as error:
            await self._error(command.id, error.code, str(error), detail=error.detail)
            return
        except DatabaseError:
            # Nothing was applied (the transaction rolled back, receipt included): the same id may be sent again.
            log.exception("live command %s failed in the database", command.type)
            await self._error(command.id, "busy", _("The server could not save this just now. Try again in a moment."))
            return
        await self._reply({"type": "ack", "id": command.id})
        await self._after(command.type, command.args)

    async def _after(self, type: str, args: dict[str, Any]) -> None:
        """What the hub does once a command is applied: announce vote progress, watch a time limit."""
        if type == "ballot.cast":
            hub.poll_check_soon(self.meeting_id, args["poll_id"])
        elif type == "poll.open":
            delay = await database_sync_to_async(_seconds_until_poll_closes)(args["poll_id"])
            if delay is not None:
                hub.poll_check_at_deadline(self.meeting_id, args["poll_id"], delay)

    async def _resync(self, since: int) -> None:
        self.local.hold()
        missed = await database_sync_to_async(_events_after)(self.meeting_id, since, self.user.pk)
        if missed is None:
            await self._send_snapshot()
            return
        current, texts = missed
        for text in texts:
            await self.send(text_data=text)
        await self.local.release(current)
