"""What a reader downloads: a document, the annotated copy of a document, and the meeting pack.

A confidential document always reaches its reader with that reader's watermark ("MẬT", their name and
the date) and is never kept by a cache; everything else is served as stored (or from the pack cache).
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from annotations.models import Annotation
from annotations.services import annotation_delete
from meetings.models import AgendaItem, Document, DocumentVersion, Meeting, User
from meetings.rendering import source_path
from meetings.services.agenda import agenda_item_create, agenda_item_move
from meetings.services.documents import document_add_version, document_upload
from meetings.services.meetings import meeting_publish
from tests.annotations import conftest as annotation_fixtures
from tests.annotations.conftest import INK, annotate, first_version
from tests.conftest import files_under, logged_in
from tests.meetings.test_pack_and_watermark import outline_pages, pdfium_texts, text_pdf
from tests.realtime import conftest as realtime_fixtures

pytestmark = pytest.mark.django_db

# The annotation tests' meeting: published, with the delegate and the other delegate, a five-page public
# document ("Đề án") and a three-page confidential one only the delegate may read ("Phương án nhân sự").
live_meeting = realtime_fixtures.live_meeting
council = annotation_fixtures.council
document = annotation_fixtures.document
secret = annotation_fixtures.secret

Upload = Callable[..., SimpleUploadedFile]

HIGHLIGHT = {"rect": [0.1, 0.3, 0.6, 0.33], "color": "#fdd835"}
RECT = {"rect": [0.2, 0.4, 0.5, 0.6], "color": "#d32f2f", "width": 0.003}
ARROW = {"points": [[0.6, 0.7], [0.8, 0.75]], "color": "#2e7d32"}


def note(text: str) -> dict[str, Any]:
    return {"rect": [0.1, 0.1, 0.3, 0.15], "text": text, "color": "#f9a825"}


def today_in_vietnam() -> str:
    return datetime.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")


def file_url(document: Document) -> str:
    return reverse("document_file", args=[document.meeting_id, document.pk])


def annotated_url(document: Document, version: DocumentVersion, *, shared: bool = False) -> str:
    url = reverse("annotated_copy", args=[document.meeting_id, document.pk, version.pk])
    return f"{url}?shared=1" if shared else url


def pack_url(meeting: Meeting) -> str:
    return reverse("meeting_pack", args=[meeting.pk])


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def written_annotations(pdf: bytes) -> dict[int, set[tuple[str, str]]]:
    """(subtype, /NM) of every annotation in the PDF, by page number (1-based); pages without any are left out."""
    written: dict[int, set[tuple[str, str]]] = {}
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        for reference in page.get("/Annots") or []:
            annotation = reference.get_object()
            written.setdefault(number, set()).add((str(annotation["/Subtype"]), str(annotation.get("/NM", ""))))
    return written


def annotation_fields(pdf: bytes, key: str) -> list[str]:
    return [
        str(reference.get_object()[key])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for reference in page.get("/Annots") or []
        if key in reference.get_object()
    ]


def assert_watermarked_for(pdf: bytes, user: User, *, pages: int) -> None:
    texts = page_texts(pdf)
    assert len(texts) == pages
    for number, text in enumerate(texts, start=1):
        assert "MẬT" in text, number
        assert user.display_name in text, number
        assert today_in_vietnam() in text, number


# --- One document --------------------------------------------------------------------------------


def test_a_public_document_is_the_stored_file_byte_for_byte_with_its_etag(
    client: Client, council: Meeting, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    content = text_pdf("Tờ trình về dự toán ngân sách", "Phụ lục số liệu")
    uploaded = document_upload(actor=secretary, meeting=council, upload=pdf_upload("to-trinh.pdf", content=content), title="Tờ trình")
    version = first_version(uploaded)

    response = logged_in(client, delegate).get(file_url(uploaded))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["ETag"] == f'"{version.sha256}"'
    assert "no-store" not in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    response.close()
    assert body == content == source_path(version=version).read_bytes()
    assert "MẬT" not in "".join(page_texts(body))


def test_a_public_document_the_reader_already_has_is_not_modified(client: Client, document: Document, delegate: User) -> None:
    etag = f'"{first_version(document).sha256}"'

    response = logged_in(client, delegate).get(file_url(document), headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_a_confidential_download_carries_the_readers_watermark_on_every_page(client: Client, secret: Document, delegate: User) -> None:
    response = logged_in(client, delegate).get(file_url(secret))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response
    assert response.content != source_path(version=first_version(secret)).read_bytes()
    assert_watermarked_for(response.content, delegate, pages=3)


def test_a_confidential_download_is_never_not_modified_even_with_a_matching_etag(client: Client, secret: Document, delegate: User) -> None:
    etag = f'"{first_version(secret).sha256}"'

    response = logged_in(client, delegate).get(file_url(secret), headers={"if-none-match": etag})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert_watermarked_for(response.content, delegate, pages=3)


def test_two_readers_of_a_confidential_document_get_each_their_own_watermark(
    client: Client, secret: Document, delegate: User, chair: User
) -> None:
    for_delegate = logged_in(client, delegate).get(file_url(secret)).content
    for_chair = logged_in(Client(), chair).get(file_url(secret)).content

    assert for_delegate != for_chair
    assert_watermarked_for(for_chair, chair, pages=3)
    for text in page_texts(for_delegate):
        assert chair.display_name not in text
    for text in page_texts(for_chair):
        assert delegate.display_name not in text


@pytest.mark.parametrize("who", ["other_delegate", "guest", "outsider"])
def test_a_confidential_document_is_not_found_for_who_may_not_read_it(
    client: Client, request: pytest.FixtureRequest, secret: Document, who: str
) -> None:
    assert logged_in(client, request.getfixturevalue(who)).get(file_url(secret)).status_code == 404


def test_a_public_document_is_not_found_for_someone_not_invited(client: Client, document: Document, outsider: User) -> None:
    assert logged_in(client, outsider).get(file_url(document)).status_code == 404


# --- The annotated copy --------------------------------------------------------------------------


@pytest.fixture
def marks(document: Document, delegate: User, other_delegate: User) -> dict[str, Annotation]:
    """Every kind, by the delegate (private and shared) and by the other delegate (private and shared)."""
    return {
        "my_ink": annotate(author=delegate, document=document, page=1, kind="ink", data=INK),
        "my_highlight": annotate(author=delegate, document=document, page=2, kind="highlight", data=HIGHLIGHT),
        "my_note": annotate(author=delegate, document=document, page=3, kind="note", data=note("Cần bổ sung số liệu")),
        "my_shared_rect": annotate(author=delegate, document=document, page=4, kind="rect", data=RECT, shared=True),
        "my_shared_arrow": annotate(author=delegate, document=document, page=5, kind="arrow", data=ARROW, shared=True),
        "their_shared_note": annotate(
            author=other_delegate, document=document, page=1, kind="note", data=note("Đồng ý với phương án"), shared=True
        ),
        "their_shared_ink": annotate(author=other_delegate, document=document, page=2, kind="ink", data=INK, shared=True),
        "their_private_note": annotate(author=other_delegate, document=document, page=3, kind="note", data=note("Y kien rieng ABC-7731")),
        "their_private_rect": annotate(author=other_delegate, document=document, page=4, kind="rect", data=RECT),
    }


def test_the_annotated_copy_holds_only_the_readers_own_annotations_of_every_kind_on_their_pages(
    client: Client, document: Document, delegate: User, marks: dict[str, Annotation]
) -> None:
    response = logged_in(client, delegate).get(annotated_url(document, first_version(document)))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 5
    assert written_annotations(response.content) == {
        1: {("/Ink", str(marks["my_ink"].id))},
        2: {("/Highlight", str(marks["my_highlight"].id))},
        3: {("/FreeText", str(marks["my_note"].id))},
        4: {("/Square", str(marks["my_shared_rect"].id))},
        5: {("/Line", str(marks["my_shared_arrow"].id))},
    }
    assert annotation_fields(response.content, "/Contents") == ["Cần bổ sung số liệu"]
    assert set(annotation_fields(response.content, "/T")) == {delegate.display_name}


def test_the_annotated_copy_with_shared_adds_the_others_shared_annotations_and_never_their_private_ones(
    client: Client, document: Document, delegate: User, other_delegate: User, marks: dict[str, Annotation]
) -> None:
    response = logged_in(client, delegate).get(annotated_url(document, first_version(document), shared=True))

    assert response.status_code == 200
    assert written_annotations(response.content) == {
        1: {("/Ink", str(marks["my_ink"].id)), ("/FreeText", str(marks["their_shared_note"].id))},
        2: {("/Highlight", str(marks["my_highlight"].id)), ("/Ink", str(marks["their_shared_ink"].id))},
        3: {("/FreeText", str(marks["my_note"].id))},
        4: {("/Square", str(marks["my_shared_rect"].id))},
        5: {("/Line", str(marks["my_shared_arrow"].id))},
    }
    assert sorted(annotation_fields(response.content, "/Contents")) == ["Cần bổ sung số liệu", "Đồng ý với phương án"]
    assert set(annotation_fields(response.content, "/T")) == {delegate.display_name, other_delegate.display_name}
    for private in ("their_private_note", "their_private_rect"):
        assert str(marks[private].id).encode() not in response.content
    assert b"ABC-7731" not in response.content


def test_the_other_reader_gets_their_own_annotations_and_not_the_delegates_private_ones(
    client: Client, document: Document, other_delegate: User, marks: dict[str, Annotation]
) -> None:
    reader = logged_in(client, other_delegate)

    own = reader.get(annotated_url(document, first_version(document))).content
    with_shared = reader.get(annotated_url(document, first_version(document), shared=True)).content

    assert written_annotations(own) == {
        1: {("/FreeText", str(marks["their_shared_note"].id))},
        2: {("/Ink", str(marks["their_shared_ink"].id))},
        3: {("/FreeText", str(marks["their_private_note"].id))},
        4: {("/Square", str(marks["their_private_rect"].id))},
    }
    assert written_annotations(with_shared)[4] == {
        ("/Square", str(marks["their_private_rect"].id)),
        ("/Square", str(marks["my_shared_rect"].id)),
    }
    for private in ("my_ink", "my_highlight", "my_note"):
        assert str(marks[private].id).encode() not in with_shared
    assert "Cần bổ sung số liệu" not in annotation_fields(with_shared, "/Contents")


def test_erased_annotations_are_not_written(client: Client, document: Document, delegate: User, other_delegate: User) -> None:
    kept = annotate(author=delegate, document=document, page=1)
    erased = annotate(author=delegate, document=document, page=2, shared=True)
    their_erased = annotate(author=other_delegate, document=document, page=3, shared=True, kind="note", data=note("Da xoa XYZ-55"))
    annotation_delete(actor=delegate, meeting=document.meeting, annotation_id=str(erased.id), revision=2)
    annotation_delete(actor=other_delegate, meeting=document.meeting, annotation_id=str(their_erased.id), revision=2)

    pdf = logged_in(client, delegate).get(annotated_url(document, first_version(document), shared=True)).content

    assert written_annotations(pdf) == {1: {("/Ink", str(kept.id))}}
    assert str(erased.id).encode() not in pdf
    assert str(their_erased.id).encode() not in pdf
    assert b"XYZ-55" not in pdf


def test_annotations_of_the_first_version_are_exported_only_from_the_first_versions_copy(
    client: Client, document: Document, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    first = first_version(document)
    on_first = annotate(author=delegate, document=document, page=4, shared=True)
    second = document_add_version(actor=secretary, document=document, upload=pdf_upload("de-an-v2.pdf", pages=2))
    on_second = annotate(author=delegate, document=document, page=2, kind="rect", data=RECT, version=second)
    reader = logged_in(client, delegate)

    from_first = reader.get(annotated_url(document, first, shared=True)).content
    from_second = reader.get(annotated_url(document, second, shared=True)).content

    assert len(PdfReader(io.BytesIO(from_first)).pages) == 5
    assert written_annotations(from_first) == {4: {("/Ink", str(on_first.id))}}
    assert len(PdfReader(io.BytesIO(from_second)).pages) == 2
    assert written_annotations(from_second) == {2: {("/Square", str(on_second.id))}}
    assert str(on_first.id).encode() not in from_second


def test_the_annotated_copy_of_a_confidential_document_carries_the_readers_watermark(
    client: Client, secret: Document, delegate: User
) -> None:
    mark = annotate(author=delegate, document=secret, page=2, kind="highlight", data=HIGHLIGHT)

    response = logged_in(client, delegate).get(annotated_url(secret, first_version(secret)))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert_watermarked_for(response.content, delegate, pages=3)
    assert written_annotations(response.content) == {2: {("/Highlight", str(mark.id))}}


def test_the_annotated_copy_is_not_kept_by_the_browser_since_annotations_change(client: Client, document: Document, delegate: User) -> None:
    annotate(author=delegate, document=document)

    response = logged_in(client, delegate).get(annotated_url(document, first_version(document)))

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control or "no-cache" in cache_control or "max-age=0" in cache_control


@pytest.mark.parametrize("who", ["other_delegate", "guest", "outsider"])
def test_the_annotated_copy_of_a_confidential_document_is_not_found_for_a_non_reader(
    client: Client, request: pytest.FixtureRequest, secret: Document, delegate: User, who: str
) -> None:
    annotate(author=delegate, document=secret, shared=True)

    response = logged_in(client, request.getfixturevalue(who)).get(annotated_url(secret, first_version(secret), shared=True))

    assert response.status_code == 404


def test_the_annotated_copy_is_not_found_for_someone_not_invited(client: Client, document: Document, outsider: User) -> None:
    assert logged_in(client, outsider).get(annotated_url(document, first_version(document))).status_code == 404


def test_the_annotated_copy_of_a_version_of_another_document_is_not_found(
    client: Client, document: Document, secret: Document, delegate: User
) -> None:
    url = reverse("annotated_copy", args=[document.meeting_id, document.pk, first_version(secret).pk])

    assert logged_in(client, delegate).get(url).status_code == 404


# --- The meeting pack ----------------------------------------------------------------------------


@pytest.fixture
def board(published_meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload) -> dict[str, Any]:
    """A published meeting whose agenda is 1. Khai mạc, 2. Kế hoạch đầu tư công, 2.1. Dự án chống ngập,
    3. Báo cáo kinh tế - xã hội (created before item 2, moved after it), with documents on items 2, 2.1
    and 3 (one of them confidential, readable by the delegate) and one document outside the agenda."""
    report = agenda_item_create(actor=secretary, meeting=published_meeting, title="Báo cáo kinh tế - xã hội")
    plan = agenda_item_create(actor=secretary, meeting=published_meeting, title="Kế hoạch đầu tư công")
    agenda_item_move(actor=secretary, item=plan, direction="up")
    flood = agenda_item_create(actor=secretary, meeting=published_meeting, title="Dự án chống ngập", parent=plan)

    def upload(title: str, *pages: str, item: AgendaItem | None = None, **extra: Any) -> Document:
        return document_upload(
            actor=secretary,
            meeting=published_meeting,
            upload=pdf_upload(f"{uuid.uuid4().hex}.pdf", content=text_pdf(*pages)),
            title=title,
            agenda_item=item,
            **extra,
        )

    documents = {
        "plan": upload("Tờ trình đầu tư công", "Đầu tư công trang 1", "Đầu tư công trang 2", "Đầu tư công trang 3", item=plan),
        "flood": upload("Hồ sơ dự án chống ngập", "Chống ngập trang 1", item=flood),
        "report": upload("Báo cáo 6 tháng", "Kinh tế trang 1", "Kinh tế trang 2", item=report),
        "secret": upload("Phương án nhân sự", "Nhân sự trang 1", "Nhân sự trang 2", item=report, confidential=True, readers=[delegate]),
        "map": upload("Bản đồ quy hoạch", "Bản đồ trang 1"),
    }
    return {"meeting": Meeting.objects.get(pk=published_meeting.pk), **documents}


def front_pages(reader: PdfReader) -> int:
    """Pages before the first document: the page the first agenda bookmark points at."""
    return outline_pages(reader)[1][1]


def test_the_pack_holds_front_matter_and_every_document_in_agenda_order_with_bookmarks(
    client: Client, board: dict[str, Any], delegate: User
) -> None:
    response = logged_in(client, delegate).get(pack_url(board["meeting"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localdate(board["meeting"].starts_at)
    assert response["Content-Disposition"] == f'inline; filename="tai-lieu-hop-{day:%Y-%m-%d}-hop-chuyen-de-chuyen-doi-so.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    front = front_pages(reader)
    assert front >= 2
    assert len(reader.pages) == front + 3 + 1 + 2 + 2 + 1
    assert outline_pages(reader) == [
        ("Mục lục", 1, []),
        ("2. Kế hoạch đầu tư công", front, [("Tờ trình đầu tư công", front)]),
        ("2.1. Dự án chống ngập", front + 3, [("Hồ sơ dự án chống ngập", front + 3)]),
        ("3. Báo cáo kinh tế - xã hội", front + 4, [("Báo cáo 6 tháng", front + 4), ("Phương án nhân sự", front + 6)]),
        ("Tài liệu chung của cuộc họp", front + 8, [("Bản đồ quy hoạch", front + 8)]),
    ]
    texts = page_texts(response.content)
    assert "TÀI LIỆU HỌP" in texts[0]
    assert "MỤC LỤC" in texts[1]
    for index, words in [(front, "Đầu tư công trang 1"), (front + 3, "Chống ngập trang 1"), (front + 5, "Kinh tế trang 2")]:
        assert words in texts[index]
    assert "Nhân sự trang 1" in texts[front + 6]
    assert "Bản đồ trang 1" in texts[front + 8]


def test_the_pack_leaves_out_a_confidential_document_the_reader_may_not_see(
    client: Client, board: dict[str, Any], delegate: User, guest: User
) -> None:
    for_delegate = PdfReader(io.BytesIO(logged_in(client, delegate).get(pack_url(board["meeting"])).content))
    response = logged_in(Client(), guest).get(pack_url(board["meeting"]))

    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    front = front_pages(reader)
    assert len(reader.pages) == front + 3 + 1 + 2 + 1 == len(for_delegate.pages) - 2
    titles = [title for entry in outline_pages(reader) for title in [entry[0], *(child for child, _page in entry[2])]]
    assert "Phương án nhân sự" not in titles
    assert ("3. Báo cáo kinh tế - xã hội", front + 4, [("Báo cáo 6 tháng", front + 4)]) in outline_pages(reader)
    text = "".join(page_texts(response.content))
    assert "Nhân sự trang" not in text
    assert "Phương án nhân sự" not in text
    assert "no-store" not in response["Cache-Control"]


def test_the_confidential_documents_pages_in_the_pack_carry_the_readers_watermark_and_the_others_do_not(
    client: Client, board: dict[str, Any], delegate: User
) -> None:
    response = logged_in(client, delegate).get(pack_url(board["meeting"]))

    assert "no-store" in response["Cache-Control"]
    front = front_pages(PdfReader(io.BytesIO(response.content)))
    confidential = {front + 6, front + 7}
    for index, text in enumerate(pdfium_texts(response.content)):
        marked = "MẬT" in text and delegate.display_name in text and today_in_vietnam() in text
        assert marked == (index in confidential), (index, text)


def test_a_pack_with_a_confidential_document_is_built_for_each_request_and_never_kept_on_disk(
    client: Client, board: dict[str, Any], delegate: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_pack_builds(monkeypatch)
    reader = logged_in(client, delegate)

    first = reader.get(pack_url(board["meeting"]))
    second = reader.get(pack_url(board["meeting"]))

    assert first.status_code == second.status_code == 200
    assert len(calls) == 2
    assert "no-store" in second["Cache-Control"]
    assert files_under(Path(django_settings.MEDIA_ROOT) / "packs") == []


def counting_pack_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the calls of the pack builder (the view imports it at each request)."""
    import meetings.pack

    original = meetings.pack.pack_build_pdf
    calls: list[int] = []

    def counted(**kwargs: Any) -> bytes:
        calls.append(1)
        return original(**kwargs)

    monkeypatch.setattr(meetings.pack, "pack_build_pdf", counted)
    return calls


def test_a_public_pack_is_served_from_the_cache_on_disk_the_second_time(
    client: Client, board: dict[str, Any], guest: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_pack_builds(monkeypatch)
    reader = logged_in(client, guest)

    first = reader.get(pack_url(board["meeting"]))
    cached = files_under(Path(django_settings.MEDIA_ROOT) / "packs")
    second = reader.get(pack_url(board["meeting"]))

    assert first.status_code == second.status_code == 200
    assert len(calls) == 1
    assert [path.suffix for path in cached] == [".pdf"]
    assert cached[0].read_bytes() == first.content == second.content
    assert "no-store" not in second["Cache-Control"]


def test_a_browser_that_has_the_public_pack_is_told_it_has_not_changed(
    client: Client, board: dict[str, Any], guest: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_pack_builds(monkeypatch)
    reader = logged_in(client, guest)
    first = reader.get(pack_url(board["meeting"]))

    again = reader.get(pack_url(board["meeting"]), headers={"if-none-match": first["ETag"]})

    assert "no-cache" in first["Cache-Control"]
    assert again.status_code == 304
    assert len(calls) == 1


def test_a_new_document_version_makes_a_new_pack(
    client: Client, board: dict[str, Any], secretary: User, guest: User, pdf_upload: Upload, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_pack_builds(monkeypatch)
    reader = logged_in(client, guest)
    before = reader.get(pack_url(board["meeting"])).content

    document_add_version(
        actor=secretary,
        document=board["map"],
        upload=pdf_upload("ban-do-v2.pdf", content=text_pdf("Bản đồ mới trang 1", "Bản đồ mới trang 2")),
    )
    after = reader.get(pack_url(board["meeting"])).content

    assert len(calls) == 2
    assert len(files_under(Path(django_settings.MEDIA_ROOT) / "packs")) == 2
    assert len(PdfReader(io.BytesIO(after)).pages) == len(PdfReader(io.BytesIO(before)).pages) + 1
    texts = page_texts(after)
    assert "Bản đồ mới trang 2" in texts[-1]
    assert not any("Bản đồ trang 1" in text for text in texts)


@pytest.mark.parametrize("who", ["outsider"])
def test_the_pack_is_not_found_for_someone_not_invited(
    client: Client, request: pytest.FixtureRequest, board: dict[str, Any], who: str
) -> None:
    assert logged_in(client, request.getfixturevalue(who)).get(pack_url(board["meeting"])).status_code == 404


def test_the_pack_of_a_draft_is_not_found_for_its_delegates(
    client: Client, meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    document_upload(actor=secretary, meeting=meeting, upload=pdf_upload("nhap.pdf"), title="Dự thảo")

    assert logged_in(client, delegate).get(pack_url(meeting)).status_code == 404
    assert logged_in(Client(), secretary).get(pack_url(meeting)).status_code == 200


def test_an_english_reader_gets_english_words_in_the_pack(client: Client, board: dict[str, Any], guest: User) -> None:
    reader = logged_in(client, guest)
    reader.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"

    response = reader.get(pack_url(board["meeting"]))

    texts = page_texts(response.content)
    assert "MEETING PACK" in texts[0]
    assert "CONTENTS" in texts[1]
    outline = outline_pages(PdfReader(io.BytesIO(response.content)))
    assert outline[0][0] == "Contents"
    assert outline[-1][0] == "Documents for the whole meeting"


def test_the_cached_pack_is_kept_per_language(client: Client, board: dict[str, Any], guest: User) -> None:
    reader = logged_in(client, guest)
    reader.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = reader.get(pack_url(board["meeting"])).content
    reader.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "vi"

    vietnamese = reader.get(pack_url(board["meeting"])).content

    assert "MEETING PACK" in page_texts(english)[0]
    assert "TÀI LIỆU HỌP" in page_texts(vietnamese)[0]
    assert len(files_under(Path(django_settings.MEDIA_ROOT) / "packs")) == 2


# --- The meeting page ----------------------------------------------------------------------------


def test_the_meeting_page_offers_the_pack_only_when_there_are_documents(
    client: Client, published_meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    reader = logged_in(client, delegate)
    page = f"/meetings/{published_meeting.pk}/"

    without = reader.get(page).content.decode()
    document_upload(actor=secretary, meeting=published_meeting, upload=pdf_upload("de-an.pdf"), title="Đề án")
    with_documents = reader.get(page).content.decode()

    assert 'data-testid="meeting-pack"' not in without
    assert 'data-testid="meeting-pack"' in with_documents
    assert f'href="{pack_url(published_meeting)}"' in with_documents


def test_the_meeting_page_offers_no_pack_to_a_reader_who_may_see_none_of_the_documents(
    client: Client, published_meeting: Meeting, secretary: User, delegate: User, guest: User, pdf_upload: Upload
) -> None:
    document_upload(
        actor=secretary, meeting=published_meeting, upload=pdf_upload("mat.pdf"), title="Mật", confidential=True, readers=[delegate]
    )

    assert 'data-testid="meeting-pack"' in logged_in(client, delegate).get(f"/meetings/{published_meeting.pk}/").content.decode()
    assert 'data-testid="meeting-pack"' not in logged_in(Client(), guest).get(f"/meetings/{published_meeting.pk}/").content.decode()


def test_each_document_row_links_to_reading_it_in_the_live_room_once_published(
    client: Client, meeting: Meeting, secretary: User, delegate: User, pdf_upload: Upload
) -> None:
    item = meeting.agenda_items.get()
    on_item = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload("a.pdf"), title="Tờ trình", agenda_item=item)
    outside = document_upload(actor=secretary, meeting=meeting, upload=pdf_upload("b.pdf", pages=2), title="Phụ lục")
    live = reverse("live_room", args=[meeting.pk])

    draft = logged_in(client, secretary).get(f"/meetings/{meeting.pk}/").content.decode()
    meeting_publish(actor=secretary, meeting=meeting)
    published = logged_in(Client(), delegate).get(f"/meetings/{meeting.pk}/").content.decode()

    assert "#doc=" not in draft
    for row in (on_item, outside):
        assert published.count(f'href="{live}#doc={row.pk}"') == 1
    assert published.count("Đọc và ghi chú") == 2
