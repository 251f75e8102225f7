"""The live meeting: start and end, the current item, presenting, attendance, notices (speakers: see speakers.py).

Every function locks the meeting row, checks who may do it and in which state, changes the
state, and emits one numbered event that carries the new state of what changed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import AgendaItem, Meeting, Participant, Presentation, User
from meetings.permissions import user_runs_meeting
from meetings.selectors.agenda import agenda_flat
from meetings.selectors.live import agenda_state, iso, presentation_state
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import (
    LIVE,
    lock_meeting,
    lock_meeting_with_presentation,
    participant_in,
    require_chair,
    require_no_recess,
    require_participant,
    require_state,
)
from meetings.services.meetings import meeting_state_emit
from meetings.services.notifications import absence_notify_organisers, absence_withdrawn_notify_organisers
from meetings.services.participants import attendance_emit
from meetings.services.speakers import speakers_close, speakers_emit, speech_interrupt
from meetings.text import clean_text
from voting.models import Poll
from voting.services.ballots import polls_after_electorate, polls_close_overdue

BEFORE_AND_DURING = (Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS)
# The secretary corrects the attendance record (a guest never marked, a reason sent the next day)
# until the chair approves the minutes that print it.
RECORD_OPEN = (*BEFORE_AND_DURING, Meeting.State.CLOSED)
ARRIVED = (Participant.Attendance.PRESENT, Participant.Attendance.LATE)
RECESS_LONGEST_MINUTES = 240


def _emit_agenda(meeting: Meeting) -> None:
    event_emit(
        meeting=meeting,
        type="agenda.current",
        payload={"current_item_id": meeting.current_item_id, "agenda": agenda_state(meeting=meeting)},
    )


def _stop_item_clock(*, item: AgendaItem, now: datetime.datetime) -> None:
    """The time since the item became current is added to its time used (unsaved); during a break
    its clock already stands still."""
    if item.current_since is not None:
        item.used_seconds += max(0, int((now - item.current_since).total_seconds()))
        item.current_since = None


def _close_current_item(*, meeting: Meeting, now: datetime.datetime) -> None:
    item = meeting.current_item
    if item is not None:
        _stop_item_clock(item=item, now=now)
        item.done = True
        item.save(update_fields=["used_seconds", "current_since", "done"])


def _close_overdue_votes_and_refuse_an_open_one(*, meeting: Meeting, message: str | Promise) -> None:
    # A vote's result is the chair's to declare: neither ending nor a break closes it behind their back.
    polls_close_overdue(meeting=meeting)
    if Poll.objects.filter(meeting=meeting, state=Poll.State.OPEN, mode=Poll.Mode.LIVE).exists():
        raise WrongState(message, code="poll_open")


@transaction.atomic
def meeting_start(*, actor: User, meeting: Meeting) -> Meeting:
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    if meeting.state != Meeting.State.PUBLISHED:
        raise WrongState(_("Only a published meeting that has not started can be started."))
    now = timezone.now()
    meeting.state = Meeting.State.IN_PROGRESS
    meeting.started_at = now
    first = next(iter(agenda_flat(meeting=meeting)), None)
    meeting.current_item = first.item if first else None
    meeting.save(update_fields=["state", "started_at", "current_item"])
    if first:
        AgendaItem.objects.filter(pk=first.item.pk).update(current_since=now)
    audit_record(meeting=meeting, actor=actor, action="meeting.start")
    meeting_state_emit(meeting=meeting)
    _emit_agenda(meeting)
    _runners_arrive(actor=actor, meeting=meeting, at=now)
    return meeting


def _runners_arrive(*, actor: User, meeting: Meeting, at: datetime.datetime) -> None:
    """Whoever opens the meeting is in the room: the chair counts for the quorum and gets a ballot
    without checking in as well. So is the secretary, who takes the roll and the minutes there and
    would otherwise sign minutes listing themself as not recorded; unless they said they cannot come."""
    arriving = []
    for participant in Participant.objects.filter(meeting=meeting, user_id__in=[meeting.chair_id, meeting.secretary_id]):
        is_chair = participant.user_id == meeting.chair_id
        if participant.attendance in ARRIVED or (not is_chair and participant.attendance != Participant.Attendance.UNKNOWN):
            continue
        participant.attendance, participant.arrived_at = Participant.Attendance.PRESENT, at
        _forget_absence(participant)
        participant.save(update_fields=["attendance", "arrived_at", "absence_reason", "absence_notified_at"])
        audit_record(
            meeting=meeting,
            actor=actor,
            action="attendance.check_in",
            participant=participant.pk,
            status=participant.attendance,
            on_start=True,
        )
        arriving.append(participant)
    if arriving:
        _emit_attendance(meeting)


@transaction.atomic
def meeting_end(*, actor: User, meeting: Meeting) -> Meeting:
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    _close_overdue_votes_and_refuse_an_open_one(
        meeting=meeting, message=_("A vote is still open. Close it (or cancel it) first, then end the meeting.")
    )
    now = timezone.now()
    _close_current_item(meeting=meeting, now=now)
    speakers_close(meeting=meeting, now=now)
    Presentation.objects.filter(meeting=meeting).update(document=None, version=None, presenter=None, handed_to=None, updated_at=now)
    meeting.state = Meeting.State.CLOSED
    meeting.ended_at = now
    meeting.current_item = None
    # Ended during a break, the log says so: a break called is never left without its end.
    during_break = {"during_break": True} if meeting.recess_since else {}
    meeting.recess_since = meeting.recess_until = None
    meeting.save(update_fields=["state", "ended_at", "current_item", "recess_since", "recess_until"])
    audit_record(meeting=meeting, actor=actor, action="meeting.end", **during_break)
    meeting_state_emit(meeting=meeting)
    _emit_agenda(meeting)
    event_emit(meeting=meeting, type="present.stop", payload={"presentation": presentation_state(meeting=meeting)})
    speakers_emit(meeting=meeting, type="speaker.end")
    return meeting


@transaction.atomic
def meeting_recess(*, actor: User, meeting: Meeting, minutes: int) -> Meeting:
    """A break of so many minutes: the item's clock stops, a speech under way is cut short (its
    speaker heads the queue to go on afterwards), every screen
    says when the meeting goes on. Until the chair resumes it, the next item, the floor and votes
    wait; the presented document stays open, so tablets can read it (the projector shows the break)."""
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    if not 1 <= minutes <= RECESS_LONGEST_MINUTES:
        raise ServiceError(_("A break lasts from 1 to %(most)s minutes.") % {"most": RECESS_LONGEST_MINUTES}, code="invalid")
    if meeting.recess_since is not None:
        raise WrongState(_("The meeting is already on a break."), code="recess")
    _close_overdue_votes_and_refuse_an_open_one(
        meeting=meeting, message=_("A vote is still open. Close it (or cancel it) before the break.")
    )
    now = timezone.now()
    if meeting.current_item is not None:
        _stop_item_clock(item=meeting.current_item, now=now)
        meeting.current_item.save(update_fields=["used_seconds", "current_since"])
    speaking = speech_interrupt(meeting=meeting, now=now)
    meeting.recess_since = now
    meeting.recess_until = now + datetime.timedelta(minutes=minutes)
    meeting.save(update_fields=["recess_since", "recess_until"])
    # The item it was called in: the minutes tell the break there.
    audit_record(meeting=meeting, actor=actor, action="meeting.recess", minutes=minutes, item=meeting.current_item_id)
    meeting_state_emit(meeting=meeting)
    _emit_agenda(meeting)
    if speaking:
        speakers_emit(meeting=meeting, type="speaker.end")
    return meeting


@transaction.atomic
def meeting_resume(*, actor: User, meeting: Meeting) -> Meeting:
    """The break is over: the current item's clock runs again from now."""
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    if meeting.recess_since is None:
        return meeting
    now = timezone.now()
    if meeting.current_item_id is not None:
        AgendaItem.objects.filter(pk=meeting.current_item_id).update(current_since=now)
    audit_record(meeting=meeting, actor=actor, action="meeting.resume", minutes=round((now - meeting.recess_since).total_seconds() / 60))
    meeting.recess_since = meeting.recess_until = None
    meeting.save(update_fields=["recess_since", "recess_until"])
    meeting_state_emit(meeting=meeting)
    _emit_agenda(meeting)
    return meeting


@transaction.atomic
def agenda_set_current(*, actor: User, meeting: Meeting, item_id: int) -> Meeting:
    meeting = lock_meeting(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    require_no_recess(meeting=meeting)
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
    if item is None:
        raise ServiceError(_("That agenda item is not on this meeting's agenda."), code="not_found")
    if item.pk == meeting.current_item_id:
        return meeting
    now = timezone.now()
    _close_current_item(meeting=meeting, now=now)
    item.current_since = now
    item.save(update_fields=["current_since"])
    meeting.current_item = item
    meeting.save(update_fields=["current_item"])
    audit_record(meeting=meeting, actor=actor, action="agenda.current", item=item.pk)
    # Before the agenda's event: a tablet that learns of the new item knows already whether anything
    # is still presented, and if not, opens the new item's document.
    _stop_presenting_another_items_document(meeting=meeting, item=item)
    _emit_agenda(meeting)
    return meeting


def _stop_presenting_another_items_document(*, meeting: Meeting, item: AgendaItem) -> None:
    """The room's screen does not go on showing the last item's report under the new item's title: a
    document of another item is taken off. One of the whole meeting stays, and one of this item, of an
    item it is part of or of one of its own sub-items (the same line of the agenda)."""
    presentation = Presentation.objects.filter(meeting=meeting).select_related("document").first()
    if presentation is None or presentation.document is None or presentation.document.agenda_item_id is None:
        return
    parents = dict(AgendaItem.objects.filter(meeting=meeting).values_list("pk", "parent_id"))

    def line_up(item_id: int | None) -> set[int]:
        above: set[int] = set()
        while item_id is not None and item_id not in above:
            above.add(item_id)
            item_id = parents.get(item_id)
        return above

    shown_item = presentation.document.agenda_item_id
    if shown_item not in line_up(item.pk) and item.pk not in line_up(shown_item):
        _presentation_clear(meeting=meeting, presentation=presentation)


def _require_presenter(*, actor: User, meeting: Meeting, presentation: Presentation) -> None:
    if actor.pk != meeting.chair_id and actor.pk != presentation.handed_to_id:
        raise NotAllowed(_("Only the chair, or whoever the chair hands over to, can present."))


@transaction.atomic
def presentation_show(
    *, actor: User, meeting: Meeting, document_id: int, page: int, viewport: dict[str, Any] | None = None
) -> Presentation:
    meeting, presentation, version = lock_meeting_with_presentation(meeting=meeting, document_id=document_id, wait_for_disk=False)
    require_state(meeting=meeting, states=LIVE)
    _require_presenter(actor=actor, meeting=meeting, presentation=presentation)
    if version is None:
        raise ServiceError(_("That document is not part of this meeting."), code="not_found")
    if not 1 <= page <= version.page_count:
        raise ServiceError(
            _("Page %(page)s does not exist; the document has %(count)s pages.") % {"page": page, "count": version.page_count},
            code="invalid_page",
        )
    changed_document = presentation.document_id != version.document_id
    presentation.document_id = version.document_id
    presentation.version = version
    presentation.page = page
    presentation.viewport = viewport or {}
    presentation.presenter = actor
    presentation.updated_at = timezone.now()
    update = (
        "UPDATE meetings_presentation SET document_id = %s, version_id = %s, page = %s, viewport = %s,"
        " presenter_id = %s, updated_at = %s WHERE id = %s",
        [
            version.document_id,
            version.pk,
            page,
            Presentation._meta.get_field("viewport").get_db_prep_save(presentation.viewport, connection),
            actor.pk,
            connection.ops.adapt_datetimefield_value(presentation.updated_at),
            presentation.pk,
        ],
    )
    if changed_document:
        audit_record(meeting=meeting, actor=actor, action="present.document", document=version.document_id, page=page)
    event_emit(
        meeting=meeting,
        type="present.page",
        payload={"presentation": presentation_state(meeting=meeting, presentation=presentation)},
        along=[update],
    )
    return presentation


@transaction.atomic
def presentation_stop(*, actor: User, meeting: Meeting) -> Presentation:
    meeting, presentation, _version = lock_meeting_with_presentation(meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    _require_presenter(actor=actor, meeting=meeting, presentation=presentation)
    audit_record(meeting=meeting, actor=actor, action="present.stop")
    _presentation_clear(meeting=meeting, presentation=presentation)
    return presentation


def _presentation_clear(*, meeting: Meeting, presentation: Presentation) -> None:
    presentation.document = None
    presentation.version = None
    presentation.presenter = None
    presentation.updated_at = timezone.now()
    presentation.save()
    event_emit(meeting=meeting, type="present.stop", payload={"presentation": presentation_state(meeting=meeting)})


@transaction.atomic
def presentation_hand_over(*, actor: User, meeting: Meeting, user_id: int | None) -> Presentation:
    """Let another participant present (e.g. the item's presenter); None takes it back."""
    meeting, presentation, _version = lock_meeting_with_presentation(meeting=meeting)
    require_chair(actor=actor, meeting=meeting)
    require_state(meeting=meeting, states=LIVE)
    if user_id is not None and not meeting.participants.filter(user_id=user_id).exclude(role=Participant.Role.GUEST).exists():
        raise ServiceError(_("Only a participant of this meeting (not a guest) can present."), code="not_found")
    presentation.handed_to_id = user_id
    presentation.save(update_fields=["handed_to"])
    audit_record(meeting=meeting, actor=actor, action="present.handover", user=user_id)
    event_emit(meeting=meeting, type="present.handover", payload={"presentation": presentation_state(meeting=meeting)})
    return presentation


def _emit_attendance(meeting: Meeting) -> None:
    attendance_emit(meeting=meeting)
    polls_after_electorate(meeting=meeting)


@transaction.atomic
def attendance_mark(*, actor: User, meeting: Meeting, participant_id: int, status: str, reason: str = "") -> Participant:
    """`reason`: why someone is absent with leave, as the secretary heard it (the minutes give it). Left
    empty, a reason they sent ahead stays."""
    meeting = lock_meeting(meeting=meeting)
    if not user_runs_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the secretary or the chair can take attendance."))
    require_state(meeting=meeting, states=RECORD_OPEN)
    if status not in Participant.Attendance.values:
        raise ServiceError(_("Unknown attendance status."), code="invalid")
    participant = participant_in(meeting=meeting, participant_id=participant_id)
    participant.attendance = status
    if status in ARRIVED:
        # Marked after the meeting, the time of arrival is not known: not the moment of the correction.
        now = timezone.now() if meeting.state != Meeting.State.CLOSED else None
        participant.arrived_at = participant.arrived_at or now
    else:
        participant.arrived_at = None
    reason = _absence_reason_checked(reason)
    if status != Participant.Attendance.ABSENT_EXCUSED:
        # The secretary's mark is the record: a notice they overrule no longer speaks for the minutes.
        _forget_absence(participant)
    elif reason:
        participant.absence_reason = reason
    participant.save(update_fields=["attendance", "arrived_at", "absence_reason", "absence_notified_at"])
    details = {"reason": reason} if reason and status == Participant.Attendance.ABSENT_EXCUSED else {}
    audit_record(meeting=meeting, actor=actor, action="attendance.mark", participant=participant.pk, status=status, **details)
    _emit_attendance(meeting)
    return participant


@transaction.atomic
def attendance_check_in(*, actor: User, meeting: Meeting) -> Participant:
    meeting = lock_meeting(meeting=meeting)
    participant = require_participant(actor=actor, meeting=meeting)
    if not meeting.allow_self_checkin:
        raise NotAllowed(_("This meeting does not allow checking in from a tablet. The secretary takes attendance."))
    require_state(meeting=meeting, states=BEFORE_AND_DURING)
    if participant.attendance in ARRIVED:
        return participant
    # Reading the papers at home days ahead is not arriving (and would cancel a notice of absence).
    if meeting.state == Meeting.State.PUBLISHED and timezone.now() < meeting.checkin_opens_at:
        opens = timezone.localtime(meeting.checkin_opens_at)
        raise WrongState(
            _("Checking in opens at %(time)s on the day of the meeting.") % {"time": opens.strftime("%H:%M %d/%m/%Y")},
            code="checkin_not_open",
        )
    # Checking in as the chair opens the meeting is arriving on time: late is after a grace period.
    grace = datetime.timedelta(minutes=settings.LATE_AFTER_MINUTES)
    late = meeting.started_at is not None and timezone.now() - meeting.started_at > grace
    participant.attendance = Participant.Attendance.LATE if late else Participant.Attendance.PRESENT
    participant.arrived_at = timezone.now()
    _forget_absence(participant)
    participant.save(update_fields=["attendance", "arrived_at", "absence_reason", "absence_notified_at"])
    audit_record(meeting=meeting, actor=actor, action="attendance.check_in", participant=participant.pk, status=participant.attendance)
    _emit_attendance(meeting)
    return participant


def _absence_reason_checked(reason: str) -> str:
    reason = clean_text(reason)
    limit = Participant._meta.get_field("absence_reason").max_length
    if len(reason) > limit:
        raise ServiceError(_("The reason can be at most %(limit)s characters.") % {"limit": limit}, code="invalid")
    return reason


def _forget_absence(participant: Participant) -> None:
    """Someone who said they would be away came after all: the minutes must not give a reason for it."""
    participant.absence_reason = ""
    participant.absence_notified_at = None


def _absentee(*, actor: User, meeting: Meeting, participant_id: int | None) -> Participant:
    """The actor's own participation or, for the chair or a secretary, the participant they speak for
    (someone who telephoned to say they cannot come)."""
    if participant_id is None:
        return require_participant(actor=actor, meeting=meeting)
    if not user_runs_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the chair or the secretary can record an absence for someone else."))
    return participant_in(meeting=meeting, participant_id=participant_id)


@transaction.atomic
def attendance_notify_absence(*, actor: User, meeting: Meeting, reason: str, participant_id: int | None = None) -> Participant:
    """A participant says ahead that they cannot attend (báo vắng): absent with leave, with the reason.

    The chair or a secretary may record it for `participant_id`. Sent again, it replaces the
    reason. The chair and the secretary (other than whoever sent it) are told by e-mail.
    """
    meeting = lock_meeting(meeting=meeting)
    participant = _absentee(actor=actor, meeting=meeting, participant_id=participant_id)
    require_state(meeting=meeting, states=BEFORE_AND_DURING if participant_id is None else RECORD_OPEN)
    if participant.attendance in ARRIVED:
        if participant.user_id == actor.pk:
            raise WrongState(_("You are marked present. If you have to leave, tell the secretary."))
        raise WrongState(
            _("%(name)s is marked present. If they left, mark them absent in the meeting room.") % {"name": participant.user.display_name}
        )
    if participant.attendance == Participant.Attendance.ABSENT and participant.user_id == actor.pk:
        # Only the secretary turns an absence without leave into one with leave.
        raise WrongState(_("The secretary has marked you absent without leave. If that is wrong, tell the secretary."))
    reason = _absence_reason_checked(reason)
    if not reason:
        raise ServiceError(_("Say why you cannot attend: the minutes record the reason."), code="invalid")
    participant.attendance = Participant.Attendance.ABSENT_EXCUSED
    participant.arrived_at = None
    participant.absence_reason = reason
    participant.absence_notified_at = timezone.now()
    participant.save(update_fields=["attendance", "arrived_at", "absence_reason", "absence_notified_at"])
    audit_record(meeting=meeting, actor=actor, action="attendance.absence_notice", participant=participant.pk, reason=reason)
    _emit_attendance(meeting)
    if meeting.state != Meeting.State.CLOSED:  # a correction to the record after the meeting is no news
        absence_notify_organisers(meeting=meeting, participant=participant, sender=actor)
    return participant


@transaction.atomic
def attendance_withdraw_absence(*, actor: User, meeting: Meeting, participant_id: int | None = None) -> Participant:
    """The participant can attend after all: their notice is taken back and nobody has marked them yet."""
    meeting = lock_meeting(meeting=meeting)
    participant = _absentee(actor=actor, meeting=meeting, participant_id=participant_id)
    require_state(meeting=meeting, states=BEFORE_AND_DURING if participant_id is None else RECORD_OPEN)
    if participant.absence_notified_at is None:
        return participant
    if participant.attendance == Participant.Attendance.ABSENT_EXCUSED:
        participant.attendance = Participant.Attendance.UNKNOWN
    _forget_absence(participant)
    participant.save(update_fields=["attendance", "absence_reason", "absence_notified_at"])
    audit_record(meeting=meeting, actor=actor, action="attendance.absence_withdrawn", participant=participant.pk)
    _emit_attendance(meeting)
    if meeting.state != Meeting.State.CLOSED:  # as for the notice itself: after the meeting, a correction is no news
        absence_withdrawn_notify_organisers(meeting=meeting, participant=participant, sender=actor)
    return participant


@transaction.atomic
def notice_send(*, actor: User, meeting: Meeting, text: str) -> None:
    meeting = lock_meeting(meeting=meeting)
    if not user_runs_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the chair or the secretary can send a notice to every screen."))
    require_state(meeting=meeting, states=BEFORE_AND_DURING)
    text = clean_text(text)
    if not text:
        raise ServiceError(_("Write the notice first."), code="invalid")
    if len(text) > settings.NOTICE_MAX_CHARS:
        raise ServiceError(_("A notice can be at most %(limit)s characters.") % {"limit": settings.NOTICE_MAX_CHARS}, code="invalid")
    audit_record(meeting=meeting, actor=actor, action="notice.send", text=text)
    event_emit(
        meeting=meeting,
        type="notice",
        payload={"text": text, "sender": actor.display_name, "sender_id": actor.pk, "sent_at": iso(timezone.now())},
    )


@transaction.atomic
def projector_clear(*, actor: User, meeting: Meeting) -> None:
    """Take the last notice and vote result off the room's screen (the break is over), back to the
    agenda or the presented page, without waiting for the meeting to move on."""
    meeting = lock_meeting(meeting=meeting)
    if not user_runs_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the chair or the secretary can clear the room's screen."))
    require_state(meeting=meeting, states=BEFORE_AND_DURING)
    audit_record(meeting=meeting, actor=actor, action="projector.clear")
    event_emit(meeting=meeting, type="projector.clear", payload={})
