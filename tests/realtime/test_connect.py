"""Opening the meeting's websocket: who gets in, and the snapshot each one starts from."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import translation

from meetings.models import Document, LiveConnection, Meeting, Participant, User
from meetings.services.documents import document_upload
from meetings.services.live import attendance_mark, meeting_start, notice_send, presentation_show
from meetings.services.speakers import speaker_request
from realtime.routing import websocket_urlpatterns
from static_files import client_build
from tests.conftest import make_user
from tests.realtime.helpers import Connect, assert_error, entry_of

pytestmark = pytest.mark.django_db(transaction=True)


def room_config(user: User, meeting: Meeting) -> dict[str, Any]:
    """The live room page's own settings (its live-config script), as the tablet reads them."""
    client = Client()
    client.force_login(user)
    page = client.get(reverse("live_room", args=[meeting.pk])).content.decode()
    return json.loads(re.search(r'<script id="live-config" type="application/json">(.*?)</script>', page).group(1))


@pytest.fixture
def secret_document(live_meeting: Meeting, secretary: User, guest: User, pdf_upload: Callable[..., Any]) -> Document:
    """A confidential two-page document only the guest was named to read (besides chair and secretary)."""
    return document_upload(
        actor=secretary,
        meeting=live_meeting,
        upload=pdf_upload("mat.pdf", pages=2),
        title="Báo cáo mật",
        confidential=True,
        readers=[guest],
    )


@pytest.fixture
def public_document(live_meeting: Meeting) -> Document:
    return Document.objects.get(meeting=live_meeting, title="Đề án")


async def refused(connect: Connect, user: User | None, meeting: Meeting, *, code: str, close_code: int) -> None:
    client = await connect(user, meeting, expect_snapshot=False)
    reply = await client.receive()
    assert_error(reply, code=code, id=None)
    closed = await client.ws.receive_output(timeout=1)
    assert closed == {"type": "websocket.close", "code": close_code}


async def test_it_sends_a_delegate_the_whole_published_meeting(
    connect: Connect,
    live_meeting: Meeting,
    delegate: User,
    chair: User,
    secretary: User,
    guest: User,
    public_document: Document,
    secret_document: Document,
) -> None:
    client = await connect(delegate, live_meeting)

    snapshot = client.snapshot
    assert snapshot["seq"] == 0
    assert snapshot["server_time"]
    state = snapshot["state"]
    assert set(state) == {
        "meeting",
        "me",
        "agenda",
        "documents",
        "presentation",
        "annotations",
        "attendance",
        "online",
        "speakers",
        "notices",
        "polls",
        "proxies",
        "my_votes",
        "minutes",
        "conclusions",
    }
    assert state["conclusions"] == {}
    assert state["meeting"]["id"] == live_meeting.pk
    assert state["meeting"]["title"] == "Họp chuyên đề chuyển đổi số"
    assert state["meeting"]["body"] == "UBND thành phố Vũng Tàu"
    assert state["meeting"]["state"] == "published"
    assert state["meeting"]["chair_id"] == chair.pk
    assert state["meeting"]["current_item_id"] is None
    assert state["meeting"]["started_at"] is None
    participant = await sync_to_async(Participant.objects.get)(meeting=live_meeting, user=delegate)
    assert state["me"] == {
        "user_id": delegate.pk,
        "name": "Lê Minh Tuấn",
        "participant_id": participant.pk,
        "role": "delegate",
        "can_vote": True,
        "is_chair": False,
        "keeps_attendance": False,
        "can_notice": False,
        "withholds_annotations": False,
    }
    assert [(i["number"], i["title"], i["minutes"], i["done"], i["current_since"]) for i in state["agenda"]] == [
        ("1", "Khai mạc", 5, False, None),
        ("2", "Thảo luận", 20, False, None),
    ]
    assert state["documents"] == [
        {
            "id": public_document.pk,
            "title": "Đề án",
            "agenda_item_id": None,
            "confidential": False,
            "version_id": state["documents"][0]["version_id"],
            "page_count": 5,
            "versions": [{"id": state["documents"][0]["version_id"], "number": 1, "page_count": 5}],
        }
    ]
    assert state["annotations"] == []  # nothing is presented
    assert state["presentation"] == {
        "document_id": None,
        "version_id": None,
        "page": None,
        "page_count": None,
        "presenter_id": None,
        "handed_to": None,
        "viewport": {},
    }
    assert {p["user_id"]: p["role"] for p in state["attendance"]["participants"]} == {
        chair.pk: "chair",
        secretary.pk: "secretary",
        delegate.pk: "delegate",
        guest.pk: "guest",
    }
    assert entry_of(state["attendance"], delegate)["attendance"] == "unknown"
    assert state["attendance"]["quorum"] == {"voting": 2, "present": 0, "needed": 2, "met": False}
    assert state["online"] == [delegate.pk]
    assert state["speakers"] == {"queue": [], "speaking": None, "latest": None, "speaker_seconds": 180}
    assert state["notices"] == []
    assert (state["polls"], state["proxies"], state["my_votes"]) == ([], [], {})


async def test_it_names_the_screens_code_it_serves_so_a_screen_left_open_over_an_upgrade_reloads(
    connect: Connect, live_meeting: Meeting, delegate: User
) -> None:
    client = await connect(delegate, live_meeting)
    assert client.snapshot["build"] == client_build()
    page = await sync_to_async(room_config)(delegate, live_meeting)
    assert page["build"] == client_build()


async def test_it_hides_a_confidential_document_from_a_delegate_who_is_not_a_reader(
    connect: Connect, live_meeting: Meeting, delegate: User, guest: User, chair: User, secretary: User, secret_document: Document
) -> None:
    seen = {}
    for user in (delegate, guest, chair, secretary):
        client = await connect(user, live_meeting)
        seen[user.pk] = {d["id"] for d in client.snapshot["state"]["documents"]}

    assert secret_document.pk not in seen[delegate.pk]
    assert secret_document.pk in seen[guest.pk]
    assert secret_document.pk in seen[chair.pk]
    assert secret_document.pk in seen[secretary.pk]


async def test_it_tells_each_user_what_they_may_do(
    connect: Connect, live_meeting: Meeting, chair: User, secretary: User, guest: User
) -> None:
    me = {}
    for user in (chair, secretary, guest):
        me[user.pk] = (await connect(user, live_meeting)).snapshot["state"]["me"]

    assert (me[chair.pk]["role"], me[chair.pk]["is_chair"], me[chair.pk]["can_vote"], me[chair.pk]["can_notice"]) == (
        "chair",
        True,
        True,
        True,
    )
    assert (me[secretary.pk]["role"], me[secretary.pk]["keeps_attendance"], me[secretary.pk]["can_vote"]) == ("secretary", True, False)
    assert (me[guest.pk]["role"], me[guest.pk]["can_vote"], me[guest.pk]["keeps_attendance"], me[guest.pk]["can_notice"]) == (
        "guest",
        False,
        False,
        False,
    )
    assert [me[user.pk]["withholds_annotations"] for user in (chair, secretary, guest)] == [True, True, False]


@pytest.fixture
def meeting_under_way(live_meeting: Meeting, chair: User, secretary: User, delegate: User, public_document: Document) -> Meeting:
    """Started, the document on page 2, the delegate present and waiting to speak, one notice sent."""
    meeting_start(actor=chair, meeting=live_meeting)
    presentation_show(actor=chair, meeting=live_meeting, document_id=public_document.pk, page=2, viewport={"x": 0.1, "y": 0.2, "zoom": 1.5})
    delegate_participant = Participant.objects.get(meeting=live_meeting, user=delegate)
    attendance_mark(actor=secretary, meeting=live_meeting, participant_id=delegate_participant.pk, status="present")
    speaker_request(actor=delegate, meeting=live_meeting)
    notice_send(actor=secretary, meeting=live_meeting, text="Đề nghị đại biểu tắt chuông điện thoại.")
    return Meeting.objects.get(pk=live_meeting.pk)


async def test_it_sends_the_state_of_a_meeting_under_way(
    connect: Connect, meeting_under_way: Meeting, delegate: User, chair: User, public_document: Document
) -> None:
    client = await connect(delegate, meeting_under_way)

    snapshot = client.snapshot
    state = snapshot["state"]
    # meeting.state, agenda.current and the chair present (the start), present.page, the delegate present,
    # speaker.request, notice
    assert snapshot["seq"] == meeting_under_way.event_seq == 7
    assert state["meeting"]["state"] == "in_progress"
    assert state["meeting"]["current_item_id"] == state["agenda"][0]["id"]
    assert state["agenda"][0]["current_since"] is not None
    assert state["presentation"]["document_id"] == public_document.pk
    assert state["presentation"]["page"] == 2
    assert state["presentation"]["page_count"] == 5
    assert state["presentation"]["presenter_id"] == chair.pk
    assert state["presentation"]["viewport"] == {"x": 0.1, "y": 0.2, "zoom": 1.5}
    assert entry_of(state["attendance"], delegate)["attendance"] == "present"
    assert entry_of(state["attendance"], delegate)["arrived_at"] is not None
    assert state["attendance"]["quorum"] == {"voting": 2, "present": 2, "needed": 2, "met": True}
    assert [r["user_id"] for r in state["speakers"]["queue"]] == [delegate.pk]
    assert state["speakers"]["speaking"] is None
    assert len(state["notices"]) == 1
    notice = state["notices"][0]
    assert notice["seq"] == 7
    assert notice["text"] == "Đề nghị đại biểu tắt chuông điện thoại."
    assert notice["sender"] == "Trần Thị Thu"
    assert notice["sent_at"]


async def test_it_keeps_only_the_latest_three_notices_in_the_snapshot(
    connect: Connect, live_meeting: Meeting, secretary: User, delegate: User
) -> None:
    for number in range(1, 6):
        await sync_to_async(notice_send)(actor=secretary, meeting=live_meeting, text=f"Thông báo số {number}")

    client = await connect(delegate, live_meeting)

    assert [n["text"] for n in client.snapshot["state"]["notices"]] == ["Thông báo số 3", "Thông báo số 4", "Thông báo số 5"]
    assert [n["seq"] for n in client.snapshot["state"]["notices"]] == [3, 4, 5]


async def test_it_lets_the_secretary_into_a_draft_meeting(connect: Connect, meeting: Meeting, secretary: User) -> None:
    client = await connect(secretary, meeting)

    assert client.snapshot["state"]["meeting"]["state"] == "draft"


async def test_it_refuses_an_anonymous_socket_with_4401(connect: Connect, live_meeting: Meeting) -> None:
    await refused(connect, None, live_meeting, code="not_authenticated", close_code=4401)

    assert await sync_to_async(LiveConnection.objects.count)() == 0


async def test_it_refuses_an_uninvited_user_with_4404(connect: Connect, live_meeting: Meeting, other_delegate: User) -> None:
    await refused(connect, other_delegate, live_meeting, code="not_found", close_code=4404)

    assert await sync_to_async(LiveConnection.objects.count)() == 0


async def test_it_refuses_an_outsider_with_4404(connect: Connect, live_meeting: Meeting, outsider: User) -> None:
    await refused(connect, outsider, live_meeting, code="not_found", close_code=4404)


async def test_it_refuses_a_delegate_a_draft_meeting_with_4404(connect: Connect, meeting: Meeting, delegate: User) -> None:
    await refused(connect, delegate, meeting, code="not_found", close_code=4404)


async def test_it_refuses_a_meeting_that_does_not_exist_with_4404(connect: Connect, live_meeting: Meeting, chair: User) -> None:
    await refused(connect, chair, Meeting(pk=live_meeting.pk + 1000), code="not_found", close_code=4404)


async def test_it_gives_an_uninvited_user_the_same_answer_as_for_a_missing_meeting(
    connect: Connect, live_meeting: Meeting, other_delegate: User
) -> None:
    first = await connect(other_delegate, live_meeting, expect_snapshot=False)
    second = await connect(other_delegate, Meeting(pk=live_meeting.pk + 1000), expect_snapshot=False)

    assert (await first.receive())["message"] == (await second.receive())["message"]


async def test_it_does_not_announce_a_refused_user_as_online(
    connect: Connect, live_meeting: Meeting, chair: User, other_delegate: User
) -> None:
    chair_client = await connect(chair, live_meeting)
    await chair_client.receive_until(lambda m: m["type"] == "presence" and m["online"] == [chair.pk])

    await refused(connect, other_delegate, live_meeting, code="not_found", close_code=4404)

    assert await chair_client.nothing_more(timeout=0.8)


async def test_it_lets_a_superuser_watch_without_being_a_participant(connect: Connect, live_meeting: Meeting) -> None:
    admin = await sync_to_async(make_user)("quantri")
    admin.is_superuser = True
    await sync_to_async(admin.save)()

    client = await connect(admin, live_meeting)

    assert client.snapshot["state"]["me"]["participant_id"] is None
    assert client.snapshot["state"]["me"]["can_notice"] is True


async def _first_reply_with_language_cookie(meeting: Meeting, user: User | None, cookie: bytes, send: str | None = None) -> dict[str, Any]:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/meetings/{meeting.pk}/", headers=[(b"cookie", cookie)])
    communicator.scope["user"] = user or AnonymousUser()
    connected, _ = await communicator.connect()
    assert connected
    try:
        if send is not None:
            assert json.loads(await communicator.receive_from(timeout=3))["type"] == "snapshot"
            await communicator.send_to(text_data=send)
        while True:
            message = json.loads(await communicator.receive_from(timeout=3))
            if message["type"] == "error":
                return message
    finally:
        await communicator.disconnect()


@pytest.fixture
def language_tagged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every live message is prefixed with the language active when it was phrased (the catalogs need not be complete)."""

    def tagged(message: str) -> str:
        return f"[{translation.get_language()}] {message}"

    monkeypatch.setattr("realtime.consumers._", tagged)
    monkeypatch.setattr("realtime.protocol._", tagged)
    monkeypatch.setattr("meetings.services.live._", tagged)
    monkeypatch.setattr("meetings.services.guards._", tagged)


@pytest.mark.usefixtures("language_tagged")
async def test_it_phrases_command_errors_in_the_language_of_the_cookie(live_meeting: Meeting, delegate: User) -> None:
    reply = await _first_reply_with_language_cookie(live_meeting, delegate, b"csrftoken=abc; django_language=en", send="{not json")

    assert_error(reply, code="malformed", id=None)
    assert reply["message"].startswith("[en] "), reply["message"]


@pytest.mark.usefixtures("language_tagged")
async def test_it_phrases_command_errors_in_vietnamese_without_a_cookie(live_meeting: Meeting, delegate: User) -> None:
    reply = await _first_reply_with_language_cookie(live_meeting, delegate, b"csrftoken=abc", send="{not json")

    assert reply["message"].startswith("[vi] "), reply["message"]


@pytest.mark.usefixtures("language_tagged")
async def test_it_phrases_a_refusal_from_the_services_in_the_language_of_the_cookie(live_meeting: Meeting, delegate: User) -> None:
    """The command runs in a worker thread: the cookie's language must reach it."""
    reply = await _first_reply_with_language_cookie(
        live_meeting, delegate, b"django_language=en", send=json.dumps({"type": "meeting.start", "id": "m-1"})
    )

    assert_error(reply, code="forbidden", id="m-1")
    assert reply["message"].startswith("[en] "), reply["message"]


@pytest.mark.usefixtures("language_tagged")
async def test_it_phrases_a_refusal_in_the_language_of_the_cookie(live_meeting: Meeting, other_delegate: User) -> None:
    reply = await _first_reply_with_language_cookie(live_meeting, other_delegate, b"django_language=en")

    assert_error(reply, code="not_found", id=None)
    assert reply["message"].startswith("[en] "), reply["message"]


def test_the_projector_link_is_offered_to_whoever_runs_the_meeting_not_to_delegates(
    live_meeting: Meeting, secretary: User, delegate: User
) -> None:
    def room_page(user: User) -> str:
        client = Client()
        client.force_login(user)
        return client.get(reverse("live_room", args=[live_meeting.pk])).content.decode()

    projector = reverse("projector", args=[live_meeting.pk])
    assert projector in room_page(secretary)
    assert projector not in room_page(delegate)
