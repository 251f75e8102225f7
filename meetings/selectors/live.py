"""The live meeting's state as the clients see it: the snapshot and the pieces events carry."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from meetings.models import Meeting, MeetingEvent, Participant, Presentation, SpeakerRequest, User
from meetings.permissions import user_runs_meeting
from meetings.selectors.agenda import agenda_flat
from meetings.selectors.documents import documents_visible_to
from meetings.selectors.meetings import participants_of

PRESENT_STATES = (Participant.Attendance.PRESENT, Participant.Attendance.LATE)


def iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def agenda_state(*, meeting: Meeting) -> list[dict[str, Any]]:
    return [
        {
            "id": node.item.pk,
            "number": node.number,
            "depth": node.depth,
            "title": node.item.title,
            "presenter": node.item.presenter.display_name if node.item.presenter else None,
            "presenter_id": node.item.presenter_id,
            "minutes": node.item.duration_minutes,
            "used_seconds": node.item.used_seconds,
            "current_since": iso(node.item.current_since),
            "done": node.item.done,
        }
        for node in agenda_flat(meeting=meeting)
    ]


def quorum_state(*, meeting: Meeting, participants: list[Participant] | None = None) -> dict[str, Any]:
    """The body's quorum rule (e.g. more than half of the members with a vote) against who is present."""
    if participants is None:
        participants = list(meeting.participants.all())
    voting = [p for p in participants if p.can_vote]
    present = sum(1 for p in voting if p.attendance in PRESENT_STATES)
    needed = meeting.body.quorum_needed(voting=len(voting)) if voting else 0
    return {"voting": len(voting), "present": present, "needed": needed, "met": bool(voting) and present >= needed}


def participant_state(participant: Participant) -> dict[str, Any]:
    return {
        "id": participant.pk,
        "user_id": participant.user_id,
        "name": participant.user.display_name,
        "position": participant.user.position,
        "role": participant.role,
        "can_vote": participant.can_vote,
        "vote_weight": participant.vote_weight,
        "attendance": participant.attendance,
        "arrived_at": iso(participant.arrived_at),
    }


def attendance_state(*, meeting: Meeting) -> dict[str, Any]:
    # In the participants page's order: the secretary finds a name where the paper list has it.
    participants = participants_of(meeting=meeting)
    return {
        "participants": [participant_state(p) for p in participants],
        "quorum": quorum_state(meeting=meeting, participants=participants),
    }


def speaker_request_state(request: SpeakerRequest, *, spoken_on_items: list[int | None] | None = None) -> dict[str, Any]:
    state = {
        "id": request.pk,
        "participant_id": request.participant_id,
        "user_id": request.participant.user_id,
        "name": request.participant.user.display_name,
        "position": request.participant.user.position,
        "requested_at": iso(request.requested_at),
        "started_at": iso(request.started_at),
        "allotted_seconds": request.allotted_seconds,
        "agenda_item_id": request.agenda_item_id,
        "topic": request.topic,
        "continues": request.continues_speech,
    }
    if spoken_on_items is not None:
        state["spoken_on_items"] = spoken_on_items
    return state


def speakers_state(*, meeting: Meeting) -> dict[str, Any]:
    open_requests = list(
        SpeakerRequest.objects.filter(meeting=meeting, status__in=[SpeakerRequest.Status.WAITING, SpeakerRequest.Status.SPEAKING])
        .select_related("participant__user")
        .order_by("requested_at", "id")
    )
    speaking = next((r for r in open_requests if r.status == SpeakerRequest.Status.SPEAKING), None)
    waiting = [r for r in open_requests if r.status == SpeakerRequest.Status.WAITING]
    # The items each waiting person has already spoken on: rules of procedure limit how often one
    # speaks on an item, and the chair calls those who have not spoken yet first. Items, not a
    # count, so the room can tell for whichever item is current when the chair moves on.
    spoken: dict[int, list[int | None]] = {r.participant_id: [] for r in waiting}
    if waiting:
        speeches = SpeakerRequest.objects.filter(meeting=meeting, started_at__isnull=False, participant_id__in=list(spoken))
        for participant_id, item_id in speeches.order_by("started_at").values_list("participant_id", "agenda_item_id"):
            spoken[participant_id].append(item_id)
    # Whoever speaks now, or spoke last: the secretary writes down the speech, often after it ends.
    latest = speaking or (
        SpeakerRequest.objects.filter(meeting=meeting, status=SpeakerRequest.Status.DONE)
        .select_related("participant__user")
        .order_by("-started_at", "-id")
        .first()
    )
    latest_state = speaker_request_state(latest) if latest else None
    return {
        "queue": [speaker_request_state(r, spoken_on_items=spoken[r.participant_id]) for r in waiting],
        "speaking": latest_state if speaking else None,
        "latest": latest_state,
        "speaker_seconds": meeting.speaker_seconds,
    }


def presentation_state(*, meeting: Meeting, presentation: Presentation | None = None) -> dict[str, Any]:
    """What the room looks at. Pass the `presentation` just saved to spare reading it again."""
    if presentation is None:
        presentation = Presentation.objects.filter(meeting=meeting).select_related("version").first()
    if presentation is None:
        return {
            "document_id": None,
            "version_id": None,
            "page": None,
            "page_count": None,
            "presenter_id": None,
            "handed_to": None,
            "viewport": {},
        }
    showing = presentation.document_id is not None
    return {
        "document_id": presentation.document_id if showing else None,
        "version_id": presentation.version_id if showing else None,
        "page": presentation.page if showing else None,
        "page_count": presentation.version.page_count if showing and presentation.version else None,
        "presenter_id": presentation.presenter_id if showing else None,
        "handed_to": presentation.handed_to_id,
        "viewport": presentation.viewport if showing else {},
    }


def documents_state(*, user: User, meeting: Meeting) -> list[dict[str, Any]]:
    result = []
    for document in documents_visible_to(user=user, meeting=meeting):
        versions = list(document.versions.all())
        if not versions:
            continue
        result.append(
            {
                "id": document.pk,
                "title": document.title,
                "agenda_item_id": document.agenda_item_id,
                "confidential": document.confidential,
                "version_id": versions[0].pk,
                "page_count": versions[0].page_count,
                # Earlier versions stay readable: annotations made on them are kept there.
                "versions": [{"id": v.pk, "number": v.number, "page_count": v.page_count} for v in versions],
            }
        )
    return result


def me_state(*, user: User, meeting: Meeting) -> dict[str, Any]:
    participant = meeting.participants.filter(user=user).first()
    runs = user_runs_meeting(user=user, meeting=meeting)
    return {
        "user_id": user.pk,
        "name": user.display_name,
        "participant_id": participant.pk if participant else None,
        "role": participant.role if participant else None,
        "can_vote": bool(participant and participant.can_vote),
        "is_chair": user.pk == meeting.chair_id,
        "keeps_attendance": runs,
        "can_notice": runs,
        "withholds_annotations": runs,
    }


def recent_notices(*, meeting: Meeting, limit: int = 3) -> list[dict[str, Any]]:
    events = MeetingEvent.objects.filter(meeting=meeting, type="notice").order_by("-seq")[:limit]
    return [{"seq": e.seq, **e.payload} for e in reversed(list(events))]


def meeting_state(*, meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "body": meeting.body.name,
        "location": meeting.location,
        "state": meeting.state,
        "starts_at": iso(meeting.starts_at),
        "ends_at": iso(meeting.ends_at),
        "started_at": iso(meeting.started_at),
        "ended_at": iso(meeting.ended_at),
        "recess_since": iso(meeting.recess_since),
        "recess_until": iso(meeting.recess_until),
        "current_item_id": meeting.current_item_id,
        "allow_self_checkin": meeting.allow_self_checkin,
        "checkin_opens_at": iso(meeting.checkin_opens_at),
        "chair_id": meeting.chair_id,
    }


def live_snapshot(*, user: User, meeting_id: int, online: list[int]) -> dict[str, Any]:
    """Everything this user may see of the live meeting, at one sequence number."""
    from annotations.selectors import presented_annotations  # annotations, minutes and voting build on this module
    from minutes.selectors import announced_conclusions, minutes_state
    from voting.selectors import my_votes, polls_state, proxies_state

    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    presentation = presentation_state(meeting=meeting)
    return {
        "type": "snapshot",
        "seq": meeting.event_seq,
        "server_time": iso(timezone.now()),
        "state": {
            "meeting": meeting_state(meeting=meeting),
            "me": me_state(user=user, meeting=meeting),
            "agenda": agenda_state(meeting=meeting),
            "documents": documents_state(user=user, meeting=meeting),
            "presentation": presentation,
            "annotations": presented_annotations(user=user, presentation=presentation),
            "attendance": attendance_state(meeting=meeting),
            "online": online,
            "speakers": speakers_state(meeting=meeting),
            "notices": recent_notices(meeting=meeting),
            "polls": polls_state(meeting=meeting, with_prepared=user_runs_meeting(user=user, meeting=meeting)),
            "proxies": proxies_state(meeting=meeting),
            "my_votes": my_votes(user=user, meeting=meeting),
            "minutes": minutes_state(user=user, meeting=meeting),
            "conclusions": announced_conclusions(meeting=meeting),
        },
    }
