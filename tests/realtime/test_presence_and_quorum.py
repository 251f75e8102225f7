"""Who is online (presence, not numbered) and whether enough voting members are present (quorum)."""

from __future__ import annotations

import asyncio
import datetime
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from meetings.models import AuditEvent, Body, Meeting, MeetingEvent, Participant, User
from meetings.services.live import attendance_notify_absence, meeting_start
from meetings.services.participants import participants_invite
from realtime.events import publish_ephemeral
from realtime.hub import hub, online_users
from tests.conftest import make_user
from tests.realtime.conftest import Client
from tests.realtime.helpers import Connect, assert_quiet, current_seq, entry_of, participant_of, room

pytestmark = pytest.mark.django_db(transaction=True)


async def presence(client: Client) -> dict[str, Any]:
    """The next presence message (events in between are not expected)."""
    message = await client.receive()
    assert message["type"] == "presence", message
    return message


async def presence_listing(client: Client, users: list[User]) -> dict[str, Any]:
    expected = sorted(u.pk for u in users)
    seen = await client.receive_until(lambda m: m["type"] == "presence" and m["online"] == expected)
    assert {m["type"] for m in seen} == {"presence"}, seen
    return seen[-1]


# --- Presence ---------------------------------------------------------------------------------------


async def test_it_announces_who_is_online_after_connecting(connect: Connect, live_meeting: Meeting, chair: User, delegate: User) -> None:
    chair_client = await connect(chair, live_meeting)
    delegate_client = await connect(delegate, live_meeting)

    for client in (chair_client, delegate_client):
        message = await presence_listing(client, [chair, delegate])
        assert set(message) == {"type", "online"}  # no seq: presence is not a meeting event
    assert delegate_client.snapshot["state"]["online"] == sorted([chair.pk, delegate.pk])


async def test_it_announces_who_left_after_a_disconnect(
    connect: Connect, live_meeting: Meeting, chair: User, delegate: User, guest: User
) -> None:
    chair_client, delegate_client, guest_client = await room(connect, live_meeting, chair, delegate, guest)

    await delegate_client.close()

    for client in (chair_client, guest_client):
        message = await presence_listing(client, [chair, guest])
        assert "seq" not in message
    await assert_quiet(chair_client, guest_client)


async def test_a_user_with_two_sockets_stays_online_until_both_close(
    connect: Connect, live_meeting: Meeting, chair: User, delegate: User
) -> None:
    chair_client, tablet, phone = await room(connect, live_meeting, chair, delegate, delegate)

    await tablet.close()
    await asyncio.sleep(0.3)  # longer than the presence debounce
    # Still online; screens are not told again what they already know.
    assert await sync_to_async(online_users)(live_meeting.pk) == sorted([chair.pk, delegate.pk])
    assert await chair_client.nothing_more()
    await phone.close()

    await presence_listing(chair_client, [chair])


async def test_presence_does_not_use_up_sequence_numbers(connect: Connect, live_meeting: Meeting, chair: User, delegate: User) -> None:
    chair_client, delegate_client = await room(connect, live_meeting, chair, delegate)
    await delegate_client.close()
    await presence_listing(chair_client, [chair])

    assert await current_seq(live_meeting) == chair_client.snapshot["seq"] == 0
    assert await sync_to_async(MeetingEvent.objects.count)() == 0
    await chair_client.ws.send_to(text_data=json.dumps({"type": "resync", "since": 0}))
    assert await chair_client.nothing_more()
    assert (await chair_client.command("meeting.start"))["type"] == "ack"
    first = (chair_client.events or [await chair_client.receive()])[0]
    assert (first["type"], first["seq"]) == ("meeting.state", 1)


async def test_the_same_presence_is_not_sent_again_after_an_answer_to_one_user(
    connect: Connect, live_meeting: Meeting, chair: User, delegate: User
) -> None:
    """A presence announced twice (two connections in the same moment, two processes) reaches a
    screen once, even when an answer meant for that user alone (an annotation told again) came
    between the two."""
    chair_client, delegate_client = await room(connect, live_meeting, chair, delegate)
    answer = {"meeting_id": live_meeting.pk, "type": "annotation.upsert", "payload": {"again": True}, "users": [delegate.pk]}
    await sync_to_async(publish_ephemeral)(**answer)
    assert (await delegate_client.receive())["again"] is True

    hub.presence_changed(live_meeting.pk)
    await asyncio.sleep(settings.REALTIME_PRESENCE_DEBOUNCE_SECONDS * 4)

    await assert_quiet(chair_client, delegate_client)


async def test_a_refused_socket_is_never_online(connect: Connect, live_meeting: Meeting, chair: User, other_delegate: User) -> None:
    (chair_client,) = await room(connect, live_meeting, chair)

    intruder = await connect(other_delegate, live_meeting, expect_snapshot=False)
    assert (await intruder.receive())["code"] == "not_found"

    assert await chair_client.nothing_more(timeout=0.8)


# --- Quorum -----------------------------------------------------------------------------------------


@pytest.fixture
def four_voters(live_meeting: Meeting, secretary: User, other_delegate: User, outsider: User) -> Meeting:
    """Chair, delegate and two more delegates with a vote: more than half is three."""
    participants_invite(
        actor=secretary, meeting=live_meeting, users=[other_delegate, outsider], role=Participant.Role.DELEGATE, can_vote=True
    )
    return live_meeting


@pytest.fixture
def three_voters(live_meeting: Meeting, secretary: User, other_delegate: User) -> Meeting:
    participants_invite(actor=secretary, meeting=live_meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True)
    return live_meeting


async def mark(secretary_client: Client, meeting: Meeting, user: User, status: str) -> None:
    participant = await participant_of(meeting, user)
    reply = await secretary_client.command("attendance.update", participant_id=participant.pk, status=status)
    assert reply["type"] == "ack", reply


async def quorum_heard(client: Client) -> dict[str, Any]:
    (event,) = await client.receive_until(lambda m: m["type"] == "attendance.update")
    return event["attendance"]["quorum"]


async def test_quorum_is_met_once_both_voting_members_of_two_are_present(
    connect: Connect, live_meeting: Meeting, secretary: User, chair: User, delegate: User
) -> None:
    secretary_client, delegate_client = await room(connect, live_meeting, secretary, delegate)
    assert delegate_client.snapshot["state"]["attendance"]["quorum"] == {"voting": 2, "present": 0, "needed": 2, "met": False}

    await mark(secretary_client, live_meeting, chair, "present")
    assert await quorum_heard(delegate_client) == {"voting": 2, "present": 1, "needed": 2, "met": False}

    await mark(secretary_client, live_meeting, delegate, "present")
    assert await quorum_heard(delegate_client) == {"voting": 2, "present": 2, "needed": 2, "met": True}


async def test_exactly_half_of_the_voting_members_is_not_a_quorum(
    connect: Connect, four_voters: Meeting, secretary: User, chair: User, delegate: User, other_delegate: User
) -> None:
    secretary_client, chair_client = await room(connect, four_voters, secretary, chair)

    await mark(secretary_client, four_voters, chair, "present")
    await mark(secretary_client, four_voters, delegate, "present")
    await quorum_heard(chair_client)
    assert await quorum_heard(chair_client) == {"voting": 4, "present": 2, "needed": 3, "met": False}

    await mark(secretary_client, four_voters, other_delegate, "present")
    assert await quorum_heard(chair_client) == {"voting": 4, "present": 3, "needed": 3, "met": True}


async def test_two_of_three_voting_members_are_a_quorum(
    connect: Connect, three_voters: Meeting, secretary: User, chair: User, other_delegate: User
) -> None:
    secretary_client, chair_client = await room(connect, three_voters, secretary, chair)

    await mark(secretary_client, three_voters, chair, "present")
    assert (await quorum_heard(chair_client))["met"] is False
    await mark(secretary_client, three_voters, other_delegate, "late")

    assert await quorum_heard(chair_client) == {"voting": 3, "present": 2, "needed": 2, "met": True}


async def test_a_people_s_committee_needs_two_thirds_of_its_members(
    connect: Connect, four_voters: Meeting, secretary: User, chair: User, delegate: User, other_delegate: User, outsider: User
) -> None:
    fifth = await sync_to_async(make_user)("daibieu5", full_name="Đỗ Văn Năm")
    await sync_to_async(participants_invite)(
        actor=secretary, meeting=four_voters, users=[fifth], role=Participant.Role.DELEGATE, can_vote=True
    )
    await sync_to_async(Body.objects.filter(pk=four_voters.body_id).update)(quorum_rule=Body.QuorumRule.TWO_THIRDS)
    secretary_client, chair_client = await room(connect, four_voters, secretary, chair)
    # Of five, more than half would be three; two thirds are four.
    assert chair_client.snapshot["state"]["attendance"]["quorum"] == {"voting": 5, "present": 0, "needed": 4, "met": False}

    for user in (chair, delegate, other_delegate):
        await mark(secretary_client, four_voters, user, "present")
    assert [(await quorum_heard(chair_client))["present"] for _ in range(3)] == [1, 2, 3]
    await mark(secretary_client, four_voters, outsider, "present")

    assert await quorum_heard(chair_client) == {"voting": 5, "present": 4, "needed": 4, "met": True}


async def test_members_without_a_vote_do_not_count_towards_the_quorum(
    connect: Connect, live_meeting: Meeting, secretary: User, guest: User, chair: User
) -> None:
    secretary_client, chair_client = await room(connect, live_meeting, secretary, chair)

    await mark(secretary_client, live_meeting, guest, "present")
    await mark(secretary_client, live_meeting, secretary, "present")
    await mark(secretary_client, live_meeting, chair, "present")

    assert (await quorum_heard(chair_client))["present"] == 0
    assert (await quorum_heard(chair_client))["present"] == 0
    assert await quorum_heard(chair_client) == {"voting": 2, "present": 1, "needed": 2, "met": False}


async def test_quorum_is_lost_when_a_voting_member_is_marked_absent(
    connect: Connect, live_meeting: Meeting, secretary: User, chair: User, delegate: User
) -> None:
    secretary_client, chair_client = await room(connect, live_meeting, secretary, chair)
    await mark(secretary_client, live_meeting, chair, "present")
    await mark(secretary_client, live_meeting, delegate, "late")
    await quorum_heard(chair_client)
    assert (await quorum_heard(chair_client))["met"] is True

    await mark(secretary_client, live_meeting, delegate, "absent_excused")

    assert await quorum_heard(chair_client) == {"voting": 2, "present": 1, "needed": 2, "met": False}


async def test_self_check_in_counts_towards_the_quorum(connect: Connect, live_meeting: Meeting, chair: User, delegate: User) -> None:
    chair_client, delegate_client = await room(connect, live_meeting, chair, delegate)

    assert (await chair_client.command("attendance.checkin"))["type"] == "ack"
    assert (await quorum_heard(delegate_client))["met"] is False
    assert (await delegate_client.command("attendance.checkin"))["type"] == "ack"

    events = await chair_client.receive_until(lambda m: m["type"] == "attendance.update" and m["attendance"]["quorum"]["present"] == 2)
    event = events[-1]
    assert event["attendance"]["quorum"] == {"voting": 2, "present": 2, "needed": 2, "met": True}
    assert entry_of(event["attendance"], delegate)["attendance"] == "present"


async def test_a_late_arrival_after_the_start_makes_the_quorum(
    connect: Connect, live_meeting: Meeting, chair: User, delegate: User
) -> None:
    started = await sync_to_async(meeting_start)(actor=chair, meeting=live_meeting)
    chair_client, delegate_client = await room(connect, live_meeting, chair, delegate)
    # The chair is present from the moment he opens the meeting.
    assert delegate_client.snapshot["state"]["attendance"]["quorum"] == {"voting": 2, "present": 1, "needed": 2, "met": False}
    # The delegate comes well after the opening.
    await sync_to_async(Meeting.objects.filter(pk=started.pk).update)(started_at=started.started_at - datetime.timedelta(minutes=30))

    assert (await delegate_client.command("attendance.checkin"))["type"] == "ack"

    events = await chair_client.receive_until(
        lambda m: m["type"] == "attendance.update" and entry_of(m["attendance"], delegate)["attendance"] == "late"
    )
    assert events[-1]["attendance"]["quorum"] == {"voting": 2, "present": 2, "needed": 2, "met": True}


async def test_opening_the_meeting_marks_the_chair_and_the_secretary_present(
    connect: Connect, live_meeting: Meeting, chair: User, secretary: User, delegate: User
) -> None:
    (delegate_client,) = await room(connect, live_meeting, delegate)

    await sync_to_async(meeting_start)(actor=chair, meeting=live_meeting)

    event = (await delegate_client.receive_until(lambda m: m["type"] == "attendance.update"))[-1]
    assert entry_of(event["attendance"], chair)["attendance"] == "present"
    assert entry_of(event["attendance"], secretary)["attendance"] == "present"
    assert entry_of(event["attendance"], delegate)["attendance"] == "unknown"
    participant = await participant_of(live_meeting, chair)
    assert participant.arrived_at is not None
    audits = await sync_to_async(list)(AuditEvent.objects.filter(meeting=live_meeting, action="attendance.check_in").order_by("id"))
    marked = {audit.data["participant"] for audit in audits}
    assert marked == {participant.pk, (await participant_of(live_meeting, secretary)).pk}
    assert {(audit.actor_id, audit.data["on_start"]) for audit in audits} == {(chair.pk, True)}
    await assert_quiet(delegate_client)  # one attendance event for both


async def test_a_secretary_who_said_they_cannot_come_is_not_marked_present_on_opening(
    live_meeting: Meeting, chair: User, secretary: User
) -> None:
    await sync_to_async(attendance_notify_absence)(actor=secretary, meeting=live_meeting, reason="Đi công tác")

    await sync_to_async(meeting_start)(actor=chair, meeting=live_meeting)

    assert (await participant_of(live_meeting, secretary)).attendance == "absent_excused"
