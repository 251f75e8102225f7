"""Checks and small steps the poll services share: who may prepare or run a poll, the poll row
locked, and the event that carries a poll's new state."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError
from meetings.models import Meeting, User
from meetings.permissions import meeting_runner_ids, user_runs_meeting
from meetings.services.events import event_emit
from voting.models import Poll
from voting.selectors import poll_state


def require_poll_manager(*, actor: User, meeting: Meeting) -> None:
    if not user_runs_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the chair or the secretary can prepare polls."))


def require_poll_runner(*, actor: User | None, meeting: Meeting, poll: Poll) -> None:
    """Live polls are opened and closed by the chair; written opinions by the chair or the secretary."""
    if actor is None:
        return
    if poll.mode == Poll.Mode.LIVE and actor.pk != meeting.chair_id:
        raise NotAllowed(_("Only the chair can open, close or annul a vote in the meeting."))
    if poll.mode == Poll.Mode.WRITTEN:
        require_poll_manager(actor=actor, meeting=meeting)


def poll_locked(*, meeting: Meeting, poll_id: int) -> Poll:
    poll = Poll.objects.select_for_update().filter(meeting=meeting, pk=poll_id).first()
    if poll is None:
        raise ServiceError(_("That poll does not belong to this meeting."), code="not_found")
    return poll


def poll_emit(*, meeting: Meeting, type: str, poll: Poll) -> None:
    """Tell the live screens a poll's new state; a prepared one only to the chair and secretaries."""
    if meeting.state != Meeting.State.DRAFT:
        audience = meeting_runner_ids(meeting=meeting) if poll.state == Poll.State.DRAFT else None
        event_emit(meeting=meeting, type=type, payload={"poll": poll_state(poll=poll)}, audience=audience)
