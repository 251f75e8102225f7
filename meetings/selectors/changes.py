"""What changed in a published meeting's agenda and documents since its participants were last told,
read from the audit trail, for the update notice to say it ("Thêm nội dung: …") instead of only
repeating the whole agenda."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import AuditEvent, Document, Meeting
from meetings.selectors.agenda import Layout, agenda_layout

# Participants were told everything up to these: the invitations, and each update notice
# ("meeting.notify" in entries made before notices were audited as sent).
NOTICE_ACTIONS = ("meeting.publish", "meeting.notify", "meeting.notice_sent")
# The meeting's own details a notice announces (its calendar entry), each said once.
DETAIL_CHANGED = {
    "title": gettext_lazy("The meeting's title changed."),
    "starts_at": gettext_lazy("The meeting's time changed."),
    "ends_at": gettext_lazy("The meeting's time changed."),
    "location": gettext_lazy("The meeting's place changed."),
}


def _since_last_notice(*, meeting: Meeting) -> tuple[QuerySet[AuditEvent], list[list[int | None]] | None]:
    """The changes made since participants were last told, and the agenda's layout as they were told
    it (None for notices from before it was recorded)."""
    last = AuditEvent.objects.filter(meeting=meeting, action__in=NOTICE_ACTIONS).order_by("-id").values_list("id", "data").first()
    last_id, told = last or (0, {})
    events = AuditEvent.objects.filter(
        Q(action__startswith="agenda.") | Q(action__startswith="document.") | Q(action="meeting.update"), meeting=meeting, id__gt=last_id
    ).exclude(action="agenda.current")
    return events, told.get("layout")


def _reordered(*, told: list[list[int | None]], now: Layout) -> bool:
    """Whether the items participants were told of stand in another order or nesting now (items added
    or removed since are told of on their own)."""
    both = {row[0] for row in told} & {pk for pk, _parent in now}
    return [list(row) for row in now if row[0] in both] != [row for row in told if row[0] in both]


def meeting_agenda_as_told(*, meeting: Meeting) -> bool:
    """Only the agenda was touched since the last notice, and it is back as participants were told it
    (moved back, an item added and removed again): there is nothing to tell them."""
    events, told = _since_last_notice(meeting=meeting)
    if told is None or any(not action.startswith("agenda.") for action in events.values_list("action", flat=True)):
        return False
    return not _lines(meeting=meeting, events=events, told=told)


def meeting_changes_since_notice(*, meeting: Meeting) -> list[str]:
    """One line per change, in the order made. A confidential document is never named, nor its
    withdrawal told (an entry from before deletions recorded it is taken as confidential): the notice
    goes to every participant. An item added and removed again, or an order moved back, is no news."""
    events, told = _since_last_notice(meeting=meeting)
    return _lines(meeting=meeting, events=events, told=told)


def _lines(*, meeting: Meeting, events: QuerySet[AuditEvent], told: list[list[int | None]] | None) -> list[str]:
    reordered = told is None or _reordered(told=told, now=agenda_layout(meeting=meeting))
    created = {event.data.get("item") for event in events if event.action == "agenda.create"}
    passing = created & {event.data.get("item") for event in events if event.action == "agenda.delete"}
    documents = {d.pk: d for d in Document.objects.filter(meeting=meeting)}
    lines: list[str] = []
    for event in events.order_by("id"):
        data = event.data
        if event.action.startswith("agenda.") and data.get("item") in passing:
            continue
        document = documents.get(data.get("document"))
        public = document is not None and not document.confidential
        if event.action == "meeting.update":
            # Title, time or place saved without e-mailing at once: the next notice says what moved.
            moved = [DETAIL_CHANGED[name] for name in DETAIL_CHANGED if name in data.get("fields", [])]
            lines.extend(str(line) for line in moved if str(line) not in lines)
            continue
        if event.action == "agenda.create":
            line = _("Item added: %(title)s") % {"title": data.get("title", "")}
        elif event.action == "agenda.update":
            line = _("Item changed: %(title)s") % {"title": data.get("title", "")}
        elif event.action == "agenda.delete":
            line = _("Item removed: %(title)s") % {"title": data.get("title", "")}
        elif event.action in ("agenda.reorder", "agenda.move") and reordered:
            line = _("The order of the agenda changed.")
        elif event.action == "document.upload" and public:
            line = _("Document added: %(title)s") % {"title": document.title}
        elif event.action == "document.update" and public:
            # Renamed, or moved to another item: said once, under the name it has now.
            line = _("Document changed: %(title)s") % {"title": document.title}
        elif event.action == "document.version" and public:
            line = _("New version of a document: %(title)s (version %(number)s)") % {"title": document.title, "number": data.get("number")}
        elif event.action == "document.delete" and not data.get("confidential", True):
            line = _("A document was withdrawn.")
        else:
            continue
        if line not in lines:
            lines.append(line)
    return lines
