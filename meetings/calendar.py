"""iCalendar invitations (RFC 5545 / iTIP) for a meeting."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from meetings.links import site_url
from meetings.models import Meeting, User


def meeting_uid(*, meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@{settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else 'localhost'}"


def meeting_ics(*, meeting: Meeting, attendees: list[User], description: str, method: str = "REQUEST", cancel_event: bool = False) -> bytes:
    """The meeting as an iTIP message. CANCEL without `cancel_event` withdraws only the listed attendees."""
    calendar = Calendar()
    calendar.add("prodid", "-//Phong hop khong giay//VI")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting_uid(meeting=meeting))
    event.add("sequence", meeting.notice_sequence)
    event.add("dtstamp", timezone.now())
    # In UTC: a time in the site's zone would need a VTIMEZONE block (RFC 5545 §3.2.19), which
    # calendars that lack it read as floating or refuse.
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", meeting.title)
    event.add("location", meeting.location)
    event.add("description", description)
    event.add("url", site_url(meeting.get_absolute_url()))
    # A cancelled meeting downloaded from its page later still says so.
    if cancel_event or meeting.state == Meeting.State.CANCELLED:
        event.add("status", "CANCELLED")
    elif method != "CANCEL":
        event.add("status", "CONFIRMED")
    organizer = vCalAddress(f"mailto:{meeting.secretary.email or settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(meeting.secretary.display_name)
    event["organizer"] = organizer
    for user in attendees:
        if not user.reachable_by_email:
            continue
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params["cn"] = vText(user.display_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    calendar.add_component(event)
    return calendar.to_ical()
