"""Real servers for tests and benchmarks: daphne processes, a scratch PostgreSQL database, logins."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def base_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update({"DJANGO_SETTINGS_MODULE": "settings", "DEBUG": "1", "REDIS_URL": ""})
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return done.stdout


def prepare_site(env: dict[str, str], *, delegates: int = 8) -> dict:
    """Migrate the database `env` names and load the demo; returns the demo's JSON."""
    manage(env, "migrate", "--no-input", "-v", "0")
    return json.loads(manage(env, "seed_demo", "--json", "--delegates", str(delegates)))


@contextmanager
def daphne(env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; yields its URL."""
    import psycopg

    name = f"hop_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def session_cookie(base_url: str, username: str, password: str) -> str:
    """Log in through the login form, as a browser would; returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base_url}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}).encode()
    request = urllib.request.Request(f"{base_url}/accounts/login/", data=data, headers={"Referer": f"{base_url}/accounts/login/"})
    opener.open(request).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    assert "sessionid" in cookies, f"login as {username} failed"
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def meeting_script(*, title: str, location: str, delegates: list[str], then: str) -> str:
    """A `manage.py shell` script making a meeting of its own (prepared by thuky, chaired by chutoa, an
    hour from now, these delegates invited with a vote), so a test does not depend on what the other
    browser tests did to the demo's. `then` runs next, with `secretary` and `meeting` at hand."""
    made = f"""
import datetime
from django.utils import timezone
from meetings.models import Body, Participant, User
from meetings.services.meetings import meeting_create, meeting_publish
from meetings.services.participants import participants_invite
from meetings.services.agenda import agenda_item_create
secretary = User.objects.get(username="thuky")
starts = timezone.now() + datetime.timedelta(hours=1)
meeting = meeting_create(actor=secretary, body=Body.objects.first(), title={title!r}, kind="regular",
    starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), location={location!r},
    chair=User.objects.get(username="chutoa"), secretary=secretary)
participants_invite(actor=secretary, meeting=meeting, users=list(User.objects.filter(username__in={delegates!r})),
    role=Participant.Role.DELEGATE, can_vote=True)
"""
    return made + textwrap.dedent(then)
