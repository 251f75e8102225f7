"""Counting: the majority rules at their boundaries, percentages, weights, quorum, and the frozen result."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from meetings.models import Meeting, Participant, User
from tests.voting.helpers import close, refused, row, set_attendance, vote, votes_of
from voting.models import Poll
from voting.services.ballots import poll_close
from voting.tally import majority_reached, percent, poll_tally_again, result_chosen, votes_needed

pytestmark = pytest.mark.django_db

CAST, PRESENT, MEMBERS = Poll.Majority.CAST, Poll.Majority.PRESENT, Poll.Majority.MEMBERS
TWO_THIRDS, THREE_QUARTERS = Poll.Majority.TWO_THIRDS, Poll.Majority.THREE_QUARTERS
HALF_RULES = [CAST, PRESENT, MEMBERS]


# --- majority_reached: pure arithmetic -------------------------------------------------------


@pytest.mark.parametrize("majority", HALF_RULES)
@pytest.mark.parametrize(
    ("votes", "base", "reached"),
    [
        (2, 4, False),  # exactly half is not a majority
        (3, 4, True),  # one more than half
        (5, 10, False),
        (6, 10, True),
        (2, 5, False),  # odd base: the largest minority
        (3, 5, True),
        (0, 1, False),
        (1, 1, True),
        (0, 0, False),  # nobody: nothing passes
        (1, 0, False),
        (50, 100, False),
        (51, 100, True),
    ],
)
def test_it_wants_strictly_more_than_half(majority: str, votes: int, base: int, reached: bool) -> None:
    assert majority_reached(votes=votes, base=base, majority=majority) is reached


@pytest.mark.parametrize(
    ("votes", "base", "reached"),
    [
        (2, 3, True),  # exactly two thirds passes
        (1, 3, False),
        (4, 6, True),
        (3, 6, False),
        (6, 9, True),
        (5, 9, False),
        (20, 30, True),
        (19, 30, False),
        (14, 20, True),  # 14/20 = 70 %
        (13, 20, False),  # 65 % is below two thirds
        (0, 0, False),
    ],
)
def test_two_thirds_is_reached_at_exactly_two_thirds_and_not_one_below(votes: int, base: int, reached: bool) -> None:
    assert majority_reached(votes=votes, base=base, majority=TWO_THIRDS) is reached


@pytest.mark.parametrize(
    ("votes", "base", "reached"),
    [
        (3, 4, True),  # exactly three quarters passes
        (2, 4, False),
        (6, 8, True),
        (5, 8, False),
        (9, 12, True),
        (8, 12, False),
        (15, 20, True),
        (14, 20, False),
        (0, 0, False),
    ],
)
def test_three_quarters_is_reached_at_exactly_three_quarters_and_not_one_below(votes: int, base: int, reached: bool) -> None:
    assert majority_reached(votes=votes, base=base, majority=THREE_QUARTERS) is reached


@pytest.mark.parametrize("majority", [CAST, PRESENT, MEMBERS, TWO_THIRDS, THREE_QUARTERS])
def test_the_votes_needed_are_the_fewest_that_reach_the_majority(majority: str) -> None:
    assert votes_needed(base=0, majority=majority) == 0
    for base in range(1, 61):
        needed = votes_needed(base=base, majority=majority)
        assert majority_reached(votes=needed, base=base, majority=majority), (base, needed)
        assert not majority_reached(votes=needed - 1, base=base, majority=majority), (base, needed)


# --- percent ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "base", "shown"),
    [
        (2, 3, "66.67"),
        (1, 3, "33.33"),
        (1, 6, "16.67"),
        (5, 6, "83.33"),
        (1, 2, "50.00"),
        (3, 3, "100.00"),
        (0, 5, "0.00"),
        (1, 8, "12.50"),
        (1, 800, "0.13"),  # 0.125 rounds half up, not to the even 0.12
        (3, 800, "0.38"),  # 0.375
        (0, 0, "0.00"),  # nobody to count against
        (4, 0, "0.00"),
    ],
)
def test_it_writes_percentages_with_two_decimals_rounded_half_up(votes: int, base: int, shown: str) -> None:
    assert percent(votes, base) == shown


# --- poll_tally through the services ---------------------------------------------------------


def _weigh(participant: Participant, weight: int) -> None:
    Participant.objects.filter(pk=participant.pk).update(vote_weight=weight)


def test_exactly_half_of_the_members_weight_does_not_pass(
    open_poll: Callable[..., Poll],
    member: Callable[[str], Participant],
    chair: User,
    delegate: User,
    other_delegate: User,
) -> None:
    _weigh(member("daibieu3"), 3)  # members: 1 + 1 + 1 + 3 = 6
    weighty = member("daibieu3").user
    poll = open_poll(majority=MEMBERS)
    vote(poll, weighty, "yes")
    vote(poll, delegate, "no")
    vote(poll, other_delegate, "abstain")

    result = close(poll, chair).result

    assert (result["ballots"], result["cast_weight"], result["members_weight"], result["base"]) == (3, 5, 6, 6)
    assert votes_of(result, poll) == {"yes": 3, "no": 1, "abstain": 1}
    assert row(result, poll, "yes")["percent"] == "50.00"
    assert row(result, poll, "yes")["reached"] is False
    assert result["passed"] is False


def test_a_weighted_member_carries_their_weight_over_more_than_half(
    open_poll: Callable[..., Poll], member: Callable[[str], Participant], chair: User, delegate: User
) -> None:
    _weigh(member("daibieu3"), 3)
    poll = open_poll(majority=MEMBERS)
    vote(poll, member("daibieu3").user, "yes")
    vote(poll, delegate, "yes")

    result = close(poll, chair).result

    assert row(result, poll, "yes")["votes"] == 4
    assert row(result, poll, "yes")["percent"] == "66.67"
    assert result["passed"] is True
    named = {entry["participant_id"]: entry["weight"] for entry in result["named"]}
    assert named == {member("daibieu3").pk: 3, member("daibieu01").pk: 1}


def test_abstentions_count_in_the_base_of_votes_cast(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll(majority=CAST)
    vote(poll, chair, "yes")
    vote(poll, delegate, "yes")
    vote(poll, other_delegate, "no")
    vote(poll, member("daibieu3").user, "abstain")

    result = close(poll, chair).result

    # 2 of 4 cast is exactly half: without the abstention it would have been 2 of 3.
    assert result["base"] == result["cast_weight"] == 4
    assert row(result, poll, "yes")["percent"] == "50.00"
    assert row(result, poll, "abstain")["percent"] == "25.00"
    assert result["passed"] is False


def test_more_than_half_of_the_votes_cast_passes_though_few_voted(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User
) -> None:
    poll = open_poll(majority=CAST)
    vote(poll, chair, "yes")
    vote(poll, delegate, "yes")
    vote(poll, other_delegate, "no")

    result = close(poll, chair).result

    assert (result["base"], row(result, poll, "yes")["percent"], result["passed"]) == (3, "66.67", True)


def test_a_tie_passes_nothing(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll(majority=CAST)
    vote(poll, chair, "yes")
    vote(poll, delegate, "yes")
    vote(poll, other_delegate, "no")
    vote(poll, member("daibieu3").user, "no")

    result = close(poll, chair).result

    assert votes_of(result, poll) == {"yes": 2, "no": 2, "abstain": 0}
    assert [r["reached"] for r in result["choices"]] == [False, False, False]
    assert result["passed"] is False


def test_a_poll_nobody_voted_in_passes_nothing(open_poll: Callable[..., Poll], chair: User) -> None:
    poll = open_poll(majority=CAST)

    result = close(poll, chair).result

    assert (result["ballots"], result["cast_weight"], result["base"]) == (0, 0, 0)
    assert [r["percent"] for r in result["choices"]] == ["0.00", "0.00", "0.00"]
    assert result["passed"] is False


def test_a_no_majority_never_counts_as_reached(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll(majority=MEMBERS)
    for user in (chair, delegate, other_delegate, member("daibieu3").user):
        vote(poll, user, "no")

    result = close(poll, chair).result

    assert row(result, poll, "no")["votes"] == 4
    assert row(result, poll, "no")["reached"] is False
    assert result["passed"] is False


def test_those_present_are_the_base_for_a_majority_of_those_present(
    in_session: Meeting, chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    from voting.services.ballots import poll_open
    from voting.services.polls import poll_create

    set_attendance(in_session, member("daibieu3"), Participant.Attendance.ABSENT)  # 3 of 4 present: still a quorum
    results = {}
    for majority in (PRESENT, MEMBERS):
        poll = poll_create(actor=chair, meeting=in_session, question=f"Biểu quyết theo {majority}", majority=majority)
        poll = poll_open(actor=chair, meeting=in_session, poll_id=poll.pk)
        vote(poll, chair, "yes")
        vote(poll, delegate, "yes")
        results[majority] = close(poll, chair).result

    present, members = results[PRESENT], results[MEMBERS]
    assert (present["present_weight"], present["members_weight"], present["base"]) == (3, 4, 3)
    assert present["passed"] is True  # 2 of 3 present
    assert members["base"] == 4
    assert members["passed"] is False  # 2 of 4 members is exactly half


def test_those_present_who_did_not_vote_are_counted_and_named(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User
) -> None:
    poll = open_poll(majority=CAST)
    vote(poll, chair, "yes")
    vote(poll, delegate, "no")

    result = close(poll, chair).result

    assert (result["present_weight"], result["cast_weight"], result["not_voted_weight"]) == (4, 2, 2)
    assert [entry["name"] for entry in result["not_voted"]] == sorted([other_delegate.display_name, "Lê Thị Ba"])
    assert poll_tally_again(poll=Poll.objects.get(pk=poll.pk)) == result


def test_a_secret_ballot_counts_who_did_not_vote_without_naming_them(open_poll: Callable[..., Poll], chair: User) -> None:
    poll = open_poll(secret=True)
    vote(poll, chair, "yes")

    result = close(poll, chair).result

    assert (result["not_voted_weight"], result["not_voted"], result["named"]) == (3, None, None)


@pytest.mark.parametrize(
    ("majority", "yes_voters", "passed", "shown"),
    [
        (TWO_THIRDS, 3, True, "75.00"),
        (TWO_THIRDS, 2, False, "50.00"),
        (THREE_QUARTERS, 3, True, "75.00"),  # exactly three quarters of four members
        (THREE_QUARTERS, 2, False, "50.00"),
    ],
)
def test_qualified_majorities_count_against_all_members(
    open_poll: Callable[..., Poll],
    chair: User,
    delegate: User,
    other_delegate: User,
    member: Callable[[str], Participant],
    majority: str,
    yes_voters: int,
    passed: bool,
    shown: str,
) -> None:
    poll = open_poll(majority=majority)
    voters = [chair, delegate, other_delegate, member("daibieu3").user]
    for index, user in enumerate(voters):
        vote(poll, user, "yes" if index < yes_voters else "no")

    result = close(poll, chair).result

    assert result["base"] == result["members_weight"] == 4
    assert row(result, poll, "yes")["percent"] == shown
    assert result["passed"] is passed


def test_several_options_may_be_chosen_and_each_is_counted_against_the_base(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll(kind=Poll.Kind.OPTIONS, options=["Phương án A", "Phương án B", "Phương án C"], max_choices=2, majority=CAST)
    vote(poll, chair, "Phương án A", "Phương án B")
    vote(poll, delegate, "Phương án A")
    vote(poll, other_delegate, "Phương án B", "Phương án C")
    vote(poll, member("daibieu3").user, "Phương án C", "Phương án A")

    result = close(poll, chair).result

    assert (result["ballots"], result["cast_weight"], result["base"]) == (4, 4, 4)
    assert votes_of(result, poll) == {"Phương án A": 3, "Phương án B": 2, "Phương án C": 2}
    assert [(r["percent"], r["reached"]) for r in result["choices"]] == [("75.00", True), ("50.00", False), ("50.00", False)]
    assert result["passed"] is True
    assert result_chosen(result=result) == ["Phương án A"]
    chosen = {entry["participant_id"]: entry["choice_ids"] for entry in result["named"]}
    # Stored sorted, whatever order they were sent in.
    assert chosen[member("daibieu3").pk] == sorted(chosen[member("daibieu3").pk])


def test_a_lost_quorum_at_closing_means_no_decision(
    open_poll: Callable[..., Poll],
    in_session: Meeting,
    chair: User,
    delegate: User,
    other_delegate: User,
    member: Callable[[str], Participant],
) -> None:
    poll = open_poll(majority=MEMBERS, requires_quorum=True)
    vote(poll, chair, "yes")
    vote(poll, delegate, "yes")
    vote(poll, other_delegate, "yes")
    # Two leave before the chair closes: 2 of 4 present, 3 needed.
    set_attendance(in_session, member("daibieu02"), Participant.Attendance.ABSENT)
    set_attendance(in_session, member("daibieu3"), Participant.Attendance.ABSENT)

    result = close(poll, chair).result

    assert result["quorum_met"] is False
    assert result["no_quorum"] is True
    assert row(result, poll, "yes")["votes"] == 3  # the ballot of whoever left still counts
    assert [r["reached"] for r in result["choices"]] == [False, False, False]
    assert result["passed"] is False


def test_a_poll_that_does_not_need_a_quorum_decides_without_one(
    in_session: Meeting, chair: User, delegate: User, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    from voting.services.ballots import poll_open
    from voting.services.polls import poll_create

    set_attendance(in_session, member("daibieu02"), Participant.Attendance.ABSENT)
    set_attendance(in_session, member("daibieu3"), Participant.Attendance.ABSENT)
    poll = poll_create(actor=chair, meeting=in_session, question="Hoãn phiên họp?", majority=CAST, requires_quorum=False)
    poll = poll_open(actor=chair, meeting=in_session, poll_id=poll.pk)
    vote(poll, chair, "yes")
    vote(poll, delegate, "yes")

    result = close(poll, chair).result

    assert (result["quorum_met"], result["no_quorum"], result["passed"]) == (False, False, True)


# --- the published result --------------------------------------------------------------------


@pytest.mark.parametrize("secret", [False, True])
def test_recounting_the_ballots_gives_the_published_result(
    open_poll: Callable[..., Poll],
    chair: User,
    delegate: User,
    other_delegate: User,
    member: Callable[[str], Participant],
    secret: bool,
) -> None:
    _weigh(member("daibieu3"), 2)
    poll = open_poll(secret=secret, majority=CAST)
    vote(poll, chair, "yes")
    vote(poll, delegate, "no")
    vote(poll, other_delegate, "abstain")
    vote(poll, member("daibieu3").user, "yes")

    published = close(poll, chair)

    stored = Poll.objects.get(pk=poll.pk)
    assert stored.result == published.result
    assert poll_tally_again(poll=stored) == stored.result
    assert stored.result["cast_weight"] == 5
    assert row(stored.result, poll, "yes")["votes"] == 3


def test_a_poll_without_a_result_cannot_be_recounted(open_poll: Callable[..., Poll]) -> None:
    with pytest.raises(ValueError, match="no published result"):
        poll_tally_again(poll=open_poll())


def test_the_result_is_frozen_when_the_poll_closes(
    open_poll: Callable[..., Poll],
    in_session: Meeting,
    chair: User,
    delegate: User,
    other_delegate: User,
    member: Callable[[str], Participant],
) -> None:
    poll = open_poll(majority=PRESENT)
    vote(poll, chair, "yes")
    vote(poll, delegate, "yes")
    published = close(poll, chair)

    refused("poll_not_open", poll_close, actor=chair, meeting=in_session, poll_id=poll.pk)
    refused("poll_closed", vote, poll, other_delegate, "no")
    set_attendance(in_session, member("daibieu02"), Participant.Attendance.ABSENT)
    set_attendance(in_session, member("daibieu3"), Participant.Attendance.ABSENT)
    _weigh(member("daibieu01"), 5)

    stored = Poll.objects.get(pk=poll.pk)
    assert stored.state == Poll.State.CLOSED
    assert stored.closed_at == published.closed_at
    assert stored.result == published.result
    assert (stored.result["present_weight"], stored.result["passed"]) == (4, False)
    assert poll_tally_again(poll=stored) == stored.result


def test_recounting_after_a_member_is_promoted_still_gives_the_published_result(
    open_poll: Callable[..., Poll], chair: User, delegate: User
) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")
    published = close(poll, chair)

    User.objects.filter(pk=delegate.pk).update(position="Phó Chủ tịch UBND")

    assert poll_tally_again(poll=Poll.objects.get(pk=published.pk)) == published.result
