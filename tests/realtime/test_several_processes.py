"""Two real daphne processes sharing PostgreSQL and Redis, as in production."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import websockets

from realtime.protocol import COMMANDS
from tests.servers import REDIS_URL, base_env, daphne, free_port, manage, meeting_script, prepare_site, scratch_postgres, session_cookie

pytestmark = pytest.mark.production


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("processes")
    with scratch_postgres() as database_url:
        env = base_env(
            DATABASE_URL=database_url,
            REDIS_URL=REDIS_URL,
            CHANNEL_LAYER_PREFIX=f"test{uuid.uuid4().hex[:8]}",
            MEDIA_ROOT=str(tmp / "media"),
        )
        demo = prepare_site(env, delegates=3)
        with daphne(env, free_port(), tmp / "a.log") as first, daphne(env, free_port(), tmp / "b.log") as second:
            yield {"demo": demo, "urls": [first, second], "database_url": database_url, "env": env}


class Socket:
    def __init__(self, connection: websockets.ClientConnection) -> None:
        self.connection = connection
        self.events: list[dict[str, Any]] = []

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        return json.loads(await asyncio.wait_for(self.connection.recv(), timeout))

    async def until(self, predicate: Any, timeout: float = 10) -> dict[str, Any]:
        while True:
            message = await self.next(timeout)
            if "seq" in message and message["type"] != "snapshot":
                self.events.append(message)
            if predicate(message):
                return message


async def open_socket(base_url: str, meeting_id: int, username: str, password: str) -> tuple[Socket, dict[str, Any]]:
    cookie = await asyncio.to_thread(session_cookie, base_url, username, password)
    url = base_url.replace("http://", "ws://") + f"/ws/meetings/{meeting_id}/"
    connection = await websockets.connect(url, additional_headers={"Cookie": cookie}, origin=base_url)
    socket = Socket(connection)
    snapshot = await socket.next()
    assert snapshot["type"] == "snapshot"
    return socket, snapshot


async def test_a_command_on_one_process_reaches_a_tablet_on_the_other(two_processes: dict[str, Any]) -> None:
    demo = two_processes["demo"]
    first, second = two_processes["urls"]
    password, meeting_id = demo["password"], demo["meeting_id"]
    chair, _ = await open_socket(first, meeting_id, demo["accounts"]["chair"], password)
    tablet, snapshot = await open_socket(second, meeting_id, "daibieu01", password)
    try:
        await chair.connection.send(json.dumps({"type": "meeting.start", "id": "start-1"}))
        await chair.until(lambda m: m.get("id") == "start-1")
        started = await tablet.until(lambda m: m["type"] == "meeting.state")
        assert started["meeting"]["state"] == "in_progress"
        assert started["seq"] == snapshot["seq"] + 1
    finally:
        await chair.connection.close()
        await tablet.connection.close()


async def test_commands_on_both_processes_reach_every_tablet_in_order_without_gaps(two_processes: dict[str, Any]) -> None:
    demo = two_processes["demo"]
    first, second = two_processes["urls"]
    password, meeting_id = demo["password"], demo["meeting_id"]
    chair_on_first, _ = await open_socket(first, meeting_id, demo["accounts"]["chair"], password)
    chair_on_second, _ = await open_socket(second, meeting_id, demo["accounts"]["chair"], password)
    tablets = [
        await open_socket(first, meeting_id, "daibieu02", password),
        await open_socket(second, meeting_id, "daibieu03", password),
    ]
    secretary, snapshot = await open_socket(second, meeting_id, demo["accounts"]["secretary"], password)
    try:
        start_seq = snapshot["seq"]
        rounds = 30
        # Notices from both processes at once, as fast as they go.
        sends = []
        for index in range(rounds):
            chair = chair_on_first if index % 2 == 0 else chair_on_second
            sends.append(chair.connection.send(json.dumps({"type": "notice.send", "id": f"n-{index}", "text": f"Thông báo {index}"})))
        await asyncio.gather(*sends)
        for socket, _snapshot in tablets:
            await socket.until(lambda m, socket=socket: len([e for e in socket.events if e["type"] == "notice"]) >= rounds, timeout=30)
            seqs = [event["seq"] for event in socket.events]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "a gap or a reordering"
            assert seqs[0] <= start_seq + 1
            texts = sorted(e["text"] for e in socket.events if e["type"] == "notice")
            assert texts == sorted(f"Thông báo {index}" for index in range(rounds))
    finally:
        for socket in (chair_on_first, chair_on_second, secretary, *(s for s, _ in tablets)):
            await socket.connection.close()


async def chair_and_tablet_in_the_started_meeting(two_processes: dict[str, Any], tablet_user: str) -> tuple[Socket, Socket, dict[str, Any]]:
    """The chair on the first process, a delegate's tablet on the second, the meeting under way,
    and a document of at least three pages to present."""
    demo = two_processes["demo"]
    first, second = two_processes["urls"]
    password, meeting_id = demo["password"], demo["meeting_id"]
    chair, snapshot = await open_socket(first, meeting_id, demo["accounts"]["chair"], password)
    tablet, _ = await open_socket(second, meeting_id, tablet_user, password)
    if snapshot["state"]["meeting"]["state"] == "published":
        await chair.connection.send(json.dumps({"type": "meeting.start", "id": "start-for-pages"}))
        await chair.until(lambda m: m.get("id") == "start-for-pages")
    return chair, tablet, next(d for d in snapshot["state"]["documents"] if d["page_count"] >= 3)


async def test_page_turns_are_stored_and_reach_the_other_process_and_bad_ones_change_nothing(two_processes: dict[str, Any]) -> None:
    """The page turn's statements go to PostgreSQL together (lock with the document's version,
    then presentation, counter and log): what the other process's tablet gets, and what a
    tablet connecting afterwards is told, must both say the page; a refused turn leaves it."""
    demo = two_processes["demo"]
    second = two_processes["urls"][1]
    chair, tablet, document = await chair_and_tablet_in_the_started_meeting(two_processes, "daibieu02")
    try:
        for page in (2, 3):
            turn = {"type": "present.page", "id": f"turn-{page}", "document_id": document["id"], "page": page}
            await chair.connection.send(json.dumps(turn))
            ack = await chair.until(lambda m, page=page: m.get("id") == f"turn-{page}")
            assert ack["type"] == "ack"
            shown = await tablet.until(lambda m: m["type"] == "present.page")
            assert (shown["presentation"]["document_id"], shown["presentation"]["page"]) == (document["id"], page)
        refused = [
            ("turn-too-far", document["id"], document["page_count"] + 1, "invalid_page"),
            ("turn-no-such-document", document["id"] + 10_000, 1, "not_found"),
        ]
        for command_id, document_id, page, code in refused:
            await chair.connection.send(json.dumps({"type": "present.page", "id": command_id, "document_id": document_id, "page": page}))
            error = await chair.until(lambda m, command_id=command_id: m.get("id") == command_id)
            assert (error["type"], error["code"]) == ("error", code)
        later, later_snapshot = await open_socket(second, demo["meeting_id"], "daibieu03", demo["password"])
        await later.connection.close()
        presentation = later_snapshot["state"]["presentation"]
        assert (presentation["document_id"], presentation["page"]) == (document["id"], 3)
        seqs = [event["seq"] for event in tablet.events]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    finally:
        await chair.connection.close()
        await tablet.connection.close()


async def test_a_command_goes_through_after_the_database_dropped_the_servers_connections(two_processes: dict[str, Any]) -> None:
    """As after a database restart or a failover: the first page turn afterwards must not fail
    (commands skip Django's per-use connection check and are tried again on a new connection)."""
    chair, tablet, document = await chair_and_tablet_in_the_started_meeting(two_processes, "daibieu01")
    try:

        def drop_connections() -> int:
            with psycopg.connect(two_processes["database_url"], autocommit=True) as admin:
                rows = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
            return len(rows)

        assert await asyncio.to_thread(drop_connections) >= 1
        turn = {"type": "present.page", "id": "after-drop", "document_id": document["id"], "page": 2}
        await chair.connection.send(json.dumps(turn))
        ack = await chair.until(lambda m: m.get("id") == "after-drop")
        assert ack["type"] == "ack", ack
        shown = await tablet.until(lambda m: m["type"] == "present.page")
        assert shown["presentation"]["page"] == 2
    finally:
        await chair.connection.close()
        await tablet.connection.close()


async def command(socket: Socket, type: str, **args: Any) -> dict[str, Any]:
    """Send a command and return its reply, keeping the events that came before it."""
    command_id = f"{type}-{uuid.uuid4().hex[:8]}"
    await socket.connection.send(json.dumps({"type": type, "id": command_id, **args}))
    return await socket.until(lambda m: m.get("id") == command_id and m["type"] in ("ack", "error"))


def latest(socket: Socket, type: str) -> dict[str, Any]:
    return next(event for event in reversed(socket.events) if event["type"] == type)


async def test_every_command_is_applied_on_postgresql(two_processes: dict[str, Any]) -> None:
    """The suite runs on SQLite; PostgreSQL refuses some statements SQLite accepts (a row lock
    over an outer join was one). Every command a tablet can send, once, on the production
    set-up. Last in this module: it ends the meeting."""
    demo = two_processes["demo"]
    first, second = two_processes["urls"]
    password, meeting_id = demo["password"], demo["meeting_id"]
    chair, _tablet, document = await chair_and_tablet_in_the_started_meeting(two_processes, "daibieu01")
    await _tablet.connection.close()
    tablet, tablet_snapshot = await open_socket(second, meeting_id, "daibieu01", password)
    giver, giver_snapshot = await open_socket(first, meeting_id, "daibieu02", password)
    secretary, snapshot = await open_socket(second, meeting_id, demo["accounts"]["secretary"], password)
    state = snapshot["state"]
    me, giver_me = tablet_snapshot["state"]["me"], giver_snapshot["state"]["me"]
    holder = next(
        p
        for p in state["attendance"]["participants"]
        if p["can_vote"] and p["id"] not in (me["participant_id"], giver_me["participant_id"])
    )
    item_id = state["agenda"][0]["id"]
    sent: set[str] = set()

    async def applied(socket: Socket, type: str, **args: Any) -> None:
        reply = await command(socket, type, **args)
        sent.add(type)
        assert reply["type"] == "ack", (type, reply)

    try:
        await applied(chair, "agenda.current", item_id=item_id)
        await applied(chair, "present.page", document_id=document["id"], page=2, viewport={"x": 0.1, "y": 0.2, "zoom": 1.5})
        await applied(
            chair,
            "stroke.points",
            stroke_id="s-1",
            document_id=document["id"],
            page=2,
            points=[[0.1, 0.1], [0.2, 0.2]],
            color="#c00000",
            width=0.01,
        )
        await applied(chair, "present.handover", user_id=me["user_id"])
        await applied(chair, "present.handover", user_id=None)
        await applied(chair, "present.stop")
        await applied(secretary, "attendance.update", participant_id=me["participant_id"], status="present")
        await applied(giver, "attendance.checkin")
        await applied(tablet, "speaker.request")
        await applied(tablet, "speaker.withdraw")
        await applied(tablet, "speaker.request")
        waiting = latest(tablet, "speaker.request")["speakers"]["queue"]
        await applied(chair, "speaker.start", request_id=waiting[0]["id"])
        await applied(chair, "speaker.extend", request_id=waiting[0]["id"], seconds=60)
        await applied(chair, "speaker.end")
        await applied(tablet, "speaker.request")
        await applied(chair, "speaker.allot", seconds=240)
        await applied(chair, "speaker.dismiss", request_id=latest(tablet, "speaker.request")["speakers"]["queue"][0]["id"])
        await applied(chair, "notice.send", text="Nghỉ giải lao 10 phút")
        await applied(chair, "meeting.recess", minutes=10)
        await applied(chair, "meeting.resume")
        await applied(chair, "projector.clear")
        await applied(giver, "proxy.give", holder_id=holder["id"])
        await applied(giver, "proxy.revoke", proxy_id=latest(giver, "proxy.update")["proxies"][0]["id"])
        await applied(chair, "poll.create", question="Thông qua chương trình họp?", agenda_item_id=item_id, requires_quorum=False)
        poll = latest(chair, "poll.update")["poll"]
        await applied(chair, "poll.open", poll_id=poll["id"])
        await applied(tablet, "ballot.cast", poll_id=poll["id"], choices=[poll["choices"][0]["id"]])
        await applied(chair, "poll.close", poll_id=poll["id"])
        await applied(chair, "poll.annul", poll_id=poll["id"], reason="Nhầm câu hỏi", repeat=True)
        await applied(secretary, "minutes.update", field="notes", text="Đại biểu thảo luận.", base_version=0, item_id=item_id)
        await applied(chair, "minutes.conclude", item_id=item_id, text="Thông qua.")
        annotation = {"annotation_id": str(uuid.uuid4()), "document_id": document["id"], "version_id": document["version_id"], "page": 1}
        for revision in (1, 2):
            highlight = {"kind": "highlight", "data": {"rect": [0.1, 0.1 * revision, 0.4, 0.15]}, "shared": True}
            await applied(tablet, "annotation.upsert", **annotation, **highlight, revision=revision)
        await applied(secretary, "annotation.withhold", annotation_id=annotation["annotation_id"])
        await applied(tablet, "annotation.delete", annotation_id=annotation["annotation_id"], revision=4)
        await applied(chair, "meeting.end")
        assert sent | {"meeting.start"} == set(COMMANDS)
        seqs = [event["seq"] for event in secretary.events]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    finally:
        for socket in (chair, tablet, secretary, giver):
            await socket.connection.close()


# A meeting of its own, published and not started (the others here start the demo's), with two delegates.
PUBLISHED_MEETING = meeting_script(
    title="Họp thường kỳ",
    location="Phòng họp số 1",
    delegates=["daibieu01", "daibieu02"],
    then="""
    agenda_item_create(actor=secretary, meeting=meeting, title="Khai mạc", duration_minutes=5)
    meeting_publish(actor=secretary, meeting=meeting)
    print(meeting.pk)
    """,
)


async def test_a_participant_removed_elsewhere_is_shut_out_on_whichever_process_holds_their_tablet(
    two_processes: dict[str, Any],
) -> None:
    env, password = two_processes["env"], two_processes["demo"]["password"]
    first, second = two_processes["urls"]
    meeting_id = int((await asyncio.to_thread(manage, env, "shell", "-c", PUBLISHED_MEETING)).strip().splitlines()[-1])
    staying, _ = await open_socket(first, meeting_id, "daibieu02", password)
    removed, snapshot = await open_socket(second, meeting_id, "daibieu01", password)
    remove = f"""
from meetings.models import Participant, User
from meetings.services.participants import participant_remove
participant = Participant.objects.get(meeting_id={meeting_id}, user__username="daibieu01")
participant_remove(actor=User.objects.get(username="thuky"), participant=participant)
"""
    try:
        # From a third process (the secretary's page is served by any of them): through Redis to both.
        await asyncio.to_thread(manage, env, "shell", "-c", remove)
        told = await removed.until(lambda m: m["type"] == "error")
        assert told["code"] == "not_found"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await removed.next()
        assert closed.value.rcvd.code == 4404
        listed = await staying.until(lambda m: m["type"] == "attendance.update")
        assert snapshot["state"]["me"]["user_id"] not in {p["user_id"] for p in listed["attendance"]["participants"]}
    finally:
        await staying.connection.close()
        await removed.connection.close()
