"""Who takes part changes while tablets are open (before the start): every screen's list follows, and
whoever changed place starts again from a snapshot of their own, or is shut out once removed."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from meetings.models import Meeting, Participant, User
from meetings.services.meetings import meeting_update
from meetings.services.participants import participant_remove, participant_update, participants_invite
from tests.realtime.conftest import Client
from tests.realtime.helpers import Connect, assert_error, room
from voting.services.polls import poll_create

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "Thông qua danh sách tổ đại biểu?"


async def _snapshot_again(client: Client) -> dict[str, Any]:
    return (await client.receive_until(lambda m: m["type"] == "snapshot"))[-1]


async def _attendance(client: Client) -> dict[str, Any]:
    return (await client.receive_until(lambda m: m["type"] == "attendance.update"))[-1]["attendance"]


def _roles(attendance: dict[str, Any]) -> dict[int, str]:
    return {p["user_id"]: p["role"] for p in attendance["participants"]}


async def test_a_delegate_made_secretary_is_given_the_secretarys_room_at_once(
    connect: Connect, live_meeting: Meeting, secretary: User, chair: User, delegate: User
) -> None:
    await sync_to_async(poll_create)(actor=secretary, meeting=live_meeting, question=QUESTION)
    chair_tablet, tablet = await room(connect, live_meeting, chair, delegate)
    assert tablet.snapshot["state"]["polls"] == []
    participant = await sync_to_async(Participant.objects.get)(meeting=live_meeting, user=delegate)

    await sync_to_async(participant_update)(actor=secretary, participant=participant, role=Participant.Role.SECRETARY, can_vote=False)

    assert _roles(await _attendance(chair_tablet))[delegate.pk] == "secretary"
    again = await _snapshot_again(tablet)
    assert again["state"]["me"]["keeps_attendance"] is True
    assert [poll["question"] for poll in again["state"]["polls"]] == [QUESTION]
    # Only the one whose place changed starts again: the chair's tablet goes on from its events.
    assert await chair_tablet.nothing_more()

    # And back: the prepared vote is no longer theirs to see.
    await sync_to_async(participant_update)(actor=secretary, participant=participant, role=Participant.Role.DELEGATE, can_vote=True)
    again = await _snapshot_again(tablet)
    assert again["state"]["me"]["keeps_attendance"] is False
    assert again["state"]["polls"] == []


async def test_a_removed_participants_tablet_is_shut_out(
    connect: Connect, live_meeting: Meeting, secretary: User, chair: User, delegate: User
) -> None:
    chair_tablet, tablet = await room(connect, live_meeting, chair, delegate)
    participant = await sync_to_async(Participant.objects.get)(meeting=live_meeting, user=delegate)

    await sync_to_async(participant_remove)(actor=secretary, participant=participant)

    assert delegate.pk not in _roles(await _attendance(chair_tablet))
    told = await tablet.receive_until(lambda m: m["type"] == "error")
    assert_error(told[-1], code="not_found", id=None)
    assert await tablet.ws.receive_output(timeout=1) == {"type": "websocket.close", "code": 4404}


@sync_to_async
def _hand_the_chair_to(meeting: Meeting, user: User, *, actor: User) -> None:
    meeting = Meeting.objects.select_related("body", "secretary").get(pk=meeting.pk)
    fields = {name: getattr(meeting, name) for name in ("body", "title", "kind", "starts_at", "ends_at", "location", "secretary")}
    meeting_update(actor=actor, meeting=meeting, chair=user, **fields)


async def test_a_new_chair_and_the_former_one_start_again_in_their_new_places(
    connect: Connect, live_meeting: Meeting, secretary: User, chair: User, delegate: User
) -> None:
    former, tablet = await room(connect, live_meeting, chair, delegate)
    assert (former.snapshot["state"]["me"]["is_chair"], tablet.snapshot["state"]["me"]["is_chair"]) == (True, False)

    await _hand_the_chair_to(live_meeting, delegate, actor=secretary)

    assert (await _snapshot_again(tablet))["state"]["me"]["is_chair"] is True
    formerly = await _snapshot_again(former)
    assert formerly["state"]["me"]["is_chair"] is False
    assert _roles(formerly["state"]["attendance"])[chair.pk] == "delegate"


async def test_someone_invited_appears_on_the_tablets_already_open(
    connect: Connect, live_meeting: Meeting, secretary: User, delegate: User, other_delegate: User
) -> None:
    (tablet,) = await room(connect, live_meeting, delegate)

    await sync_to_async(participants_invite)(
        actor=secretary, meeting=live_meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True
    )

    assert _roles(await _attendance(tablet))[other_delegate.pk] == "delegate"
