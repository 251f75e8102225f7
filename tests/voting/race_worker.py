"""Races between ballots, run in a process of its own against the database DATABASE_URL names.

The test database pytest-django gives SQLite is an in-memory database in shared-cache mode,
where a second writer gets SQLITE_LOCKED at once (the busy timeout is never consulted), so it
cannot show how the site behaves with concurrent writers. This worker uses the project's own
settings against a real database file (WAL, BEGIN IMMEDIATE, a busy timeout) or a scratch
PostgreSQL database, and prints one JSON line (prefixed with RESULT) for the test to read.

    python -m tests.voting.race_worker same_voter --attempts 20
    python -m tests.voting.race_worker many_voters --voters 10 --attempts 2
    python -m tests.voting.race_worker close_while_casting
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django

MARKER = "RESULT "


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0, interactive=False)


def _council(voters: int) -> dict[str, Any]:
    """A meeting in progress with `voters` delegates present besides the chair, and an open yes/no poll."""
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from meetings.models import Body, Meeting, Participant, User
    from meetings.services.agenda import agenda_item_create
    from meetings.services.live import attendance_mark, meeting_start
    from meetings.services.meetings import meeting_create, meeting_publish
    from meetings.services.participants import participants_invite
    from voting.services.ballots import poll_open
    from voting.services.polls import poll_create

    body = Body.objects.create(name="UBND thành phố Vũng Tàu", short_name="UBND")

    def user(username: str) -> User:
        return User.objects.create_user(username=username, password="matkhau-123", full_name=username, body=body)

    secretary = user("thuky")
    secretary.user_permissions.add(Permission.objects.get(codename="add_meeting"))
    secretary = User.objects.get(pk=secretary.pk)
    chair = user("chutoa")
    delegates = [user(f"daibieu{index + 1:02d}") for index in range(voters)]
    starts = timezone.now() + datetime.timedelta(days=1)
    meeting = meeting_create(
        actor=secretary,
        body=body,
        title="Họp kiểm thử bỏ phiếu đồng thời",
        kind=Meeting.Kind.THEMATIC,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="Phòng họp số 1",
        chair=chair,
        secretary=secretary,
    )
    participants_invite(actor=secretary, meeting=meeting, users=delegates, role=Participant.Role.DELEGATE, can_vote=True)
    agenda_item_create(actor=secretary, meeting=meeting, title="Khai mạc", duration_minutes=5)
    meeting_publish(actor=secretary, meeting=meeting)
    meeting_start(actor=chair, meeting=meeting)
    for participant in meeting.participants.filter(can_vote=True):
        attendance_mark(actor=secretary, meeting=meeting, participant_id=participant.pk, status=Participant.Attendance.PRESENT)
    poll = poll_create(actor=chair, meeting=meeting, question="Thông qua đề án?")
    poll_open(actor=chair, meeting=meeting, poll_id=poll.pk)
    choices = dict(poll.choices.values_list("meaning", "pk"))
    return {"meeting": Meeting.objects.get(pk=meeting.pk), "poll": poll, "chair": chair, "delegates": delegates, "choices": choices}


def _outcome(call: Callable[[], Any]) -> str:
    """'ok', the ServiceError code, or the database error's class and message."""
    from django.db import connections

    from meetings.errors import ServiceError

    try:
        call()
        return "ok"
    except ServiceError as error:
        return error.code
    except Exception as error:  # noqa: BLE001 - anything else is what the test reports
        return f"{type(error).__name__}: {error}"
    finally:
        connections.close_all()


def _counts(poll_id: int) -> dict[str, Any]:
    from voting.models import Ballot, VoterMark

    return {
        "ballots": Ballot.objects.filter(poll_id=poll_id).count(),
        "marks": VoterMark.objects.filter(poll_id=poll_id).count(),
        "ballot_rows": sorted([ballot.voter.user.username, ballot.choices] for ballot in Ballot.objects.filter(poll_id=poll_id)),
    }


def many_voters(voters: int, attempts: int) -> dict[str, Any]:
    """Each of `voters` delegates casts `attempts` ballots at the same moment, each from its own thread.

    Attempt 0 chooses yes, attempt 1 no, attempt 2 abstain, and so on round.
    """
    from voting.services.ballots import ballot_cast

    council = _council(voters)
    meeting, poll, choices = council["meeting"], council["poll"], council["choices"]
    meanings = ["yes", "no", "abstain"]
    jobs = [(delegate, index) for delegate in council["delegates"] for index in range(attempts)]
    start = threading.Barrier(len(jobs))

    def attempt(job: tuple[Any, int]) -> list[Any]:
        delegate, index = job
        meaning = meanings[index % 3]
        start.wait()
        code = _outcome(lambda: ballot_cast(actor=delegate, meeting=meeting, poll_id=poll.pk, choices=[choices[meaning]]))
        return [delegate.username, meaning, code]

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        outcomes = list(pool.map(attempt, jobs))
    return {"outcomes": outcomes, "choice_ids": choices, **_counts(poll.pk)}


def close_while_casting() -> dict[str, Any]:
    """A ballot's transaction is about to commit (through the live command path) when the chair closes the poll.

    The ballot holds the poll row; the close takes the meeting row and waits for the poll row;
    then the ballot commits. Returns how each command ended and what was stored.
    """
    from django.db import connection

    from realtime import commands
    from voting.models import Poll

    council = _council(3)
    meeting, poll, choices, chair = council["meeting"], council["poll"], council["choices"], council["chair"]
    delegate = council["delegates"][0]
    ballot_done = threading.Event()
    real_cast = commands.HANDLERS["ballot.cast"]

    def cast_then_wait(**kwargs: Any) -> None:
        real_cast(**kwargs)
        ballot_done.set()
        # Stay inside the command's transaction until the close is queued behind the poll row.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _someone_waits_for_a_lock():
            time.sleep(0.02)

    commands.HANDLERS["ballot.cast"] = cast_then_wait
    try:

        def cast() -> str:
            return _outcome(
                lambda: commands.command_apply(
                    user=delegate,
                    meeting_id=meeting.pk,
                    command_id="ballot-1",
                    type="ballot.cast",
                    args={"poll_id": poll.pk, "choices": [choices["yes"]]},
                )
            )

        def close() -> str:
            ballot_done.wait(10)
            return _outcome(
                lambda: commands.command_apply(
                    user=chair, meeting_id=meeting.pk, command_id="close-1", type="poll.close", args={"poll_id": poll.pk}
                )
            )

        with ThreadPoolExecutor(max_workers=2) as pool:
            cast_outcome, close_outcome = pool.submit(cast), pool.submit(close)
            outcomes = {"cast": cast_outcome.result(), "close": close_outcome.result()}
    finally:
        commands.HANDLERS["ballot.cast"] = real_cast
    connection.close()
    return {"outcomes": outcomes, "state": Poll.objects.get(pk=poll.pk).state, **_counts(poll.pk)}


def _someone_waits_for_a_lock() -> bool:
    """PostgreSQL: whether another session of this database is waiting for a row or transaction lock."""
    import psycopg
    from django.conf import settings

    database = settings.DATABASES["default"]
    with psycopg.connect(
        dbname=database["NAME"], user=database["USER"], password=database["PASSWORD"] or None, host=database["HOST"], port=database["PORT"]
    ) as watcher:
        row = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()
    return bool(row and row[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["same_voter", "many_voters", "close_while_casting"])
    parser.add_argument("--voters", type=int, default=1)
    parser.add_argument("--attempts", type=int, default=20)
    arguments = parser.parse_args()
    _setup()
    if arguments.scenario == "close_while_casting":
        result = close_while_casting()
    else:
        result = many_voters(1 if arguments.scenario == "same_voter" else arguments.voters, arguments.attempts)
    print(MARKER + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
