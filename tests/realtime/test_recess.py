"""A break in the meeting (giải lao): every screen says until when, the item's clock stands still,
and nothing moves the meeting on until the chair resumes it. Refusals are in test_commands' tables."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone

from meetings.models import AgendaItem, AuditEvent, Document, Meeting, Participant, SpeakerRequest, User
from meetings.services.live import meeting_end, meeting_recess, meeting_resume, presentation_show
from meetings.services.speakers import speaker_end, speaker_request, speaker_start
from minutes.document import minutes_html
from minutes.selectors import minutes_facts
from tests.conftest import logged_in
from tests.realtime.helpers import Connect, assert_quiet, heard, participant_of, room
from voting.models import Poll
from voting.services.ballots import poll_open
from voting.services.polls import poll_create

pytestmark = pytest.mark.django_db(transaction=True)


def _agenda_entry(event: dict[str, Any], item: AgendaItem) -> dict[str, Any]:
    return next(entry for entry in event["agenda"] if entry["id"] == item.pk)


async def test_chair_calls_a_break_and_every_screen_hears_until_when(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem]
) -> None:
    await sync_to_async(AgendaItem.objects.filter(pk=items[0].pk).update)(current_since=timezone.now() - datetime.timedelta(minutes=7))
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await chair_client.command("meeting.recess", minutes=15)

    assert reply["type"] == "ack", reply
    state, agenda = await heard(delegate_client, "meeting.state", "agenda.current")
    since = datetime.datetime.fromisoformat(state["meeting"]["recess_since"])
    until = datetime.datetime.fromisoformat(state["meeting"]["recess_until"])
    assert until - since == datetime.timedelta(minutes=15)
    assert abs((timezone.now() - since).total_seconds()) < 5
    current = _agenda_entry(agenda, items[0])
    assert current["current_since"] is None  # its clock stands still
    assert 7 * 60 <= current["used_seconds"] < 7 * 60 + 5
    assert current["done"] is False
    assert agenda["current_item_id"] == items[0].pk
    await assert_quiet(delegate_client)


async def test_a_break_cuts_the_speech_short_and_its_speaker_heads_the_queue(
    connect: Connect, started: Meeting, chair: User, delegate: User, guest: User
) -> None:
    # The guest asked first; the chair gave the floor to the delegate anyway.
    await sync_to_async(speaker_request)(actor=guest, meeting=started)
    delegate_participant = await participant_of(started, delegate)
    await sync_to_async(speaker_request)(actor=delegate, meeting=started, topic="Kinh phí năm 2027")
    await sync_to_async(speaker_start)(actor=chair, meeting=started, participant_id=delegate_participant.pk)
    chair_client, guest_client = await room(connect, started, chair, guest)

    assert (await chair_client.command("meeting.recess", minutes=10))["type"] == "ack"

    *_, ended = await heard(guest_client, "meeting.state", "agenda.current", "speaker.end")
    assert ended["speakers"]["speaking"] is None
    queue = [(entry["participant_id"], entry["continues"], entry["topic"]) for entry in ended["speakers"]["queue"]]
    # The delegate goes on with the speech, on what they asked to speak about (the chair's queue says so, not "a second turn").
    assert queue == [(delegate_participant.pk, True, "Kinh phí năm 2027"), ((await participant_of(started, guest)).pk, False, "")]
    # What was said before the break stays a speech of its own, for the minutes.
    statuses = await sync_to_async(lambda: sorted(SpeakerRequest.objects.filter(meeting=started).values_list("status", flat=True)))()
    assert statuses == ["done", "waiting", "waiting"]


async def test_delegates_may_still_ask_to_speak_during_the_break(connect: Connect, started: Meeting, chair: User, delegate: User) -> None:
    await sync_to_async(meeting_recess)(actor=chair, meeting=started, minutes=10)
    delegate_client, chair_client = await room(connect, started, delegate, chair)

    assert (await delegate_client.command("speaker.request"))["type"] == "ack"

    (event,) = await heard(chair_client, "speaker.request")
    assert len(event["speakers"]["queue"]) == 1


async def test_resuming_runs_the_item_clock_again_from_where_it_stood(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem]
) -> None:
    await sync_to_async(meeting_recess)(actor=chair, meeting=started, minutes=10)
    await sync_to_async(AgendaItem.objects.filter(pk=items[0].pk).update)(used_seconds=125)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("meeting.resume"))["type"] == "ack"

    state, agenda = await heard(delegate_client, "meeting.state", "agenda.current")
    assert state["meeting"]["recess_since"] is None
    assert state["meeting"]["recess_until"] is None
    current = _agenda_entry(agenda, items[0])
    assert current["used_seconds"] == 125
    assert abs((timezone.now() - datetime.datetime.fromisoformat(current["current_since"])).total_seconds()) < 5
    # The meeting moves on again.
    assert (await chair_client.command("agenda.current", item_id=items[1].pk))["type"] == "ack"


async def test_resuming_a_meeting_not_on_a_break_changes_nothing(connect: Connect, started: Meeting, chair: User, delegate: User) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("meeting.resume"))["type"] == "ack"

    await assert_quiet(chair_client, delegate_client)


async def test_a_tablet_that_arrives_during_the_break_is_told_until_when(
    connect: Connect, started: Meeting, chair: User, delegate: User
) -> None:
    await sync_to_async(meeting_recess)(actor=chair, meeting=started, minutes=20)
    until = (await sync_to_async(Meeting.objects.get)(pk=started.pk)).recess_until

    client = await connect(delegate, started)

    assert datetime.datetime.fromisoformat(client.snapshot["state"]["meeting"]["recess_until"]) == until


def test_ending_the_meeting_during_a_break_closes_the_item_and_the_break(started: Meeting, chair: User, items: list[AgendaItem]) -> None:
    meeting_recess(actor=chair, meeting=started, minutes=10)

    meeting_end(actor=chair, meeting=started)

    started.refresh_from_db()
    assert (started.recess_since, started.recess_until) == (None, None)
    item = AgendaItem.objects.get(pk=items[0].pk)
    assert item.done is True
    assert item.current_since is None
    assert AuditEvent.objects.get(meeting=started, action="meeting.end").data == {"during_break": True}


def test_the_presented_document_stays_open_during_a_break(started: Meeting, chair: User, document: Document) -> None:
    meeting_recess(actor=chair, meeting=started, minutes=10)

    presentation = presentation_show(actor=chair, meeting=started, document_id=document.pk, page=2)

    assert presentation.page == 2


def test_written_opinions_are_asked_for_during_a_break_as_at_any_time(started: Meeting, chair: User, secretary: User) -> None:
    poll = poll_create(actor=secretary, meeting=started, question="Góp ý dự thảo quy chế?", mode=Poll.Mode.WRITTEN)
    meeting_recess(actor=chair, meeting=started, minutes=10)

    opened = poll_open(actor=secretary, meeting=started, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=3))

    assert opened.state == Poll.State.OPEN


def test_the_break_and_the_resumption_are_in_the_audit_log(started: Meeting, chair: User) -> None:
    meeting_recess(actor=chair, meeting=started, minutes=15)
    meeting_resume(actor=chair, meeting=started)

    actions = list(AuditEvent.objects.filter(meeting=started, action__startswith="meeting.").values_list("action", "data"))
    assert [action for action, _ in actions][-2:] == ["meeting.recess", "meeting.resume"]
    assert actions[-2][1]["minutes"] == 15


def test_the_meeting_page_says_the_meeting_is_on_a_break_until_when(client: Client, started: Meeting, chair: User, delegate: User) -> None:
    meeting_recess(actor=chair, meeting=started, minutes=15)
    until = timezone.localtime(Meeting.objects.get(pk=started.pk).recess_until).strftime("%H:%M")

    page = logged_in(client, delegate).get(f"/meetings/{started.pk}/").content.decode()

    assert f"Giải lao đến {until}" in page


def test_the_minutes_say_which_speech_went_on_after_the_break(started: Meeting, chair: User, delegate: User) -> None:
    participant = Participant.objects.get(meeting=started, user=delegate)
    speaker_start(actor=chair, meeting=started, participant_id=participant.pk)
    meeting_recess(actor=chair, meeting=started, minutes=10)
    meeting_resume(actor=chair, meeting=started)
    speaker_start(actor=chair, meeting=started, participant_id=participant.pk)
    speaker_end(actor=chair, meeting=started)
    meeting_end(actor=chair, meeting=started)

    html = minutes_html(facts=minutes_facts(meeting=started))

    # "Ý kiến phát biểu: Lê Minh Tuấn (…), lúc 09:40, 3 phút; Lê Minh Tuấn (…), lúc 10:05, 2 phút (tiếp sau giải lao)."
    before, after = re.search(re.escape(delegate.display_name) + r"[^<]*lúc[^<]*", html).group().split("; ")
    assert "giải lao" not in before
    assert after.startswith(delegate.display_name)
    assert after.endswith("(tiếp sau giải lao).")
