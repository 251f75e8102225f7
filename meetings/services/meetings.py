"""Meeting life cycle while it is prepared: create, edit, publish, notify, delete."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import Body, Meeting, Participant, User
from meetings.permissions import create_refused, user_can_create_meetings
from meetings.selectors.agenda import agenda_layout
from meetings.selectors.live import meeting_state
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import lock_meeting, require_manager, require_preparation_state
from meetings.services.notifications import meeting_notify_participants
from meetings.services.participants import attendance_emit
from meetings.services.speakers import speakers_emit, speaking_time_check
from meetings.text import clean_text
from realtime.events import publish_rejoin

DRAFTS_ONLY_DELETED = _("Only a draft can be deleted. A published meeting stays on record: cancel it instead.")
# Changing these after publishing moves the meeting in people's calendars: tell them at once.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "location")
# How the room runs, not what the meeting is: changing them tells nobody.
ROOM_RULES = ("allow_self_checkin", "speaker_seconds")


def _validate_times(*, starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise ServiceError(_("The expected end must be after the start."), code="invalid_times")


def _check_body_and_leaders(*, actor: User, body: Body, chair: User, secretary: User, current_body_id: int | None = None) -> None:
    """A body's secretary prepares that body's meetings (the administrator, any body's); the chair and
    the secretary have accounts in use."""
    if not actor.is_superuser and actor.body_id and body.pk not in (actor.body_id, current_body_id):
        raise NotAllowed(_("You prepare the meetings of %(body)s only.") % {"body": actor.body.name})
    for person in (chair, secretary):
        if not person.is_active:
            raise ServiceError(
                _("%(name)s's account is switched off. Choose someone else, or ask the administrator to switch it on.")
                % {"name": person.display_name},
                code="switched_off",
            )


def _sync_leading_participants(*, meeting: Meeting) -> list[User]:
    """The chair and the secretary always take part, in their roles; a former chair stays, as a delegate.
    Returns the people who were not invited before."""
    Participant.objects.filter(meeting=meeting, role=Participant.Role.CHAIR).exclude(user=meeting.chair).update(
        role=Participant.Role.DELEGATE
    )
    _chair, chair_created = Participant.objects.update_or_create(
        meeting=meeting, user=meeting.chair, defaults={"role": Participant.Role.CHAIR, "can_vote": True}
    )
    newcomers = [meeting.chair] if chair_created else []
    if meeting.secretary_id != meeting.chair_id:
        secretary, created = Participant.objects.get_or_create(
            meeting=meeting, user=meeting.secretary, defaults={"role": Participant.Role.SECRETARY, "can_vote": False}
        )
        if created:
            newcomers.append(meeting.secretary)
        elif secretary.role != Participant.Role.SECRETARY:
            secretary.role = Participant.Role.SECRETARY
            secretary.save(update_fields=["role"])
    return newcomers


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    body: Body,
    title: str,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str,
    chair: User,
    secretary: User,
    allow_self_checkin: bool = True,
    speaker_seconds: int | None = None,
) -> Meeting:
    if not user_can_create_meetings(user=actor):
        raise NotAllowed(create_refused(user=actor))
    _validate_times(starts_at=starts_at, ends_at=ends_at)
    _check_body_and_leaders(actor=actor, body=body, chair=chair, secretary=secretary)
    if speaker_seconds is not None:
        speaking_time_check(seconds=speaker_seconds)
    meeting = Meeting.objects.create(
        body=body,
        title=title.strip(),
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        chair=chair,
        secretary=secretary,
        allow_self_checkin=allow_self_checkin,
        speaker_seconds=speaker_seconds or settings.SPEAKER_SECONDS,
        created_by=actor,
    )
    _sync_leading_participants(meeting=meeting)
    audit_record(meeting=meeting, actor=actor, action="meeting.create", title=meeting.title)
    return meeting


@transaction.atomic
def meeting_update(
    *,
    actor: User,
    meeting: Meeting,
    body: Body,
    title: str,
    kind: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str,
    chair: User,
    secretary: User,
    allow_self_checkin: bool = True,
    speaker_seconds: int | None = None,
    notify: bool = True,
) -> Meeting:
    """Save a meeting's details. Once it is published, a new title, time or place is e-mailed to every
    participant at once, unless `notify` is off (a typo put right): then the next update notice says it."""
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    require_preparation_state(meeting=meeting)
    _validate_times(starts_at=starts_at, ends_at=ends_at)
    if (body.pk, chair.pk, secretary.pk) != (meeting.body_id, meeting.chair_id, meeting.secretary_id):
        _check_body_and_leaders(actor=actor, body=body, chair=chair, secretary=secretary, current_body_id=meeting.body_id)
    if speaker_seconds is not None:
        speaking_time_check(seconds=speaker_seconds)
    new_values = {
        "body": body,
        "title": title.strip(),
        "kind": kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": location.strip(),
        "chair": chair,
        "secretary": secretary,
        "allow_self_checkin": allow_self_checkin,
        "speaker_seconds": speaker_seconds or meeting.speaker_seconds,
    }
    changed = [name for name, value in new_values.items() if getattr(meeting, name) != value]
    if not changed:
        return meeting
    # What the calendar fields were, for the notice that tells people what moved.
    previous = {name: getattr(meeting, name) for name in CALENDAR_FIELDS if name in changed}
    leaders_before = {"chair": meeting.chair_id, "secretary": meeting.secretary_id}
    for name, value in new_values.items():
        setattr(meeting, name, value)
    meeting.updated_at = timezone.now()
    meeting.save()
    if "speaker_seconds" in changed:
        # A room already open (before the start) shows the speaking time.
        speakers_emit(meeting=meeting, type="speaker.allot")
    if meeting.is_published and set(changed) & {"starts_at", "ends_at", "title", "location", "allow_self_checkin", "chair"}:
        # Tablets already open show the new time and place, open "Check in" by the new start, and know the chair.
        meeting_state_emit(meeting=meeting)
    newcomers = _sync_leading_participants(meeting=meeting)
    moved = [role for role in leaders_before if role in changed]
    if moved:
        # Roles moved: the room's list says so, and the former and new holders' screens start again in their new places.
        attendance_emit(meeting=meeting)
        holders = [leaders_before[role] for role in moved] + [getattr(meeting, f"{role}_id") for role in moved]
        publish_rejoin(meeting_id=meeting.pk, users=holders)
    audit_record(meeting=meeting, actor=actor, action="meeting.update", fields=changed)
    if meeting.is_published:
        if newcomers:
            meeting_notify_participants(meeting=meeting, kind="invitation", users=newcomers)
        if notify and any(name in CALENDAR_FIELDS for name in changed):
            meeting_notify_participants(meeting=meeting, kind="update", previous=previous, actor=actor)
        elif set(changed) - set(ROOM_RULES):
            mark_changed_since_notice(meeting=meeting)
    return meeting


def meeting_state_emit(*, meeting: Meeting) -> None:
    """Every open room and projector shows the meeting's state, time and place as they are now."""
    event_emit(meeting=meeting, type="meeting.state", payload={"meeting": meeting_state(meeting=meeting)})


def mark_changed_since_notice(*, meeting: Meeting) -> None:
    """After publishing, agenda and document edits are gathered into one update notice."""
    if meeting.is_published and not meeting.changed_since_notice:
        Meeting.objects.filter(pk=meeting.pk).update(changed_since_notice=True, updated_at=timezone.now())
        meeting.changed_since_notice = True


def meeting_publish_problems(*, meeting: Meeting) -> list[ServiceError]:
    """What stops a draft from being published, all of it at once for the page that asks to confirm."""
    problems = []
    if not meeting.agenda_items.exists():
        problems.append(ServiceError(_("Add at least one agenda item before publishing."), code="empty_agenda"))
    if meeting.ends_at <= timezone.now():
        problems.append(ServiceError(_("This meeting's time has already passed. Correct the date before publishing."), code="in_the_past"))
    return problems


@transaction.atomic
def meeting_publish(*, actor: User, meeting: Meeting) -> Meeting:
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    if meeting.state != Meeting.State.DRAFT:
        raise WrongState(_("This meeting has already been published."))
    problems = meeting_publish_problems(meeting=meeting)
    if problems:
        raise problems[0]
    meeting.state = Meeting.State.PUBLISHED
    meeting.published_at = timezone.now()
    meeting.changed_since_notice = False
    meeting.save(update_fields=["state", "published_at", "changed_since_notice"])
    # The agenda as it was told: the notice of changes can say whether its order really changed.
    audit_record(meeting=meeting, actor=actor, action="meeting.publish", layout=[list(row) for row in agenda_layout(meeting=meeting)])
    meeting_notify_participants(meeting=meeting, kind="invitation")
    return meeting


@transaction.atomic
def meeting_send_update_notice(*, actor: User, meeting: Meeting) -> Meeting:
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    require_preparation_state(meeting=meeting)
    if not meeting.is_published:
        raise WrongState(_("Publish the meeting first; participants are notified when it is published."))
    meeting_notify_participants(meeting=meeting, kind="update", actor=actor)  # audited as meeting.notice_sent
    return meeting


def meeting_cancel_refusal(*, meeting: Meeting) -> WrongState | None:
    """Why the meeting cannot be cancelled now (None when it can): its page says so instead of asking for a reason."""
    if meeting.state == Meeting.State.DRAFT:
        return WrongState(_("A draft is not cancelled: nobody has been invited yet. Delete it instead."))
    if meeting.state != Meeting.State.PUBLISHED:
        return WrongState(_("Only a meeting that has not begun can be cancelled."))
    from voting.models import Poll  # voting builds on meetings

    if Poll.objects.filter(meeting=meeting, state=Poll.State.OPEN).exists():
        return WrongState(
            _("Written opinions are being asked for this meeting. Close or cancel that vote on the votes page first."), code="poll_open"
        )
    return None


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Call off a published meeting that has not begun: everyone invited is told why, and their
    calendars drop it. The meeting stays on record, as cancelled."""
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    refused = meeting_cancel_refusal(meeting=meeting)
    if refused:
        raise refused
    reason = clean_text(reason)
    if not reason:
        raise ServiceError(_("Say why the meeting is cancelled: everyone invited is told."), code="required", field="reason")
    limit = Meeting._meta.get_field("cancel_reason").max_length
    if len(reason) > limit:
        raise ServiceError(_("The reason can be at most %(limit)s characters.") % {"limit": limit}, code="invalid", field="reason")
    meeting.state = Meeting.State.CANCELLED
    meeting.cancelled_at = meeting.updated_at = timezone.now()
    meeting.cancel_reason = reason
    meeting.save(update_fields=["state", "cancelled_at", "cancel_reason", "updated_at"])
    audit_record(meeting=meeting, actor=actor, action="meeting.cancel", reason=reason)
    # A room or projector already open says so at once.
    meeting_state_emit(meeting=meeting)
    meeting_notify_participants(meeting=meeting, kind="cancellation")
    return meeting


@transaction.atomic
def meeting_delete(*, actor: User, meeting: Meeting) -> None:
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    if meeting.state != Meeting.State.DRAFT:
        raise WrongState(DRAFTS_ONLY_DELETED)
    audit_record(meeting=None, actor=actor, action="meeting.delete", meeting_id=meeting.pk, title=meeting.title)
    meeting.delete()
