"""Vote storm: N delegates on websockets cast their ballots within one second.

Measured: the time from the first ballot sent to the last acknowledgement, and, after the chair
closes the vote, the time until every tablet has the result. The tally is checked against what
was sent (no lost and no double ballots). Floor, in the same run and the same database: the
same number of plain single-row inserts, each committed on its own.

Embedded shape: one daphne, SQLite, in-memory layer. Production shape: two daphne processes,
PostgreSQL, Redis, the delegates split between them.

    python bench/vote_storm.py [--quick] [--delegates 500]

Prints one JSON line: {"bench": "vote_storm", "params", "metrics", "floor", "ratio"} (milliseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

from tests.servers import REDIS_URL, base_env, daphne, free_port, manage, prepare_site, scratch_postgres, session_cookie  # noqa: E402

# N voting members, present, each with a session (made directly: logging 500 people in through
# the form would spend minutes hashing passwords, which is not what is measured).
MAKE_VOTERS = """
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from meetings.models import Meeting, Participant, User
meeting = Meeting.objects.get(pk=MEETING)
users = User.objects.bulk_create([User(username=f"storm{i:04d}", full_name=f"Đại biểu {i}", password="!") for i in range(COUNT)])
Participant.objects.bulk_create([Participant(meeting=meeting, user=u, role="delegate", can_vote=True, attendance="present") for u in users])
Participant.objects.filter(meeting=meeting, can_vote=True).update(attendance="present")
cookies = []
for user in User.objects.filter(username__startswith="storm").order_by("username"):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
print(json.dumps(cookies))
"""

PLAIN_INSERTS_SQLITE = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS floor_rows (id INTEGER PRIMARY KEY, poll INTEGER, choice TEXT)")
start = time.perf_counter()
for i in range(int(sys.argv[2])):
    db.execute("BEGIN")
    db.execute("INSERT INTO floor_rows (poll, choice) VALUES (?, ?)", (1, "[1]"))
    db.execute("COMMIT")
print((time.perf_counter() - start) * 1000)
"""


def plain_inserts_postgres(database_url: str, count: int) -> float:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("CREATE TABLE IF NOT EXISTS floor_rows (id bigserial PRIMARY KEY, poll integer, choice jsonb)")
        start = time.perf_counter()
        for _ in range(count):
            connection.execute("INSERT INTO floor_rows (poll, choice) VALUES (1, '[1]')")
        return (time.perf_counter() - start) * 1000


def plain_inserts_sqlite(path: Path, count: int) -> float:
    import subprocess

    done = subprocess.run([sys.executable, "-c", PLAIN_INSERTS_SQLITE, str(path), str(count)], capture_output=True, text=True, check=True)
    return float(done.stdout)


async def storm(urls: list[str], env: dict[str, str], demo: dict, count: int) -> dict[str, Any]:
    meeting_id, password = demo["meeting_id"], demo["password"]
    code = MAKE_VOTERS.replace("MEETING", str(meeting_id)).replace("COUNT", str(count))
    cookies = json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])
    ws_path = f"/ws/meetings/{meeting_id}/"

    chair_cookie = await asyncio.to_thread(session_cookie, urls[0], demo["accounts"]["chair"], password)
    chair = await websockets.connect(
        urls[0].replace("http://", "ws://") + ws_path, additional_headers={"Cookie": chair_cookie}, origin=urls[0]
    )
    await chair.recv()

    async def chair_command(type: str, **fields: Any) -> dict[str, Any]:
        command_id = uuid.uuid4().hex
        await chair.send(json.dumps({"type": type, "id": command_id, **fields}))
        seen = {}
        while True:
            message = json.loads(await chair.recv())
            if message.get("type") in ("poll.update", "poll.open"):
                seen = message
            if message.get("id") == command_id:
                assert message["type"] == "ack", message
                return seen

    await chair_command("meeting.start")
    created = await chair_command("poll.create", question="Biểu quyết thử tải", majority="cast", requires_quorum=False)
    poll = created["poll"]
    choices = [c["id"] for c in poll["choices"]]
    await chair_command("poll.open", poll_id=poll["id"])

    # Delegates arrive in groups of 20, each group's snapshots read before the next connects: a
    # snapshot lists every participant, and daphne drops handshakes not answered within seconds.
    sockets: list[Any] = []
    for start in range(0, count, 20):
        batch = []
        for index in range(start, min(count, start + 20)):
            url = urls[index % len(urls)]
            batch.append(
                websockets.connect(
                    url.replace("http://", "ws://") + ws_path,
                    additional_headers={"Cookie": cookies[index]},
                    origin=url,
                    max_size=None,
                    compression=None,
                    open_timeout=60,
                )
            )
        arrived = await asyncio.gather(*batch)
        for socket in arrived:
            assert json.loads(await socket.recv())["type"] == "snapshot"
        sockets.extend(arrived)
    await asyncio.sleep(1.5)  # presence settles

    sent = [choices[index % 3] for index in range(count)]
    replies: list[dict[str, Any]] = [{} for _ in range(count)]
    result_at: list[float] = [0.0] * count
    acked_at: list[float] = [0.0] * count

    async def tablet(index: int, socket: Any) -> None:
        command_id = f"b{index}"
        await socket.send(json.dumps({"type": "ballot.cast", "id": command_id, "poll_id": poll["id"], "choices": [sent[index]]}))
        async for raw in socket:
            message = json.loads(raw)
            if message.get("id") == command_id:
                replies[index] = message
                acked_at[index] = time.perf_counter()
            elif message.get("type") == "poll.close":
                result_at[index] = time.perf_counter()
                return

    started = time.perf_counter()
    listeners = [asyncio.create_task(tablet(i, s)) for i, s in enumerate(sockets)]
    while not all(acked_at) and time.perf_counter() - started < 120:
        await asyncio.sleep(0.005)
    last_ack = max(acked_at)
    closing = time.perf_counter()
    closed = await asyncio.wait_for(chair_close(chair, poll["id"]), 60)
    await asyncio.wait_for(asyncio.gather(*listeners), 60)
    for socket in sockets:
        await socket.close()
    await chair.close()

    errors = [r for r in replies if r.get("type") != "ack"]
    result = closed["poll"]["result"]
    counts = {row["choice_id"]: row["votes"] for row in result["choices"]}
    expected = {choice: sent.count(choice) for choice in choices}
    assert not errors, errors[:3]
    assert result["ballots"] == count, result
    assert counts == expected, (counts, expected)
    return {
        "first_ballot_to_last_ack_ms": round((last_ack - started) * 1000, 1),
        "close_to_result_on_every_tablet_ms": round((max(result_at) - closing) * 1000, 1),
        "ballots": result["ballots"],
        "tally_matches": counts == expected,
    }


async def chair_close(chair: Any, poll_id: int) -> dict[str, Any]:
    await chair.send(json.dumps({"type": "poll.close", "id": "close", "poll_id": poll_id}))
    while True:
        message = json.loads(await chair.recv())
        if message.get("type") == "poll.close":
            return message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--delegates", type=int, default=0)
    args = parser.parse_args()
    count = args.delegates or (100 if args.quick else 500)
    metrics: dict[str, Any] = {}
    floor: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        tmp_path = Path(tmp)
        sqlite_path = tmp_path / "bench.sqlite3"
        embedded = base_env(DATABASE_URL=f"sqlite:///{sqlite_path}", MEDIA_ROOT=str(tmp_path / "media-1"))
        demo_embedded = prepare_site(embedded, delegates=3)
        database_url = stack.enter_context(scratch_postgres())
        production = base_env(
            DATABASE_URL=database_url,
            REDIS_URL=REDIS_URL,
            CHANNEL_LAYER_PREFIX=f"bench{uuid.uuid4().hex[:6]}",
            MEDIA_ROOT=str(tmp_path / "media-2"),
            DB_CONN_MAX_AGE="60",
        )
        demo_production = prepare_site(production, delegates=3)
        one = stack.enter_context(daphne(embedded, free_port(), tmp_path / "one.log"))
        pair = [stack.enter_context(daphne(production, free_port(), tmp_path / f"two-{i}.log")) for i in range(2)]
        metrics["sqlite_one_process"] = asyncio.run(storm([one], embedded, demo_embedded, count))
        floor["sqlite_plain_inserts_ms"] = round(plain_inserts_sqlite(sqlite_path, count), 1)
        metrics["postgres_two_processes"] = asyncio.run(storm(pair, production, demo_production, count))
        floor["postgres_plain_inserts_ms"] = round(plain_inserts_postgres(database_url, count), 1)
    ratio = {
        "sqlite": round(metrics["sqlite_one_process"]["first_ballot_to_last_ack_ms"] / floor["sqlite_plain_inserts_ms"], 2),
        "postgres": round(metrics["postgres_two_processes"]["first_ballot_to_last_ack_ms"] / floor["postgres_plain_inserts_ms"], 2),
    }
    print(json.dumps({"bench": "vote_storm", "params": {"delegates": count}, "metrics": metrics, "floor": floor, "ratio": ratio}))


if __name__ == "__main__":
    main()
