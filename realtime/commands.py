"""Applies a checked command through the meeting services, at most once per command id."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from annotations import services as annotations
from meetings.models import CommandReceipt, Meeting, User
from meetings.services import live, speakers
from meetings.services.statements import statements_run
from minutes.services import entries as minutes
from voting.services import ballots, polls, proxies


def _inside_command_transaction(service: Callable[..., Any]) -> Callable[..., Any]:
    """The service without its own @transaction.atomic, to run inside the command's transaction.

    Nested there, the decorator adds only a savepoint that nothing rolls back to (a failing
    service fails the whole command, receipt included), and on PostgreSQL a savepoint is two
    round trips in front of every page turn. Checked here, once, that what is taken off really is
    the transaction and not some other decorator.
    """
    cells = [cell.cell_contents for cell in getattr(service, "__closure__", None) or ()]
    if not any(isinstance(cell, transaction.Atomic) for cell in cells):
        raise TypeError(f"{service.__qualname__} is not a @transaction.atomic service")
    return service.__wrapped__


HANDLERS: dict[str, Callable[..., Any]] = {
    "meeting.start": live.meeting_start,
    "meeting.end": live.meeting_end,
    "meeting.recess": live.meeting_recess,
    "meeting.resume": live.meeting_resume,
    "agenda.current": live.agenda_set_current,
    "present.page": live.presentation_show,
    "present.stop": live.presentation_stop,
    "present.handover": live.presentation_hand_over,
    "attendance.update": live.attendance_mark,
    "attendance.checkin": live.attendance_check_in,
    "speaker.request": speakers.speaker_request,
    "speaker.withdraw": speakers.speaker_withdraw,
    "speaker.start": speakers.speaker_start,
    "speaker.end": speakers.speaker_end,
    "speaker.extend": speakers.speaker_extend,
    "speaker.dismiss": speakers.speaker_dismiss,
    "speaker.allot": speakers.speaker_allot,
    "notice.send": live.notice_send,
    "projector.clear": live.projector_clear,
    "poll.create": polls.poll_create,
    "poll.open": ballots.poll_open,
    "poll.close": ballots.poll_close,
    "poll.annul": ballots.poll_annul,
    "ballot.cast": ballots.ballot_cast,
    "proxy.give": proxies.proxy_give,
    "proxy.revoke": proxies.proxy_revoke,
    "minutes.update": minutes.minutes_entry_update,
    "minutes.conclude": minutes.minutes_conclusion_announce,
    "annotation.upsert": annotations.annotation_upsert,
    "annotation.delete": annotations.annotation_delete,
    "annotation.withhold": annotations.annotation_withhold,
}
HANDLERS = {type: _inside_command_transaction(service) for type, service in HANDLERS.items()}
# Applied as they come, without a receipt: nothing is stored, and a resent stroke is only redrawn.
VOLATILE: dict[str, Callable[..., Any]] = {
    "stroke.points": annotations.stroke_relay,
}
RECEIPTS_KEPT = datetime.timedelta(days=2)


def command_apply(*, user: User, meeting_id: int, command_id: str, type: str, args: dict[str, Any]) -> bool:
    """Apply the command; False when this id was applied before (the resend of a tablet on bad wifi).

    The receipt is written in the same transaction as the change, so a command that fails
    leaves no receipt and can be tried again.
    """
    if type in VOLATILE:
        VOLATILE[type](actor=user, meeting=Meeting(pk=meeting_id), **args)
        return True
    # Django tries a kept connection with SELECT 1 before each use: one more round trip in front
    # of every page turn. A command is safe to apply twice (its receipt says so), so instead one
    # that finds its connection dropped (the database restarted, a firewall forgot it) is tried
    # once more on a new connection.
    connection.health_check_done = True
    kept = connection.connection
    try:
        return _command_apply_once(user=user, meeting_id=meeting_id, command_id=command_id, type=type, args=args)
    except (OperationalError, InterfaceError):
        if kept is None:
            raise
        # Usually Django has already closed the broken connection (and opened the next) when it
        # rolled back; if it is still the same one, it is retried only when it no longer works.
        if connection.connection is kept:
            if connection.is_usable():
                raise
            connection.close()
        return _command_apply_once(user=user, meeting_id=meeting_id, command_id=command_id, type=type, args=args)


def _command_apply_once(*, user: User, meeting_id: int, command_id: str, type: str, args: dict[str, Any]) -> bool:
    with transaction.atomic():
        if not _receipt_take(meeting_id=meeting_id, user_id=user.pk, command_id=command_id):
            return False
        # Every live service starts by locking and re-reading the meeting; a reference is enough.
        HANDLERS[type](actor=user, meeting=Meeting(pk=meeting_id), **args)
    return True


def _receipt_take(*, meeting_id: int, user_id: int, command_id: str) -> bool:
    """Record that this command is being applied; False when it was before.

    One statement that tells "already there" by the row it returns, where create() would need a
    savepoint around it to survive the IntegrityError: on PostgreSQL that is two more round
    trips in front of every page turn.
    """
    taken = statements_run(
        statements=[
            (
                "INSERT INTO meetings_commandreceipt (meeting_id, user_id, command_id, created_at) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING RETURNING id",
                [meeting_id, user_id, command_id, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
        ]
    )
    return bool(taken)


def receipts_forget_old() -> None:
    """Receipts old enough that no tablet still resends their command."""
    CommandReceipt.objects.filter(created_at__lt=timezone.now() - RECEIPTS_KEPT).delete()
