"""Casting a ballot: who may, what they may choose, once only, and what the audit log keeps of it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from meetings.models import AuditEvent, Meeting, Participant, User
from meetings.services.live import attendance_check_in
from tests.voting.helpers import audit, choice_id, close, refused, set_attendance, vote
from voting.models import Ballot, Poll, VoterMark
from voting.selectors import poll_progress
from voting.services.ballots import ballot_cast, poll_annul, poll_progress_announce
from voting.services.polls import poll_create

pytestmark = pytest.mark.django_db


def _cast_ids(poll: Poll, user: User, choices: list[int]) -> None:
    ballot_cast(actor=user, meeting=poll.meeting, poll_id=poll.pk, choices=choices)


def _nothing_stored(poll: Poll) -> None:
    assert not Ballot.objects.filter(poll=poll).exists()
    assert not VoterMark.objects.filter(poll=poll).exists()


# --- who may vote ----------------------------------------------------------------------------


def test_a_member_present_casts_one_ballot(open_poll: Callable[..., Poll], delegate: User, member: Callable[[str], Participant]) -> None:
    poll = open_poll()

    vote(poll, delegate, "yes")

    [ballot] = Ballot.objects.filter(poll=poll)
    voter = member("daibieu01")
    assert (ballot.choices, ballot.weight, ballot.voter, ballot.cast_by) == ([choice_id(poll, "yes")], 1, voter, voter)
    [mark] = VoterMark.objects.filter(poll=poll)
    assert (mark.participant, mark.cast_by) == (voter, voter)
    assert mark.marked_at is not None


def test_a_member_who_is_not_present_cannot_vote(
    open_poll: Callable[..., Poll], in_session: Meeting, delegate: User, member: Callable[[str], Participant]
) -> None:
    set_attendance(in_session, member("daibieu01"), Participant.Attendance.ABSENT_EXCUSED)
    poll = open_poll()

    refused("not_eligible", vote, poll, delegate, "yes")

    _nothing_stored(poll)


def test_a_member_who_checks_in_late_can_vote(council: Meeting, chair: User, delegate: User, member: Callable[[str], Participant]) -> None:
    from meetings.services.live import meeting_start
    from voting.services.ballots import poll_open

    meeting = meeting_start(actor=chair, meeting=council)
    for username in ("chutoa", "daibieu02", "daibieu3"):
        set_attendance(meeting, member(username), Participant.Attendance.PRESENT)
    poll = poll_open(actor=chair, meeting=meeting, poll_id=poll_create(actor=chair, meeting=meeting, question="Thông qua?").pk)
    refused("not_eligible", vote, poll, delegate, "yes")
    # They arrive well after the opening.
    Meeting.objects.filter(pk=meeting.pk).update(started_at=meeting.started_at - datetime.timedelta(minutes=30))

    attendance_check_in(actor=delegate, meeting=meeting)
    vote(poll, delegate, "yes")

    assert member("daibieu01").attendance == Participant.Attendance.LATE
    assert Ballot.objects.filter(poll=poll).count() == 1


@pytest.mark.parametrize("who", ["guest", "secretary"])
def test_participants_without_a_vote_cannot_vote_even_when_present(
    open_poll: Callable[..., Poll], in_session: Meeting, member: Callable[[str], Participant], who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    set_attendance(in_session, member(user.username), Participant.Attendance.PRESENT)
    poll = open_poll()

    refused("not_eligible", vote, poll, user, "yes")

    _nothing_stored(poll)


def test_someone_who_is_not_a_participant_cannot_vote(open_poll: Callable[..., Poll], outsider: User) -> None:
    poll = open_poll()

    refused("not_eligible", vote, poll, outsider, "yes")

    _nothing_stored(poll)


def test_a_ballot_for_another_member_needs_their_proxy(
    open_poll: Callable[..., Poll], delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll()

    refused("not_eligible", vote, poll, delegate, "yes", for_participant=member("daibieu02"))

    _nothing_stored(poll)


def test_a_poll_of_another_meeting_is_not_found(
    open_poll: Callable[..., Poll], delegate: User, secretary: User, make_meeting: Callable[..., Meeting]
) -> None:
    poll = open_poll()
    elsewhere = poll_create(actor=secretary, meeting=make_meeting(title="Họp giao ban"), question="Câu hỏi khác")

    refused("not_found", ballot_cast, actor=delegate, meeting=poll.meeting, poll_id=elsewhere.pk, choices=[choice_id(elsewhere, "yes")])


# --- what may be chosen ----------------------------------------------------------------------


def test_a_choice_of_another_poll_is_refused(open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User) -> None:
    poll = open_poll()
    other = poll_create(actor=chair, meeting=in_session, question="Câu hỏi khác")

    refused("invalid_choice", _cast_ids, poll, delegate, [choice_id(other, "yes")])
    refused("invalid_choice", _cast_ids, poll, delegate, [choice_id(poll, "yes"), choice_id(other, "no")])

    _nothing_stored(poll)


@pytest.mark.parametrize(
    ("kind", "picks"),
    [
        pytest.param("yes_no", ["yes", "no"], id="yes-and-no"),
        pytest.param("options-1", ["A", "B"], id="two-of-one"),
        pytest.param("options-2", ["A", "B", "C"], id="three-of-two"),
    ],
)
def test_choosing_more_than_allowed_is_refused(open_poll: Callable[..., Poll], delegate: User, kind: str, picks: list[str]) -> None:
    poll = open_poll() if kind == "yes_no" else open_poll(kind="options", options=["A", "B", "C"], max_choices=int(kind[-1]))

    refused("invalid_choice", vote, poll, delegate, *picks)

    _nothing_stored(poll)


def test_up_to_the_allowed_number_of_options_may_be_chosen(open_poll: Callable[..., Poll], delegate: User) -> None:
    poll = open_poll(kind="options", options=["A", "B", "C"], max_choices=2)

    vote(poll, delegate, "C", "A")

    assert Ballot.objects.get(poll=poll).choices == sorted([choice_id(poll, "A"), choice_id(poll, "C")])


@pytest.mark.parametrize("choices", [[], "repeat", [0], [-1]], ids=["none", "same-twice", "zero", "negative"])
def test_an_empty_or_repeated_choice_is_refused(open_poll: Callable[..., Poll], delegate: User, choices: list[int] | str) -> None:
    poll = open_poll(kind="options", options=["A", "B", "C"], max_choices=3)
    if choices == "repeat":
        choices = [choice_id(poll, "A"), choice_id(poll, "A")]

    refused("invalid_choice", _cast_ids, poll, delegate, choices)

    _nothing_stored(poll)


# --- when ------------------------------------------------------------------------------------


def test_no_ballot_before_the_vote_opens(in_session: Meeting, chair: User, delegate: User) -> None:
    poll = poll_create(actor=chair, meeting=in_session, question="Thông qua?")

    refused("poll_not_open", vote, poll, delegate, "yes")

    _nothing_stored(poll)


def test_no_ballot_after_the_vote_closes(open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")
    close(poll, chair)

    refused("poll_closed", vote, poll, other_delegate, "no")
    refused("poll_closed", vote, poll, delegate, "no")

    assert Ballot.objects.filter(poll=poll).count() == 1


def test_no_ballot_after_the_vote_is_annulled(open_poll: Callable[..., Poll], chair: User, delegate: User) -> None:
    poll = open_poll()
    poll_annul(actor=chair, meeting=poll.meeting, poll_id=poll.pk, reason="Sự cố kỹ thuật")

    refused("poll_closed", vote, poll, delegate, "yes")


# --- once ------------------------------------------------------------------------------------


def test_a_second_ballot_is_refused(open_poll: Callable[..., Poll], delegate: User) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")

    refused("already_voted", vote, poll, delegate, "no")
    refused("already_voted", vote, poll, delegate, "yes")

    [ballot] = Ballot.objects.filter(poll=poll)
    assert ballot.choices == [choice_id(poll, "yes")]
    assert VoterMark.objects.filter(poll=poll).count() == 1
    assert len(audit(poll.meeting, "ballot.cast")) == 1


def test_a_vote_that_may_be_changed_replaces_the_ballot(
    open_poll: Callable[..., Poll], chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll(allow_change=True, majority=Poll.Majority.CAST)
    vote(poll, delegate, "yes")

    vote(poll, delegate, "no")
    vote(poll, delegate, "abstain")

    [ballot] = Ballot.objects.filter(poll=poll)
    assert (ballot.choices, ballot.voter) == ([choice_id(poll, "abstain")], member("daibieu01"))
    assert VoterMark.objects.filter(poll=poll).count() == 1
    assert [entry["choices"] for entry in audit(poll.meeting, "ballot.change")] == [[choice_id(poll, "no")], [choice_id(poll, "abstain")]]
    result = close(poll, chair).result
    assert [r["votes"] for r in result["choices"]] == [0, 0, 1]


def test_a_changed_vote_still_cannot_be_changed_after_closing(open_poll: Callable[..., Poll], chair: User, delegate: User) -> None:
    poll = open_poll(allow_change=True)
    vote(poll, delegate, "yes")
    close(poll, chair)

    refused("poll_closed", vote, poll, delegate, "no")

    assert Ballot.objects.get(poll=poll).choices == [choice_id(poll, "yes")]


# --- leaving during the vote -----------------------------------------------------------------


def test_someone_who_leaves_during_the_vote_keeps_their_ballot_but_cannot_vote_again(
    open_poll: Callable[..., Poll],
    in_session: Meeting,
    chair: User,
    delegate: User,
    other_delegate: User,
    member: Callable[[str], Participant],
) -> None:
    poll = open_poll(majority=Poll.Majority.CAST, allow_change=True)
    vote(poll, delegate, "yes")
    assert {k: poll_progress(poll=poll)[k] for k in ("voted", "eligible")} == {"voted": 1, "eligible": 4}

    set_attendance(in_session, member("daibieu01"), Participant.Attendance.ABSENT)  # voted, then left
    set_attendance(in_session, member("daibieu02"), Participant.Attendance.ABSENT)  # left without voting

    progress = poll_progress(poll=poll)
    assert (progress["voted"], progress["eligible"], progress["voters"]) == (1, 3, [member("daibieu01").pk])
    refused("not_eligible", vote, poll, other_delegate, "no")
    refused("not_eligible", vote, poll, delegate, "no")  # not even to change it
    vote(poll, chair, "no")
    result = close(poll, chair).result
    assert (result["ballots"], [r["votes"] for r in result["choices"]]) == (2, [1, 1, 0])


def test_the_room_hears_that_fewer_can_vote_when_someone_leaves(
    open_poll: Callable[..., Poll], in_session: Meeting, member: Callable[[str], Participant]
) -> None:
    from meetings.models import MeetingEvent

    poll = open_poll()

    set_attendance(in_session, member("daibieu3"), Participant.Attendance.ABSENT)

    last = MeetingEvent.objects.filter(meeting=in_session).order_by("seq").last()
    assert last.type == "poll.progress"
    assert (last.payload["progress"]["voted"], last.payload["progress"]["eligible"]) == (0, 3)
    assert Poll.objects.get(pk=poll.pk).announced_eligible == 3


def test_the_last_ballot_of_those_still_present_closes_a_vote_that_closes_when_all_have_voted(
    open_poll: Callable[..., Poll],
    in_session: Meeting,
    chair: User,
    delegate: User,
    other_delegate: User,
    member: Callable[[str], Participant],
) -> None:
    poll = open_poll(close_when_all_voted=True)
    for user in (chair, delegate, other_delegate):
        vote(poll, user, "yes")
    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)
    assert Poll.objects.get(pk=poll.pk).state == "open"

    # The one who had not voted leaves: everyone who can vote now has.
    set_attendance(in_session, member("daibieu3"), Participant.Attendance.ABSENT)

    assert Poll.objects.get(pk=poll.pk).state == "closed"


# --- the audit log ---------------------------------------------------------------------------


def test_the_audit_log_records_an_open_vote_with_each_choice(
    open_poll: Callable[..., Poll], chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll()
    vote(poll, delegate, "no")
    closed = close(poll, chair)
    poll_annul(actor=chair, meeting=poll.meeting, poll_id=poll.pk, reason="Biểu quyết lại theo đề nghị của đại biểu")

    actions = list(AuditEvent.objects.filter(meeting=poll.meeting, action__startswith="poll.").values_list("action", "actor_id"))
    assert actions[-4:] == [("poll.create", chair.pk), ("poll.open", chair.pk), ("poll.close", chair.pk), ("poll.annul", chair.pk)]
    assert audit(poll.meeting, "poll.open") == [{"poll": poll.pk, "question": poll.question, "secret": False}]
    assert audit(poll.meeting, "poll.close") == [{"poll": poll.pk, "why": "chair", "result": closed.result}]
    assert audit(poll.meeting, "poll.annul") == [{"poll": poll.pk, "reason": "Biểu quyết lại theo đề nghị của đại biểu"}]
    cast = AuditEvent.objects.get(meeting=poll.meeting, action="ballot.cast")
    assert cast.actor == delegate
    assert cast.data == {"poll": poll.pk, "voter": member("daibieu01").pk, "choices": [choice_id(poll, "no")]}


def test_the_audit_log_records_who_voted_in_a_secret_vote_but_never_what(
    open_poll: Callable[..., Poll], chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll(secret=True)
    vote(poll, delegate, "no")
    close(poll, chair)

    assert audit(poll.meeting, "poll.open") == [{"poll": poll.pk, "question": poll.question, "secret": True}]
    [cast] = audit(poll.meeting, "ballot.cast")
    assert cast == {"poll": poll.pk, "voter": member("daibieu01").pk, "secret": True}
    assert "choices" not in cast
    # Nor anywhere else in the log: the closing record has the totals only.
    [closing] = audit(poll.meeting, "poll.close")
    assert closing["result"]["named"] is None
