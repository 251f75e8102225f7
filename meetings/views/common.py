from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from meetings.errors import ServiceError
from meetings.models import Meeting
from meetings.permissions import user_can_manage_meeting
from meetings.selectors.meetings import meeting_get_for_user


def managed_meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    """The meeting for a preparation page: 404 if the user cannot see it, 403 if they only attend it."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not user_can_manage_meeting(user=request.user, meeting=meeting):
        raise PermissionDenied
    return meeting


def report(request: HttpRequest, error: ServiceError) -> None:
    messages.error(request, str(error))
