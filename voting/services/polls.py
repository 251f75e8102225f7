"""Preparing polls: create, change, delete, before they are opened."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from meetings.errors import ServiceError, WrongState
from meetings.models import AgendaItem, Meeting, User
from meetings.permissions import meeting_runner_ids
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import lock_meeting
from meetings.text import clean_text
from voting.models import YES_NO_LABELS, Poll, PollChoice
from voting.services.guards import poll_emit, poll_locked, require_poll_manager

# Stored in the language the poll was made in: they are printed in the minutes as they were shown.
MAX_OPTIONS = 50
MAX_DURATION_SECONDS = 24 * 3600


def _check_definition(
    *,
    question: str,
    kind: str,
    options: list[str],
    max_choices: int,
    secret: bool,
    allow_change: bool,
    majority: str,
    mode: str,
    duration_seconds: int | None,
) -> list[str]:
    """What a poll must be, whether it is being created or changed; returns the cleaned option labels."""
    if not question:
        raise ServiceError(_("Write the question to vote on."), field="question")
    if len(question) > 500:
        raise ServiceError(_("The question can be at most 500 characters."), field="question")
    if duration_seconds is not None and not 10 <= duration_seconds <= MAX_DURATION_SECONDS:
        raise ServiceError(_("A time limit must be between 10 seconds and 24 hours."), field="duration_seconds")
    if kind not in Poll.Kind.values or majority not in Poll.Majority.values or mode not in Poll.Mode.values:
        raise ServiceError(_("The poll's settings are not valid."), code="invalid")
    if secret and allow_change:
        raise ServiceError(_("A secret ballot cannot be changed once cast: nobody may know whose ballot it is."), field="allow_change")
    if kind == Poll.Kind.YES_NO:
        return []
    labels = [clean_text(option) for option in options if clean_text(option)]
    if len(labels) < 2:
        raise ServiceError(_("Give at least two options to choose from."), field="options")
    if len(labels) > MAX_OPTIONS or any(len(label) > 200 for label in labels):
        raise ServiceError(_("At most %(count)s options of 200 characters each.") % {"count": MAX_OPTIONS}, field="options")
    if len(set(labels)) != len(labels):
        raise ServiceError(_("Two options have the same name."), field="options")
    if not 1 <= max_choices <= len(labels):
        raise ServiceError(_("How many may be chosen must be between 1 and the number of options."), field="max_choices")
    return labels


def _set_choices(poll: Poll, labels: list[str]) -> None:
    poll.choices.all().delete()
    if poll.kind == Poll.Kind.YES_NO:
        rows = [
            PollChoice(poll=poll, position=i, label=str(label), meaning=meaning) for i, (meaning, label) in enumerate(YES_NO_LABELS.items())
        ]
    else:
        rows = [PollChoice(poll=poll, position=i, label=label, meaning=PollChoice.Meaning.OPTION) for i, label in enumerate(labels)]
    PollChoice.objects.bulk_create(rows)


def poll_adding_refusal(*, meeting: Meeting) -> str:
    """Why no more polls can be added to the meeting ("" while they can): the page says it instead of offering the form."""
    if meeting.state == Meeting.State.MINUTES_APPROVED:
        return str(_("The minutes of this meeting are approved; no more polls can be added."))
    if meeting.state == Meeting.State.CANCELLED:
        return str(_("This meeting was cancelled: no opinions are asked in its name."))
    return ""


@transaction.atomic
def poll_create(
    *,
    actor: User,
    meeting: Meeting,
    question: str,
    agenda_item_id: int | None = None,
    kind: str = Poll.Kind.YES_NO,
    options: list[str] | None = None,
    max_choices: int = 1,
    secret: bool = False,
    majority: str = Poll.Majority.MEMBERS,
    requires_quorum: bool = True,
    allow_change: bool = False,
    close_when_all_voted: bool = False,
    duration_seconds: int | None = None,
    mode: str = Poll.Mode.LIVE,
) -> Poll:
    """Prepare a poll (the secretary, ahead of the meeting) or put one on the spot (the chair)."""
    meeting = lock_meeting(meeting=meeting)
    require_poll_manager(actor=actor, meeting=meeting)
    if refusal := poll_adding_refusal(meeting=meeting):
        raise WrongState(refusal)
    question = clean_text(question)
    if kind == Poll.Kind.YES_NO:
        max_choices = 1
    labels = _check_definition(
        question=question,
        kind=kind,
        options=options or [],
        max_choices=max_choices,
        secret=secret,
        allow_change=allow_change,
        majority=majority,
        mode=mode,
        duration_seconds=duration_seconds,
    )
    item = None
    if agenda_item_id is not None:
        item = AgendaItem.objects.filter(meeting=meeting, pk=agenda_item_id).first()
        if item is None:
            raise ServiceError(_("That agenda item is not on this meeting's agenda."), code="not_found", field="agenda_item_id")
    position = (Poll.objects.filter(meeting=meeting).aggregate(last=Max("position"))["last"] or 0) + 1
    poll = Poll.objects.create(
        meeting=meeting,
        agenda_item=item,
        question=question,
        kind=kind,
        max_choices=max_choices,
        secret=secret,
        majority=majority,
        requires_quorum=requires_quorum,
        allow_change=allow_change,
        close_when_all_voted=close_when_all_voted,
        duration_seconds=duration_seconds,
        mode=mode,
        position=position,
        created_by=actor,
    )
    _set_choices(poll, labels)
    audit_record(meeting=meeting, actor=actor, action="poll.create", poll=poll.pk, question=question)
    poll_emit(meeting=meeting, type="poll.update", poll=poll)
    return poll


@transaction.atomic
def poll_update(*, actor: User, meeting: Meeting, poll_id: int, **fields: Any) -> Poll:
    """Change a poll that has not been opened yet."""
    meeting = lock_meeting(meeting=meeting)
    require_poll_manager(actor=actor, meeting=meeting)
    poll = poll_locked(meeting=meeting, poll_id=poll_id)
    if poll.state != Poll.State.DRAFT:
        raise WrongState(_("This poll has already been opened; it can no longer be changed."))
    options = fields.pop("options", None)
    agenda_item_id = fields.pop("agenda_item_id", poll.agenda_item_id)
    for name, value in fields.items():
        setattr(poll, name, value)
    poll.question = clean_text(poll.question)
    if poll.kind == Poll.Kind.YES_NO:
        poll.max_choices = 1
    if options is None:
        options = [c.label for c in poll.choices.all()] if poll.kind == Poll.Kind.OPTIONS else []
    labels = _check_definition(
        question=poll.question,
        kind=poll.kind,
        options=options,
        max_choices=poll.max_choices,
        secret=poll.secret,
        allow_change=poll.allow_change,
        majority=poll.majority,
        mode=poll.mode,
        duration_seconds=poll.duration_seconds,
    )
    poll.agenda_item = AgendaItem.objects.filter(meeting=meeting, pk=agenda_item_id).first() if agenda_item_id else None
    poll.save()
    _set_choices(poll, labels)
    audit_record(meeting=meeting, actor=actor, action="poll.update", poll=poll.pk)
    poll_emit(meeting=meeting, type="poll.update", poll=poll)
    return poll


@transaction.atomic
def poll_delete(*, actor: User, meeting: Meeting, poll_id: int) -> None:
    meeting = lock_meeting(meeting=meeting)
    require_poll_manager(actor=actor, meeting=meeting)
    poll = poll_locked(meeting=meeting, poll_id=poll_id)
    if poll.state != Poll.State.DRAFT:
        raise WrongState(_("A poll that has been opened stays on record; annul it instead."))
    audit_record(meeting=meeting, actor=actor, action="poll.delete", poll=poll.pk, question=poll.question)
    poll.delete()
    if meeting.state != Meeting.State.DRAFT:
        event_emit(meeting=meeting, type="poll.delete", payload={"poll_id": poll_id}, audience=meeting_runner_ids(meeting=meeting))
