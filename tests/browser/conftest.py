"""A live daphne server with its own database and the demo, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}

pytestmark = pytest.mark.browser


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
    raise RuntimeError(f"daphne did not start on port {port}")


@dataclass
class DaphneServer:
    url: str
    demo: dict
    env: dict[str, str]
    log: Path


def server_env(tmp: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "settings",
            "DATABASE_URL": f"sqlite:///{tmp / 'live.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "SITE_URL": f"http://127.0.0.1:{port}",
            "REDIS_URL": "",
            "DEBUG": "1",
            # Tablets notice a dead connection within a few seconds instead of twenty.
            "REALTIME_HEARTBEAT_SECONDS": "2",
        }
    )
    return env


@pytest.fixture(scope="session")
def daphne_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaphneServer]:
    tmp = tmp_path_factory.mktemp("live")
    port = free_port()
    env = server_env(tmp, port)
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run([*manage, "seed_demo", "--json"], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    demo = json.loads(seeded.stdout)
    log = tmp / "daphne.log"
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
        yield DaphneServer(url=f"http://127.0.0.1:{port}", demo=demo, env=env, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (CI does this in .ci/run)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, daphne_server: DaphneServer) -> Iterator:
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] = TABLET_LANDSCAPE, *, touch: bool = True) -> BrowserContext:
        context = browser.new_context(viewport=viewport, has_touch=touch, base_url=daphne_server.url, locale="vi-VN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=username]) button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
