from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meetings.permissions import user_can_create_meetings
from meetings.selectors.meetings import meetings_for_home


@login_required
def home(request: HttpRequest) -> HttpResponse:
    meetings = meetings_for_home(user=request.user)
    return render(
        request,
        "meetings/home.html",
        {
            "running": meetings.running,
            "upcoming": meetings.upcoming,
            "past": meetings.past,
            "can_create": user_can_create_meetings(user=request.user),
        },
    )
