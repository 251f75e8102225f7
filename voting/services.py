"""Every write to polls, ballots and proxies. Each emits the live event that carries what changed.

Lock order, to stay free of deadlocks: the meeting row, then the poll row. Casting a ballot
locks only the poll row (ballots of a poll queue behind each other, and behind its closing,
but not behind page turns); the progress it causes is announced in bursts by
`poll_progress_announce`, which the hub calls shortly after.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import AgendaItem, Meeting, Participant, User
from meetings.permissions import participation_of, user_can_manage_meeting
from meetings.selectors.live import quorum_state
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import lock_meeting
from voting.models import Ballot, Poll, PollChoice, Proxy, VoterMark
from voting.selectors import electorate_of, poll_progress, poll_state, proxies_state, voter_for
from voting.tally import poll_tally

# Stored in the language the poll was made in: they are printed in the minutes as they were shown.
YES_NO_CHOICES = (
    (PollChoice.Meaning.YES, _("Agree")),
    (PollChoice.Meaning.NO, _("Disagree")),
    (PollChoice.Meaning.ABSTAIN, _("No opinion")),
)
MAX_OPTIONS = 50
MAX_DURATION_SECONDS = 24 * 3600


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def _require_poll_manager(*, actor: User, meeting: Meeting) -> None:
    if not (actor.pk == meeting.chair_id or user_can_manage_meeting(user=actor, meeting=meeting)):
        raise NotAllowed(_("Only the chair or the secretary can prepare polls."))


def _require_runner(*, actor: User | None, meeting: Meeting, poll: Poll) -> None:
    """Live polls are opened and closed by the chair; written opinions by the chair or the secretary."""
    if actor is None:
        return
    if poll.mode == Poll.Mode.LIVE and actor.pk != meeting.chair_id:
        raise NotAllowed(_("Only the chair can open, close or annul a vote in the meeting."))
    if poll.mode == Poll.Mode.WRITTEN:
        _require_poll_manager(actor=actor, meeting=meeting)


def _poll_of(*, meeting: Meeting, poll_id: int) -> Poll:
    poll = Poll.objects.select_for_update().filter(meeting=meeting, pk=poll_id).first()
    if poll is None:
        raise ServiceError(_("That poll does not belong to this meeting."), code="not_found")
    return poll


def _emit_poll(meeting: Meeting, type: str, poll: Poll) -> None:
    if meeting.state != Meeting.State.DRAFT:
        event_emit(meeting=meeting, type=type, payload={"poll": poll_state(poll=poll)})


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
        raise ServiceError(_("Write the question to vote on."), code="invalid")
    if len(question) > 500:
        raise ServiceError(_("The question can be at most 500 characters."), code="invalid")
    if duration_seconds is not None and not 10 <= duration_seconds <= MAX_DURATION_SECONDS:
        raise ServiceError(_("A time limit must be between 10 seconds and 24 hours."), code="invalid")
    if kind not in Poll.Kind.values or majority not in Poll.Majority.values or mode not in Poll.Mode.values:
        raise ServiceError(_("The poll's settings are not valid."), code="invalid")
    if secret and allow_change:
        raise ServiceError(_("A secret ballot cannot be changed once cast: nobody may know whose ballot it is."), code="invalid")
    if kind == Poll.Kind.YES_NO:
        return []
    labels = [_clean(option) for option in options if _clean(option)]
    if len(labels) < 2:
        raise ServiceError(_("Give at least two options to choose from."), code="invalid")
    if len(labels) > MAX_OPTIONS or any(len(label) > 200 for label in labels):
        raise ServiceError(_("At most %(count)s options of 200 characters each.") % {"count": MAX_OPTIONS}, code="invalid")
    if len(set(labels)) != len(labels):
        raise ServiceError(_("Two options have the same name."), code="invalid")
    if not 1 <= max_choices <= len(labels):
        raise ServiceError(_("How many may be chosen must be between 1 and the number of options."), code="invalid")
    return labels


def _set_choices(poll: Poll, labels: list[str]) -> None:
    poll.choices.all().delete()
    if poll.kind == Poll.Kind.YES_NO:
        rows = [PollChoice(poll=poll, position=i, label=str(label), meaning=meaning) for i, (meaning, label) in enumerate(YES_NO_CHOICES)]
    else:
        rows = [PollChoice(poll=poll, position=i, label=label, meaning=PollChoice.Meaning.OPTION) for i, label in enumerate(labels)]
    PollChoice.objects.bulk_create(rows)


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
    _require_poll_manager(actor=actor, meeting=meeting)
    if meeting.state == Meeting.State.MINUTES_APPROVED:
        raise WrongState(_("The minutes of this meeting are approved; no more polls can be added."))
    question = _clean(question)
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
            raise ServiceError(_("That agenda item is not on this meeting's agenda."), code="not_found")
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
    _emit_poll(meeting, "poll.update", poll)
    return poll


@transaction.atomic
def poll_update(*, actor: User, meeting: Meeting, poll_id: int, **fields: Any) -> Poll:
    """Change a poll that has not been opened yet."""
    meeting = lock_meeting(meeting=meeting)
    _require_poll_manager(actor=actor, meeting=meeting)
    poll = _poll_of(meeting=meeting, poll_id=poll_id)
    if poll.state != Poll.State.DRAFT:
        raise WrongState(_("This poll has already been opened; it can no longer be changed."))
    options = fields.pop("options", None)
    agenda_item_id = fields.pop("agenda_item_id", poll.agenda_item_id)
    for name, value in fields.items():
        setattr(poll, name, value)
    poll.question = _clean(poll.question)
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
    _emit_poll(meeting, "poll.update", poll)
    return poll


@transaction.atomic
def poll_delete(*, actor: User, meeting: Meeting, poll_id: int) -> None:
    meeting = lock_meeting(meeting=meeting)
    _require_poll_manager(actor=actor, meeting=meeting)
    poll = _poll_of(meeting=meeting, poll_id=poll_id)
    if poll.state != Poll.State.DRAFT:
        raise WrongState(_("A poll that has been opened stays on record; annul it instead."))
    audit_record(meeting=meeting, actor=actor, action="poll.delete", poll=poll.pk, question=poll.question)
    poll.delete()
    if meeting.state != Meeting.State.DRAFT:
        event_emit(meeting=meeting, type="poll.delete", payload={"poll_id": poll_id})


@transaction.atomic
def poll_open(*, actor: User, meeting: Meeting, poll_id: int, deadline: datetime.datetime | None = None) -> Poll:
    meeting = lock_meeting(meeting=meeting)
    poll = _poll_of(meeting=meeting, poll_id=poll_id)
    _require_runner(actor=actor, meeting=meeting, poll=poll)
    if poll.state != Poll.State.DRAFT:
        raise WrongState(_("This poll has already been opened."))
    now = timezone.now()
    if poll.mode == Poll.Mode.LIVE:
        if meeting.state != Meeting.State.IN_PROGRESS:
            raise WrongState(_("A vote in the meeting can be opened only while the meeting is in progress."))
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
        if deadline is None or deadline <= now:
            raise ServiceError(_("Written opinions need a deadline in the future."), code="invalid")
        poll.closes_at = deadline
    poll.state = Poll.State.OPEN
    poll.opened_at = now
    poll.announced_voted = 0
    poll.save()
    audit_record(meeting=meeting, actor=actor, action="poll.open", poll=poll.pk, question=poll.question, secret=poll.secret)
    _emit_poll(meeting, "poll.open", poll)
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


def _close(*, meeting: Meeting, poll: Poll, actor: User | None, why: str) -> Poll:
    electorate = electorate_of(poll=poll)
    voted = set(VoterMark.objects.filter(poll=poll).values_list("participant_id", flat=True))
    if poll.secret:
        _shuffle_secret_ballots(poll)
    quorum = quorum_state(meeting=meeting)
    poll.result = poll_tally(
        poll=poll,
        members_weight=electorate.members_weight,
        present_weight=electorate.weight_of(voted | set(electorate.cast_by)),
        quorum_met=quorum["met"] if poll.mode == Poll.Mode.LIVE else True,
    )
    poll.state = Poll.State.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["result", "state", "closed_at"])
    audit_record(meeting=meeting, actor=actor, action="poll.close", poll=poll.pk, why=why, result=poll.result)
    _emit_poll(meeting, "poll.close", poll)
    return poll


@transaction.atomic
def poll_close(*, actor: User, meeting: Meeting, poll_id: int) -> Poll:
    meeting = lock_meeting(meeting=meeting)
    poll = _poll_of(meeting=meeting, poll_id=poll_id)
    _require_runner(actor=actor, meeting=meeting, poll=poll)
    if poll.state != Poll.State.OPEN:
        raise WrongState(_("This vote is not open."), code="poll_not_open")
    return _close(meeting=meeting, poll=poll, actor=actor, why="chair")


@transaction.atomic
def poll_annul(*, actor: User, meeting: Meeting, poll_id: int, reason: str, repeat: bool = False) -> Poll | None:
    """Set a vote aside, with the reason on record; `repeat` prepares the same question again. Returns the repeat."""
    meeting = lock_meeting(meeting=meeting)
    poll = _poll_of(meeting=meeting, poll_id=poll_id)
    _require_runner(actor=actor, meeting=meeting, poll=poll)
    reason = _clean(reason)
    if not reason:
        raise ServiceError(_("Give the reason for annulling the vote; it is kept on record."), code="invalid")
    if poll.state not in (Poll.State.OPEN, Poll.State.CLOSED):
        raise WrongState(_("Only a vote that has been opened can be annulled."))
    if poll.secret and poll.state == Poll.State.OPEN:
        _shuffle_secret_ballots(poll)  # closing would have; an annulled poll's ballots must not stay in voting order either
    poll.state = Poll.State.ANNULLED
    poll.annulled_at = timezone.now()
    poll.annulled_reason = reason[:2000]
    poll.save(update_fields=["state", "annulled_at", "annulled_reason"])
    audit_record(meeting=meeting, actor=actor, action="poll.annul", poll=poll.pk, reason=poll.annulled_reason)
    _emit_poll(meeting, "poll.annul", poll)
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
    _emit_poll(meeting, "poll.update", again)
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


def polls_after_attendance(*, meeting: Meeting) -> None:
    """Someone arrived or left: who may vote in the open polls changed. The caller holds the meeting lock."""
    for poll in Poll.objects.select_for_update().filter(meeting=meeting, state=Poll.State.OPEN, mode=Poll.Mode.LIVE):
        _announce(meeting=meeting, poll=poll)


def polls_close_at_end(*, meeting: Meeting) -> None:
    """The meeting ends: its open votes close with what was cast. The caller holds the meeting lock."""
    for poll in Poll.objects.select_for_update().filter(meeting=meeting, state=Poll.State.OPEN, mode=Poll.Mode.LIVE):
        _close(meeting=meeting, poll=poll, actor=None, why="meeting_end")


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


def _emit_proxies(meeting: Meeting) -> None:
    event_emit(meeting=meeting, type="proxy.update", payload={"proxies": proxies_state(meeting=meeting)})


def _require_no_open_vote(meeting: Meeting) -> None:
    if Poll.objects.filter(meeting=meeting, mode=Poll.Mode.LIVE, state=Poll.State.OPEN).exists():
        raise WrongState(_("A vote is open. Proxies can be given or revoked only between votes."), code="poll_open")


@transaction.atomic
def proxy_give(*, actor: User, meeting: Meeting, holder_id: int, giver_id: int | None = None) -> Proxy:
    """A delegate who cannot attend lets another delegate vote for them; the secretary may record it for them."""
    meeting = lock_meeting(meeting=meeting)
    if meeting.state not in (Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS):
        raise WrongState(_("Proxies can be given only before or during the meeting."))
    actor_participant = participation_of(user=actor, meeting=meeting)
    if giver_id is None or (actor_participant is not None and giver_id == actor_participant.pk):
        giver = actor_participant
    elif user_can_manage_meeting(user=actor, meeting=meeting):
        giver = meeting.participants.filter(pk=giver_id).first()
    else:
        raise NotAllowed(_("Only the secretary can record a proxy on someone else's behalf."))
    holder = meeting.participants.filter(pk=holder_id).first()
    if giver is None or holder is None:
        raise ServiceError(_("That person is not a participant of this meeting."), code="not_found")
    if not giver.can_vote:
        raise NotAllowed(_("Only a member with a vote can give a proxy."), code="not_eligible")
    if not holder.can_vote or holder.pk == giver.pk:
        raise ServiceError(_("A proxy can be given only to another member with a vote."), code="invalid")
    _require_no_open_vote(meeting)
    if Proxy.objects.filter(meeting=meeting, giver=giver, revoked_at=None).exists():
        raise ServiceError(_("A proxy has already been given. Revoke it first to give it to someone else."), code="duplicate")
    if Proxy.objects.filter(meeting=meeting, holder=holder, revoked_at=None).exists():
        raise ServiceError(
            _("%(name)s already holds a proxy; one member may hold only one.") % {"name": holder.user.display_name}, code="duplicate"
        )
    if Proxy.objects.filter(meeting=meeting, holder=giver, revoked_at=None).exists():
        raise ServiceError(_("You hold a proxy yourself, so you cannot hand your own vote on."), code="invalid")
    proxy = Proxy.objects.create(meeting=meeting, giver=giver, holder=holder)
    audit_record(meeting=meeting, actor=actor, action="proxy.give", giver=giver.pk, holder=holder.pk)
    _emit_proxies(meeting)
    return proxy


@transaction.atomic
def proxy_revoke(*, actor: User, meeting: Meeting, proxy_id: int) -> None:
    meeting = lock_meeting(meeting=meeting)
    proxy = Proxy.objects.filter(meeting=meeting, pk=proxy_id, revoked_at=None).select_related("giver").first()
    if proxy is None:
        raise ServiceError(_("That proxy is not in force."), code="not_found")
    if actor.pk != proxy.giver.user_id and not user_can_manage_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only whoever gave the proxy, or the secretary, can revoke it."))
    _require_no_open_vote(meeting)
    proxy.revoked_at = timezone.now()
    proxy.save(update_fields=["revoked_at"])
    audit_record(meeting=meeting, actor=actor, action="proxy.revoke", giver=proxy.giver_id, holder=proxy.holder_id)
    _emit_proxies(meeting)
