"""The speakers' queue: asking to speak, giving and ending the floor, the speaking time.

The queue is the chair's to run: they give the floor in any order, to someone who did not ask,
take a request off the queue, and give a speaker more time. Every change emits one numbered
event carrying the whole queue.
"""

from __future__ import annotations

import datetime
import math

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError
from meetings.models import Meeting, SpeakerRequest, User
from meetings.selectors.live import speakers_state
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import (
    LIVE,
    lock_meeting,
    participant_in,
    require_chair,
    require_no_recess,
    require_participant,
    require_state,
)
from meetings.text import clean_text

OPEN_REQUESTS = (SpeakerRequest.Status.WAITING, SpeakerRequest.Status.SPEAKING)
TOPIC_MAX_CHARS = SpeakerRequest._meta.get_field("topic").max_length
# However often the chair extends it, one speech stays within what a meeting can give one person.
MAX_SPEECH_SECONDS = 60 * 60


def speaking_time_check(*, seconds: int) -> None:
    """A speaking time per turn as people state it: whole minutes, from one to an hour."""
    if not 60 <= seconds <= MAX_SPEECH_SECONDS or seconds % 60:
        raise ServiceError(
            _("The speaking time per turn must be between 1 and %(minutes)s whole minutes.") % {"minutes": MAX_SPEECH_SECONDS // 60},
            code="invalid",
        )


def speakers_emit(*, meeting: Meeting, type: str, **extra: object) -> None:
    event_emit(meeting=meeting, type=type, payload={"speakers": speakers_state(meeting=meeting), **extra})


def speakers_close(*, meeting: Meeting, now: datetime.datetime) -> None:
    """At the end of the meeting: the speech under way ends, and nobody waits any more."""
    speech_finish(meeting=meeting, now=now)
    SpeakerRequest.objects.filter(meeting=meeting, status=SpeakerRequest.Status.WAITING).update(
        status=SpeakerRequest.Status.WITHDRAWN, ended_at=now
    )


def speech_finish(*, meeting: Meeting, now: datetime.datetime) -> bool:
    """The speech under way, if any, ends now; True when there was one."""
    return bool(
        SpeakerRequest.objects.filter(meeting=meeting, status=SpeakerRequest.Status.SPEAKING).update(
            status=SpeakerRequest.Status.DONE, ended_at=now
        )
    )


def speech_interrupt(*, meeting: Meeting, now: datetime.datetime) -> bool:
    """A break cuts the speech under way short: it ends, and its speaker heads the queue to go on
    once the meeting resumes. True when there was one."""
    speaking = SpeakerRequest.objects.filter(meeting=meeting, status=SpeakerRequest.Status.SPEAKING).first()
    if speaking is None:
        return False
    speech_finish(meeting=meeting, now=now)
    first = SpeakerRequest.objects.filter(meeting=meeting, status=SpeakerRequest.Status.WAITING).order_by("requested_at").first()
    ahead_of = min(speaking.requested_at, first.requested_at) if first else speaking.requested_at
    SpeakerRequest.objects.create(
        meeting=meeting,
        participant_id=speaking.participant_id,
        agenda_item_id=speaking.agenda_item_id,
        requested_at=ahead_of - datetime.timedelta(milliseconds=1),
        topic=speaking.topic,
        continues_speech=True,
    )
    return True


@transaction.atomic
def speaker_request(*, actor: User, meeting: Meeting, topic: str | None = None) -> SpeakerRequest:
    """Ask to speak, saying about what if they like. Asked again while waiting, only the topic
    changes ("" takes it away): the place in the queue stays."""
    meeting = lock_meeting(meeting=meeting)
    participant = require_participant(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    if topic is not None:
        topic = " ".join(clean_text(topic).split())  # one line, as the queue shows it
        if len(topic) > TOPIC_MAX_CHARS:
            raise ServiceError(_("Say what about in at most %(limit)s characters.") % {"limit": TOPIC_MAX_CHARS}, code="invalid")
    existing = SpeakerRequest.objects.filter(meeting=meeting, participant=participant, status__in=OPEN_REQUESTS).first()
    if existing:
        if topic is not None and topic != existing.topic and existing.status == SpeakerRequest.Status.WAITING:
            existing.topic = topic
            existing.save(update_fields=["topic"])
            speakers_emit(meeting=meeting, type="speaker.request")
        return existing
    try:
        with transaction.atomic():
            request = SpeakerRequest.objects.create(
                meeting=meeting, participant=participant, agenda_item=meeting.current_item, topic=topic or ""
            )
    except IntegrityError as error:
        raise ServiceError(_("You have already asked to speak."), code="duplicate") from error
    speakers_emit(meeting=meeting, type="speaker.request")
    return request


@transaction.atomic
def speaker_withdraw(*, actor: User, meeting: Meeting) -> None:
    meeting = lock_meeting(meeting=meeting)
    participant = require_participant(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    withdrawn = SpeakerRequest.objects.filter(meeting=meeting, participant=participant, status=SpeakerRequest.Status.WAITING).update(
        status=SpeakerRequest.Status.WITHDRAWN, ended_at=timezone.now()
    )
    if withdrawn:
        speakers_emit(meeting=meeting, type="speaker.withdraw")


def _waiting_request(*, meeting: Meeting, request_id: int) -> SpeakerRequest:
    request = SpeakerRequest.objects.filter(meeting=meeting, pk=request_id, status=SpeakerRequest.Status.WAITING).first()
    if request is None:
        raise ServiceError(_("That request to speak is no longer waiting."), code="not_found")
    return request


@transaction.atomic
def speaker_start(*, actor: User, meeting: Meeting, request_id: int | None = None, participant_id: int | None = None) -> SpeakerRequest:
    """Give the floor to a waiting request, or directly to a participant who did not ask."""
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    require_no_recess(meeting=meeting)
    now = timezone.now()
    if request_id is not None:
        request = _waiting_request(meeting=meeting, request_id=request_id)
    elif participant_id is not None:
        participant = participant_in(meeting=meeting, participant_id=participant_id)
        request = SpeakerRequest.objects.filter(meeting=meeting, participant=participant, status__in=OPEN_REQUESTS).first()
        if request is not None and request.status == SpeakerRequest.Status.SPEAKING:
            return request
        if request is None:
            request = SpeakerRequest.objects.create(
                meeting=meeting, participant=participant, agenda_item=meeting.current_item, requested_at=now
            )
    else:
        raise ServiceError(_("Say whom to give the floor to."), code="invalid")
    speech_finish(meeting=meeting, now=now)
    request.status = SpeakerRequest.Status.SPEAKING
    request.started_at = now
    request.allotted_seconds = meeting.speaker_seconds
    request.agenda_item = meeting.current_item
    request.save(update_fields=["status", "started_at", "allotted_seconds", "agenda_item"])
    audit_record(meeting=meeting, actor=actor, action="speaker.start", participant=request.participant_id)
    speakers_emit(meeting=meeting, type="speaker.start")
    return request


@transaction.atomic
def speaker_end(*, actor: User, meeting: Meeting) -> None:
    meeting = lock_meeting(meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    speaking = SpeakerRequest.objects.filter(meeting=meeting, status=SpeakerRequest.Status.SPEAKING).select_related("participant").first()
    if speaking is None:
        return
    if actor.pk not in (meeting.chair_id, speaking.participant.user_id):
        raise NotAllowed(_("Only the chair, or the speaker, can end a speech."))
    speech_finish(meeting=meeting, now=timezone.now())
    audit_record(meeting=meeting, actor=actor, action="speaker.end", participant=speaking.participant_id)
    speakers_emit(meeting=meeting, type="speaker.end")


@transaction.atomic
def speaker_extend(*, actor: User, meeting: Meeting, request_id: int, seconds: int) -> SpeakerRequest:
    """More time for the speech under way; every screen's timer counts on from the new total.

    The command names the speech the chair saw: a tap queued on a tablet offline must not give
    the minute to whoever has the floor by the time it arrives. A speaker already over time gets
    the time from now, not a minute that was used up long ago.
    """
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    speaking = SpeakerRequest.objects.filter(meeting=meeting, pk=request_id, status=SpeakerRequest.Status.SPEAKING).first()
    if speaking is None:
        raise ServiceError(_("That speech has ended, so it cannot be given more time."), code="not_found")
    used = math.ceil((timezone.now() - speaking.started_at).total_seconds())
    allotted = max(speaking.allotted_seconds, used) + seconds
    if allotted > MAX_SPEECH_SECONDS:
        raise ServiceError(
            _("A speech can be given at most %(minutes)s minutes in all.") % {"minutes": MAX_SPEECH_SECONDS // 60}, code="invalid"
        )
    speaking.allotted_seconds = allotted
    speaking.save(update_fields=["allotted_seconds"])
    audit_record(meeting=meeting, actor=actor, action="speaker.extend", participant=speaking.participant_id, seconds=seconds)
    speakers_emit(meeting=meeting, type="speaker.extend")
    return speaking


@transaction.atomic
def speaker_dismiss(*, actor: User, meeting: Meeting, request_id: int) -> None:
    """The chair takes a request off the queue (the debate has moved on, the person has left).
    The event names whose request it was, so their tablet can tell them."""
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    request = _waiting_request(meeting=meeting, request_id=request_id)
    request.status = SpeakerRequest.Status.DISMISSED
    request.ended_at = timezone.now()
    request.save(update_fields=["status", "ended_at"])
    audit_record(meeting=meeting, actor=actor, action="speaker.dismiss", participant=request.participant_id)
    speakers_emit(meeting=meeting, type="speaker.dismiss", participant_id=request.participant_id)


@transaction.atomic
def speaker_allot(*, actor: User, meeting: Meeting, seconds: int) -> Meeting:
    """The chair sets the speaking time per turn in the room ("from now on, three minutes each").
    The speech under way keeps what it was given; the chair can still extend it."""
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=(Meeting.State.PUBLISHED, *LIVE))
    speaking_time_check(seconds=seconds)
    if seconds == meeting.speaker_seconds:
        return meeting
    meeting.speaker_seconds = seconds
    meeting.save(update_fields=["speaker_seconds"])
    audit_record(meeting=meeting, actor=actor, action="speaker.allot", seconds=seconds)
    speakers_emit(meeting=meeting, type="speaker.allot")
    return meeting
