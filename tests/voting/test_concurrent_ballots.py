"""Ballots that arrive at the same moment: exactly one per voter is counted, whatever the database.

The SQLite races run in a process of their own (tests/voting/race_worker.py) against a real database
file with the project's settings: pytest-django's SQLite test database is in-memory in shared-cache
mode, where a second writer gets "database table is locked" at once instead of waiting, which says
nothing about the site. The production tests use PostgreSQL, Redis and two daphne processes.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.servers import REDIS_URL, ROOT, base_env, daphne, free_port, prepare_site, scratch_postgres, session_cookie
from tests.voting.race_worker import MARKER

DELEGATES = 30
MEANINGS = ["yes", "no", "abstain"]


def race(env: dict[str, str], *arguments: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.voting.race_worker", *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [line] = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    return json.loads(line.removeprefix(MARKER))


def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'race.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"))


# --- SQLite: threads of one process ----------------------------------------------------------


def test_twenty_simultaneous_ballots_of_one_voter_on_sqlite_store_exactly_one(tmp_path: Path) -> None:
    result = race(sqlite_env(tmp_path), "same_voter", "--attempts", "20")

    codes = Counter(code for _voter, _meaning, code in result["outcomes"])
    assert codes == {"ok": 1, "already_voted": 19}, result["outcomes"]  # no "database is locked" among them
    [(_voter, meaning, _code)] = [outcome for outcome in result["outcomes"] if outcome[2] == "ok"]
    assert (result["ballots"], result["marks"]) == (1, 1)
    assert result["ballot_rows"] == [["daibieu01", [result["choice_ids"][meaning]]]]


def test_simultaneous_ballots_of_many_voters_on_sqlite_count_each_voter_once(tmp_path: Path) -> None:
    result = race(sqlite_env(tmp_path), "many_voters", "--voters", "10", "--attempts", "2")

    by_voter: dict[str, list[str]] = {}
    for voter, _meaning, code in result["outcomes"]:
        by_voter.setdefault(voter, []).append(code)
    assert {voter: sorted(codes) for voter, codes in by_voter.items()} == {
        f"daibieu{index:02d}": ["already_voted", "ok"] for index in range(1, 11)
    }, result["outcomes"]
    accepted = {voter: [result["choice_ids"][meaning]] for voter, meaning, code in result["outcomes"] if code == "ok"}
    assert dict(result["ballot_rows"]) == accepted
    assert (result["ballots"], result["marks"]) == (10, 10)


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.mark.production
def test_simultaneous_ballots_on_postgresql_store_exactly_one_per_voter() -> None:
    with scratch_postgres() as database_url:
        result = race(base_env(DATABASE_URL=database_url), "many_voters", "--voters", "10", "--attempts", "3")

    codes = Counter(code for _voter, _meaning, code in result["outcomes"])
    assert codes == {"ok": 10, "already_voted": 20}, result["outcomes"]
    accepted = {voter: [result["choice_ids"][meaning]] for voter, meaning, code in result["outcomes"] if code == "ok"}
    assert dict(result["ballot_rows"]) == accepted
    assert (result["ballots"], result["marks"]) == (10, 10)


@pytest.mark.production
def test_the_chair_closes_the_vote_while_a_ballot_is_being_committed() -> None:
    with scratch_postgres() as database_url:
        result = race(base_env(DATABASE_URL=database_url), "close_while_casting")

    assert result["outcomes"] == {"cast": "ok", "close": "ok"}, result["outcomes"]
    assert (result["state"], result["ballots"], result["marks"]) == ("closed", 1, 1)


# --- PostgreSQL, Redis and two daphne processes: the room votes at once ----------------------


@pytest.fixture(scope="module")
def voting_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("voting_site")
    with scratch_postgres() as database_url:
        env = base_env(
            DATABASE_URL=database_url,
            REDIS_URL=REDIS_URL,
            CHANNEL_LAYER_PREFIX=f"test{uuid.uuid4().hex[:8]}",
            MEDIA_ROOT=str(tmp / "media"),
        )
        demo = prepare_site(env, delegates=DELEGATES)
        with daphne(env, free_port(), tmp / "a.log") as first, daphne(env, free_port(), tmp / "b.log") as second:
            yield {"demo": demo, "urls": [first, second], "logs": [tmp / "a.log", tmp / "b.log"]}


class Tablet:
    """One websocket: keeps the numbered events it sees and the replies to its commands."""

    def __init__(self, connection: websockets.ClientConnection, snapshot: dict[str, Any]) -> None:
        self.connection = connection
        self.snapshot = snapshot
        self.events: list[dict[str, Any]] = []
        self.replies: dict[str, dict[str, Any]] = {}

    async def until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.connection.recv(), timeout))
            if message["type"] in ("ack", "error") and message.get("id"):
                self.replies[message["id"]] = message
            elif "seq" in message:
                self.events.append(message)
            if predicate(message):
                return message

    async def send(self, type: str, id: str, **fields: Any) -> None:
        await self.connection.send(json.dumps({"type": type, "id": id, **fields}))

    async def reply(self, id: str, timeout: float = 30) -> dict[str, Any]:
        if id not in self.replies:
            await self.until(lambda m: m.get("id") == id and m["type"] in ("ack", "error"), timeout)
        return self.replies[id]

    async def command(self, type: str, id: str, **fields: Any) -> dict[str, Any]:
        await self.send(type, id, **fields)
        return await self.reply(id)

    async def event(self, type: str, timeout: float = 30) -> dict[str, Any]:
        seen = [e for e in self.events if e["type"] == type]
        return seen[-1] if seen else await self.until(lambda m: m["type"] == type, timeout)


async def _tablet(base_url: str, meeting_id: int, cookie: str) -> Tablet:
    url = base_url.replace("http://", "ws://") + f"/ws/meetings/{meeting_id}/"
    connection = await websockets.connect(url, additional_headers={"Cookie": cookie}, origin=base_url, max_queue=None)
    snapshot = json.loads(await asyncio.wait_for(connection.recv(), 30))
    assert snapshot["type"] == "snapshot", snapshot
    return Tablet(connection, snapshot)


@pytest.mark.production
async def test_a_room_of_delegates_voting_at_once_on_two_processes_is_counted_once_each(voting_site: dict[str, Any]) -> None:
    demo = voting_site["demo"]
    first, second = voting_site["urls"]
    meeting_id, password = demo["meeting_id"], demo["password"]
    delegates = demo["accounts"]["delegates"]
    assert len(delegates) == DELEGATES

    # Log everyone in, half through each process.
    names = [demo["accounts"]["chair"], *delegates]
    cookies = await asyncio.gather(
        *(asyncio.to_thread(session_cookie, (first, second)[index % 2], name, password) for index, name in enumerate(names))
    )
    cookie_of = dict(zip(names, cookies, strict=True))
    chair = await _tablet(first, meeting_id, cookie_of[demo["accounts"]["chair"]])
    # Each delegate has a tablet on each process: the duplicate ballot really races the first one.
    tablets = {
        name: (
            await _tablet((first, second)[index % 2], meeting_id, cookie_of[name]),
            await _tablet((second, first)[index % 2], meeting_id, cookie_of[name]),
        )
        for index, name in enumerate(delegates)
    }
    everyone = [chair, *(tablet for pair in tablets.values() for tablet in pair)]
    try:
        assert (await chair.command("meeting.start", id="start"))["type"] == "ack"
        checkins = await asyncio.gather(
            chair.command("attendance.checkin", id="checkin-chair"),
            *(pair[0].command("attendance.checkin", id=f"checkin-{name}") for name, pair in tablets.items()),
        )
        assert [reply["type"] for reply in checkins] == ["ack"] * (DELEGATES + 1), checkins
        created = await chair.command("poll.create", id="create", question="Thông qua Nghị quyết về kế hoạch đầu tư công?", majority="cast")
        assert created["type"] == "ack", created
        poll = (await chair.event("poll.update"))["poll"]
        choices = {c["meaning"]: c["id"] for c in poll["choices"]}
        assert (await chair.command("poll.open", id="open", poll_id=poll["id"]))["type"] == "ack"

        # Every delegate casts on one tablet and, at the same moment, a different ballot on the other.
        sends = []
        for index, (name, (one, other)) in enumerate(tablets.items()):
            sends.append(one.send("ballot.cast", f"{name}-a", poll_id=poll["id"], choices=[choices[MEANINGS[index % 3]]]))
            sends.append(other.send("ballot.cast", f"{name}-b", poll_id=poll["id"], choices=[choices[MEANINGS[(index + 1) % 3]]]))
        await asyncio.gather(*sends)
        replies = {name: await asyncio.gather(one.reply(f"{name}-a"), other.reply(f"{name}-b")) for name, (one, other) in tablets.items()}

        accepted: dict[str, str] = {}
        for index, (name, pair) in enumerate(replies.items()):
            kinds = sorted((reply["type"], reply.get("code")) for reply in pair)
            assert kinds == [("ack", None), ("error", "already_voted")], (name, pair)
            accepted[name] = MEANINGS[index % 3] if pair[0]["type"] == "ack" else MEANINGS[(index + 1) % 3]

        assert (await chair.command("poll.close", id="close", poll_id=poll["id"]))["type"] == "ack"
        result = (await chair.event("poll.close"))["poll"]["result"]
        assert (result["ballots"], result["cast_weight"]) == (DELEGATES, DELEGATES)
        expected = Counter(accepted.values())
        assert {row["meaning"]: row["votes"] for row in result["choices"]} == {meaning: expected[meaning] for meaning in MEANINGS}
        participant_of = {name: pair[0].snapshot["state"]["me"]["participant_id"] for name, pair in tablets.items()}
        named = {entry["participant_id"]: entry["choice_ids"] for entry in result["named"]}
        assert named == {participant_of[name]: [choices[meaning]] for name, meaning in accepted.items()}

        # Every tablet on both processes hears the result, after every event before it, with no gap.
        closings = await asyncio.gather(*(tablet.event("poll.close") for tablet in everyone))
        assert all(closing["poll"]["result"] == result for closing in closings)
        for tablet in everyone:
            seqs = [event["seq"] for event in tablet.events]
            assert seqs == list(range(tablet.snapshot["seq"] + 1, tablet.snapshot["seq"] + 1 + len(seqs))), "a gap or a reordering"
    finally:
        await asyncio.gather(*(tablet.connection.close() for tablet in everyone), return_exceptions=True)
