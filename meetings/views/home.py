from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meetings.permissions import user_can_create_meetings
from meetings.selectors.meetings import meeting_years, meetings_for_home, meetings_past
from minutes.selectors import minutes_tasks_of
from voting.selectors import written_opinions_waiting

EARLIER_PER_PAGE = 25


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
            "minutes_tasks": minutes_tasks_of(user=request.user),
            "opinions_asked": written_opinions_waiting(user=request.user),
            "can_create": user_can_create_meetings(user=request.user),
        },
    )


@login_required
def meetings_earlier(request: HttpRequest) -> HttpResponse:
    """Every earlier meeting, found by words of its title, place or minutes' number, and by year."""
    query = request.GET.get("q", "")[:200]
    years = meeting_years(user=request.user)
    asked = request.GET.get("year", "")
    year = int(asked) if asked.isascii() and asked.isdecimal() and int(asked) in years else None
    page = Paginator(meetings_past(user=request.user, query=query, year=year), EARLIER_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "meetings/earlier.html", {"page": page, "query": query, "year": year, "years": years})
