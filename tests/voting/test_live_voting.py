"""Voting over the meeting's websocket: polls announced to every tablet, ballots acknowledged once, progress, results."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from meetings.models import AuditEvent, Meeting, Participant, User
from meetings.services.participants import participants_invite
from tests.conftest import make_user
from tests.realtime.conftest import Client
from tests.realtime.helpers import Connect, assert_error, assert_refused, assert_still_serving, room
from tests.voting.helpers import set_attendance
from voting.models import Ballot, Poll, Proxy, VoterMark
from voting.services.polls import poll_create
from voting.services.proxies import proxy_give

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _quick_progress(settings: Any) -> None:
    settings.REALTIME_POLL_PROGRESS_SECONDS = 0.05


async def _event(
    client: Client, type: str, predicate: Callable[[dict[str, Any]], bool] = lambda m: True, timeout: float = 3
) -> dict[str, Any]:
    """The next message of this type that matches, skipping whatever comes before it."""
    return (await client.receive_until(lambda m: m.get("type") == type and predicate(m), timeout=timeout))[-1]


async def _own_event(client: Client, type: str) -> dict[str, Any]:
    """An event caused by this client's last command: received with its reply, or right after it."""
    seen = [m for m in getattr(client, "events", []) if m.get("type") == type]
    return seen[-1] if seen else await _event(client, type)


@sync_to_async
def _open(make: Callable[..., Poll], **settings: object) -> tuple[Poll, dict[str, int]]:
    poll = make(**settings)
    return poll, dict(poll.choices.values_list("meaning", "pk"))


@sync_to_async
def _stored(poll_id: int) -> tuple[list[list[int]], int, int]:
    """The choices of each stored ballot, the number of voter marks, and of ballot.cast audit entries."""
    ballots = [b.choices for b in Ballot.objects.filter(poll_id=poll_id)]
    return ballots, VoterMark.objects.filter(poll_id=poll_id).count(), AuditEvent.objects.filter(action="ballot.cast").count()


@sync_to_async
def _participant(meeting: Meeting, username: str) -> Participant:
    return Participant.objects.get(meeting=meeting, user__username=username)


# --- polls reach every tablet ----------------------------------------------------------------


async def test_the_chair_creates_and_opens_a_vote_and_every_tablet_hears_it(
    connect: Connect, in_session: Meeting, chair: User, delegate: User, other_delegate: User
) -> None:
    chair_tablet, first, second = await room(connect, in_session, chair, delegate, other_delegate)
    seq = first.snapshot["seq"]

    created = await chair_tablet.command("poll.create", question="Thông qua đề án chuyển đổi số?", majority="cast", secret=False)
    assert created["type"] == "ack", created
    update = await _own_event(chair_tablet, "poll.update")
    opened_reply = await chair_tablet.command("poll.open", poll_id=update["poll"]["id"])
    assert opened_reply["type"] == "ack", opened_reply
    opened = [await _event(tablet, "poll.open") for tablet in (first, second)]

    assert update["seq"] == seq + 1
    assert (update["poll"]["question"], update["poll"]["state"]) == ("Thông qua đề án chuyển đổi số?", "draft")
    for opening in opened:
        assert opening["seq"] == seq + 2
        poll = opening["poll"]
        assert (poll["id"], poll["question"], poll["state"], poll["majority"], poll["kind"]) == (
            update["poll"]["id"],
            "Thông qua đề án chuyển đổi số?",
            "open",
            "cast",
            "yes_no",
        )
        assert [c["meaning"] for c in poll["choices"]] == ["yes", "no", "abstain"]
        assert opening["poll"]["opened_at"]
        assert {k: opening["poll"]["progress"][k] for k in ("voted", "eligible")} == {"voted": 0, "eligible": 4}


async def test_a_poll_with_options_is_created_over_the_socket(connect: Connect, in_session: Meeting, chair: User) -> None:
    tablet = await connect(chair, in_session)

    reply = await tablet.command(
        "poll.create", question="Chọn phương án", kind="options", options=["Phương án A", "Phương án B"], max_choices=2, secret=True
    )
    update = await _own_event(tablet, "poll.update")

    assert reply["type"] == "ack", reply
    assert [c["label"] for c in update["poll"]["choices"]] == ["Phương án A", "Phương án B"]
    assert (update["poll"]["max_choices"], update["poll"]["secret"]) == (2, True)


# --- casting ---------------------------------------------------------------------------------


async def test_a_ballot_is_acknowledged_and_the_chair_sees_who_has_voted(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User
) -> None:
    poll, choices = await _open(open_poll)
    chair_tablet, tablet = await room(connect, in_session, chair, delegate)

    reply = await tablet.command("ballot.cast", poll_id=poll.pk, choices=[choices["yes"]])

    assert reply == {"type": "ack", "id": reply["id"]}
    progress = (await _event(chair_tablet, "poll.progress"))["progress"]
    voter = await _participant(in_session, "daibieu01")
    assert progress == {"poll_id": poll.pk, "voted": 1, "eligible": 4, "voters": [voter.pk]}
    assert (await _stored(poll.pk))[:2] == ([[choices["yes"]]], 1)


async def test_the_progress_of_a_secret_vote_names_nobody(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User
) -> None:
    poll, choices = await _open(open_poll, secret=True)
    chair_tablet, tablet = await room(connect, in_session, chair, delegate)

    await tablet.command("ballot.cast", poll_id=poll.pk, choices=[choices["no"]])

    progress = (await _event(chair_tablet, "poll.progress"))["progress"]
    assert progress == {"poll_id": poll.pk, "voted": 1, "eligible": 4}


async def test_a_burst_of_ballots_makes_one_announcement(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User, other_delegate: User, settings: Any
) -> None:
    settings.REALTIME_POLL_PROGRESS_SECONDS = 0.3
    poll, choices = await _open(open_poll)
    chair_tablet, first, second = await room(connect, in_session, chair, delegate, other_delegate)

    await first.command("ballot.cast", poll_id=poll.pk, choices=[choices["yes"]])
    await second.command("ballot.cast", poll_id=poll.pk, choices=[choices["no"]])

    progress = (await _event(chair_tablet, "poll.progress"))["progress"]
    assert progress["voted"] == 2
    assert await chair_tablet.nothing_more(timeout=0.5)


async def test_a_second_ballot_is_refused_and_the_socket_stays_up(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, delegate: User
) -> None:
    poll, choices = await _open(open_poll)
    tablet = await connect(delegate, in_session)
    await tablet.command("ballot.cast", id="ballot-first", poll_id=poll.pk, choices=[choices["yes"]])

    reply = await tablet.command("ballot.cast", id="ballot-second", poll_id=poll.pk, choices=[choices["no"]])

    assert_error(reply, code="already_voted", id="ballot-second")
    await assert_still_serving(tablet)
    ballots, marks, audited = await _stored(poll.pk)
    assert (ballots, marks, audited) == ([[choices["yes"]]], 1, 1)


async def test_a_resent_ballot_is_acknowledged_again_and_counted_once(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, delegate: User
) -> None:
    poll, choices = await _open(open_poll)
    tablet = await connect(delegate, in_session)

    first = await tablet.command("ballot.cast", id="ballot-wifi", poll_id=poll.pk, choices=[choices["yes"]])
    again = await tablet.command("ballot.cast", id="ballot-wifi", poll_id=poll.pk, choices=[choices["yes"]])
    # A resend is recognised by its id alone: a tablet never changes what it resends.
    altered = await tablet.command("ballot.cast", id="ballot-wifi", poll_id=poll.pk, choices=[choices["no"]])

    assert [first, again, altered] == [{"type": "ack", "id": "ballot-wifi"}] * 3
    assert await _stored(poll.pk) == ([[choices["yes"]]], 1, 1)


async def test_a_resend_on_a_new_socket_after_a_dropped_connection_is_counted_once(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, delegate: User
) -> None:
    poll, choices = await _open(open_poll)
    tablet = await connect(delegate, in_session)
    await tablet.command("ballot.cast", id="ballot-roaming", poll_id=poll.pk, choices=[choices["abstain"]])
    await tablet.close()

    again = await connect(delegate, in_session)
    reply = await again.command("ballot.cast", id="ballot-roaming", poll_id=poll.pk, choices=[choices["abstain"]])

    assert reply == {"type": "ack", "id": "ballot-roaming"}
    assert await _stored(poll.pk) == ([[choices["abstain"]]], 1, 1)


@pytest.mark.parametrize(
    "make_fields",
    [
        pytest.param(lambda p, c: {"poll_id": p, "choices": c}, id="choices-not-a-list"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": {"id": c}}, id="choices-an-object"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [str(c)]}, id="choices-strings"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": []}, id="choices-empty"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [True]}, id="choices-boolean"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [float(c)]}, id="choices-decimal"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [0]}, id="choices-zero"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [c] * 51}, id="choices-too-many"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": None}, id="choices-null"),
        pytest.param(lambda p, c: {"choices": [c]}, id="missing-poll-id"),
        pytest.param(lambda p, c: {"poll_id": p}, id="missing-choices"),
        pytest.param(lambda p, c: {"poll_id": str(p), "choices": [c]}, id="poll-id-string"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [c], "weight": 3}, id="unknown-field"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [c], "voter_id": 1}, id="unknown-voter-field"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [c], "for_participant_id": 0}, id="for-participant-zero"),
        pytest.param(lambda p, c: {"poll_id": p, "choices": [c], "for_participant_id": None}, id="for-participant-null"),
    ],
)
async def test_a_malformed_ballot_is_refused_as_invalid(
    connect: Connect,
    open_poll: Callable[..., Poll],
    in_session: Meeting,
    chair: User,
    delegate: User,
    make_fields: Callable[[int, int], dict[str, Any]],
) -> None:
    poll, choices = await _open(open_poll)
    tablet, chair_tablet = await room(connect, in_session, delegate, chair)

    await assert_refused(tablet, [chair_tablet], "ballot.cast", code="invalid", **make_fields(poll.pk, choices["yes"]))

    assert await _stored(poll.pk) == ([], 0, 0)
    await assert_still_serving(tablet, "ballot.cast", poll_id=poll.pk, choices=[choices["yes"]])


@pytest.mark.parametrize(
    ("pick", "code"),
    [
        pytest.param(lambda c: [c["yes"], c["no"]], "invalid_choice", id="two-on-a-yes-no-poll"),
        pytest.param(lambda c: [c["yes"], c["yes"]], "invalid_choice", id="the-same-twice"),
        pytest.param(lambda c: [max(c.values()) + 100], "invalid_choice", id="not-on-this-poll"),
    ],
)
async def test_a_choice_the_poll_does_not_offer_is_refused(
    connect: Connect,
    open_poll: Callable[..., Poll],
    in_session: Meeting,
    delegate: User,
    pick: Callable[[dict[str, int]], list[int]],
    code: str,
) -> None:
    poll, choices = await _open(open_poll)
    [tablet] = await room(connect, in_session, delegate)

    await assert_refused(tablet, [], "ballot.cast", code=code, poll_id=poll.pk, choices=pick(choices))

    assert await _stored(poll.pk) == ([], 0, 0)


async def test_a_ballot_for_a_poll_that_is_not_open_is_refused(connect: Connect, in_session: Meeting, chair: User, delegate: User) -> None:
    poll = await sync_to_async(poll_create)(actor=chair, meeting=in_session, question="Chưa mở")
    yes = await sync_to_async(lambda: poll.choices.get(meaning="yes").pk)()
    [tablet] = await room(connect, in_session, delegate)

    await assert_refused(tablet, [], "ballot.cast", code="poll_not_open", poll_id=poll.pk, choices=[yes])
    await assert_refused(tablet, [], "ballot.cast", code="not_found", poll_id=poll.pk + 1000, choices=[yes])


async def test_a_member_who_is_not_present_is_told_to_check_in(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, delegate: User, guest: User
) -> None:
    poll, choices = await _open(open_poll, requires_quorum=False)
    await sync_to_async(set_attendance)(in_session, await _participant(in_session, "daibieu01"), Participant.Attendance.ABSENT)
    absent, guest_tablet = await room(connect, in_session, delegate, guest)

    await assert_refused(absent, [guest_tablet], "ballot.cast", code="not_eligible", poll_id=poll.pk, choices=[choices["yes"]])
    await assert_refused(guest_tablet, [absent], "ballot.cast", code="not_eligible", poll_id=poll.pk, choices=[choices["yes"]])


# --- who runs the vote -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["delegate", "secretary"])
async def test_only_the_chair_opens_closes_and_annuls_a_vote(
    connect: Connect, in_session: Meeting, chair: User, who: str, request: pytest.FixtureRequest, open_poll: Callable[..., Poll]
) -> None:
    user = request.getfixturevalue(who)
    draft = await sync_to_async(poll_create)(actor=chair, meeting=in_session, question="Bản nháp")
    running, _choices = await _open(open_poll)
    tablet, chair_tablet = await room(connect, in_session, user, chair)

    await assert_refused(tablet, [chair_tablet], "poll.open", code="forbidden", poll_id=draft.pk)
    await assert_refused(tablet, [chair_tablet], "poll.close", code="forbidden", poll_id=running.pk)
    await assert_refused(tablet, [chair_tablet], "poll.annul", code="forbidden", poll_id=running.pk, reason="Không hợp lệ")

    assert await sync_to_async(lambda: Poll.objects.get(pk=running.pk).state)() == "open"


async def test_a_delegate_cannot_put_a_question_to_the_vote(connect: Connect, in_session: Meeting, delegate: User, chair: User) -> None:
    tablet, chair_tablet = await room(connect, in_session, delegate, chair)

    await assert_refused(tablet, [chair_tablet], "poll.create", code="forbidden", question="Câu hỏi của đại biểu")


async def test_a_second_vote_cannot_be_opened_while_one_is_open(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User
) -> None:
    await _open(open_poll)
    other = await sync_to_async(poll_create)(actor=chair, meeting=in_session, question="Câu hỏi khác")
    [tablet] = await room(connect, in_session, chair)

    await assert_refused(tablet, [], "poll.open", code="poll_open", poll_id=other.pk)


# --- who may connect -------------------------------------------------------------------------


async def _shut_out(connect: Connect, user: User | None, meeting: Meeting, *, code: str, close_code: int) -> None:
    client = await connect(user, meeting, expect_snapshot=False)
    assert_error(await client.receive(), code=code, id=None)
    assert await client.ws.receive_output(timeout=1) == {"type": "websocket.close", "code": close_code}


async def test_an_anonymous_tablet_cannot_join_the_vote(connect: Connect, in_session: Meeting) -> None:
    await _shut_out(connect, None, in_session, code="not_authenticated", close_code=4401)


async def test_an_outsider_cannot_join_the_vote(connect: Connect, in_session: Meeting, outsider: User) -> None:
    await _shut_out(connect, outsider, in_session, code="not_found", close_code=4404)


async def test_a_delegate_of_another_meeting_cannot_join_the_vote(
    connect: Connect, in_session: Meeting, make_meeting: Callable[..., Meeting], secretary: User
) -> None:
    @sync_to_async
    def delegate_elsewhere() -> User:
        from meetings.services.meetings import meeting_publish

        user = make_user("daibieu99", full_name="Hồ Văn Khác")
        other = make_meeting(title="Họp HĐND phường")
        participants_invite(actor=secretary, meeting=other, users=[user], role=Participant.Role.DELEGATE, can_vote=True)
        meeting_publish(actor=secretary, meeting=other)
        return user

    await _shut_out(connect, await delegate_elsewhere(), in_session, code="not_found", close_code=4404)


# --- closing ---------------------------------------------------------------------------------


async def test_every_tablet_receives_the_result_when_the_chair_closes_the_vote(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User, other_delegate: User, guest: User
) -> None:
    poll, choices = await _open(open_poll, majority="cast")
    tablets = await room(connect, in_session, chair, delegate, other_delegate, guest)
    chair_tablet, first, second, _guest_tablet = tablets
    await first.command("ballot.cast", poll_id=poll.pk, choices=[choices["yes"]])
    await second.command("ballot.cast", poll_id=poll.pk, choices=[choices["yes"]])

    reply = await chair_tablet.command("poll.close", poll_id=poll.pk)

    assert reply["type"] == "ack", reply
    closings = [await _own_event(chair_tablet, "poll.close")] + [await _event(tablet, "poll.close") for tablet in tablets[1:]]
    assert len({c["seq"] for c in closings}) == 1
    for closing in closings:
        assert closing["poll"]["state"] == "closed"
        result = closing["poll"]["result"]
        assert (result["ballots"], result["base"], result["passed"]) == (2, 2, True)
        assert [r["votes"] for r in result["choices"]] == [2, 0, 0]
        assert closing["poll"]["progress"] is None
    late = await first.command("ballot.cast", poll_id=poll.pk, choices=[choices["no"]])
    assert_error(late, code="poll_closed", id=late["id"])


async def test_the_last_ballot_closes_a_vote_that_closes_when_all_have_voted(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User, other_delegate: User
) -> None:
    poll, choices = await _open(open_poll, close_when_all_voted=True)
    third = await sync_to_async(User.objects.get)(username="daibieu3")
    tablets = await room(connect, in_session, chair, delegate, other_delegate, third)

    for tablet in tablets:
        reply = await tablet.command("ballot.cast", poll_id=poll.pk, choices=[choices["yes"]])
        assert reply["type"] == "ack", reply

    closing = await _event(tablets[0], "poll.close")
    assert closing["poll"]["result"]["ballots"] == 4
    assert await sync_to_async(lambda: AuditEvent.objects.filter(action="poll.close").values_list("data__why", flat=True).get())() == (
        "all_voted"
    )


async def test_the_chair_annuls_a_vote_over_the_socket_and_prepares_it_again(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User
) -> None:
    poll, _choices = await _open(open_poll)
    chair_tablet, tablet = await room(connect, in_session, chair, delegate)

    refused = await chair_tablet.command("poll.annul", poll_id=poll.pk, reason="   ")
    reply = await chair_tablet.command("poll.annul", poll_id=poll.pk, reason="Sự cố mạng", repeat=True)

    assert_error(refused, code="invalid", id=refused["id"])
    assert reply["type"] == "ack", reply
    annulled = await _event(tablet, "poll.annul")
    repeat = await _own_event(chair_tablet, "poll.update")
    assert (annulled["poll"]["state"], annulled["poll"]["annulled_reason"]) == ("annulled", "Sự cố mạng")
    assert (repeat["poll"]["state"], repeat["poll"]["repeat_of"], repeat["seq"]) == ("draft", poll.pk, annulled["seq"] + 1)
    # The vote prepared again is the chair's until it opens.
    assert await _event(tablet, "hidden") == {"type": "hidden", "seq": repeat["seq"]}


# --- time limits -----------------------------------------------------------------------------


@sync_to_async
def _due_in(poll: Poll, seconds: float) -> None:
    """Bring a time-limited poll's end close (the shortest limit one can set is ten seconds)."""
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() + datetime.timedelta(seconds=seconds))


async def test_the_hub_watches_the_time_limit_of_a_vote_it_opens(connect: Connect, in_session: Meeting, chair: User) -> None:
    from realtime.hub import hub

    tablet = await connect(chair, in_session)
    await tablet.command("poll.create", question="Có thời hạn", duration_seconds=30)
    poll_id = (await _own_event(tablet, "poll.update"))["poll"]["id"]

    reply = await tablet.command("poll.open", poll_id=poll_id)

    assert reply["type"] == "ack", reply
    for _attempt in range(100):  # the hub sets its timer just after the ack
        if (in_session.pk, poll_id, "deadline") in hub.poll_checks:
            break
        await asyncio.sleep(0.02)
    timer = hub.poll_checks[(in_session.pk, poll_id, "deadline")]
    assert 28 < timer.when() - asyncio.get_running_loop().time() <= 30


async def test_the_hub_closes_a_vote_when_its_time_runs_out(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User
) -> None:
    poll, _choices = await _open(open_poll, duration_seconds=60)
    await _due_in(poll, 0.8)
    chair_tablet, tablet = await room(connect, in_session, chair, delegate)

    closing = await _event(tablet, "poll.close", timeout=3)

    assert closing["poll"]["id"] == poll.pk
    assert closing["poll"]["result"]["ballots"] == 0
    assert (await _event(chair_tablet, "poll.close"))["seq"] == closing["seq"]


async def test_the_hub_closes_a_vote_on_time_even_after_ballots_arrived(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User
) -> None:
    poll, choices = await _open(open_poll, duration_seconds=60)
    await _due_in(poll, 1.0)
    chair_tablet, tablet = await room(connect, in_session, chair, delegate)
    reply = await tablet.command("ballot.cast", poll_id=poll.pk, choices=[choices["yes"]])
    assert reply["type"] == "ack", reply
    await _event(chair_tablet, "poll.progress")

    closing = await _event(chair_tablet, "poll.close", timeout=3)

    assert closing["poll"]["result"]["ballots"] == 1


# --- the snapshot ----------------------------------------------------------------------------


async def test_a_reconnecting_tablet_finds_the_polls_the_proxies_and_whom_it_voted_for(
    connect: Connect, council: Meeting, chair: User, delegate: User, other_delegate: User, open_poll: Callable[..., Poll]
) -> None:
    @sync_to_async
    def prepare() -> tuple[Poll, Proxy, dict[str, int], Participant, Participant]:
        third = User.objects.get(username="daibieu3")
        holder = Participant.objects.get(meeting=council, user=delegate)
        proxy = proxy_give(actor=third, meeting=council, holder_id=holder.pk)
        poll = open_poll()  # starts the meeting with everyone present ...
        giver = Participant.objects.get(meeting=council, user=third)
        set_attendance(Meeting.objects.get(pk=council.pk), giver, Participant.Attendance.ABSENT_EXCUSED)  # ... but the giver leaves
        return poll, proxy, dict(poll.choices.values_list("meaning", "pk")), holder, giver

    poll, proxy, choices, holder, giver = await prepare()
    tablet = await connect(delegate, council)
    assert (await tablet.command("ballot.cast", poll_id=poll.pk, choices=[choices["yes"]]))["type"] == "ack"
    assert (await tablet.command("ballot.cast", poll_id=poll.pk, choices=[choices["no"]], for_participant_id=giver.pk))["type"] == "ack"
    await tablet.close()

    again = await connect(delegate, council)
    bystander = await connect(other_delegate, council)

    state = again.snapshot["state"]
    [shown] = state["polls"]
    assert (shown["id"], shown["state"], shown["result"]) == (poll.pk, "open", None)
    assert {k: shown["progress"][k] for k in ("voted", "eligible")} == {"voted": 2, "eligible": 4}
    assert [(p["id"], p["giver_id"], p["holder_id"]) for p in state["proxies"]] == [(proxy.pk, giver.pk, holder.pk)]
    assert list(state["my_votes"]) == [str(poll.pk)]
    assert sorted(state["my_votes"][str(poll.pk)]) == sorted([holder.pk, giver.pk])
    assert bystander.snapshot["state"]["my_votes"] == {}
    assert bystander.snapshot["state"]["proxies"] == state["proxies"]


async def test_a_tablet_that_joins_after_the_vote_finds_its_result(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User
) -> None:
    poll, choices = await _open(open_poll)
    tablet = await connect(delegate, in_session)
    await tablet.command("ballot.cast", poll_id=poll.pk, choices=[choices["yes"]])
    chair_tablet = await connect(chair, in_session)
    await chair_tablet.command("poll.close", poll_id=poll.pk)

    late = await connect(User.objects.model(pk=chair.pk, username=chair.username, is_active=True), in_session)

    [shown] = late.snapshot["state"]["polls"]
    assert (shown["state"], shown["result"]["ballots"], shown["progress"]) == ("closed", 1, None)


# --- proxies over the socket -----------------------------------------------------------------


async def test_giving_and_revoking_a_proxy_is_announced_to_every_tablet(
    connect: Connect, in_session: Meeting, chair: User, delegate: User
) -> None:
    third = await sync_to_async(User.objects.get)(username="daibieu3")
    holder = await _participant(in_session, "daibieu01")
    giver_tablet, chair_tablet, holder_tablet = await room(connect, in_session, third, chair, delegate)

    reply = await giver_tablet.command("proxy.give", holder_id=holder.pk)

    assert reply["type"] == "ack", reply
    updates = [await _event(chair_tablet, "proxy.update"), await _event(holder_tablet, "proxy.update")]
    updates.append(await _own_event(giver_tablet, "proxy.update"))
    [given] = updates[0]["proxies"]
    assert (given["giver_name"], given["holder_id"], given["holder_name"]) == ("Lê Thị Ba", holder.pk, "Lê Minh Tuấn")
    assert all(update == updates[0] for update in updates)

    reply = await giver_tablet.command("proxy.revoke", proxy_id=given["id"])

    assert reply["type"] == "ack", reply
    revoked = await _event(chair_tablet, "proxy.update")
    assert (revoked["proxies"], revoked["seq"]) == ([], updates[0]["seq"] + 1)


async def test_a_proxy_is_refused_over_the_socket_while_a_vote_is_open(
    connect: Connect, open_poll: Callable[..., Poll], in_session: Meeting, delegate: User, chair: User
) -> None:
    await _open(open_poll)
    holder = await _participant(in_session, "chutoa")
    tablet, chair_tablet = await room(connect, in_session, delegate, chair)

    await assert_refused(tablet, [chair_tablet], "proxy.give", code="poll_open", holder_id=holder.pk)
    await assert_refused(tablet, [chair_tablet], "proxy.give", code="invalid", holder_id="chutoa")
