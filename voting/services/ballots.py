"""A poll from its opening to its result: open, ballots, progress, close, annul, and the closings
that time limits, attendance and the meeting's end bring about."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import Meeting, Participant, User
from meetings.selectors.live import quorum_state
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import lock_meeting, require_no_recess
from meetings.services.notifications import poll_notify_written_open
from meetings.text import clean_text, person_sort_key
from voting.models import Ballot, Poll, PollChoice, VoterMark
from voting.selectors import Electorate, electorate_of, poll_progress, voter_for
from voting.services.guards import poll_emit, poll_locked, require_poll_runner
from voting.tally import poll_tally


@transaction.atomic
def poll_open(*, actor: User, meeting: Meeting, poll_id: int, deadline: datetime.datetime | None = None) -> Poll:
    meeting = lock_meeting(meeting=meeting)
    poll = poll_locked(meeting=meeting, poll_id=poll_id)
    require_poll_runner(actor=actor, meeting=meeting, poll=poll)
    if poll.state != Poll.State.DRAFT:
        raise WrongState(_("This poll has already been opened."))
    now = timezone.now()
    if poll.mode == Poll.Mode.LIVE:
        if meeting.state != Meeting.State.IN_PROGRESS:
            raise WrongState(_("A vote in the meeting can be opened only while the meeting is in progress."))
        require_no_recess(meeting=meeting)
        if Poll.objects.filter(meeting=meeting, mode=Poll.Mode.LIVE, state=Poll.State.OPEN).exists():
            raise WrongState(_("Another vote is still open. Close it first."), code="poll_open")
        if poll.requires_quorum:
            quorum = quorum_state(meeting=meeting)
            if not quorum["met"]:
                raise WrongState(
                    _("There is no quorum: %(present)s of %(voting)s voting members are present, %(needed)s are needed.") % quorum,
                    code="no_quorum",
                )
        poll.closes_at = now + datetime.timedelta(seconds=poll.duration_seconds) if poll.duration_seconds else None
    else:
        if meeting.state == Meeting.State.DRAFT:
            raise WrongState(_("Publish the meeting before asking for written opinions."))
        if meeting.state == Meeting.State.CANCELLED:
            raise WrongState(_("This meeting was cancelled: no opinions are asked in its name."))
        if deadline is None or deadline <= now:
            raise ServiceError(_("Written opinions need a deadline in the future."), code="invalid")
        poll.closes_at = deadline
    poll.state = Poll.State.OPEN
    poll.opened_at = now
    poll.announced_voted = 0
    poll.save()
    audit_record(meeting=meeting, actor=actor, action="poll.open", poll=poll.pk, question=poll.question, secret=poll.secret)
    poll_emit(meeting=meeting, type="poll.open", poll=poll)
    if poll.mode == Poll.Mode.WRITTEN:
        # Outside the meeting nobody is in the room to see it open: each member is asked by e-mail.
        poll_notify_written_open(meeting=meeting, poll=poll)
    return poll


def _eligible_caster(*, poll: Poll, actor_participant: Participant, for_participant_id: int | None) -> Participant:
    """Whose ballot the actor is casting, if the actor may cast it now."""
    voter_id = for_participant_id or actor_participant.pk
    voter = voter_for(poll=poll, caster=actor_participant, voter_id=voter_id)
    if voter is not None:
        return voter
    if voter_id != actor_participant.pk:
        raise NotAllowed(_("You do not hold a proxy for that person in this vote."), code="not_eligible")
    if not actor_participant.can_vote:
        raise NotAllowed(_("You do not have a vote in this meeting."), code="not_eligible")
    raise NotAllowed(_("Only members who are present can vote. Check in first, or ask the secretary."), code="not_eligible")


def _check_choices(*, poll: Poll, choices: list[int]) -> list[int]:
    valid = set(poll.choices.values_list("pk", flat=True))
    if not choices or len(set(choices)) != len(choices) or not set(choices) <= valid:
        raise ServiceError(_("That choice is not on this poll."), code="invalid_choice")
    if len(choices) > poll.max_choices:
        raise ServiceError(_("Choose at most %(count)s.") % {"count": poll.max_choices}, code="invalid_choice")
    return sorted(choices)


@transaction.atomic
def ballot_cast(*, actor: User, meeting: Meeting, poll_id: int, choices: list[int], for_participant_id: int | None = None) -> None:
    poll = Poll.objects.select_for_update().filter(meeting_id=meeting.pk, pk=poll_id).first()
    if poll is None:
        raise ServiceError(_("That poll does not belong to this meeting."), code="not_found")
    if poll.state == Poll.State.DRAFT:
        raise WrongState(_("This vote has not been opened yet."), code="poll_not_open")
    if poll.state != Poll.State.OPEN or (poll.closes_at and timezone.now() >= poll.closes_at):
        if poll.mode == Poll.Mode.WRITTEN:
            raise WrongState(_("The time for written opinions is over; no more answers are taken."), code="poll_closed")
        raise WrongState(_("This vote is closed; ballots are no longer accepted."), code="poll_closed")
    actor_participant = Participant.objects.filter(meeting_id=poll.meeting_id, user=actor).first()
    if actor_participant is None:
        raise NotAllowed(_("You are not a participant of this meeting."), code="not_eligible")
    voter = _eligible_caster(poll=poll, actor_participant=actor_participant, for_participant_id=for_participant_id)
    choices = _check_choices(poll=poll, choices=choices)
    named = not poll.secret
    if VoterMark.objects.filter(poll=poll, participant=voter).exists():
        if not poll.allow_change:
            raise ServiceError(_("This ballot has already been cast; a vote cannot be changed."), code="already_voted")
        Ballot.objects.filter(poll=poll, voter=voter).update(choices=choices, cast_by=actor_participant)
        audit_record(meeting=meeting, actor=actor, action="ballot.change", poll=poll.pk, voter=voter.pk, choices=choices)
        return
    try:
        with transaction.atomic():
            VoterMark.objects.create(poll=poll, participant=voter, cast_by=actor_participant)
            Ballot.objects.create(
                poll=poll,
                choices=choices,
                weight=voter.vote_weight,
                voter=voter if named else None,
                cast_by=actor_participant if named else None,
            )
    except IntegrityError as error:
        raise ServiceError(_("This ballot has already been cast; a vote cannot be changed."), code="already_voted") from error
    if named:
        audit_record(meeting=meeting, actor=actor, action="ballot.cast", poll=poll.pk, voter=voter.pk, choices=choices)
    else:
        audit_record(meeting=meeting, actor=actor, action="ballot.cast", poll=poll.pk, voter=voter.pk, secret=True)


def _shuffle_secret_ballots(poll: Poll) -> None:
    """Rewrite a secret poll's ballots in random order, with new ids, in one transaction: afterwards
    neither their physical order nor the transaction that wrote them (PostgreSQL's xmin) follows
    the order in which people voted."""
    rows = list(Ballot.objects.filter(poll=poll).values_list("choices", "weight"))
    random.SystemRandom().shuffle(rows)
    Ballot.objects.filter(poll=poll).delete()
    Ballot.objects.bulk_create([Ballot(poll=poll, choices=choices, weight=weight) for choices, weight in rows])


def _not_voted(*, electorate: Electorate, voted: set[int]) -> list[dict[str, Any]]:
    """Who could have voted when the poll closed and did not, named as the named list names voters."""
    missing = set(electorate.cast_by) - voted
    people = {p.pk: p for p in Participant.objects.filter(pk__in=missing | set(electorate.cast_by.values())).select_related("user")}
    entries = [
        {
            "participant_id": pk,
            "name": people[pk].user.display_name,
            "position": people[pk].user.position,
            "weight": electorate.weights.get(pk, 1),
            "proxy_name": people[electorate.cast_by[pk]].user.display_name if electorate.cast_by[pk] != pk else None,
        }
        for pk in missing
    ]
    return sorted(entries, key=lambda entry: (person_sort_key(entry["name"]), entry["participant_id"]))


def _close(*, meeting: Meeting, poll: Poll, actor: User | None, why: str) -> Poll:
    electorate = electorate_of(poll=poll)
    marks = list(VoterMark.objects.filter(poll=poll).values_list("participant_id", "cast_by_id"))
    voted = {participant for participant, _caster in marks}
    if poll.secret:
        _shuffle_secret_ballots(poll)
    if poll.mode == Poll.Mode.LIVE:
        quorum_met = quorum_state(meeting=meeting)["met"]
        # Those who could vote: present (or voted, then left) and represented by a proxy.
        present_weight = electorate.weight_of(voted | set(electorate.cast_by))
    else:
        # Written opinions: nobody is present; the body's quorum rule counts the members who answered.
        members = set(electorate.weights)
        quorum_met = bool(members) and len(voted & members) >= meeting.body.quorum_needed(voting=len(members))
        present_weight = electorate.members_weight
    # Represented by a proxy: whose ballot someone else cast, and whose holder is here and has not cast it yet.
    by_proxy = {participant for participant, caster in marks if caster != participant}
    by_proxy |= {giver for giver, caster in electorate.cast_by.items() if giver != caster and giver not in voted}
    poll.result = poll_tally(
        poll=poll,
        members_weight=electorate.members_weight,
        present_weight=present_weight,
        proxy_weight=electorate.weight_of(by_proxy),
        quorum_met=quorum_met,
        not_voted=None if poll.secret else _not_voted(electorate=electorate, voted=voted),
    )
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["result", "state", "closed_at"])
    audit_record(meeting=meeting, actor=actor, action="poll.close", poll=poll.pk, why=why, result=poll.result)
    poll_emit(meeting=meeting, type="poll.close", poll=poll)
    return poll


@transaction.atomic
def poll_close(*, actor: User, meeting: Meeting, poll_id: int) -> Poll:
    meeting = lock_meeting(meeting=meeting)
    poll = poll_locked(meeting=meeting, poll_id=poll_id)
    require_poll_runner(actor=actor, meeting=meeting, poll=poll)
    if poll.state != Poll.State.OPEN:
        raise WrongState(_("This vote is not open."), code="poll_not_open")
    return _close(meeting=meeting, poll=poll, actor=actor, why="chair")


@transaction.atomic
def poll_annul(
    *, actor: User, meeting: Meeting, poll_id: int, reason: str, repeat: bool = False, expected_state: str | None = None
) -> Poll | None:
    """Set a vote aside, with the reason on record; `repeat` prepares the same question again. Returns the repeat.

    `expected_state`: the state the chair saw when deciding. Calling off an open vote is not annulling a
    result: a vote that closed meanwhile (its time ran out) is refused, to be looked at again."""
    meeting = lock_meeting(meeting=meeting)
    poll = poll_locked(meeting=meeting, poll_id=poll_id)
    require_poll_runner(actor=actor, meeting=meeting, poll=poll)
    reason = clean_text(reason)
    if not reason:
        raise ServiceError(_("Give the reason for annulling the vote; it is kept on record."), code="invalid")
    if poll.state not in (Poll.State.OPEN, Poll.State.CLOSED):
        raise WrongState(_("Only a vote that has been opened can be annulled."))
    if expected_state is not None and poll.state != expected_state:
        raise WrongState(_("This vote changed while you were writing (it may have closed). Look at it again before acting."))
    if poll.secret and poll.state == Poll.State.OPEN:
        _shuffle_secret_ballots(poll)  # closing would have; an annulled poll's ballots must not stay in voting order either
    poll.state = Poll.State.ANNULLED
    poll.annulled_at = timezone.now()
    poll.annulled_reason = reason[:2000]
    poll.save(update_fields=["state", "annulled_at", "annulled_reason"])
    audit_record(meeting=meeting, actor=actor, action="poll.annul", poll=poll.pk, reason=poll.annulled_reason)
    poll_emit(meeting=meeting, type="poll.annul", poll=poll)
    if not repeat:
        return None
    again = Poll.objects.get(pk=poll.pk)
    again.pk = None
    again.state = Poll.State.DRAFT
    again.repeat_of = poll
    again.result = None
    again.opened_at = again.closes_at = again.closed_at = again.annulled_at = None
    again.annulled_reason = ""
    again.announced_voted = again.announced_eligible = 0
    again.created_by = actor
    again.created_at = timezone.now()
    again.save()
    PollChoice.objects.bulk_create(
        [PollChoice(poll=again, position=c.position, label=c.label, meaning=c.meaning) for c in poll.choices.all()]
    )
    audit_record(meeting=meeting, actor=actor, action="poll.create", poll=again.pk, repeat_of=poll.pk)
    poll_emit(meeting=meeting, type="poll.update", poll=again)
    return again


def _announce(*, meeting: Meeting, poll: Poll) -> None:
    """Close the poll if it is due or everyone has voted; otherwise announce progress if it changed."""
    now = timezone.now()
    if poll.closes_at and now >= poll.closes_at:
        _close(meeting=meeting, poll=poll, actor=None, why="deadline")
        return
    progress = poll_progress(poll=poll)
    if poll.close_when_all_voted and progress["eligible"] and progress["voted"] >= progress["eligible"]:
        _close(meeting=meeting, poll=poll, actor=None, why="all_voted")
        return
    if (progress["voted"], progress["eligible"]) == (poll.announced_voted, poll.announced_eligible):
        return
    poll.announced_voted, poll.announced_eligible = progress["voted"], progress["eligible"]
    poll.save(update_fields=["announced_voted", "announced_eligible"])
    event_emit(meeting=meeting, type="poll.progress", payload={"progress": progress})


@transaction.atomic
def poll_progress_announce(*, meeting_id: int, poll_id: int) -> None:
    """Called by the hub a moment after ballots arrive, and when a time limit runs out."""
    meeting = lock_meeting(meeting=Meeting(pk=meeting_id))
    poll = Poll.objects.select_for_update().filter(meeting=meeting, pk=poll_id, state=Poll.State.OPEN).first()
    if poll is not None:
        _announce(meeting=meeting, poll=poll)


def polls_after_electorate(*, meeting: Meeting) -> None:
    """Who may vote in the open polls changed: someone arrived or left (votes in the room), or was invited,
    removed, given or refused a vote (written opinions too). Each counts, and closes if everyone has now
    voted, by the new electorate. The caller holds the meeting lock."""
    for poll in Poll.objects.select_for_update().filter(meeting=meeting, state=Poll.State.OPEN):
        _announce(meeting=meeting, poll=poll)


def polls_close_overdue(*, meeting: Meeting) -> None:
    """The meeting's live votes past their time limit close now (their timer may have gone with a
    restarted process). The caller holds the meeting lock."""
    overdue = Poll.objects.select_for_update().filter(
        meeting=meeting, state=Poll.State.OPEN, mode=Poll.Mode.LIVE, closes_at__lte=timezone.now()
    )
    for poll in overdue:
        _close(meeting=meeting, poll=poll, actor=None, why="deadline")


def polls_close_due(*, meeting: Meeting | None = None) -> int:
    """Close every poll (of `meeting`, or of all) whose time limit or deadline has passed.

    Run by `manage.py close_due_polls` and before a meeting page shows its polls.
    """
    closed = 0
    due = Poll.objects.filter(state=Poll.State.OPEN, closes_at__lte=timezone.now())
    if meeting is not None:
        due = due.filter(meeting=meeting)
    for poll_id, meeting_id in due.values_list("pk", "meeting_id"):
        poll_progress_announce(meeting_id=meeting_id, poll_id=poll_id)
        closed += 1
    return closed
