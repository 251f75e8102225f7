"""The minutes written live over the meeting's websocket: edits reach the people writing the minutes
(secretaries, the chair) and nobody else, two writers on one field are told whose text was replaced,
and the chair announces an item's conclusion, or the meeting's, to every screen."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from meetings.models import AgendaItem, Meeting, User
from meetings.services.live import meeting_end, meeting_start
from minutes.document import minutes_html
from minutes.models import Minutes, MinutesEntry
from minutes.selectors import minutes_facts
from minutes.services.entries import MAX_CHARS, minutes_entry_update
from realtime import consumers
from tests.realtime.conftest import Client
from tests.realtime.helpers import Connect, assert_error, assert_quiet, assert_refused, numbered

pytestmark = pytest.mark.django_db(transaction=True)

_burst_ids = itertools.count(1)


@pytest.fixture
def live(council: Meeting, minutes_items: list[AgendaItem], assistant: User, chair: User) -> Meeting:
    """The council's meeting under way, with an assistant secretary invited."""
    return meeting_start(actor=chair, meeting=council)


@pytest.fixture
def item(minutes_items: list[AgendaItem]) -> AgendaItem:
    return minutes_items[1]


async def _settle(client: Client, expected: list[int]) -> None:
    """Wait until this client knows exactly these users are online, and the presence messages have stopped.

    The snapshot may already say so: realtime/hub.py drops an unnumbered message that arrives while a
    socket's snapshot is being made (see test_an_edit_made_while_a_console_reconnects_reaches_it), so the
    presence announcement that follows the last connection does not always reach the last socket.
    """
    settled = client.snapshot is not None and client.snapshot["state"]["online"] == expected
    while True:
        if settled and await client.ws.receive_nothing(timeout=0.3):
            return
        message = await client.receive(timeout=10)
        assert message["type"] == "presence", message
        settled = message["online"] == expected


async def room(connect: Connect, meeting: Meeting, *users: User) -> list[Client]:
    """One socket per user (a user may have several), each past its snapshot and the presence announcements."""
    clients = [await connect(user, meeting) for user in users]
    expected = sorted({user.pk for user in users})
    await asyncio.gather(*(_settle(client, expected) for client in clients))
    return clients


async def _event(client: Client, type: str, timeout: float = 3) -> dict[str, Any]:
    """The next message of this type, skipping whatever comes before it."""
    return (await client.receive_until(lambda m: m.get("type") == type, timeout=timeout))[-1]


async def _own_event(client: Client, type: str) -> dict[str, Any]:
    """An event caused by this client's last command: received with its reply, or right after it."""
    seen = [m for m in getattr(client, "events", []) if m.get("type") == type]
    return seen[-1] if seen else await _event(client, type)


@sync_to_async
def _entry(meeting: Meeting, item_id: int | None) -> MinutesEntry:
    return MinutesEntry.objects.get(meeting=meeting, agenda_item_id=item_id)


# --- who hears the edits ------------------------------------------------------------------------


async def test_it_acknowledges_an_edit_and_tells_every_writer_but_no_delegate(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, assistant: User, chair: User, delegate: User
) -> None:
    writing, second_console, helper, chair_console, tablet = await room(connect, live, secretary, secretary, assistant, chair, delegate)
    text = "Đại biểu Lê Minh Tuấn đề nghị bổ sung lộ trình triển khai."

    reply = await writing.command("minutes.update", field="notes", text=text, base_version=0, item_id=item.pk)

    assert reply == {"type": "ack", "id": reply["id"]}
    own = await _own_event(writing, "minutes.update")
    heard = [own] + [await _event(console, "minutes.update") for console in (second_console, helper, chair_console)]
    for message in heard:
        assert "seq" not in message
        assert message["field"] == "notes"
        assert message["by_user"] == secretary.pk
        assert message["replaced"] is None
        entry = message["entry"]
        assert (entry["item_id"], entry["notes"], entry["conclusions"]) == (item.pk, text, "")
        assert (entry["notes_version"], entry["conclusions_version"]) == (1, 0)
        assert entry["updated_by"] == "Trần Thị Thu"
        assert entry["updated_at"]
    assert await tablet.nothing_more()
    stored = await _entry(live, item.pk)
    assert (stored.notes, stored.notes_version, stored.updated_by_id) == (text, 1, secretary.pk)


async def test_an_edit_made_while_a_console_reconnects_reaches_it(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_snapshot = consumers.live_snapshot

    def snapshot_then_an_edit(**kwargs: Any) -> dict[str, Any]:
        snapshot = real_snapshot(**kwargs)
        # The secretary's autosave lands just after the chair's snapshot was read, while it is on its way.
        minutes_entry_update(actor=secretary, meeting=live, field="notes", text="Sửa lúc kết nối lại.", base_version=0, item_id=item.pk)
        time.sleep(0.2)
        return snapshot

    monkeypatch.setattr(consumers, "live_snapshot", snapshot_then_an_edit)
    chair_console = await connect(chair, live)

    in_snapshot = [e["notes"] for e in chair_console.snapshot["state"]["minutes"]["entries"]]
    if "Sửa lúc kết nối lại." not in in_snapshot:
        update = await _event(chair_console, "minutes.update")
        assert update["entry"]["notes"] == "Sửa lúc kết nối lại."


async def test_the_meeting_as_a_whole_has_an_entry_of_its_own(connect: Connect, live: Meeting, secretary: User, chair: User) -> None:
    writing, chair_console = await room(connect, live, secretary, chair)

    reply = await writing.command("minutes.update", field="conclusions", text="Kết luận chung.", base_version=0)

    assert reply["type"] == "ack", reply
    message = await _event(chair_console, "minutes.update")
    assert message["entry"]["item_id"] is None
    assert (await _entry(live, None)).conclusions == "Kết luận chung."


async def test_only_the_writers_get_the_minutes_in_their_snapshot(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, assistant: User, chair: User, delegate: User, guest: User
) -> None:
    await sync_to_async(minutes_entry_update)(
        actor=secretary, meeting=live, field="notes", text="Ghi chép.", base_version=0, item_id=item.pk
    )

    snapshots = {
        user.username: (await connect(user, live)).snapshot["state"]["minutes"] for user in (secretary, assistant, chair, delegate, guest)
    }

    assert snapshots["daibieu01"] is None
    assert snapshots["khach01"] is None
    for username, editable in (("thuky", True), ("thuky02", True), ("chutoa", False)):
        minutes = snapshots[username]
        assert minutes["editable"] is editable
        assert [(e["item_id"], e["notes"], e["notes_version"]) for e in minutes["entries"]] == [(item.pk, "Ghi chép.", 1)]


async def test_a_console_is_not_offered_minutes_to_type_in_once_they_are_circulated(
    connect: Connect, live: Meeting, secretary: User
) -> None:
    await sync_to_async(Minutes.objects.update_or_create)(meeting=live, defaults={"state": Minutes.State.CIRCULATED})

    minutes = (await connect(secretary, live)).snapshot["state"]["minutes"]

    assert minutes["editable"] is False


async def test_a_delegate_may_not_write_the_minutes(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User, delegate: User
) -> None:
    writing, chair_console, tablet = await room(connect, live, secretary, chair, delegate)

    await assert_refused(
        tablet,
        [writing, chair_console],
        "minutes.update",
        code="forbidden",
        field="notes",
        text="Sửa trộm",
        base_version=0,
        item_id=item.pk,
    )

    assert not await sync_to_async(MinutesEntry.objects.filter(meeting=live).exists)()


async def test_the_chair_reads_but_does_not_write_the_notes(connect: Connect, live: Meeting, item: AgendaItem, chair: User) -> None:
    chair_console = await connect(chair, live)

    reply = await chair_console.command("minutes.update", field="notes", text="Chủ tọa ghi", base_version=0, item_id=item.pk)

    assert_error(reply, code="forbidden", id=reply["id"])


@pytest.mark.parametrize(
    ("make_fields", "code"),
    [
        pytest.param(lambda item, other: {"field": "other", "text": "x", "base_version": 0}, "invalid", id="unknown-field"),
        pytest.param(lambda item, other: {"field": "notes", "text": "x" * (MAX_CHARS + 1), "base_version": 0}, "invalid", id="too-long"),
        pytest.param(lambda item, other: {"field": "notes", "text": "x"}, "invalid", id="no-base-version"),
        pytest.param(lambda item, other: {"field": "notes", "text": "x", "base_version": -1}, "invalid", id="negative-base-version"),
        pytest.param(lambda item, other: {"field": "notes", "text": 5, "base_version": 0}, "invalid", id="text-not-a-string"),
        pytest.param(lambda item, other: {"field": "notes", "text": "x", "base_version": 0, "extra": 1}, "invalid", id="unexpected-field"),
        pytest.param(
            lambda item, other: {"field": "notes", "text": "x", "base_version": 0, "item_id": other.pk}, "not_found", id="other-meeting"
        ),
        pytest.param(
            lambda item, other: {"field": "notes", "text": "x", "base_version": 0, "item_id": 2**31 - 1}, "not_found", id="no-such-item"
        ),
    ],
)
async def test_a_malformed_edit_is_refused(
    connect: Connect,
    live: Meeting,
    item: AgendaItem,
    secretary: User,
    chair: User,
    make_meeting: Callable[..., Meeting],
    make_fields: Callable[[AgendaItem, AgendaItem], dict[str, Any]],
    code: str,
) -> None:
    other = await sync_to_async(lambda: AgendaItem.objects.get(meeting=make_meeting(title="Cuộc họp khác")))()
    writing, chair_console = await room(connect, live, secretary, chair)

    await assert_refused(writing, [chair_console], "minutes.update", code=code, **make_fields(item, other))

    assert not await sync_to_async(MinutesEntry.objects.filter(meeting=live).exists)()


async def test_the_longest_part_fits_a_frame_even_in_vietnamese(connect: Connect, live: Meeting, item: AgendaItem, secretary: User) -> None:
    writing = await connect(secretary, live)
    text = "ễ" * MAX_CHARS  # three bytes each, sent as a browser sends it (not \\u-escaped)
    message = {"type": "minutes.update", "id": "longest", "field": "notes", "text": text, "base_version": 0, "item_id": item.pk}

    await writing.ws.send_to(text_data=json.dumps(message, ensure_ascii=False))
    reply = (await writing.receive_until(lambda m: m.get("id") == "longest"))[-1]

    assert reply == {"type": "ack", "id": "longest"}
    assert (await _entry(live, item.pk)).notes == text


# --- two writers ----------------------------------------------------------------------------------


async def test_the_later_write_wins_and_says_whose_text_it_replaced(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, assistant: User, chair: User
) -> None:
    first, second, chair_console = await room(connect, live, secretary, assistant, chair)

    await first.command("minutes.update", field="notes", text="Bản của thư ký.", base_version=0, item_id=item.pk)
    assert (await _event(chair_console, "minutes.update"))["replaced"] is None
    reply = await second.command("minutes.update", field="notes", text="Bản của thư ký phụ.", base_version=0, item_id=item.pk)

    assert reply["type"] == "ack", reply
    for console in (first, chair_console):
        message = (await console.receive_until(lambda m: m.get("type") == "minutes.update" and m["by_user"] == assistant.pk))[-1]
        assert message["replaced"] == {"by": "Trần Thị Thu", "text": "Bản của thư ký.", "field": "notes"}
        assert message["entry"]["notes"] == "Bản của thư ký phụ."
        assert message["entry"]["notes_version"] == 2
        assert message["entry"]["updated_by"] == "Đỗ Thị Phụ"
    stored = await _entry(live, item.pk)
    assert (stored.notes, stored.notes_version) == ("Bản của thư ký phụ.", 2)


async def test_a_write_on_the_current_version_replaces_nothing(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, assistant: User, chair: User
) -> None:
    first, second, chair_console = await room(connect, live, secretary, assistant, chair)
    await first.command("minutes.update", field="notes", text="Một.", base_version=0, item_id=item.pk)
    seen = await _event(chair_console, "minutes.update")

    await second.command("minutes.update", field="notes", text="Một. Hai.", base_version=seen["entry"]["notes_version"], item_id=item.pk)

    message = await _event(chair_console, "minutes.update")
    assert message["replaced"] is None
    assert (message["entry"]["notes"], message["entry"]["notes_version"]) == ("Một. Hai.", 2)


async def test_the_same_text_written_twice_replaces_nothing(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, assistant: User, chair: User
) -> None:
    first, second, chair_console = await room(connect, live, secretary, assistant, chair)
    await first.command("minutes.update", field="notes", text="Giống nhau.", base_version=0, item_id=item.pk)
    await _event(chair_console, "minutes.update")

    await second.command("minutes.update", field="notes", text="Giống nhau.", base_version=0, item_id=item.pk)

    assert (await _event(chair_console, "minutes.update"))["replaced"] is None


async def test_edits_of_different_fields_do_not_flag_each_other(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, assistant: User, chair: User
) -> None:
    first, second, chair_console = await room(connect, live, secretary, assistant, chair)

    await first.command("minutes.update", field="notes", text="Thảo luận.", base_version=0, item_id=item.pk)
    await second.command("minutes.update", field="conclusions", text="Kết luận.", base_version=0, item_id=item.pk)

    messages = [await _event(chair_console, "minutes.update") for _ in range(2)]
    assert [(m["field"], m["replaced"]) for m in messages] == [("notes", None), ("conclusions", None)]
    assert (messages[1]["entry"]["notes"], messages[1]["entry"]["conclusions"]) == ("Thảo luận.", "Kết luận.")
    assert (messages[1]["entry"]["notes_version"], messages[1]["entry"]["conclusions_version"]) == (1, 1)


async def _send(client: Client, command_id: str, text: str, item: AgendaItem) -> None:
    message = {"type": "minutes.update", "id": command_id, "field": "notes", "text": text, "base_version": 0, "item_id": item.pk}
    await client.ws.send_to(text_data=json.dumps(message, ensure_ascii=False))


async def _replies(client: Client, ids: set[str]) -> dict[str, dict[str, Any]]:
    replies: dict[str, dict[str, Any]] = {}
    while set(replies) != ids:
        message = await client.receive(timeout=10)
        if message.get("type") in ("ack", "error"):
            replies[message["id"]] = message
    return replies


async def test_a_burst_of_writes_from_two_consoles_keeps_every_version(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, assistant: User
) -> None:
    consoles = await room(connect, live, secretary, assistant)
    writes = [
        (consoles[n % 2], f"burst-{next(_burst_ids)}", f"Bản thứ {n} của {'thư ký' if n % 2 == 0 else 'thư ký phụ'}.") for n in range(20)
    ]

    await asyncio.gather(*(_send(console, command_id, text, item) for console, command_id, text in writes))
    answered = await asyncio.gather(
        *(_replies(console, {command_id for c, command_id, _text in writes if c is console}) for console in consoles)
    )

    replies = [reply for per_console in answered for reply in per_console.values()]
    assert len(replies) == 20
    assert all(reply["type"] == "ack" for reply in replies), [r for r in replies if r["type"] != "ack"]
    stored = await _entry(live, item.pk)
    assert stored.notes in {text for _console, _id, text in writes}
    assert stored.notes_version == 20


# --- writing after the meeting ------------------------------------------------------------------


async def test_the_notes_can_be_finished_after_the_meeting_ended(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User
) -> None:
    await sync_to_async(meeting_end)(actor=chair, meeting=live)
    writing = await connect(secretary, live)

    reply = await writing.command("minutes.update", field="notes", text="Bổ sung sau cuộc họp.", base_version=0, item_id=item.pk)

    assert reply["type"] == "ack", reply


async def test_circulated_minutes_are_not_edited_live(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User
) -> None:
    await sync_to_async(meeting_end)(actor=chair, meeting=live)
    await sync_to_async(lambda: Minutes.objects.create(meeting=live, state=Minutes.State.CIRCULATED))()
    writing = await connect(secretary, live)

    reply = await writing.command("minutes.update", field="notes", text="Sửa muộn.", base_version=0, item_id=item.pk)

    assert_error(reply, code="wrong_state", id=reply["id"])


async def test_the_writers_are_told_why_the_minutes_are_no_longer_written_in_the_room(
    connect: Connect, live: Meeting, secretary: User, chair: User
) -> None:
    assert (await connect(secretary, live)).snapshot["state"]["minutes"]["locked"] is None
    await sync_to_async(meeting_end)(actor=chair, meeting=live)
    minutes = await sync_to_async(lambda: Minutes.objects.create(meeting=live, state=Minutes.State.CIRCULATED))()

    circulated = (await connect(secretary, live)).snapshot["state"]["minutes"]
    assert (circulated["editable"], circulated["locked"]) == (False, "circulated")

    await sync_to_async(Minutes.objects.filter(pk=minutes.pk).update)(state=Minutes.State.APPROVED)
    approved = (await connect(secretary, live)).snapshot["state"]["minutes"]
    assert (approved["editable"], approved["locked"]) == (False, "approved")


# --- the chair's conclusion -----------------------------------------------------------------------


async def test_the_chairs_conclusion_reaches_every_screen_and_the_minutes(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User, delegate: User
) -> None:
    writing, chair_console, tablet = await room(connect, live, secretary, chair, delegate)
    seq = tablet.snapshot["seq"]
    text = "Thống nhất thông qua Đề án; giao Sở hoàn thiện trước ngày 15/7."

    reply = await chair_console.command("minutes.conclude", item_id=item.pk, text=text)

    assert reply["type"] == "ack", reply
    for console in (tablet, writing):
        event = await _event(console, "minutes.conclusion")
        assert event == {"type": "minutes.conclusion", "seq": seq + 1, "item_id": item.pk, "text": text, "by": "Nguyễn Văn Hùng"}
    update = await _event(writing, "minutes.update")
    assert (update["field"], update["entry"]["conclusions"], update["by_user"]) == ("conclusions", text, chair.pk)
    assert await tablet.nothing_more()
    stored = await _entry(live, item.pk)
    assert (stored.conclusions, stored.conclusions_version) == (text, 1)
    assert stored.conclusion_announced_at is not None


async def test_the_chair_is_shown_the_secretarys_conclusion_written_while_they_drafted_theirs(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User, delegate: User
) -> None:
    writing, chair_console, tablet = await room(connect, live, secretary, chair, delegate)
    written = "Giao Phòng Tài chính – Kế hoạch tổng hợp ý kiến."
    await writing.command("minutes.update", item_id=item.pk, field="conclusions", text=written, base_version=0)

    refused = await chair_console.command("minutes.conclude", item_id=item.pk, text="Thông qua Đề án.", base_version=0)

    assert (refused["type"], refused["code"]) == ("error", "conflict"), refused
    assert refused["message"].startswith(f"{secretary.display_name} vừa ghi")
    # With what is there now: the chair's copy may be older, if their room was offline when it was written.
    assert (refused["detail"]["entry"]["conclusions"], refused["detail"]["entry"]["conclusions_version"]) == (written, 1)
    assert (await _entry(live, item.pk)).conclusions == written
    assert await tablet.nothing_more()  # nothing was announced
    # Having read it, the chair announces theirs in its place.
    reply = await chair_console.command("minutes.conclude", item_id=item.pk, text="Thông qua Đề án.", base_version=1)
    assert reply["type"] == "ack", reply
    assert (await _entry(live, item.pk)).conclusions == "Thông qua Đề án."
    update = (await writing.receive_until(lambda m: m.get("type") == "minutes.update" and m["by_user"] == chair.pk))[-1]
    assert update["replaced"]["text"] == written


async def test_the_chairs_conclusion_of_the_whole_meeting_goes_to_every_screen_and_the_minutes(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User, delegate: User
) -> None:
    writing, chair_console, tablet = await room(connect, live, secretary, chair, delegate)
    await chair_console.command("minutes.conclude", item_id=item.pk, text="Thông qua Đề án.")
    text = "Các đơn vị triển khai ngay các nội dung đã thống nhất; báo cáo kết quả trước ngày 30/12."

    reply = await chair_console.command("minutes.conclude", text=text)

    assert reply["type"] == "ack", reply
    event = await _event(tablet, "minutes.conclusion")
    while event["item_id"] is not None:
        event = await _event(tablet, "minutes.conclusion")
    assert (event["text"], event["by"]) == (text, "Nguyễn Văn Hùng")
    update = (await writing.receive_until(lambda m: m.get("type") == "minutes.update" and m["entry"]["item_id"] is None))[-1]
    assert (update["field"], update["entry"]["conclusions"]) == ("conclusions", text)
    general = await _entry(live, None)
    assert (general.conclusions, general.conclusion_announced) == (text, text)
    # The item's conclusion is where it was; the meeting's goes under "Kết luận của chủ tọa".
    assert (await _entry(live, item.pk)).conclusions == "Thông qua Đề án."
    html = await sync_to_async(lambda: minutes_html(facts=minutes_facts(meeting=live)))()
    assert html.index("Kết luận của chủ tọa") < html.index("Các đơn vị triển khai ngay")
    later = await connect(delegate, live)
    assert later.snapshot["state"]["conclusions"] == {str(item.pk): "Thông qua Đề án.", "": text}


async def test_a_tablet_that_comes_later_has_the_conclusions_read_out(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User, delegate: User
) -> None:
    writing, chair_console = await room(connect, live, secretary, chair)
    # Written but never read out: not the room's yet.
    await writing.command("minutes.update", field="conclusions", text="Bản nháp của thư ký.", base_version=0)
    await chair_console.command("minutes.conclude", item_id=item.pk, text="Thông qua Đề án.")

    tablet = await connect(delegate, live)

    assert tablet.snapshot["state"]["conclusions"] == {str(item.pk): "Thông qua Đề án."}

    # The secretary words the minutes' text afterwards: a draft, not what the room heard.
    stored = await _entry(live, item.pk)
    reply = await writing.command(
        "minutes.update",
        field="conclusions",
        text="Thông qua Đề án (bản thư ký sửa).",
        base_version=stored.conclusions_version,
        item_id=item.pk,
    )
    assert reply["type"] == "ack", reply
    later = await connect(delegate, live)
    assert later.snapshot["state"]["conclusions"] == {str(item.pk): "Thông qua Đề án."}


async def test_the_chairs_conclusion_keeps_the_secretarys_earlier_text_visible(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User
) -> None:
    writing, chair_console = await room(connect, live, secretary, chair)
    await writing.command("minutes.update", field="conclusions", text="Thư ký đã ghi kết luận.", base_version=0, item_id=item.pk)
    await _event(chair_console, "minutes.update")

    await chair_console.command("minutes.conclude", item_id=item.pk, text="Chủ tọa kết luận khác.")

    update = (await writing.receive_until(lambda m: m.get("type") == "minutes.update" and m["by_user"] == chair.pk))[-1]
    assert update["entry"]["conclusions"] == "Chủ tọa kết luận khác."
    assert update["replaced"] == {"by": "Trần Thị Thu", "text": "Thư ký đã ghi kết luận.", "field": "conclusions"}


async def test_a_delegate_may_not_announce_a_conclusion(
    connect: Connect, live: Meeting, item: AgendaItem, secretary: User, chair: User, delegate: User
) -> None:
    writing, chair_console, tablet = await room(connect, live, secretary, chair, delegate)

    await assert_refused(tablet, [writing, chair_console], "minutes.conclude", code="forbidden", item_id=item.pk, text="Kết luận giả.")


async def test_the_secretary_may_not_announce_a_conclusion(connect: Connect, live: Meeting, item: AgendaItem, secretary: User) -> None:
    writing = await connect(secretary, live)

    reply = await writing.command("minutes.conclude", item_id=item.pk, text="Kết luận.")

    assert_error(reply, code="forbidden", id=reply["id"])


async def test_an_empty_conclusion_is_refused(connect: Connect, live: Meeting, item: AgendaItem, chair: User) -> None:
    chair_console = await connect(chair, live)

    reply = await chair_console.command("minutes.conclude", item_id=item.pk, text="   ")

    assert_error(reply, code="invalid", id=reply["id"])


async def test_no_conclusion_is_announced_after_the_meeting_ended(
    connect: Connect, live: Meeting, item: AgendaItem, chair: User, delegate: User
) -> None:
    await sync_to_async(meeting_end)(actor=chair, meeting=live)
    chair_console, tablet = await room(connect, live, chair, delegate)

    reply = await chair_console.command("minutes.conclude", item_id=item.pk, text="Quá muộn.")

    assert_error(reply, code="wrong_state", id=reply["id"])
    assert numbered(chair_console.events) == []
    await assert_quiet(tablet)
