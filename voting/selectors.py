"""Reads of polls and proxies: who may vote now, progress, and the state clients see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from meetings.models import Meeting, Participant, User
from meetings.selectors.live import PRESENT_STATES, iso
from meetings.text import person_sort_key
from voting.models import Ballot, Poll, Proxy, VoterMark

# Whoever has sent word they cannot come (or is marked absent) cannot vote for someone else.
AWAY = (Participant.Attendance.ABSENT_EXCUSED, Participant.Attendance.ABSENT)


@dataclass(frozen=True)
class Electorate:
    """Who may vote in a poll right now: each voter's participant id → the participant who casts for them."""

    cast_by: dict[int, int]
    weights: dict[int, int]
    members_weight: int

    def weight_of(self, participant_ids: set[int] | list[int]) -> int:
        return sum(self.weights.get(pk, 1) for pk in participant_ids)


def proxies_active(*, meeting: Meeting) -> list[Proxy]:
    return list(Proxy.objects.filter(meeting=meeting, revoked_at=None).select_related("giver__user", "holder__user").order_by("id"))


def electorate_of(*, poll: Poll, participants: list[Participant] | None = None, proxies: list[Proxy] | None = None) -> Electorate:
    """Live polls: voting members who are present, and absent members whose proxy holder is present.
    Written opinions: every voting member, each for themselves."""
    if participants is None:
        participants = list(Participant.objects.filter(meeting_id=poll.meeting_id))
    voters = [p for p in participants if p.can_vote]
    weights = {p.pk: p.vote_weight for p in voters}
    if poll.mode == Poll.Mode.WRITTEN:
        return Electorate(cast_by={p.pk: p.pk for p in voters}, weights=weights, members_weight=sum(weights.values()))
    present = {p.pk for p in voters if p.attendance in PRESENT_STATES}
    cast_by = {pk: pk for pk in present}
    if proxies is None:
        proxies = list(Proxy.objects.filter(meeting_id=poll.meeting_id, revoked_at=None))
    for proxy in proxies:
        if proxy.giver_id in weights and proxy.giver_id not in present and proxy.holder_id in present:
            cast_by[proxy.giver_id] = proxy.holder_id
    return Electorate(cast_by=cast_by, weights=weights, members_weight=sum(weights.values()))


def voter_for(*, poll: Poll, caster: Participant, voter_id: int) -> Participant | None:
    """Whose ballot `caster` may cast now when casting for `voter_id`, or None: `electorate_of`'s
    rules for one person, so one ballot does not read the whole room."""
    present = caster.attendance in PRESENT_STATES or poll.mode == Poll.Mode.WRITTEN
    if voter_id == caster.pk:
        return caster if caster.can_vote and present else None
    if poll.mode == Poll.Mode.WRITTEN or not present:
        return None
    proxy = (
        Proxy.objects.filter(meeting_id=poll.meeting_id, revoked_at=None, giver_id=voter_id, holder=caster).select_related("giver").first()
    )
    if proxy is None or not proxy.giver.can_vote or proxy.giver.attendance in PRESENT_STATES:
        return None
    return proxy.giver


def poll_progress(*, poll: Poll, electorate: Electorate | None = None, marks: list[VoterMark] | None = None) -> dict[str, Any]:
    """How many have voted of how many can. Someone who voted and then left still counts as having voted."""
    if electorate is None:
        electorate = electorate_of(poll=poll)
    if marks is None:
        marks = list(VoterMark.objects.filter(poll=poll))
    voted = {mark.participant_id for mark in marks}
    progress: dict[str, Any] = {"poll_id": poll.pk, "voted": len(voted), "eligible": len(voted | set(electorate.cast_by))}
    if not poll.secret:
        # Named polls only: lets the secretary see who has not voted yet.
        progress["voters"] = sorted(voted)
    return progress


def poll_state(*, poll: Poll, electorate: Electorate | None = None, marks: list[VoterMark] | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {
        "id": poll.pk,
        "agenda_item_id": poll.agenda_item_id,
        "question": poll.question,
        "position": poll.position,
        "kind": poll.kind,
        "choices": [{"id": c.pk, "label": c.label, "meaning": c.meaning} for c in poll.choices.all()],
        "max_choices": poll.max_choices,
        "secret": poll.secret,
        "majority": poll.majority,
        "majority_label": str(poll.get_majority_display()),
        "requires_quorum": poll.requires_quorum,
        "allow_change": poll.allow_change,
        "close_when_all_voted": poll.close_when_all_voted,
        "duration_seconds": poll.duration_seconds,
        "mode": poll.mode,
        "state": poll.state,
        "opened_at": iso(poll.opened_at),
        "closes_at": iso(poll.closes_at),
        "closed_at": iso(poll.closed_at),
        "annulled_reason": poll.annulled_reason or None,
        "repeat_of": poll.repeat_of_id,
        "result": poll.result if poll.state in (Poll.State.CLOSED, Poll.State.ANNULLED) else None,
        "progress": None,
    }
    if poll.state == Poll.State.OPEN:
        state["progress"] = poll_progress(poll=poll, electorate=electorate, marks=marks)
    return state


def polls_state(*, meeting: Meeting, with_prepared: bool) -> list[dict[str, Any]]:
    """The meeting's polls on a live screen; prepared (draft) ones only for those who run the meeting."""
    polls = Poll.objects.filter(meeting=meeting).prefetch_related("choices").order_by("position", "id")
    if not with_prepared:
        polls = polls.exclude(state=Poll.State.DRAFT)
    polls = list(polls)
    if not polls:
        return []
    participants = list(Participant.objects.filter(meeting=meeting))
    proxies = list(Proxy.objects.filter(meeting=meeting, revoked_at=None))
    marks_of: dict[int, list[VoterMark]] = {}
    for mark in VoterMark.objects.filter(poll__in=[p for p in polls if p.state == Poll.State.OPEN]):
        marks_of.setdefault(mark.poll_id, []).append(mark)
    return [
        poll_state(
            poll=poll,
            electorate=electorate_of(poll=poll, participants=participants, proxies=proxies) if poll.state == Poll.State.OPEN else None,
            marks=marks_of.get(poll.pk, []),
        )
        for poll in polls
    ]


def proxy_state(proxy: Proxy) -> dict[str, Any]:
    return {
        "id": proxy.pk,
        "giver_id": proxy.giver_id,
        "giver_name": proxy.giver.user.display_name,
        "holder_id": proxy.holder_id,
        "holder_name": proxy.holder.user.display_name,
        "created_at": iso(proxy.created_at),
    }


def proxies_state(*, meeting: Meeting) -> list[dict[str, Any]]:
    return [proxy_state(p) for p in proxies_active(meeting=meeting)]


def my_votes(*, user: User, meeting: Meeting) -> dict[str, list[int]]:
    """For each poll (id as text, as JSON keys are): whom this user has already cast a ballot for."""
    mine: dict[str, list[int]] = {}
    for poll_id, participant_id in VoterMark.objects.filter(poll__meeting=meeting, cast_by__user=user).values_list(
        "poll_id", "participant_id"
    ):
        mine.setdefault(str(poll_id), []).append(participant_id)
    return mine


def polls_for_page(*, meeting: Meeting) -> list[Poll]:
    """Every poll of the meeting, in order, with its choices and agenda number (as `number`)."""
    from meetings.selectors.agenda import agenda_numbers

    numbers = agenda_numbers(meeting=meeting)
    polls = list(Poll.objects.filter(meeting=meeting).prefetch_related("choices").order_by("position", "id"))
    participants = list(Participant.objects.filter(meeting=meeting).select_related("user"))
    for poll in polls:
        poll.number = numbers.get(poll.agenda_item_id, "")
        poll.progress = None
        poll.not_voted = []
        if poll.state == Poll.State.OPEN:
            electorate = electorate_of(poll=poll, participants=participants)
            poll.progress = poll_progress(poll=poll, electorate=electorate)
            if not poll.secret:
                voted = set(poll.progress["voters"])
                poll.not_voted = [p.user.display_name for p in participants if p.pk in electorate.cast_by and p.pk not in voted]
    return polls


@dataclass
class MemberVoting:
    """What the meeting page shows a participant about votes: results, written opinions to give, proxies."""

    polls: list[Poll]
    participant: Participant | None
    answered: set[int]
    my_choices: dict[int, list[int]]  # an answer that may still be changed: its poll → the choices sent
    proxies: list[Proxy]
    my_proxy: Proxy | None
    held_for: list[Proxy]  # proxies this participant holds
    proxy_candidates: list[Participant]
    can_record_for_others: bool
    voters: list[Participant]


def member_voting(*, user: User, meeting: Meeting) -> MemberVoting:
    from meetings.permissions import user_can_manage_meeting

    participant = Participant.objects.filter(meeting=meeting, user=user).first()
    polls = [poll for poll in polls_for_page(meeting=meeting) if poll.state != Poll.State.DRAFT]
    answered = set()
    if participant is not None:
        answered = set(VoterMark.objects.filter(poll__meeting=meeting, participant=participant).values_list("poll_id", flat=True))
    changeable = [p.pk for p in polls if p.state == Poll.State.OPEN and p.mode == Poll.Mode.WRITTEN and p.allow_change and p.pk in answered]
    my_choices = {}
    if changeable:
        my_choices = dict(Ballot.objects.filter(poll_id__in=changeable, voter=participant).values_list("poll_id", "choices"))
    proxies = proxies_active(meeting=meeting)
    members = Participant.objects.filter(meeting=meeting, can_vote=True).select_related("user")
    voters = sorted(members, key=lambda p: person_sort_key(p.user.display_name))
    my_proxy = next((p for p in proxies if participant and p.giver_id == participant.pk), None)
    # As proxy_give has it: one proxy per holder, and nobody who handed their own vote on or will be away.
    in_proxies = {p.holder_id for p in proxies} | {p.giver_id for p in proxies}
    return MemberVoting(
        polls=polls,
        participant=participant,
        answered=answered,
        my_choices=my_choices,
        proxies=proxies,
        my_proxy=my_proxy,
        held_for=[p for p in proxies if participant and p.holder_id == participant.pk],
        proxy_candidates=[
            p for p in voters if (participant is None or p.pk != participant.pk) and p.attendance not in AWAY and p.pk not in in_proxies
        ],
        can_record_for_others=user_can_manage_meeting(user=user, meeting=meeting),
        voters=voters,
    )


def written_opinions_waiting(*, user: User) -> list[Poll]:
    """Written opinions the user is asked for and has not given, soonest deadline first (the home page)."""
    mine = Participant.objects.filter(user=user, can_vote=True, meeting=OuterRef("meeting"))
    answered = VoterMark.objects.filter(poll=OuterRef("pk"), participant__user=user)
    return list(
        Poll.objects.filter(mode=Poll.Mode.WRITTEN, state=Poll.State.OPEN, closes_at__gt=timezone.now())
        .filter(Exists(mine))
        .exclude(Exists(answered))
        .select_related("meeting")
        .order_by("closes_at", "id")
    )
