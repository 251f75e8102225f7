"""Checks shared by the services: permission and life-cycle state."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, WrongState
from meetings.models import Meeting, User
from meetings.permissions import user_can_manage_meeting

# What may still be prepared in each state; later states are the live meeting's business.
PREPARATION_STATES = (Meeting.State.DRAFT, Meeting.State.PUBLISHED)


def require_manager(*, actor: User, meeting: Meeting) -> None:
    if not user_can_manage_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the meeting's secretary can prepare this meeting."))


def require_preparation_state(*, meeting: Meeting) -> None:
    if meeting.state not in PREPARATION_STATES:
        raise WrongState(
            _("This meeting has already started (state: %(state)s), so its preparation can no longer be changed.")
            % {"state": meeting.get_state_display()}
        )


def lock_meeting(*, meeting: Meeting) -> Meeting:
    """Re-read the meeting under a row lock so concurrent changes serialise.

    FOR NO KEY UPDATE, not FOR UPDATE: rows that merely point at the meeting (a receipt, an audit
    event, a ballot's poll) take a key-share lock on it when they commit, and must not wait for,
    or deadlock with, a transaction that holds the meeting while it waits for them.
    """
    return Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)
