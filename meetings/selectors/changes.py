"""What changed in a published meeting's agenda and documents since its participants were last told,
read from the audit trail, for the update notice to say it ("Thêm nội dung: …") instead of only
repeating the whole agenda."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import AuditEvent, Document, Meeting

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


def meeting_changes_since_notice(*, meeting: Meeting) -> list[str]:
    """One line per change, in the order made. A confidential document is never named, nor its
    withdrawal told (an entry from before deletions recorded it is taken as confidential): the notice
    goes to every participant."""
    last = AuditEvent.objects.filter(meeting=meeting, action__in=NOTICE_ACTIONS).order_by("-id").values_list("id", flat=True).first()
    events = AuditEvent.objects.filter(
        Q(action__startswith="agenda.") | Q(action__startswith="document.") | Q(action="meeting.update"), meeting=meeting, id__gt=last or 0
    ).exclude(action="agenda.current")
    documents = {d.pk: d for d in Document.objects.filter(meeting=meeting)}
    lines: list[str] = []
    for event in events.order_by("id"):
        data = event.data
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
        elif event.action in ("agenda.reorder", "agenda.move"):
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
