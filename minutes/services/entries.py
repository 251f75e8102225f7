"""The secretary's notes and conclusions, written live.

Edits go only to the people writing the minutes (not to every tablet: draft minutes are not
public), as unnumbered messages; the snapshot carries the current text to whoever reconnects.
Two consoles writing the same field: the later write wins, and the message says whose text it
replaced and what that text was, so the other console shows it instead of losing it silently.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import AgendaItem, AuditEvent, Meeting, User
from meetings.permissions import meeting_runner_ids
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import lock_meeting
from minutes.models import Minutes, MinutesEntry
from minutes.selectors import WRITABLE_STATES, entry_state, user_can_edit_minutes
from realtime.events import publish_ephemeral

# Fits a live frame (REALTIME_MAX_FRAME_BYTES) even in Vietnamese, where letters take 2–3 bytes.
MAX_CHARS = 20_000


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n")


def _entry_for_update(*, meeting: Meeting, item_id: int | None) -> MinutesEntry:
    if item_id is not None and not AgendaItem.objects.filter(meeting=meeting, pk=item_id).exists():
        raise ServiceError(_("That agenda item is not on this meeting's agenda."), code="not_found")
    entry, _created = MinutesEntry.objects.get_or_create(meeting=meeting, agenda_item_id=item_id)
    return MinutesEntry.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=entry.pk)


def _require_writable(meeting: Meeting) -> None:
    if meeting.state not in WRITABLE_STATES:
        raise WrongState(_("The minutes can no longer be edited here: they have been approved."))
    if Minutes.objects.filter(meeting=meeting).exclude(state=Minutes.State.DRAFT).exists():
        raise WrongState(_("The minutes have been circulated; edit them again only after taking them back to draft."))


EDIT_SITTING = datetime.timedelta(minutes=10)


def _audit_edit_after_meeting(*, meeting: Meeting, actor: User, item_id: int | None, field: str, version: int, before: str) -> None:
    """Written after the meeting, a change to the record is audited; the live note-taking is not (each
    compiled version keeps the whole text). The saves of one sitting (the page saves as the secretary
    types) are one entry, made at its first save: the audit trail is append-only."""
    last = AuditEvent.objects.filter(meeting=meeting, action="minutes.edit").order_by("-id").first()
    if (
        last is not None
        and last.actor_id == actor.pk
        and (last.data.get("item"), last.data.get("field")) == (item_id, field)
        and timezone.now() - last.created_at < EDIT_SITTING
    ):
        return
    audit_record(meeting=meeting, actor=actor, action="minutes.edit", item=item_id, field=field, version=version, chars_before=len(before))


@transaction.atomic
def minutes_entry_update(
    *, actor: User, meeting: Meeting, field: str, text: str, base_version: int, item_id: int | None = None
) -> MinutesEntry:
    meeting = lock_meeting(meeting=meeting)
    if not user_can_edit_minutes(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the meeting's secretary writes the minutes."))
    _require_writable(meeting)
    if field not in MinutesEntry.Field.values:
        raise ServiceError(_("Unknown part of the minutes."), code="invalid")
    text = _clean(text)
    if len(text) > MAX_CHARS:
        raise ServiceError(_("A part of the minutes can be at most %(limit)s characters.") % {"limit": MAX_CHARS}, code="invalid")
    entry = _entry_for_update(meeting=meeting, item_id=item_id)
    previous = getattr(entry, field)
    version_field = f"{field}_version"
    replaced: dict[str, Any] | None = None
    if base_version != getattr(entry, version_field) and previous != text:
        replaced = {"by": entry.updated_by.display_name if entry.updated_by else "", "text": previous, "field": field}
    setattr(entry, field, text)
    setattr(entry, version_field, getattr(entry, version_field) + 1)
    entry.updated_by = actor
    entry.updated_at = timezone.now()
    entry.save()
    if meeting.state == Meeting.State.CLOSED:
        _audit_edit_after_meeting(
            meeting=meeting, actor=actor, item_id=item_id, field=field, version=getattr(entry, version_field), before=previous
        )
    message = {"entry": entry_state(entry), "field": field, "by_user": actor.pk, "replaced": replaced}
    editors = meeting_runner_ids(meeting=meeting)
    transaction.on_commit(lambda: publish_ephemeral(meeting_id=meeting.pk, type="minutes.update", payload=message, users=editors))
    return entry


@transaction.atomic
def minutes_conclusion_announce(
    *, actor: User, meeting: Meeting, text: str, item_id: int | None = None, base_version: int | None = None
) -> MinutesEntry:
    """The chair states the conclusion of an item, or with no item the meeting's as a whole (read out
    before closing): it goes into the minutes and onto every screen.

    `base_version`: the version of the conclusions the chair's draft started from. When the secretary
    has since written another, nothing is announced: the chair sees theirs first (code "conflict")."""
    meeting = lock_meeting(meeting=meeting)
    if actor.pk != meeting.chair_id:
        raise NotAllowed(_("Only the chair announces a conclusion."))
    if meeting.state != Meeting.State.IN_PROGRESS:
        raise WrongState(_("Conclusions are announced during the meeting."))
    text = _clean(text).strip()
    if not text:
        raise ServiceError(_("Write the conclusion first."), code="invalid")
    if len(text) > MAX_CHARS:
        raise ServiceError(_("A part of the minutes can be at most %(limit)s characters.") % {"limit": MAX_CHARS}, code="invalid")
    entry = _entry_for_update(meeting=meeting, item_id=item_id)
    written_since = base_version is not None and base_version != entry.conclusions_version
    if written_since and entry.conclusions and entry.conclusions != text:
        raise ServiceError(
            _("%(writer)s has written another conclusion for this item meanwhile. Read it before announcing yours.")
            % {"writer": entry.updated_by.display_name if entry.updated_by else _("Someone")},
            code="conflict",
            # What is there now, to read: the chair's copy may be older (their room was offline meanwhile).
            detail={"entry": entry_state(entry)},
        )
    replaced = None
    if entry.conclusions and entry.conclusions != text:
        replaced = {"by": entry.updated_by.display_name if entry.updated_by else "", "text": entry.conclusions, "field": "conclusions"}
    entry.conclusions = text
    entry.conclusions_version += 1
    entry.updated_by = actor
    entry.updated_at = entry.conclusion_announced_at = timezone.now()
    entry.conclusion_announced = text
    entry.save()
    audit_record(meeting=meeting, actor=actor, action="minutes.conclusion", item=item_id)
    event_emit(meeting=meeting, type="minutes.conclusion", payload={"item_id": item_id, "text": text, "by": actor.display_name})
    editors = meeting_runner_ids(meeting=meeting)
    message = {"entry": entry_state(entry), "field": "conclusions", "by_user": actor.pk, "replaced": replaced}
    transaction.on_commit(lambda: publish_ephemeral(meeting_id=meeting.pk, type="minutes.update", payload=message, users=editors))
    return entry
