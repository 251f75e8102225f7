"""Proxies (ủy quyền): an absent member lets another member cast their ballot, one proxy each way."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import IntegrityError
from django.utils import timezone

from meetings.models import Meeting, MeetingEvent, Participant, User
from meetings.services.live import meeting_end, meeting_start
from tests.voting.helpers import audit, close, refused, set_attendance, vote
from voting.export import poll_result_html
from voting.models import Ballot, Poll, Proxy, VoterMark
from voting.selectors import member_voting, my_votes, poll_progress
from voting.services.ballots import poll_open
from voting.services.polls import poll_create
from voting.services.proxies import proxy_give, proxy_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def third(council: Meeting) -> User:
    return User.objects.get(username="daibieu3")


@pytest.fixture
def proxy(council: Meeting, third: User, member: Callable[[str], Participant]) -> Proxy:
    """daibieu3 cannot come and lets daibieu01 vote in their place."""
    return proxy_give(actor=third, meeting=council, holder_id=member("daibieu01").pk)


@pytest.fixture
def session(proxy: Proxy, council: Meeting, chair: User, member: Callable[[str], Participant]) -> Meeting:
    """The meeting under way: the chair and both other delegates present, daibieu3 absent (3 of 4: a quorum)."""
    meeting = meeting_start(actor=chair, meeting=council)
    for username in ("chutoa", "daibieu01", "daibieu02"):
        set_attendance(meeting, member(username), Participant.Attendance.PRESENT)
    set_attendance(meeting, member("daibieu3"), Participant.Attendance.ABSENT_EXCUSED)
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def live_poll(session: Meeting, chair: User) -> Callable[..., Poll]:
    def make(**settings: object) -> Poll:
        poll = poll_create(actor=chair, meeting=session, question="Thông qua quy hoạch khu dân cư?", **settings)
        return poll_open(actor=chair, meeting=session, poll_id=poll.pk)

    return make


# --- giving ----------------------------------------------------------------------------------


def test_a_member_gives_their_proxy_to_another_member(proxy: Proxy, council: Meeting, member: Callable[[str], Participant]) -> None:
    giver, holder = member("daibieu3"), member("daibieu01")

    assert (proxy.meeting, proxy.giver, proxy.holder, proxy.revoked_at) == (council, giver, holder, None)
    assert audit(council, "proxy.give") == [{"giver": giver.pk, "holder": holder.pk}]
    event = MeetingEvent.objects.filter(meeting=council).order_by("seq").last()
    assert event.type == "proxy.update"
    [shown] = event.payload["proxies"]
    assert (shown["id"], shown["giver_id"], shown["holder_id"]) == (proxy.pk, giver.pk, holder.pk)
    assert (shown["giver_name"], shown["holder_name"]) == ("Lê Thị Ba", "Lê Minh Tuấn")


def test_giving_ones_own_id_as_giver_is_giving_it_oneself(council: Meeting, third: User, member: Callable[[str], Participant]) -> None:
    proxy = proxy_give(actor=third, meeting=council, holder_id=member("daibieu02").pk, giver_id=member("daibieu3").pk)

    assert proxy.giver == member("daibieu3")


def test_the_secretary_records_a_proxy_given_on_paper(council: Meeting, secretary: User, member: Callable[[str], Participant]) -> None:
    proxy = proxy_give(actor=secretary, meeting=council, holder_id=member("daibieu02").pk, giver_id=member("daibieu01").pk)

    assert (proxy.giver, proxy.holder) == (member("daibieu01"), member("daibieu02"))
    assert audit(council, "proxy.give")[-1] == {"giver": member("daibieu01").pk, "holder": member("daibieu02").pk}


def test_a_proxy_can_be_given_during_the_meeting_between_votes(session: Meeting, other_delegate: User, chair: User) -> None:
    proxy = proxy_give(actor=other_delegate, meeting=session, holder_id=Participant.objects.get(meeting=session, user=chair).pk)

    assert proxy.pk


def test_a_proxy_cannot_be_given_to_oneself(council: Meeting, delegate: User, member: Callable[[str], Participant]) -> None:
    refused("invalid", proxy_give, actor=delegate, meeting=council, holder_id=member("daibieu01").pk)

    assert not Proxy.objects.exists()


def test_the_database_also_refuses_a_proxy_to_oneself(council: Meeting, member: Callable[[str], Participant]) -> None:
    with pytest.raises(IntegrityError):
        Proxy.objects.create(meeting=council, giver=member("daibieu01"), holder=member("daibieu01"))


@pytest.mark.parametrize("holder", ["khach01", "thuky"])
def test_a_proxy_goes_only_to_a_member_with_a_vote(
    council: Meeting, delegate: User, member: Callable[[str], Participant], holder: str
) -> None:
    refused("invalid", proxy_give, actor=delegate, meeting=council, holder_id=member(holder).pk)

    assert not Proxy.objects.exists()


@pytest.mark.parametrize("status", [Participant.Attendance.ABSENT_EXCUSED, Participant.Attendance.ABSENT])
def test_a_proxy_does_not_go_to_someone_who_will_be_away(
    council: Meeting, delegate: User, member: Callable[[str], Participant], status: str
) -> None:
    away = member("daibieu02")
    Participant.objects.filter(pk=away.pk).update(attendance=status)

    error = refused("holder_away", proxy_give, actor=delegate, meeting=council, holder_id=away.pk)

    assert "sẽ không có mặt" in str(error)
    assert not Proxy.objects.exists()
    # Nor is offered to give it to.
    assert away not in member_voting(user=delegate, meeting=council).proxy_candidates


def test_a_proxy_goes_only_to_a_participant_of_this_meeting(
    council: Meeting, delegate: User, make_meeting: Callable[..., Meeting], secretary: User
) -> None:
    other = make_meeting(title="Họp giao ban")
    elsewhere = Participant.objects.get(meeting=other, user=secretary)

    refused("not_found", proxy_give, actor=delegate, meeting=council, holder_id=elsewhere.pk)


@pytest.mark.parametrize("who", ["guest", "secretary"])
def test_only_a_member_with_a_vote_gives_a_proxy(
    council: Meeting, who: str, request: pytest.FixtureRequest, member: Callable[[str], Participant]
) -> None:
    actor = request.getfixturevalue(who)

    refused("not_eligible", proxy_give, actor=actor, meeting=council, holder_id=member("daibieu01").pk)


def test_an_outsider_has_no_proxy_to_give(council: Meeting, outsider: User, member: Callable[[str], Participant]) -> None:
    refused("not_found", proxy_give, actor=outsider, meeting=council, holder_id=member("daibieu01").pk)
    refused("forbidden", proxy_give, actor=outsider, meeting=council, holder_id=member("daibieu01").pk, giver_id=member("daibieu02").pk)

    assert not Proxy.objects.exists()


def test_a_member_cannot_give_someone_elses_proxy(council: Meeting, delegate: User, member: Callable[[str], Participant]) -> None:
    refused("forbidden", proxy_give, actor=delegate, meeting=council, holder_id=member("daibieu01").pk, giver_id=member("daibieu02").pk)

    assert not Proxy.objects.exists()


def test_a_member_gives_only_one_proxy(proxy: Proxy, council: Meeting, third: User, member: Callable[[str], Participant]) -> None:
    refused("duplicate", proxy_give, actor=third, meeting=council, holder_id=member("daibieu02").pk)

    assert list(Proxy.objects.filter(revoked_at=None)) == [proxy]


def test_a_member_holds_only_one_proxy(proxy: Proxy, council: Meeting, other_delegate: User, member: Callable[[str], Participant]) -> None:
    refused("duplicate", proxy_give, actor=other_delegate, meeting=council, holder_id=member("daibieu01").pk)

    assert list(Proxy.objects.filter(revoked_at=None)) == [proxy]


def test_a_holder_cannot_hand_their_own_vote_on(
    proxy: Proxy, council: Meeting, delegate: User, member: Callable[[str], Participant]
) -> None:
    refused("invalid", proxy_give, actor=delegate, meeting=council, holder_id=member("daibieu02").pk)

    assert list(Proxy.objects.filter(revoked_at=None)) == [proxy]


def test_someone_who_handed_their_own_vote_on_cannot_hold_a_proxy(
    proxy: Proxy, council: Meeting, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    refused("invalid", proxy_give, actor=other_delegate, meeting=council, holder_id=member("daibieu3").pk)

    assert list(Proxy.objects.filter(revoked_at=None)) == [proxy]


def test_the_meeting_page_offers_as_holders_only_those_who_may_take_a_proxy(
    proxy: Proxy, council: Meeting, other_delegate: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    offered = member_voting(user=other_delegate, meeting=council).proxy_candidates
    holding = member_voting(user=delegate, meeting=council)

    # Not daibieu01 (holds one already), nor daibieu3 (gave theirs), nor oneself.
    assert [p.user.username for p in offered] == ["chutoa"]
    assert [p.giver.user.username for p in holding.held_for] == ["daibieu3"]


def test_a_proxy_stated_in_a_live_result_is_counted_apart_from_those_present(
    live_poll: Callable[..., Poll], chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = live_poll()
    vote(poll, delegate, "yes", for_participant=member("daibieu3"))

    poll = close(poll, chair)

    assert (poll.result["present_weight"], poll.result["proxy_weight"]) == (4, 1)
    assert "có mặt: 3; ủy quyền: 1;" in poll_result_html(poll=poll)


def test_a_ballot_cast_by_proxy_stays_counted_as_by_proxy_after_its_holder_left(
    live_poll: Callable[..., Poll], session: Meeting, chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = live_poll()
    vote(poll, delegate, "yes", for_participant=member("daibieu3"))
    set_attendance(session, member("daibieu01"), Participant.Attendance.ABSENT)

    poll = close(poll, chair)

    assert poll.result["proxy_weight"] == 1
    assert "ủy quyền: 1;" in poll_result_html(poll=poll)


def test_the_database_also_keeps_one_proxy_per_giver_and_per_holder(
    proxy: Proxy, council: Meeting, member: Callable[[str], Participant]
) -> None:
    with pytest.raises(IntegrityError):
        Proxy.objects.create(meeting=council, giver=member("daibieu3"), holder=member("daibieu02"))


def test_no_proxy_is_given_or_revoked_while_a_vote_is_open(
    live_poll: Callable[..., Poll], proxy: Proxy, session: Meeting, other_delegate: User, third: User, chair: User
) -> None:
    poll = live_poll()

    refused(
        "poll_open", proxy_give, actor=other_delegate, meeting=session, holder_id=Participant.objects.get(meeting=session, user=chair).pk
    )
    refused("poll_open", proxy_revoke, actor=third, meeting=session, proxy_id=proxy.pk)
    close(poll, chair)
    proxy_revoke(actor=third, meeting=session, proxy_id=proxy.pk)

    assert Proxy.objects.get(pk=proxy.pk).revoked_at is not None


def test_written_opinions_do_not_hold_up_proxies(council: Meeting, secretary: User, other_delegate: User, chair: User) -> None:
    written = poll_create(actor=secretary, meeting=council, question="Góp ý dự thảo", mode=Poll.Mode.WRITTEN)
    poll_open(actor=secretary, meeting=council, poll_id=written.pk, deadline=timezone.now() + datetime.timedelta(days=1))

    proxy_give(actor=other_delegate, meeting=council, holder_id=Participant.objects.get(meeting=council, user=chair).pk)


def test_no_proxy_is_given_after_the_meeting(session: Meeting, chair: User, other_delegate: User) -> None:
    meeting_end(actor=chair, meeting=session)

    refused(
        "wrong_state", proxy_give, actor=other_delegate, meeting=session, holder_id=Participant.objects.get(meeting=session, user=chair).pk
    )


# --- voting with a proxy ---------------------------------------------------------------------


def test_the_holder_casts_their_own_ballot_and_the_givers(
    live_poll: Callable[..., Poll], chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = live_poll(majority=Poll.Majority.CAST)
    holder, giver = member("daibieu01"), member("daibieu3")
    assert {k: poll_progress(poll=poll)[k] for k in ("voted", "eligible")} == {"voted": 0, "eligible": 4}

    vote(poll, delegate, "yes")
    vote(poll, delegate, "no", for_participant=giver)

    refused("already_voted", vote, poll, delegate, "yes", for_participant=giver)
    refused("already_voted", vote, poll, delegate, "yes")
    marks = {(m.participant_id, m.cast_by_id) for m in VoterMark.objects.filter(poll=poll)}
    assert marks == {(holder.pk, holder.pk), (giver.pk, holder.pk)}
    ballots = {(b.voter_id, b.cast_by_id) for b in Ballot.objects.filter(poll=poll)}
    assert ballots == {(holder.pk, holder.pk), (giver.pk, holder.pk)}
    mine = my_votes(user=delegate, meeting=poll.meeting)
    assert {poll_id: sorted(voters) for poll_id, voters in mine.items()} == {str(poll.pk): sorted([holder.pk, giver.pk])}
    assert poll_progress(poll=poll)["voted"] == 2
    result = close(poll, chair).result
    assert (result["ballots"], [r["votes"] for r in result["choices"]]) == (2, [1, 1, 0])
    proxies = {entry["participant_id"]: entry["proxy_name"] for entry in result["named"]}
    assert proxies == {holder.pk: None, giver.pk: "Lê Minh Tuấn"}
    [given] = [entry for entry in audit(poll.meeting, "ballot.cast") if entry["voter"] == giver.pk]
    assert given["choices"] == [r["choice_id"] for r in result["choices"] if r["meaning"] == "no"]


def test_a_proxy_not_used_names_the_giver_and_holder_among_those_who_did_not_vote(
    live_poll: Callable[..., Poll], chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = live_poll()
    vote(poll, chair, "yes")
    vote(poll, delegate, "yes")  # their own ballot, not the one they hold for daibieu3

    result = close(poll, chair).result

    not_voted = {entry["participant_id"]: entry["proxy_name"] for entry in result["not_voted"]}
    assert not_voted == {member("daibieu02").pk: None, member("daibieu3").pk: "Lê Minh Tuấn"}
    assert result["not_voted_weight"] == 2


def test_the_giver_s_weight_goes_with_their_ballot(
    live_poll: Callable[..., Poll], chair: User, delegate: User, member: Callable[[str], Participant]
) -> None:
    Participant.objects.filter(pk=member("daibieu3").pk).update(vote_weight=3)
    poll = live_poll(majority=Poll.Majority.MEMBERS)

    vote(poll, delegate, "yes", for_participant=member("daibieu3"))

    assert Ballot.objects.get(poll=poll).weight == 3
    result = close(poll, chair).result
    assert (result["members_weight"], result["cast_weight"], result["passed"]) == (6, 3, False)  # 3 of 6 is half


def test_a_giver_who_comes_after_all_votes_themselves(
    live_poll: Callable[..., Poll], session: Meeting, chair: User, delegate: User, third: User, member: Callable[[str], Participant]
) -> None:
    set_attendance(session, member("daibieu3"), Participant.Attendance.LATE)
    poll = live_poll()

    refused("not_eligible", vote, poll, delegate, "yes", for_participant=member("daibieu3"))
    vote(poll, third, "no")

    [mark] = VoterMark.objects.filter(poll=poll)
    assert (mark.participant, mark.cast_by) == (member("daibieu3"), member("daibieu3"))
    assert poll_progress(poll=poll)["eligible"] == 4


def test_a_giver_who_arrives_after_their_holder_voted_for_them_cannot_vote_again(
    live_poll: Callable[..., Poll], session: Meeting, delegate: User, third: User, member: Callable[[str], Participant]
) -> None:
    poll = live_poll()
    vote(poll, delegate, "yes", for_participant=member("daibieu3"))

    set_attendance(session, member("daibieu3"), Participant.Attendance.LATE)

    refused("already_voted", vote, poll, third, "no")
    assert Ballot.objects.get(poll=poll).choices == [poll.choices.get(meaning="yes").pk]


def test_an_absent_giver_cannot_vote_themselves(live_poll: Callable[..., Poll], third: User) -> None:
    poll = live_poll()

    refused("not_eligible", vote, poll, third, "yes")


def test_a_proxy_lapses_while_its_holder_is_away(
    live_poll: Callable[..., Poll], session: Meeting, delegate: User, member: Callable[[str], Participant]
) -> None:
    set_attendance(session, member("daibieu01"), Participant.Attendance.ABSENT)
    poll = live_poll(requires_quorum=False)  # 2 of 4 present: a proxy does not make a quorum

    assert poll_progress(poll=poll)["eligible"] == 2
    refused("not_eligible", vote, poll, delegate, "yes", for_participant=member("daibieu3"))


def test_only_the_holder_casts_the_givers_ballot(
    live_poll: Callable[..., Poll], other_delegate: User, chair: User, member: Callable[[str], Participant]
) -> None:
    poll = live_poll()

    refused("not_eligible", vote, poll, other_delegate, "yes", for_participant=member("daibieu3"))
    refused("not_eligible", vote, poll, chair, "yes", for_participant=member("daibieu3"))

    assert not VoterMark.objects.filter(poll=poll).exists()


def test_a_secret_ballot_cast_by_proxy_does_not_say_by_whom(
    live_poll: Callable[..., Poll], delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = live_poll(secret=True)

    vote(poll, delegate, "yes", for_participant=member("daibieu3"))

    ballot = Ballot.objects.get(poll=poll)
    assert (ballot.voter, ballot.cast_by) == (None, None)
    mark = VoterMark.objects.get(poll=poll)
    assert (mark.participant, mark.cast_by) == (member("daibieu3"), member("daibieu01"))


# --- revoking --------------------------------------------------------------------------------


def test_the_giver_revokes_their_proxy(proxy: Proxy, council: Meeting, third: User, member: Callable[[str], Participant]) -> None:
    proxy_revoke(actor=third, meeting=council, proxy_id=proxy.pk)

    assert Proxy.objects.get(pk=proxy.pk).revoked_at is not None
    assert audit(council, "proxy.revoke") == [{"giver": member("daibieu3").pk, "holder": member("daibieu01").pk}]
    event = MeetingEvent.objects.filter(meeting=council).order_by("seq").last()
    assert (event.type, event.payload) == ("proxy.update", {"proxies": []})
    # Free to give it again, to someone else.
    again = proxy_give(actor=third, meeting=council, holder_id=member("daibieu02").pk)
    assert again.holder == member("daibieu02")


def test_the_secretary_revokes_a_proxy(proxy: Proxy, council: Meeting, secretary: User) -> None:
    proxy_revoke(actor=secretary, meeting=council, proxy_id=proxy.pk)

    assert Proxy.objects.get(pk=proxy.pk).revoked_at is not None


@pytest.mark.parametrize("who", ["outsider", "delegate", "other_delegate", "guest"])
def test_no_one_else_revokes_a_proxy(proxy: Proxy, council: Meeting, who: str, request: pytest.FixtureRequest) -> None:
    refused("forbidden", proxy_revoke, actor=request.getfixturevalue(who), meeting=council, proxy_id=proxy.pk)

    assert Proxy.objects.get(pk=proxy.pk).revoked_at is None


def test_a_revoked_proxy_is_not_in_force(proxy: Proxy, council: Meeting, third: User) -> None:
    proxy_revoke(actor=third, meeting=council, proxy_id=proxy.pk)

    refused("not_found", proxy_revoke, actor=third, meeting=council, proxy_id=proxy.pk)


def test_the_holder_of_a_revoked_proxy_no_longer_votes_for_the_giver(
    proxy: Proxy, session: Meeting, third: User, delegate: User, live_poll: Callable[..., Poll], member: Callable[[str], Participant]
) -> None:
    proxy_revoke(actor=third, meeting=session, proxy_id=proxy.pk)
    poll = live_poll()

    refused("not_eligible", vote, poll, delegate, "yes", for_participant=member("daibieu3"))
    assert poll_progress(poll=poll)["eligible"] == 3
