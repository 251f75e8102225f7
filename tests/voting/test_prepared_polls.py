"""A prepared (draft) vote is the chair's and the secretaries' until it opens: other tablets learn only
that an event happened (its number), not the question, on the socket, in a snapshot, or on resync."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from meetings.models import Meeting, Participant, User
from meetings.permissions import meeting_runner_ids, user_runs_meeting
from meetings.services.participants import participants_invite
from tests.conftest import make_user
from tests.realtime.conftest import Client
from tests.realtime.helpers import Connect, current_seq, events_lost, room
from voting.models import Poll
from voting.services.polls import poll_create, poll_delete

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "Thông qua phương án sắp xếp đơn vị hành chính cấp xã?"


async def _next_numbered(client: Client) -> dict[str, Any]:
    return (await client.receive_until(lambda m: "seq" in m))[-1]


async def _numbered_after(client: Client) -> list[dict[str, Any]]:
    """The numbered messages that arrive within a short while (presence, unnumbered, may come and go)."""
    seen = []
    while not await client.nothing_more():
        message = await client.receive()
        if "seq" in message:
            seen.append(message)
    return seen


@sync_to_async
def _prepare(meeting: Meeting, actor: User) -> Poll:
    return poll_create(actor=actor, meeting=meeting, question=QUESTION)


async def test_a_prepared_vote_reaches_the_chair_and_secretaries_and_only_its_number_reaches_delegates(
    connect: Connect, in_session: Meeting, chair: User, secretary: User, delegate: User
) -> None:
    chair_tablet, secretary_screen, tablet = await room(connect, in_session, chair, secretary, delegate)
    seq = tablet.snapshot["seq"]

    assert (await chair_tablet.command("poll.create", question=QUESTION))["type"] == "ack"

    told = await _next_numbered(secretary_screen)
    hidden = await _next_numbered(tablet)
    assert (told["type"], told["seq"], told["poll"]["question"]) == ("poll.update", seq + 1, QUESTION)
    assert hidden == {"type": "hidden", "seq": seq + 1}

    assert (await chair_tablet.command("poll.open", poll_id=told["poll"]["id"]))["type"] == "ack"
    opened = await _next_numbered(tablet)
    assert (opened["type"], opened["seq"], opened["poll"]["question"], opened["poll"]["state"]) == ("poll.open", seq + 2, QUESTION, "open")


async def test_a_delegates_snapshot_leaves_out_prepared_votes(
    connect: Connect, in_session: Meeting, chair: User, secretary: User, delegate: User, open_poll: Callable[..., Poll]
) -> None:
    opened = await sync_to_async(open_poll)()
    prepared = await _prepare(in_session, secretary)

    tablet, secretary_screen, chair_tablet = await room(connect, in_session, delegate, secretary, chair)

    assert [p["id"] for p in tablet.snapshot["state"]["polls"]] == [opened.pk]
    for screen in (secretary_screen, chair_tablet):
        assert [p["id"] for p in screen.snapshot["state"]["polls"]] == [opened.pk, prepared.pk]
    assert QUESTION not in json.dumps(tablet.snapshot, ensure_ascii=False)


async def test_a_delegate_resyncing_past_a_prepared_vote_gets_its_number_alone(
    connect: Connect, in_session: Meeting, chair: User, secretary: User, delegate: User
) -> None:
    tablet, secretary_screen = await room(connect, in_session, delegate, secretary)
    since = tablet.snapshot["seq"]
    await tablet.close()
    await secretary_screen.close()
    prepared = await _prepare(in_session, chair)

    for user, expected in (
        (delegate, {"type": "hidden", "seq": since + 1}),
        (secretary, {"type": "poll.update", "seq": since + 1, "poll": {"id": prepared.pk, "question": QUESTION}}),
    ):
        back = await connect(user, in_session)
        await back.ws.send_to(text_data=json.dumps({"type": "resync", "since": since}))
        replayed = await _next_numbered(back)
        if "poll" in replayed:
            replayed["poll"] = {k: replayed["poll"][k] for k in ("id", "question")}
        assert replayed == expected
        assert await _numbered_after(back) == []
        await back.close()


async def test_a_prepared_vote_lost_on_the_way_is_filled_in_for_its_audience_only(
    connect: Connect, in_session: Meeting, chair: User, secretary: User, delegate: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub reads a lost event back from the log (another process's, in production) and keeps its audience."""
    chair_tablet, tablet = await room(connect, in_session, chair, delegate)
    lost = tablet.snapshot["seq"] + 1
    events_lost(monkeypatch, lost=lambda seq: seq == lost)

    prepared = await _prepare(in_session, secretary)
    assert (await chair_tablet.command("notice.send", text="Chuẩn bị biểu quyết"))["type"] == "ack"

    assert await _next_numbered(tablet) == {"type": "hidden", "seq": lost}
    notice = await _next_numbered(tablet)
    assert (notice["type"], notice["seq"]) == ("notice", lost + 1)
    chair_heard = [m for m in chair_tablet.events if "seq" in m]
    if not any(m["seq"] == lost + 1 for m in chair_heard):
        chair_heard += [m for m in await chair_tablet.receive_until(lambda m: m.get("seq") == lost + 1) if "seq" in m]
    assert [(m["type"], m.get("poll", {}).get("id")) for m in chair_heard] == [("poll.update", prepared.pk), ("notice", None)]


async def test_deleting_a_prepared_vote_is_told_only_to_those_who_prepare_votes(
    connect: Connect, in_session: Meeting, chair: User, secretary: User, delegate: User
) -> None:
    prepared = await _prepare(in_session, secretary)
    chair_tablet, tablet = await room(connect, in_session, chair, delegate)

    await sync_to_async(poll_delete)(actor=secretary, meeting=in_session, poll_id=prepared.pk)

    seq = await current_seq(in_session)
    deleted = await _next_numbered(chair_tablet)
    assert (deleted["type"], deleted["seq"], deleted["poll_id"]) == ("poll.delete", seq, prepared.pk)
    assert await _next_numbered(tablet) == {"type": "hidden", "seq": seq}


def test_the_audience_of_a_prepared_vote_is_everyone_who_runs_the_meeting(
    council: Meeting, secretary: User, chair: User, delegate: User, other_delegate: User, outsider: User
) -> None:
    assistant = make_user("thuky2", full_name="Võ Thị Phụ Tá")
    participants_invite(actor=secretary, meeting=council, users=[assistant], role=Participant.Role.SECRETARY, can_vote=False)
    administrator = make_user("quantri", full_name="Quản Trị")
    User.objects.filter(pk=administrator.pk).update(is_superuser=True)
    everyone = User.objects.all()

    audience = meeting_runner_ids(meeting=council)

    assert audience == sorted(u.pk for u in everyone if user_runs_meeting(user=u, meeting=council))
    assert {chair.pk, secretary.pk, assistant.pk, administrator.pk} <= set(audience)
    assert not {delegate.pk, other_delegate.pk, outsider.pk} & set(audience)
