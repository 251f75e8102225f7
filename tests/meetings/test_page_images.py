"""Page images for tablets: rendered once per version, page and width, cached for good, and a placeholder when a page cannot be drawn."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from meetings import rendering
from meetings.models import Document, DocumentVersion, Meeting, User
from meetings.rendering import PAGE_WIDTH, PAGE_WIDTHS, PRERENDER_WIDTHS, THUMBNAIL_WIDTH, ZOOM_WIDTH, page_image_path, source_path
from meetings.services.documents import document_upload
from tests.conftest import make_pdf_bytes, pdf_with_page_turned

pytestmark = pytest.mark.django_db

A4_RATIO = 842 / 595


@pytest.fixture
def document(published_meeting: Meeting, secretary: User, pdf_upload: Callable[..., Any]) -> Document:
    """Three A4 pages; the third one turned a quarter (/Rotate 90), as a wide table often is."""
    pdf = pdf_with_page_turned(make_pdf_bytes(3), page_index=2)
    return document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload("bang-bieu.pdf", content=pdf), title="Bảng biểu")


@pytest.fixture
def version(document: Document) -> DocumentVersion:
    return document.versions.get()


@pytest.fixture
def reader(client: Client, delegate: User) -> Client:
    client.force_login(delegate)
    return client


def page_url(version: DocumentVersion, page: int, width: int) -> str:
    return reverse("page_image", args=[version.document.meeting_id, version.document_id, version.pk, page, width])


def image_of(response: Any) -> Image.Image:
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def renders_counted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every page handed to a render worker from now on (rendering still happens)."""
    submitted: list[tuple[Any, ...]] = []
    real = rendering._executor

    class Counting:
        def __init__(self, pool: Any) -> None:
            self.pool = pool

        def submit(self, function: Callable[..., Any], *args: Any) -> Any:
            submitted.append(args)
            return self.pool.submit(function, *args)

    monkeypatch.setattr(rendering, "_executor", lambda name: Counting(real(name)))
    return submitted


@pytest.mark.parametrize("width", [THUMBNAIL_WIDTH, PAGE_WIDTH, ZOOM_WIDTH])
def test_a_page_comes_as_a_webp_image_of_the_width_asked_for(reader: Client, version: DocumentVersion, width: int) -> None:
    response = reader.get(page_url(version, 1, width))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    image = image_of(response)
    assert image.format == "WEBP"
    assert image.width == width
    assert image.height == pytest.approx(width * A4_RATIO, abs=2)


def test_a_page_image_never_changes_so_it_is_cached_for_good(reader: Client, version: DocumentVersion) -> None:
    response = reader.get(page_url(version, 2, THUMBNAIL_WIDTH))

    assert response.status_code == 200
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    cache = [part.strip() for part in response["Cache-Control"].split(",")]
    assert "immutable" in cache
    assert "max-age=31536000" in cache
    assert "private" in cache


def test_a_page_image_the_tablet_has_is_not_sent_again(reader: Client, version: DocumentVersion) -> None:
    etag = reader.get(page_url(version, 1, THUMBNAIL_WIDTH))["ETag"]

    again = reader.get(page_url(version, 1, THUMBNAIL_WIDTH), headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""


def test_each_page_and_width_has_its_own_etag(reader: Client, version: DocumentVersion) -> None:
    etags = {reader.get(page_url(version, page, width))["ETag"] for page in (1, 2) for width in (THUMBNAIL_WIDTH, PAGE_WIDTH)}

    assert len(etags) == 4
    stale = reader.get(page_url(version, 2, THUMBNAIL_WIDTH), headers={"If-None-Match": reader.get(page_url(version, 1, 200))["ETag"]})
    assert stale.status_code == 200


def test_a_page_is_rendered_once_and_then_served_from_the_cache(
    reader: Client, version: DocumentVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted = renders_counted(monkeypatch)
    first = b"".join(reader.get(page_url(version, 2, PAGE_WIDTH)).streaming_content)
    cached = page_image_path(version=version, page=2, width=PAGE_WIDTH)
    written = cached.stat().st_mtime_ns

    second = b"".join(reader.get(page_url(version, 2, PAGE_WIDTH)).streaming_content)

    assert len(submitted) == 1
    assert second == first
    assert cached.stat().st_mtime_ns == written


def test_widths_are_cached_apart(reader: Client, version: DocumentVersion, monkeypatch: pytest.MonkeyPatch) -> None:
    submitted = renders_counted(monkeypatch)

    reader.get(page_url(version, 2, THUMBNAIL_WIDTH))
    reader.get(page_url(version, 2, PAGE_WIDTH))
    reader.get(page_url(version, 2, THUMBNAIL_WIDTH))

    assert [args[2] for args in submitted] == [THUMBNAIL_WIDTH, PAGE_WIDTH]
    assert page_image_path(version=version, page=2, width=THUMBNAIL_WIDTH).is_file()
    assert page_image_path(version=version, page=2, width=PAGE_WIDTH).is_file()


def test_a_rotated_page_renders_landscape(reader: Client, version: DocumentVersion) -> None:
    image = image_of(reader.get(page_url(version, 3, THUMBNAIL_WIDTH)))

    assert image.width > image.height
    assert image.width / image.height == pytest.approx(A4_RATIO, rel=0.02)


@pytest.mark.parametrize("width", [THUMBNAIL_WIDTH, PAGE_WIDTH])
def test_a_rotated_page_renders_at_the_width_asked_for(reader: Client, version: DocumentVersion, width: int) -> None:
    image = image_of(reader.get(page_url(version, 3, width)))

    assert image.width == width


@pytest.mark.parametrize("width", [0, 199, 640, 1920, ZOOM_WIDTH + 1])
def test_a_width_not_offered_is_not_found(reader: Client, version: DocumentVersion, width: int) -> None:
    assert width not in PAGE_WIDTHS

    assert reader.get(page_url(version, 1, width)).status_code == 404


@pytest.mark.parametrize("page", [0, 4, 10_000])
def test_a_page_out_of_range_is_not_found(reader: Client, version: DocumentVersion, page: int) -> None:
    assert reader.get(page_url(version, page, THUMBNAIL_WIDTH)).status_code == 404


def test_a_page_of_a_confidential_document_is_not_found_for_who_may_not_read_it(
    client: Client, published_meeting: Meeting, secretary: User, delegate: User, guest: User, pdf_upload: Callable[..., Any]
) -> None:
    secret = document_upload(
        actor=secretary, meeting=published_meeting, upload=pdf_upload("mat.pdf", pages=2), confidential=True, readers=[delegate]
    )
    version = secret.versions.get()

    client.force_login(guest)
    assert client.get(page_url(version, 1, THUMBNAIL_WIDTH)).status_code == 404
    assert not page_image_path(version=version, page=1, width=THUMBNAIL_WIDTH).exists()
    client.force_login(delegate)
    assert client.get(page_url(version, 1, THUMBNAIL_WIDTH)).status_code == 200


def test_a_page_is_not_found_for_someone_not_invited(client: Client, version: DocumentVersion, outsider: User) -> None:
    client.force_login(outsider)

    assert client.get(page_url(version, 1, THUMBNAIL_WIDTH)).status_code == 404


def test_a_page_asks_who_is_not_logged_in_to_log_in(client: Client, version: DocumentVersion) -> None:
    response = client.get(page_url(version, 1, THUMBNAIL_WIDTH))

    assert response.status_code == 302


def test_a_version_of_another_document_is_not_found(
    reader: Client, published_meeting: Meeting, secretary: User, version: DocumentVersion, pdf_upload: Callable[..., Any]
) -> None:
    other = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload("khac.pdf", pages=1), title="Khác")
    url = reverse("page_image", args=[published_meeting.pk, other.pk, version.pk, 1, THUMBNAIL_WIDTH])

    assert reader.get(url).status_code == 404


def test_a_page_that_cannot_be_rendered_shows_a_placeholder_that_is_not_cached(
    reader: Client, version: DocumentVersion, caplog: pytest.LogCaptureFixture
) -> None:
    stored = source_path(version=version)
    original = stored.read_bytes()
    stored.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 64)

    with caplog.at_level(logging.ERROR, logger="meetings.rendering"):
        response = reader.get(page_url(version, 2, PAGE_WIDTH))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "no-store"
    assert not response.has_header("ETag")
    assert response.content.startswith(b"<svg")
    errors = [r for r in caplog.records if r.name == "meetings.rendering" and r.levelno >= logging.ERROR]
    assert errors, caplog.records
    assert version.sha256 in errors[0].getMessage()
    assert not page_image_path(version=version, page=2, width=PAGE_WIDTH).exists()

    # Once the file is whole again, the page is drawn: the placeholder was never kept.
    stored.write_bytes(original)
    assert reader.get(page_url(version, 2, PAGE_WIDTH))["Content-Type"] == "image/webp"


def test_an_upload_renders_every_page_ahead_as_thumbnail_and_page(
    settings: Any,
    reader: Client,
    published_meeting: Meeting,
    secretary: User,
    pdf_upload: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.RENDER_AHEAD = True
    document = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload("truoc.pdf", pages=10), title="Vẽ trước")
    version = document.versions.get()

    rendering.prerender_wait()

    for width in PRERENDER_WIDTHS:
        for page in range(1, version.page_count + 1):
            path = page_image_path(version=version, page=page, width=width)
            assert path.is_file(), path
            # Within a pixel: the exact width is test_a_page_comes_as_a_webp_image_of_the_width_asked_for's business.
            assert Image.open(path).width == pytest.approx(width, abs=1)
    assert not page_image_path(version=version, page=1, width=ZOOM_WIDTH).exists()
    # A tablet asking now is served from what was rendered ahead.
    submitted = renders_counted(monkeypatch)
    assert reader.get(page_url(version, 10, PAGE_WIDTH)).status_code == 200
    assert submitted == []


def test_only_the_first_page_is_ready_when_rendering_ahead_is_turned_off(
    published_meeting: Meeting, secretary: User, pdf_upload: Callable[..., Any]
) -> None:
    document = document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload("sau.pdf", pages=2), title="Vẽ sau")

    rendering.prerender_wait()

    version = document.versions.get()
    # Only the first page, drawn while the upload was read, for whoever opens the document first.
    assert page_image_path(version=version, page=1, width=PAGE_WIDTH).exists()
    assert not page_image_path(version=version, page=2, width=PAGE_WIDTH).exists()
    assert not page_image_path(version=version, page=1, width=THUMBNAIL_WIDTH).parent.exists()


def test_tablets_asking_at_once_for_a_page_not_yet_rendered_share_one_render(
    version: DocumentVersion, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted = renders_counted(monkeypatch)
    start = threading.Barrier(8)

    def ask() -> Path | None:
        start.wait()
        return rendering.page_image(version=version, page=2, width=PAGE_WIDTH)

    with ThreadPoolExecutor(max_workers=8) as tablets:
        paths = list(tablets.map(lambda _n: ask(), range(8)))

    assert len(submitted) == 1
    assert len(set(paths)) == 1 and paths[0] is not None and paths[0].is_file()
