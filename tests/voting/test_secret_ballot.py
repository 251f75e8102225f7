"""Secret ballots: nothing stored joins a ballot to its voter, and closing rewrites the ballots afresh."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import IntegrityError, models

from meetings.models import Meeting, MeetingEvent, Participant, User
from meetings.text import person_sort_key
from tests.voting.helpers import close, set_attendance, vote, votes_of
from voting.models import Ballot, Poll, VoterMark
from voting.selectors import poll_progress
from voting.services.ballots import poll_annul, poll_progress_announce

pytestmark = pytest.mark.django_db


def _concrete(model: type[models.Model]) -> dict[str, models.Field]:
    return {field.name: field for field in model._meta.get_fields() if getattr(field, "concrete", False)}


def _ballots(poll: Poll) -> list[Ballot]:
    return list(Ballot.objects.filter(poll=poll))


@pytest.fixture
def everyone_voted(open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User) -> Callable[..., Poll]:
    """A poll of four options in which each member chose a different one, in a known order."""

    def make(**settings: object) -> Poll:
        poll = open_poll(kind="options", options=["A", "B", "C", "D"], majority=Poll.Majority.CAST, **settings)
        third = User.objects.get(username="daibieu3")
        for user, option in ((chair, "A"), (delegate, "B"), (other_delegate, "C"), (third, "D")):
            vote(poll, user, option)
        return poll

    return make


# --- what a ballot row can hold --------------------------------------------------------------


def test_a_ballot_row_has_no_column_that_could_name_or_time_its_voter() -> None:
    fields = _concrete(Ballot)

    assert set(fields) == {"id", "poll", "choices", "weight", "voter", "cast_by"}
    assert not [f for f in fields.values() if isinstance(f, models.DateField | models.TimeField | models.AutoField)]
    assert isinstance(fields["id"], models.UUIDField)
    assert fields["voter"].null and fields["cast_by"].null


def test_a_voter_mark_has_no_column_for_what_was_chosen() -> None:
    fields = _concrete(VoterMark)

    assert set(fields) == {"id", "poll", "participant", "cast_by", "marked_at"}
    assert not any("choice" in name for name in fields)


def test_the_database_refuses_a_secret_ballot_that_could_be_changed(council: Meeting, secretary: User) -> None:
    with pytest.raises(IntegrityError):
        Poll.objects.create(meeting=council, question="Bầu trưởng ban", secret=True, allow_change=True, created_by=secretary)


# --- a secret poll's rows --------------------------------------------------------------------


def test_a_secret_ballot_is_stored_without_voter_or_caster_and_with_a_random_id(
    everyone_voted: Callable[..., Poll], member: Callable[[str], Participant]
) -> None:
    poll = everyone_voted(secret=True)

    ballots = _ballots(poll)
    assert len(ballots) == 4
    assert {(b.voter_id, b.cast_by_id) for b in ballots} == {(None, None)}
    assert all(isinstance(b.id, uuid.UUID) and b.id.version == 4 for b in ballots)
    assert len({b.id for b in ballots}) == 4
    # Who voted is kept, apart.
    marks = {m.participant_id for m in VoterMark.objects.filter(poll=poll)}
    assert marks == {member(u).pk for u in ("chutoa", "daibieu01", "daibieu02", "daibieu3")}


def test_closing_a_secret_poll_rewrites_every_ballot_with_a_new_id(everyone_voted: Callable[..., Poll], chair: User) -> None:
    poll = everyone_voted(secret=True)
    before = _ballots(poll)

    result = close(poll, chair).result

    after = _ballots(poll)
    assert not {b.id for b in before} & {b.id for b in after}
    assert all(b.id.version == 4 for b in after)
    assert Counter((tuple(b.choices), b.weight) for b in after) == Counter((tuple(b.choices), b.weight) for b in before)
    assert {(b.voter_id, b.cast_by_id) for b in after} == {(None, None)}
    assert votes_of(result, poll) == {"A": 1, "B": 1, "C": 1, "D": 1}
    assert (result["ballots"], result["named"]) == (4, None)
    assert VoterMark.objects.filter(poll=poll).count() == 4


def test_a_secret_poll_that_closes_by_itself_is_rewritten_too(everyone_voted: Callable[..., Poll]) -> None:
    poll = everyone_voted(secret=True, duration_seconds=60)
    before = {b.id for b in _ballots(poll)}

    Poll.objects.filter(pk=poll.pk).update(closes_at=poll.opened_at)
    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)

    assert Poll.objects.get(pk=poll.pk).state == "closed"
    after = {b.id for b in _ballots(poll)}
    assert len(after) == 4
    assert not before & after


def test_a_named_poll_keeps_its_ballots_as_they_were_cast(
    everyone_voted: Callable[..., Poll], chair: User, member: Callable[[str], Participant]
) -> None:
    poll = everyone_voted()
    before = {b.id: (b.voter_id, b.cast_by_id, b.choices) for b in _ballots(poll)}

    result = close(poll, chair).result

    after = {b.id: (b.voter_id, b.cast_by_id, b.choices) for b in _ballots(poll)}
    assert after == before
    assert {voter for voter, _caster, _choices in after.values()} == {
        member(u).pk for u in ("chutoa", "daibieu01", "daibieu02", "daibieu3")
    }
    # Named as Vietnamese lists name people: by given name.
    assert [entry["name"] for entry in result["named"]] == sorted((entry["name"] for entry in result["named"]), key=person_sort_key)


def test_progress_of_a_secret_poll_does_not_list_who_has_voted(
    everyone_voted: Callable[..., Poll], in_session: Meeting, member: Callable[[str], Participant]
) -> None:
    poll = everyone_voted(secret=True)
    set_attendance(in_session, member("daibieu3"), Participant.Attendance.ABSENT)  # triggers an announcement

    assert poll_progress(poll=poll) == {"poll_id": poll.pk, "voted": 4, "eligible": 4}
    announced = MeetingEvent.objects.filter(meeting=in_session, type__in=["poll.progress", "poll.open"]).order_by("seq")
    for event in announced:
        progress = event.payload.get("progress") or event.payload["poll"]["progress"]
        assert "voters" not in progress, event.payload


def test_progress_of_a_named_poll_lists_who_has_voted(
    open_poll: Callable[..., Poll], delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")

    assert poll_progress(poll=poll)["voters"] == [member("daibieu01").pk]


def test_annulling_an_open_secret_poll_also_unlinks_its_ballots(everyone_voted: Callable[..., Poll], chair: User) -> None:
    poll = everyone_voted(secret=True)
    before = {b.id for b in _ballots(poll)}

    poll_annul(actor=chair, meeting=poll.meeting, poll_id=poll.pk, reason="Sự cố kỹ thuật")

    assert not before & {b.id for b in _ballots(poll)}
