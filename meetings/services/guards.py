"""Checks shared by the services: permission and life-cycle state."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import HELD_STATES, DocumentVersion, Meeting, Participant, Presentation, User
from meetings.permissions import participation_of, user_can_manage_meeting
from meetings.services.statements import Statement, statements_run

# What may still be prepared in each state; later states are the live meeting's business.
LIVE = (Meeting.State.IN_PROGRESS,)


def require_manager(*, actor: User, meeting: Meeting) -> None:
    if not user_can_manage_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the meeting's secretary can prepare this meeting."))


def require_preparation_state(*, meeting: Meeting) -> None:
    if meeting.state == Meeting.State.IN_PROGRESS:
        raise WrongState(_("This meeting is in progress, so its preparation can no longer be changed."))
    if meeting.state == Meeting.State.CANCELLED:
        raise WrongState(_("This meeting was cancelled: it stays on record as it was. To hold it after all, create a new meeting."))
    if not meeting.in_preparation:
        raise WrongState(_("This meeting is over, so its preparation stays as it was held."))


def require_chair(*, actor: User, meeting: Meeting) -> None:
    if actor.pk != meeting.chair_id:
        raise NotAllowed(_("Only the chair can do this."))


def require_participant(*, actor: User, meeting: Meeting) -> Participant:
    participant = participation_of(user=actor, meeting=meeting)
    if participant is None:
        raise NotAllowed(_("You are not a participant of this meeting."))
    return participant


def require_state(*, meeting: Meeting, states: tuple[str, ...]) -> None:
    """For the live meeting's commands: a refusal that says where the meeting is in its life."""
    if meeting.state not in states:
        if meeting.state == Meeting.State.PUBLISHED:
            raise WrongState(_("The meeting has not started yet. The chair starts it first."))
        if meeting.state in HELD_STATES:
            raise WrongState(_("The meeting has ended."))
        raise WrongState(_("The meeting is not open for this now (state: %(state)s).") % {"state": meeting.get_state_display()})


def require_no_recess(*, meeting: Meeting) -> None:
    """What moves the meeting on (the next item, a speech, a vote) waits until the break is over."""
    if meeting.recess_since is not None:
        raise WrongState(
            _("The meeting is on a break until %(time)s. Resume the meeting first.")
            % {"time": timezone.localtime(meeting.recess_until).strftime("%H:%M")},
            code="recess",
        )


def participant_in(*, meeting: Meeting, participant_id: int | None) -> Participant:
    """The participant of this meeting a command names, with their user; anyone else is not found."""
    participant = meeting.participants.select_related("user").filter(pk=participant_id).first() if participant_id is not None else None
    if participant is None:
        raise ServiceError(_("That person is not a participant of this meeting."), code="not_found")
    return participant


def lock_meeting(*, meeting: Meeting) -> Meeting:
    """Re-read the meeting under a row lock so concurrent changes serialise.

    FOR NO KEY UPDATE, not FOR UPDATE: rows that merely point at the meeting (a receipt, an audit
    event, a ballot's poll) take a key-share lock on it when they commit, and must not wait for,
    or deadlock with, a transaction that holds the meeting while it waits for them.
    """
    return Meeting.objects.select_for_update(no_key=True).get(pk=meeting.pk)


def lock_meeting_with_presentation(
    *, meeting: Meeting, document_id: int | None = None, wait_for_disk: bool = True
) -> tuple[Meeting, Presentation, DocumentVersion | None]:
    """lock_meeting for presenting: the meeting (state, chair, event counter), its presentation,
    and the newest version of `document_id` if that document belongs to the meeting.

    A page turn is the command a whole room waits for. Read through the ORM, this lock and its
    presentation cost more to build than the database takes to answer (0.4 ms in SQLite, 0.9 ms
    in PostgreSQL, against 0.02 ms and 0.2 ms for the same statement written out), so it is one
    plain statement; the instances come back with their other fields deferred, loaded if used.
    `wait_for_disk=False` lets PostgreSQL commit this transaction without waiting for the disk
    (sent in the same round trip): for a page turn, which the next one supersedes within seconds,
    a crash may lose the last turn but never corrupts anything.
    """
    query = (
        "SELECT m.id, m.state, m.chair_id, m.event_seq, p.id, p.handed_to_id, p.presenter_id, p.document_id, p.version_id, p.page,"
        " v.id, v.document_id, v.page_count"
        " FROM meetings_meeting m LEFT JOIN meetings_presentation p ON p.meeting_id = m.id"
        " LEFT JOIN (SELECT v.id, v.document_id, v.page_count FROM meetings_documentversion v"
        " JOIN meetings_document d ON d.id = v.document_id"
        " WHERE d.meeting_id = %s AND v.document_id = %s ORDER BY v.number DESC LIMIT 1) v ON 1 = 1"
        " WHERE m.id = %s"
    )
    if connection.features.has_select_for_no_key_update:
        query += " FOR NO KEY UPDATE OF m"
    statements: list[Statement] = [(query, [meeting.pk, document_id, meeting.pk])]
    if not wait_for_disk and connection.vendor == "postgresql":
        statements.insert(0, ("SET LOCAL synchronous_commit TO OFF", []))
    rows = statements_run(statements=statements)
    if not rows:
        raise Meeting.DoesNotExist
    row = rows[0]
    locked = loaded_instance(Meeting, id=row[0], state=row[1], chair_id=row[2], event_seq=row[3])
    version = None if row[10] is None else loaded_instance(DocumentVersion, id=row[10], document_id=row[11], page_count=row[12])
    if row[4] is None:
        return locked, Presentation.objects.create(meeting=locked), version
    presentation = loaded_instance(
        Presentation,
        id=row[4],
        meeting_id=row[0],
        handed_to_id=row[5],
        presenter_id=row[6],
        document_id=row[7],
        version_id=row[8],
        page=row[9],
    )
    return locked, presentation, version


def loaded_instance(model: type[Model], **values: Any) -> Any:
    """An instance of `model` as if the ORM had read only these fields (the others are deferred:
    loaded when used, left alone by save()), for rows read with a plain statement. from_db wants
    the values in the model's field order, whatever order the statement gave them in."""
    ordered = [values[f.attname] for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, list(values), ordered)
