"""Applies a checked command through the meeting services, at most once per command id."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from annotations import services as annotations
from meetings.models import CommandReceipt, Meeting, User
from meetings.services import live
from minutes.services import entries as minutes
from voting import services as voting

HANDLERS: dict[str, Callable[..., Any]] = {
    "meeting.start": live.meeting_start,
    "meeting.end": live.meeting_end,
    "agenda.current": live.agenda_set_current,
    "present.page": live.presentation_show,
    "present.stop": live.presentation_stop,
    "present.handover": live.presentation_hand_over,
    "attendance.update": live.attendance_mark,
    "attendance.checkin": live.attendance_check_in,
    "speaker.request": live.speaker_request,
    "speaker.withdraw": live.speaker_withdraw,
    "speaker.start": live.speaker_start,
    "speaker.end": live.speaker_end,
    "notice.send": live.notice_send,
    "poll.create": voting.poll_create,
    "poll.open": voting.poll_open,
    "poll.close": voting.poll_close,
    "poll.annul": voting.poll_annul,
    "ballot.cast": voting.ballot_cast,
    "proxy.give": voting.proxy_give,
    "proxy.revoke": voting.proxy_revoke,
    "minutes.update": minutes.minutes_entry_update,
    "minutes.conclude": minutes.minutes_conclusion_announce,
    "annotation.upsert": annotations.annotation_upsert,
    "annotation.delete": annotations.annotation_delete,
}
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
    with transaction.atomic():
        try:
            with transaction.atomic():
                CommandReceipt.objects.create(meeting_id=meeting_id, user=user, command_id=command_id)
        except IntegrityError:
            return False
        # Every live service starts by locking and re-reading the meeting; a reference is enough.
        HANDLERS[type](actor=user, meeting=Meeting(pk=meeting_id), **args)
    return True


def receipts_forget_old() -> None:
    """Receipts old enough that no tablet still resends their command."""
    CommandReceipt.objects.filter(created_at__lt=timezone.now() - RECEIPTS_KEPT).delete()
