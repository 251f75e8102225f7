"""The PDF renderer reads nothing but the project's static files: no URL a person typed (or HTML
that reached the renderer) makes it fetch from the network or read a local file; a document built
to take too long or too much memory is stopped, and the server goes on."""

from __future__ import annotations

import io
import logging
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from meetings.errors import ServiceError
from meetings.models import AgendaItem, Meeting, User
from meetings.pdf_render import STATIC_DIR, FetchRefused, html_to_pdf, static_only_fetcher
from minutes import compile as minutes_compile_module
from minutes.models import MinutesEntry, MinutesVersion
from minutes.services import workflow
from tests.minutes.conftest import Held, version_bytes
from voting.models import Poll

pytestmark = pytest.mark.django_db

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f4d0"
    "a90000000049454e44ae426082"
)


@dataclass
class Listener:
    """A web server on this machine that records every request it gets."""

    port: int
    requests: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
                return
            body, kind = (PNG_1PX, "image/png") if self.path.endswith(".png") else (b"body { color: red }", "text/css")
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    listener = Listener(port=server.server_address[1], requests=seen)
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_listener_does_answer_when_asked(listener: Listener) -> None:
    """The server the other tests watch is really there: silence in them means nothing asked."""
    with urllib.request.urlopen(listener.url("/probe.png"), timeout=5) as response:
        assert response.read() == PNG_1PX
    assert listener.requests == ["/probe.png"]


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def image_count(pdf: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    return count


def base_fonts(pdf: bytes) -> list[str]:
    return [
        str(font.get_object()["/BaseFont"]) for page in PdfReader(io.BytesIO(pdf)).pages for font in page["/Resources"]["/Font"].values()
    ]


# --- through the minutes -----------------------------------------------------------------------


def hostile_snippets(listener: Listener) -> list[str]:
    return [
        '<img src="file:///etc/passwd">',
        f'<img src="{listener.url("/pixel.png")}">',
        f'<link rel=stylesheet href="{listener.url("/linked.css")}">',
        f'<style>@import url("{listener.url("/imported.css")}");</style>',
        f'<img src="{listener.url("/redirect")}">',
        f'<div style="background: url({listener.url("/background.png")})">x</div>',
    ]


def test_urls_typed_anywhere_in_the_minutes_are_printed_not_fetched(held: Held, secretary: User, listener: Listener) -> None:
    snippets = hostile_snippets(listener)
    meeting, item = held.meeting, held.items[1]
    workflow.minutes_settings_update(
        actor=secretary, meeting=meeting, number="", recipients=snippets[2], language="vi", appendix_document_ids=[]
    )
    MinutesEntry.objects.filter(meeting=meeting, agenda_item=item).update(notes="\n".join(snippets), conclusions=snippets[3])
    Meeting.objects.filter(pk=meeting.pk).update(location=snippets[1])
    AgendaItem.objects.filter(pk=item.pk).update(title=snippets[4])
    Poll.objects.filter(pk=held.polls[0].pk).update(question=snippets[5])

    version = workflow.minutes_compile(actor=secretary, meeting=meeting)

    assert listener.requests == []
    pdf = version_bytes(version)
    text = pdf_text(pdf)
    # Long URLs wrap anywhere: compare without the white space.
    solid = "".join(text.split())
    for snippet in snippets:
        assert "".join(snippet.split()) in solid
    assert "root:x:0:0" not in text
    assert image_count(pdf) == 0


# --- the renderer itself, given raw HTML ----------------------------------------------------------


def test_raw_html_fetches_nothing_from_the_network(listener: Listener, caplog: pytest.LogCaptureFixture) -> None:
    html = f"""<!doctype html><html><head>
      <link rel="stylesheet" href="{listener.url("/linked.css")}">
      <style>@import url("{listener.url("/imported.css")}");
        @font-face {{ font-family: Far; src: url("{listener.url("/font.ttf")}"); }}
        p {{ font-family: Far; background: url("{listener.url("/background.png")}"); }}</style>
      </head><body><p>Trang thử</p><img src="{listener.url("/pixel.png")}"><img src="file:///etc/hostname">
      <object data="{listener.url("/object.png")}"></object><iframe src="{listener.url("/frame.html")}"></iframe></body></html>"""

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(html=html)

    assert pdf.startswith(b"%PDF-")
    assert listener.requests == []
    assert image_count(pdf) == 0
    refused = [r.getMessage() for r in caplog.records if "FetchRefused" in r.getMessage()]
    assert any(listener.url("/pixel.png") in message for message in refused), refused
    assert any("file:///etc/hostname" in message for message in refused), refused


def test_a_redirect_is_never_followed_because_http_is_never_fetched(listener: Listener) -> None:
    pdf = html_to_pdf(html=f'<html><body><img src="{listener.url("/redirect")}"><p>x</p></body></html>')

    assert listener.requests == []
    assert "root:x:0:0" not in pdf_text(pdf)
    assert image_count(pdf) == 0


def test_a_local_file_outside_static_is_not_read(tmp_path: Path) -> None:
    """A font that loads shows its family in the PDF; the same file outside static/ is refused."""
    outside = tmp_path / "Probe.ttf"
    shutil.copy(STATIC_DIR / "fonts" / "LiberationSerif-Bold.ttf", outside)

    def render(url: str) -> list[str]:
        style = f'@font-face {{ font-family: Probe; src: url("{url}"); }} p {{ font-family: Probe; }}'
        html = f"<html><head><style>{style}</style></head><body><p>Chữ</p></body></html>"
        return base_fonts(html_to_pdf(html=html))

    assert any("Probe" in name for name in render(f"file://{STATIC_DIR / 'fonts' / 'LiberationSerif-Bold.ttf'}"))
    assert any("Probe" in name for name in render("static:fonts/LiberationSerif-Bold.ttf"))
    assert not any("Probe" in name for name in render(f"file://{outside}"))
    assert not any("Probe" in name for name in render(f"file://{STATIC_DIR}/../static/../{outside.relative_to('/')}"))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.png",
        "ftp://127.0.0.1/x",
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "static:../settings.py",
        "static:/fonts/../../settings.py",
        f"file://{STATIC_DIR}/../settings.py",
        f"file://{STATIC_DIR}/fonts/no-such-font.ttf",
    ],
)
def test_the_fetcher_refuses_anything_but_a_static_file(url: str) -> None:
    with pytest.raises(FetchRefused):
        static_only_fetcher().fetch(url)


def test_the_fetcher_serves_the_static_files() -> None:
    response = static_only_fetcher().fetch("static:fonts/LiberationSerif-Regular.ttf")

    assert response.read() == (STATIC_DIR / "fonts" / "LiberationSerif-Regular.ttf").read_bytes()


# --- limits on the renderer's process ---------------------------------------------------------------


def huge_html(**_: object) -> str:
    rows = "".join("<tr>" + "<td>ô</td>" * 20 + "</tr>" for _ in range(10_000))
    return f"<!doctype html><html><body><table>{rows}</table></body></html>"


def test_a_document_that_takes_too_long_is_stopped(held: Held, secretary: User, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.MINUTES_RENDER_SECONDS = 1
    monkeypatch.setattr(minutes_compile_module, "minutes_html", huge_html)

    with pytest.raises(ServiceError) as caught:
        workflow.minutes_compile(actor=secretary, meeting=held.meeting)

    assert caught.value.code == "render_timeout"
    assert "1" in str(caught.value)
    assert not MinutesVersion.objects.exists()


def test_a_renderer_without_enough_memory_fails_cleanly(held: Held, secretary: User, settings: Any) -> None:
    settings.MINUTES_RENDER_MEMORY_MB = 60

    with pytest.raises(ServiceError) as caught:
        workflow.minutes_compile(actor=secretary, meeting=held.meeting)

    assert caught.value.code == "render_failed"
    assert not MinutesVersion.objects.exists()


def test_a_document_built_to_exhaust_memory_fails_while_ordinary_minutes_compile(
    held: Held, secretary: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MINUTES_RENDER_MEMORY_MB = 400  # ordinary minutes need about 300 MB of address space
    assert workflow.minutes_compile(actor=secretary, meeting=held.meeting).number == 1

    monkeypatch.setattr(minutes_compile_module, "minutes_html", huge_html)
    with pytest.raises(ServiceError) as caught:
        workflow.minutes_compile(actor=secretary, meeting=held.meeting)

    assert caught.value.code == "render_failed"
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert "MemoryError" in str(caught.value.__cause__)
    assert MinutesVersion.objects.count() == 1
