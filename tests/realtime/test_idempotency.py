"""A tablet on bad wifi resends: the same command id is acknowledged every time and applied once."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async

from meetings.models import AgendaItem, CommandReceipt, Meeting, MeetingEvent, SpeakerRequest, User
from tests.realtime.conftest import Client
from tests.realtime.helpers import Connect, assert_error, assert_quiet, numbered, room

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def events_of_type(meeting: Meeting, type: str) -> int:
    return MeetingEvent.objects.filter(meeting=meeting, type=type).count()


@sync_to_async
def receipts(meeting: Meeting) -> list[tuple[int, str]]:
    return sorted(CommandReceipt.objects.filter(meeting=meeting).values_list("user_id", "command_id"))


async def acked(client: Client, type: str, command_id: str, **fields: object) -> None:
    reply = await client.command(type, id=command_id, **fields)
    assert reply == {"type": "ack", "id": command_id}


async def test_a_repeated_request_to_speak_is_acknowledged_twice_and_heard_once(
    connect: Connect, started: Meeting, delegate: User, chair: User
) -> None:
    delegate_client, chair_client = await room(connect, started, delegate, chair)

    await acked(delegate_client, "speaker.request", "xin-noi-1")
    await acked(delegate_client, "speaker.request", "xin-noi-1")

    (event,) = numbered(await chair_client.receive_until(lambda m: m["type"] == "speaker.request"))
    assert [r["user_id"] for r in event["speakers"]["queue"]] == [delegate.pk]
    await assert_quiet(chair_client)
    assert await events_of_type(started, "speaker.request") == 1
    assert await sync_to_async(SpeakerRequest.objects.filter(meeting=started).count)() == 1
    assert await receipts(started) == [(delegate.pk, "xin-noi-1")]


async def test_a_repeated_notice_is_shown_once(connect: Connect, live_meeting: Meeting, secretary: User, delegate: User) -> None:
    secretary_client, delegate_client = await room(connect, live_meeting, secretary, delegate)

    await acked(secretary_client, "notice.send", "tb-1", text="Mời đại biểu dùng trà.")
    await acked(secretary_client, "notice.send", "tb-1", text="Mời đại biểu dùng trà.")
    await acked(secretary_client, "notice.send", "tb-1", text="Mời đại biểu dùng trà.")

    (event,) = await delegate_client.receive_until(lambda m: m["type"] == "notice")
    assert event["text"] == "Mời đại biểu dùng trà."
    await assert_quiet(delegate_client)
    assert await events_of_type(live_meeting, "notice") == 1


async def test_a_resend_is_not_applied_even_when_it_would_change_something_now(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem]
) -> None:
    """The chair moved to item 2, then back to item 1 with another command: a late resend of the first must not move again."""
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    await acked(chair_client, "agenda.current", "muc-2", item_id=items[1].pk)
    await acked(chair_client, "agenda.current", "muc-1", item_id=items[0].pk)
    await acked(chair_client, "agenda.current", "muc-2", item_id=items[1].pk)

    events = await delegate_client.receive_until(lambda m: m["type"] == "agenda.current" and m["current_item_id"] == items[0].pk)
    assert [e["current_item_id"] for e in events] == [items[1].pk, items[0].pk]
    await assert_quiet(delegate_client)
    assert await sync_to_async(lambda: Meeting.objects.get(pk=started.pk).current_item_id)() == items[0].pk


async def test_a_resend_on_a_new_socket_is_still_recognised(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    delegate_client, chair_client = await room(connect, started, delegate, chair)
    await acked(delegate_client, "speaker.request", "truoc-khi-mat-song")
    await chair_client.receive_until(lambda m: m["type"] == "speaker.request")
    await delegate_client.close()

    again = await connect(delegate, started)
    await acked(again, "speaker.request", "truoc-khi-mat-song")

    assert await events_of_type(started, "speaker.request") == 1
    assert await sync_to_async(SpeakerRequest.objects.filter(meeting=started).count)() == 1


async def test_the_same_id_sent_at_once_from_two_sockets_of_one_user_is_applied_once(
    connect: Connect, live_meeting: Meeting, secretary: User, delegate: User
) -> None:
    laptop, tablet, delegate_client = await room(connect, live_meeting, secretary, secretary, delegate)

    replies = await asyncio.gather(
        laptop.command("notice.send", id="cung-lenh", text="Họp lúc 14 giờ."),
        tablet.command("notice.send", id="cung-lenh", text="Họp lúc 14 giờ."),
    )

    assert replies == [{"type": "ack", "id": "cung-lenh"}] * 2
    await delegate_client.receive_until(lambda m: m["type"] == "notice")
    await assert_quiet(delegate_client)
    assert await events_of_type(live_meeting, "notice") == 1


async def test_the_same_id_from_two_users_is_two_commands(
    connect: Connect, live_meeting: Meeting, secretary: User, chair: User, delegate: User
) -> None:
    secretary_client, chair_client, delegate_client = await room(connect, live_meeting, secretary, chair, delegate)

    await acked(secretary_client, "notice.send", "1", text="Thông báo của thư ký")
    await acked(chair_client, "notice.send", "1", text="Thông báo của chủ tọa")

    events = await delegate_client.receive_until(lambda m: m["type"] == "notice" and m["sender"] == "Nguyễn Văn Hùng")
    assert [e["text"] for e in events] == ["Thông báo của thư ký", "Thông báo của chủ tọa"]
    assert await receipts(live_meeting) == sorted([(secretary.pk, "1"), (chair.pk, "1")])


async def test_a_refused_command_leaves_no_receipt_so_its_id_can_succeed_later(
    connect: Connect, live_meeting: Meeting, chair: User, delegate: User
) -> None:
    chair_client, delegate_client = await room(connect, live_meeting, chair, delegate)
    items = await sync_to_async(lambda: list(AgendaItem.objects.filter(meeting=live_meeting).order_by("position", "id")))()

    early = await chair_client.command("agenda.current", id="sang-muc-2", item_id=items[1].pk)
    assert_error(early, code="wrong_state", id="sang-muc-2")
    assert await receipts(live_meeting) == []
    await assert_quiet(delegate_client)

    await acked(chair_client, "meeting.start", "bat-dau")
    await acked(chair_client, "agenda.current", "sang-muc-2", item_id=items[1].pk)

    events = await delegate_client.receive_until(lambda m: m["type"] == "agenda.current" and m["current_item_id"] == items[1].pk)
    assert [e["type"] for e in events] == ["meeting.state", "agenda.current", "attendance.update", "agenda.current"]
    assert await receipts(live_meeting) == sorted([(chair.pk, "bat-dau"), (chair.pk, "sang-muc-2")])


async def test_a_forbidden_command_leaves_no_receipt_either(connect: Connect, started: Meeting, chair: User, delegate: User) -> None:
    delegate_client, _chair_client = await room(connect, started, delegate, chair)

    reply = await delegate_client.command("notice.send", id="n-1", text="Tôi muốn thông báo")

    assert_error(reply, code="forbidden", id="n-1")
    assert await receipts(started) == []


async def test_a_malformed_command_leaves_no_receipt_and_its_id_can_be_used_when_corrected(
    connect: Connect, started: Meeting, chair: User, delegate: User
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    wrong = await chair_client.command("notice.send", id="tb-9", text="x" * 500)
    assert_error(wrong, code="invalid", id="tb-9")
    await acked(chair_client, "notice.send", "tb-9", text="Đã sửa")

    (event,) = await delegate_client.receive_until(lambda m: m["type"] == "notice")
    assert event["text"] == "Đã sửa"


async def test_a_repeated_command_that_changed_nothing_the_first_time_is_acknowledged_again(
    connect: Connect, started: Meeting, chair: User, delegate: User
) -> None:
    delegate_client, chair_client = await room(connect, started, delegate, chair)

    await acked(delegate_client, "speaker.withdraw", "rut-1")
    await acked(delegate_client, "speaker.withdraw", "rut-1")

    await assert_quiet(delegate_client, chair_client)
    assert await receipts(started) == [(delegate.pk, "rut-1")]


async def test_a_resend_sent_before_the_first_answer_is_also_applied_once(
    connect: Connect, started: Meeting, delegate: User, chair: User
) -> None:
    delegate_client, chair_client = await room(connect, started, delegate, chair)
    frame = json.dumps({"type": "speaker.request", "id": "vo-tinh-gui-hai-lan"})

    await delegate_client.ws.send_to(text_data=frame)
    await delegate_client.ws.send_to(text_data=frame)
    replies = [m for m in await delegate_client.receive_until(lambda m: m["type"] == "ack") if m["type"] == "ack"]
    replies += [m for m in await delegate_client.receive_until(lambda m: m["type"] == "ack") if m["type"] == "ack"]

    assert replies == [{"type": "ack", "id": "vo-tinh-gui-hai-lan"}] * 2
    await chair_client.receive_until(lambda m: m["type"] == "speaker.request")
    await assert_quiet(chair_client)
    assert await events_of_type(started, "speaker.request") == 1
