"""The speakers' queue: asking to speak and withdrawing, the floor, the speaking time, the chair's say over the queue.

Who may not, and malformed commands, are in the refusal tables of test_commands.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from meetings.models import AgendaItem, AuditEvent, Meeting, Participant, SpeakerRequest, User
from meetings.selectors.live import speakers_state
from meetings.services.live import agenda_set_current, meeting_end
from meetings.services.speakers import MAX_SPEECH_SECONDS, speaker_end, speaker_request, speaker_start
from tests.conftest import make_user
from tests.realtime.helpers import Connect, assert_error, assert_quiet, current_seq, heard, participant_of, room

pytestmark = pytest.mark.django_db(transaction=True)


async def test_delegate_asks_to_speak(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    delegate_client, chair_client = await room(connect, started, delegate, chair)
    participant = await participant_of(started, delegate)

    assert (await delegate_client.command("speaker.request"))["type"] == "ack"

    (event,) = await heard(chair_client, "speaker.request")
    assert event["speakers"]["speaking"] is None
    assert event["speakers"]["speaker_seconds"] == 180
    (request,) = event["speakers"]["queue"]
    assert (request["user_id"], request["participant_id"], request["name"]) == (delegate.pk, participant.pk, "Lê Minh Tuấn")
    assert request["requested_at"] is not None
    assert request["started_at"] is None


async def test_asking_to_speak_again_does_not_jump_the_queue(
    connect: Connect, started: Meeting, delegate: User, guest: User, chair: User
) -> None:
    delegate_client, guest_client, chair_client = await room(connect, started, delegate, guest, chair)

    assert (await delegate_client.command("speaker.request"))["type"] == "ack"
    assert (await guest_client.command("speaker.request"))["type"] == "ack"
    assert (await delegate_client.command("speaker.request"))["type"] == "ack"

    first, second = await heard(chair_client, "speaker.request", "speaker.request")
    assert [r["user_id"] for r in second["speakers"]["queue"]] == [delegate.pk, guest.pk]
    assert first["seq"] + 1 == second["seq"]
    await assert_quiet(chair_client)


async def test_delegate_says_what_they_ask_to_speak_about(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    delegate_client, chair_client = await room(connect, started, delegate, chair)
    decomposed = unicodedata.normalize("NFD", "Kinh phí cải tạo")

    reply = await delegate_client.command("speaker.request", topic=f"  {decomposed}\n chợ phường  ")

    assert reply["type"] == "ack", reply
    (event,) = await heard(chair_client, "speaker.request")
    (request,) = event["speakers"]["queue"]
    assert request["topic"] == "Kinh phí cải tạo chợ phường"  # one line, as typed on any keyboard


async def test_asking_again_with_a_topic_changes_the_topic_and_keeps_the_place(
    connect: Connect, started: Meeting, delegate: User, guest: User, chair: User
) -> None:
    await sync_to_async(speaker_request)(actor=delegate, meeting=started)
    await sync_to_async(speaker_request)(actor=guest, meeting=started, topic="Câu hỏi về tiến độ")
    delegate_client, chair_client = await room(connect, started, delegate, chair)

    assert (await delegate_client.command("speaker.request", topic="Bổ sung số liệu"))["type"] == "ack"
    (changed,) = await heard(chair_client, "speaker.request")
    assert [(r["user_id"], r["topic"]) for r in changed["speakers"]["queue"]] == [
        (delegate.pk, "Bổ sung số liệu"),
        (guest.pk, "Câu hỏi về tiến độ"),
    ]
    # Sent again unchanged (a resend on bad wifi) nothing happens; "" takes the topic away.
    assert (await delegate_client.command("speaker.request", topic="Bổ sung số liệu"))["type"] == "ack"
    assert (await delegate_client.command("speaker.request"))["type"] == "ack"
    assert (await delegate_client.command("speaker.request", topic=""))["type"] == "ack"
    (cleared,) = await heard(chair_client, "speaker.request")
    assert cleared["speakers"]["queue"][0]["topic"] == ""
    await assert_quiet(chair_client)


async def test_delegate_withdraws_the_request_to_speak(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    await sync_to_async(speaker_request)(actor=delegate, meeting=started)
    delegate_client, chair_client = await room(connect, started, delegate, chair)
    assert len(chair_client.snapshot["state"]["speakers"]["queue"]) == 1

    assert (await delegate_client.command("speaker.withdraw"))["type"] == "ack"

    (event,) = await heard(chair_client, "speaker.withdraw")
    assert event["speakers"]["queue"] == []


async def test_withdrawing_without_a_request_changes_nothing(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    delegate_client, chair_client = await room(connect, started, delegate, chair)

    assert (await delegate_client.command("speaker.withdraw"))["type"] == "ack"

    await assert_quiet(delegate_client, chair_client)


async def test_chair_gives_the_floor_to_a_waiting_request(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    request = await sync_to_async(speaker_request)(actor=delegate, meeting=started)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("speaker.start", request_id=request.pk))["type"] == "ack"

    (event,) = await heard(delegate_client, "speaker.start")
    assert event["speakers"]["queue"] == []
    speaking = event["speakers"]["speaking"]
    assert (speaking["id"], speaking["user_id"], speaking["allotted_seconds"]) == (request.pk, delegate.pk, 180)
    assert speaking["started_at"] is not None


async def test_chair_gives_the_floor_to_someone_who_did_not_ask_and_the_speaker_before_stops(
    connect: Connect, started: Meeting, delegate: User, guest: User, chair: User
) -> None:
    await sync_to_async(speaker_start)(actor=chair, meeting=started, participant_id=(await participant_of(started, delegate)).pk)
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    guest_participant = await participant_of(started, guest)

    assert (await chair_client.command("speaker.start", participant_id=guest_participant.pk))["type"] == "ack"

    (event,) = await heard(delegate_client, "speaker.start")
    assert event["speakers"]["speaking"]["user_id"] == guest.pk
    assert event["speakers"]["queue"] == []
    statuses = await sync_to_async(
        lambda: dict(SpeakerRequest.objects.filter(meeting=started).values_list("participant__user_id", "status"))
    )()
    assert statuses == {delegate.pk: "done", guest.pk: "speaking"}


async def test_speaker_ends_their_own_speech(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    await sync_to_async(speaker_start)(actor=chair, meeting=started, participant_id=(await participant_of(started, delegate)).pk)
    delegate_client, chair_client = await room(connect, started, delegate, chair)
    assert chair_client.snapshot["state"]["speakers"]["speaking"]["user_id"] == delegate.pk

    assert (await delegate_client.command("speaker.end"))["type"] == "ack"

    (event,) = await heard(chair_client, "speaker.end")
    assert event["speakers"]["speaking"] is None


async def test_chair_ends_a_speech(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    await sync_to_async(speaker_start)(actor=chair, meeting=started, participant_id=(await participant_of(started, delegate)).pk)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("speaker.end"))["type"] == "ack"

    (event,) = await heard(delegate_client, "speaker.end")
    assert event["speakers"]["speaking"] is None


async def test_ending_a_speech_when_nobody_speaks_changes_nothing(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("speaker.end"))["type"] == "ack"

    await assert_quiet(chair_client, delegate_client)


async def _floor_to(meeting: Meeting, chair: User, speaker: User) -> SpeakerRequest:
    return await sync_to_async(speaker_start)(actor=chair, meeting=meeting, participant_id=(await participant_of(meeting, speaker)).pk)


async def test_chair_gives_a_speaker_another_minute_on_every_screen(
    connect: Connect, started: Meeting, delegate: User, chair: User
) -> None:
    request = await _floor_to(started, chair, delegate)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("speaker.extend", request_id=request.pk, seconds=60))["type"] == "ack"

    (event,) = await heard(delegate_client, "speaker.extend")
    speaking = event["speakers"]["speaking"]
    assert (speaking["id"], speaking["allotted_seconds"]) == (request.pk, 240)
    # The timer counts on from when the speech began: the minute is added, not a new start.
    assert speaking["started_at"] == delegate_client.snapshot["state"]["speakers"]["speaking"]["started_at"]
    audit = await sync_to_async(lambda: AuditEvent.objects.filter(meeting=started, action="speaker.extend").get())()
    assert audit.data == {"participant": request.participant_id, "seconds": 60}


async def test_a_resent_extension_is_given_once(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    request = await _floor_to(started, chair, delegate)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    for _ in range(2):
        assert (await chair_client.command("speaker.extend", id="them-mot-phut", request_id=request.pk, seconds=60))["type"] == "ack"

    (event,) = await heard(delegate_client, "speaker.extend")
    assert event["speakers"]["speaking"]["allotted_seconds"] == 240
    await assert_quiet(delegate_client)


async def test_extensions_add_up_to_an_hour_and_no_more(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    request = await _floor_to(started, chair, delegate)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("speaker.extend", request_id=request.pk, seconds=MAX_SPEECH_SECONDS - 180))["type"] == "ack"
    (event,) = await heard(delegate_client, "speaker.extend")
    assert event["speakers"]["speaking"]["allotted_seconds"] == MAX_SPEECH_SECONDS
    seq = await current_seq(started)

    reply = await chair_client.command("speaker.extend", id="qua-gio", request_id=request.pk, seconds=1)

    assert_error(reply, code="invalid", id="qua-gio")
    assert "60" in reply["message"]
    assert await current_seq(started) == seq
    await assert_quiet(delegate_client)


async def test_a_speaker_over_time_gets_the_minute_from_now(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    request = await _floor_to(started, chair, delegate)
    # Five minutes into a three-minute speech: the timer shows -2:00.
    five_minutes_ago = request.started_at - datetime.timedelta(minutes=5)
    await sync_to_async(SpeakerRequest.objects.filter(pk=request.pk).update)(started_at=five_minutes_ago)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("speaker.extend", request_id=request.pk, seconds=60))["type"] == "ack"

    (event,) = await heard(delegate_client, "speaker.extend")
    assert 360 <= event["speakers"]["speaking"]["allotted_seconds"] <= 362


async def test_a_minute_meant_for_a_speech_that_has_ended_is_not_given_to_the_next(
    connect: Connect, started: Meeting, delegate: User, guest: User, chair: User
) -> None:
    """The chair's tap, queued while their tablet was offline, arrives after the floor has moved on."""
    earlier = await _floor_to(started, chair, delegate)
    later = await _floor_to(started, chair, guest)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await chair_client.command("speaker.extend", id="phut-cu", request_id=earlier.pk, seconds=60)

    assert_error(reply, code="not_found", id="phut-cu")
    await assert_quiet(delegate_client)
    assert (await sync_to_async(SpeakerRequest.objects.get)(pk=later.pk)).allotted_seconds == 180


async def test_a_resent_dismissal_is_applied_once(connect: Connect, started: Meeting, delegate: User, guest: User, chair: User) -> None:
    guest_request = await sync_to_async(speaker_request)(actor=guest, meeting=started)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    for _ in range(2):
        assert (await chair_client.command("speaker.dismiss", id="rut-luot", request_id=guest_request.pk))["type"] == "ack"

    await heard(delegate_client, "speaker.dismiss")
    await assert_quiet(delegate_client)


async def test_chair_takes_a_request_off_the_queue_and_its_owner_is_told(
    connect: Connect, started: Meeting, delegate: User, guest: User, chair: User
) -> None:
    guest_request = await sync_to_async(speaker_request)(actor=guest, meeting=started)
    await sync_to_async(speaker_request)(actor=delegate, meeting=started)
    chair_client, guest_client = await room(connect, started, chair, guest)

    assert (await chair_client.command("speaker.dismiss", request_id=guest_request.pk))["type"] == "ack"

    (event,) = await heard(guest_client, "speaker.dismiss")
    assert event["participant_id"] == guest_request.participant_id
    assert [r["user_id"] for r in event["speakers"]["queue"]] == [delegate.pk]
    assert event["speakers"]["speaking"] is None
    dismissed = await sync_to_async(SpeakerRequest.objects.get)(pk=guest_request.pk)
    assert dismissed.status == SpeakerRequest.Status.DISMISSED
    assert dismissed.ended_at is not None
    assert await sync_to_async(AuditEvent.objects.filter(meeting=started, action="speaker.dismiss", actor=chair).exists)()


async def test_someone_taken_off_the_queue_can_ask_again_and_joins_at_the_end(
    connect: Connect, started: Meeting, delegate: User, guest: User, chair: User
) -> None:
    guest_request = await sync_to_async(speaker_request)(actor=guest, meeting=started)
    await sync_to_async(speaker_request)(actor=delegate, meeting=started)
    chair_client, guest_client, delegate_client = await room(connect, started, chair, guest, delegate)
    assert (await chair_client.command("speaker.dismiss", request_id=guest_request.pk))["type"] == "ack"

    assert (await guest_client.command("speaker.request"))["type"] == "ack"

    _, request = await heard(delegate_client, "speaker.dismiss", "speaker.request")
    assert [r["user_id"] for r in request["speakers"]["queue"]] == [delegate.pk, guest.pk]


async def test_a_request_already_answered_cannot_be_taken_off(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    request = await sync_to_async(speaker_request)(actor=delegate, meeting=started)
    await sync_to_async(speaker_start)(actor=chair, meeting=started, request_id=request.pk)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await chair_client.command("speaker.dismiss", id="bo-luot", request_id=request.pk)

    assert_error(reply, code="not_found", id="bo-luot")
    await assert_quiet(delegate_client)
    assert (await sync_to_async(SpeakerRequest.objects.get)(pk=request.pk)).status == SpeakerRequest.Status.SPEAKING


async def test_the_meeting_sets_its_own_speaking_time(connect: Connect, started: Meeting, delegate: User, chair: User) -> None:
    await sync_to_async(Meeting.objects.filter(pk=started.pk).update)(speaker_seconds=300)
    request = await sync_to_async(speaker_request)(actor=delegate, meeting=started)
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    assert delegate_client.snapshot["state"]["speakers"]["speaker_seconds"] == 300

    assert (await chair_client.command("speaker.start", request_id=request.pk))["type"] == "ack"

    (event,) = await heard(delegate_client, "speaker.start")
    assert event["speakers"]["speaking"]["allotted_seconds"] == 300


async def test_ending_the_meeting_ends_the_speech_and_empties_the_queue(
    connect: Connect, started: Meeting, delegate: User, guest: User, chair: User
) -> None:
    await sync_to_async(speaker_request)(actor=guest, meeting=started)
    await _floor_to(started, chair, delegate)

    await sync_to_async(meeting_end)(actor=chair, meeting=started)

    statuses = await sync_to_async(
        lambda: dict(SpeakerRequest.objects.filter(meeting=started).values_list("participant__user_id", "status"))
    )()
    assert statuses == {delegate.pk: "done", guest.pk: "withdrawn"}


async def test_the_queue_says_on_which_items_each_waiting_person_has_spoken(
    connect: Connect, started: Meeting, items: list[AgendaItem], delegate: User, guest: User, chair: User
) -> None:
    first_item, second_item = items[0], items[1]
    await _floor_to(started, chair, delegate)
    await sync_to_async(agenda_set_current)(actor=chair, meeting=started, item_id=second_item.pk)
    await _floor_to(started, chair, guest)
    await _floor_to(started, chair, delegate)
    await sync_to_async(speaker_end)(actor=chair, meeting=started)
    chair_client, delegate_client, guest_client = await room(connect, started, chair, delegate, guest)

    assert (await delegate_client.command("speaker.request"))["type"] == "ack"
    assert (await guest_client.command("speaker.request"))["type"] == "ack"

    _, event = await heard(chair_client, "speaker.request", "speaker.request")
    spoken = {request["user_id"]: request["spoken_on_items"] for request in event["speakers"]["queue"]}
    assert spoken == {delegate.pk: [first_item.pk, second_item.pk], guest.pk: [second_item.pk]}


async def test_chair_sets_the_speaking_time_for_the_turns_to_come(
    connect: Connect, started: Meeting, delegate: User, guest: User, chair: User
) -> None:
    current = await _floor_to(started, chair, delegate)
    chair_client, guest_client = await room(connect, started, chair, guest)

    assert (await chair_client.command("speaker.allot", seconds=120))["type"] == "ack"

    (event,) = await heard(guest_client, "speaker.allot")
    assert event["speakers"]["speaker_seconds"] == 120
    # The speech under way keeps what it was given.
    assert event["speakers"]["speaking"]["allotted_seconds"] == current.allotted_seconds == 180
    assert (await sync_to_async(Meeting.objects.get)(pk=started.pk)).speaker_seconds == 120
    assert await sync_to_async(AuditEvent.objects.filter(meeting=started, action="speaker.allot", data={"seconds": 120}).exists)()
    assert (await chair_client.command("speaker.start", participant_id=(await participant_of(started, guest)).pk))["type"] == "ack"
    (event,) = await heard(guest_client, "speaker.start")
    assert event["speakers"]["speaking"]["allotted_seconds"] == 120


async def test_setting_the_same_speaking_time_again_changes_nothing(
    connect: Connect, started: Meeting, delegate: User, chair: User
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("speaker.allot", seconds=180))["type"] == "ack"

    await assert_quiet(delegate_client)
    assert not await sync_to_async(AuditEvent.objects.filter(meeting=started, action="speaker.allot").exists)()


async def test_chair_sets_the_speaking_time_in_the_room_before_the_start(
    connect: Connect, live_meeting: Meeting, delegate: User, chair: User
) -> None:
    chair_client, delegate_client = await room(connect, live_meeting, chair, delegate)

    assert (await chair_client.command("speaker.allot", seconds=240))["type"] == "ack"

    (event,) = await heard(delegate_client, "speaker.allot")
    assert event["speakers"]["speaker_seconds"] == 240


async def test_a_request_made_on_one_item_and_answered_on_the_next_counts_for_the_next(
    connect: Connect, started: Meeting, items: list[AgendaItem], delegate: User, guest: User, chair: User
) -> None:
    request = await sync_to_async(speaker_request)(actor=delegate, meeting=started)
    await sync_to_async(agenda_set_current)(actor=chair, meeting=started, item_id=items[1].pk)
    await sync_to_async(speaker_start)(actor=chair, meeting=started, request_id=request.pk)
    await sync_to_async(speaker_end)(actor=chair, meeting=started)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await delegate_client.command("speaker.request"))["type"] == "ack"

    (event,) = await heard(chair_client, "speaker.request")
    assert event["speakers"]["queue"][0]["spoken_on_items"] == [items[1].pk]


def test_the_queue_is_read_in_three_queries_however_long(started: Meeting, chair: User, django_assert_num_queries: Any) -> None:
    for n in range(4):
        person = make_user(f"daibieu_hang_doi_{n}")
        participant = Participant.objects.create(meeting=started, user=person)
        speaker_start(actor=chair, meeting=started, participant_id=participant.pk)
        speaker_end(actor=chair, meeting=started)
        speaker_request(actor=person, meeting=started)

    with django_assert_num_queries(3):
        state = speakers_state(meeting=started)

    assert len(state["queue"]) == 4
    assert all(len(request["spoken_on_items"]) == 1 for request in state["queue"])
    assert state["latest"]["name"] == "daibieu_hang_doi_3"
