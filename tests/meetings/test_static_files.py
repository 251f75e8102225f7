"""An upgrade reaches every tablet at once: no browser keeps last week's live-room modules."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from channels.testing import HttpCommunicator
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from meetings.models import Meeting, User
from static_files import client_build
from tests.servers import ROOT

HASHED = re.compile(r"\.[0-9a-f]{12}\.(js|css)$")
BEHIND_NGINX = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "static_files.VersionedStaticFilesStorage"},
}
RELATIVE_IMPORT = re.compile(r"""(?:import|export)\b[^;]*?from\s*["'](\.[^"']+)["']\s*;|import\s*["'](\.[^"']+)["']\s*;""")


def collect(source: Path, root: Path) -> None:
    """`collectstatic` as behind nginx (SERVE_STATIC=0), from `source` into `root`."""
    with override_settings(STATICFILES_DIRS=[source], STATIC_ROOT=root, STORAGES=BEHIND_NGINX):
        call_command("collectstatic", "--no-input", verbosity=0)


def collected_name(root: Path, name: str) -> str:
    """The hashed name `collectstatic` gave the source file `name` (e.g. js/live/room.js)."""
    stem, suffix = name.rsplit(".", 1)
    [found] = [path for path in root.glob(f"{stem}.*.{suffix}") if HASHED.search(path.name)]
    return found.relative_to(root).as_posix()


def relative_imports(path: Path) -> list[str]:
    return [first or second for first, second in RELATIVE_IMPORT.findall(path.read_text())]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    copy = tmp_path / "static"
    shutil.copytree(ROOT / "static", copy)
    return copy


def test_behind_nginx_the_live_room_loads_modules_named_by_their_content(
    source: Path, tmp_path: Path, client: Client, published_meeting: Meeting, delegate: User
) -> None:
    root = tmp_path / "collected"
    collect(source, root)
    client.force_login(delegate)
    with override_settings(STATICFILES_DIRS=[source], STATIC_ROOT=root, STORAGES=BEHIND_NGINX):
        page = client.get(reverse("live_room", args=[published_meeting.pk])).content.decode()
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', page)
    assert "js/live/room.js" not in assets
    assert collected_name(root, "js/live/room.js") in assets
    assert collected_name(root, "css/app.css") in assets

    # Every module the room imports, and every module those import, by its hashed name.
    seen: set[str] = set()
    waiting = [collected_name(root, "js/live/room.js")]
    while waiting:
        name = waiting.pop()
        seen.add(name)
        for target in relative_imports(root / name):
            resolved = (Path(name).parent / target).as_posix().replace("/./", "/")
            assert HASHED.search(resolved), f"{name} imports {target} by its plain name"
            assert (root / resolved).is_file(), f"{name} imports {target}, which was not collected"
            if resolved not in seen:
                waiting.append(resolved)
    assert {collected_name(root, f"js/live/{module}.js") for module in ("connection", "store", "viewer", "annotate")} <= seen


def test_a_changed_module_renames_every_module_that_imports_it(source: Path, tmp_path: Path) -> None:
    collect(source, tmp_path / "before")
    connection = source / "js" / "live" / "connection.js"
    connection.write_text(connection.read_text() + "\n// the next release\n")
    collect(source, tmp_path / "after")

    def renamed(name: str) -> bool:
        return collected_name(tmp_path / "before", name) != collected_name(tmp_path / "after", name)

    assert renamed("js/live/connection.js")
    # room.js and annotate.js import connection.js; viewer.js imports annotate.js.
    assert renamed("js/live/room.js") and renamed("js/live/annotate.js") and renamed("js/live/viewer.js")
    assert not renamed("js/live/dom.js")
    assert not renamed("css/app.css")


def test_the_collected_file_under_its_plain_name_stays_for_old_references(source: Path, tmp_path: Path) -> None:
    collect(source, tmp_path / "collected")
    assert (tmp_path / "collected" / "js" / "live" / "room.js").read_text() == (source / "js" / "live" / "room.js").read_text()


async def static_get(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, dict[str, str]]:
    """GET through asgi.py's application. (HttpCommunicator cannot read a file response's closing
    message, which carries no body.)"""
    from asgi import application

    communicator = HttpCommunicator(application, "GET", path, headers=headers)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    while (await communicator.receive_output(5)).get("more_body"):
        pass
    await communicator.wait()
    return start["status"], {name.decode().lower(): value.decode() for name, value in start["headers"]}


async def test_daphne_serving_static_files_has_browsers_revalidate_them() -> None:
    status, headers = await static_get("/static/js/live/room.js")
    assert status == 200
    assert headers["cache-control"] == "no-cache"
    # Unchanged since the browser's copy: a 304 with no body.
    status, _headers = await static_get("/static/js/live/room.js", [(b"if-modified-since", headers["last-modified"].encode())])
    assert status == 304


def test_the_build_a_live_screen_compares_changes_with_any_script_or_style(source: Path) -> None:
    def build() -> str:
        with override_settings(STATICFILES_DIRS=[source]):
            return client_build.__wrapped__()

    before = build()
    assert build() == before
    room = source / "js" / "live" / "room.js"
    room.write_text(room.read_text() + "\n")
    assert build() != before
