from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from meetings.errors import ServiceError, WrongState
from meetings.models import Meeting
from meetings.permissions import user_can_manage_meeting
from meetings.selectors.meetings import meeting_get_for_user
from meetings.services.guards import require_preparation_state


def managed_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    """The meeting for a preparation page: 404 if the user cannot see it, 403 if they only attend it."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not user_can_manage_meeting(user=request.user, meeting=meeting):
        raise PermissionDenied
    return meeting


def report(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, str(error))


def preparation_closed_reason(*, meeting: Meeting) -> str:
    """Why what was prepared can no longer change ("" while it can), in the services' own words."""
    try:
        require_preparation_state(meeting=meeting)
    except WrongState as error:
        return str(error)
    return ""


def preparation_closed(request: HttpRequest, meeting: Meeting) -> HttpResponse | None:
    """For pages that only change what was prepared: once the meeting has begun there is nothing to
    fill in, so rather than a form refused on submit, the overview with the reason."""
    reason = preparation_closed_reason(meeting=meeting)
    if not reason:
        return None
    messages.info(request, reason)
    return redirect("meeting_detail", meeting.pk)
