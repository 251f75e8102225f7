"""Reading a document outside the live socket: its annotations as JSON, search within it, and the page facts read at upload."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation
from annotations.services import annotation_delete
from meetings.models import Document, DocumentPage, DocumentVersion, Meeting, User
from meetings.pdf_render import html_to_pdf
from meetings.services.documents import document_add_version, document_upload
from tests.annotations.conftest import annotate, first_version
from tests.conftest import logged_in, pdf_with_page_turned

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)

PAGES = [
    "<h1>TỜ TRÌNH</h1><p>Về việc phê duyệt dự toán Ngân sách thành phố năm 2025.</p>",
    "<p>Kế hoạch đầu tư công trung hạn giai đoạn 2026–2030.</p><p>Cân đối NGÂN SÁCH địa phương.</p>",
    "<p>Nâng cấp đường Nguyễn Đình Chiểu, phường Thắng Tam.</p>",
    "<p>"
    + "Ủy ban nhân dân thành phố báo cáo tình hình kinh tế - xã hội sáu tháng đầu năm. " * 3
    + "Đề nghị bố trí vốn đối ứng cho dự án chống ngập. "
    + "Các sở, ngành tiếp tục rà soát, hoàn thiện hồ sơ theo quy định hiện hành. " * 3
    + "</p>",
]


def text_pdf(pages: list[str], *, style: str = "") -> bytes:
    """A PDF with one page of real (extractable) Vietnamese text per entry."""
    body = "".join(f'<section style="page-break-after: always">{page}</section>' for page in pages)
    return html_to_pdf(html=f"<html><head><style>@page {{ size: A4; margin: 2cm }} {style}</style></head><body>{body}</body></html>")


def annotations_url(document: Document) -> str:
    return reverse("annotations_list", args=[document.meeting_id, document.pk])


def search_url(document: Document, version: DocumentVersion, query: str) -> tuple[str, dict[str, str]]:
    return reverse("document_search", args=[document.meeting_id, document.pk, version.pk]), {"q": query}


@pytest.fixture
def with_text(council: Meeting, secretary: User, pdf_upload: Callable[..., Any]) -> Document:
    return document_upload(
        actor=secretary, meeting=council, upload=pdf_upload("to-trinh-ngan-sach.pdf", content=text_pdf(PAGES)), title="Tờ trình ngân sách"
    )


# --- The annotations of a document, as JSON ------------------------------------------------------


def test_the_list_holds_own_and_shared_annotations_on_every_version_and_not_someone_elses_private_ones(
    client: Client,
    document: Document,
    secretary: User,
    delegate: User,
    other_delegate: User,
    pdf_upload: Callable[..., Any],
) -> None:
    first = first_version(document)
    own_private = annotate(author=delegate, document=document, page=2)
    own_shared = annotate(author=delegate, document=document, page=3, shared=True)
    their_shared = annotate(author=other_delegate, document=document, page=1, shared=True, kind="note", data=_note("Cần làm rõ"))
    their_private = annotate(author=other_delegate, document=document, page=1)
    their_erased = annotate(author=other_delegate, document=document, page=1, shared=True)
    Annotation.objects.filter(pk=their_erased.pk).update(deleted=True)
    second = document_add_version(actor=secretary, document=document, upload=pdf_upload("de-an-v2.pdf", pages=2))
    own_on_second = annotate(author=delegate, document=document, page=2, version=second)

    response = logged_in(client, delegate).get(annotations_url(document))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["document_id"] == document.pk
    listed = {a["id"]: a for a in body["annotations"]}
    assert set(listed) == {str(own_private.id), str(own_shared.id), str(their_shared.id), str(own_on_second.id)}
    assert str(their_private.id) not in listed
    assert {key: a["version_id"] for key, a in listed.items()} == {
        str(own_private.id): first.pk,
        str(own_shared.id): first.pk,
        str(their_shared.id): first.pk,
        str(own_on_second.id): second.pk,
    }
    note = listed[str(their_shared.id)]
    assert (note["kind"], note["shared"], note["author_id"], note["author"], note["page"]) == (
        "note",
        True,
        other_delegate.pk,
        "Phạm Thị Lan",
        1,
    )
    assert note["data"]["text"] == "Cần làm rõ"


def test_the_list_gives_the_reader_their_own_erased_annotations_as_tombstones_and_nobody_elses(
    client: Client, document: Document, delegate: User, other_delegate: User
) -> None:
    mine = annotate(author=delegate, document=document, shared=True)
    annotation_delete(actor=delegate, meeting=document.meeting, annotation_id=str(mine.id), revision=2)
    theirs = annotate(author=other_delegate, document=document, shared=True)
    annotation_delete(actor=other_delegate, meeting=document.meeting, annotation_id=str(theirs.id), revision=2)

    listed = {a["id"]: a for a in logged_in(client, delegate).get(annotations_url(document)).json()["annotations"]}

    # A tablet that catches up keeps the revision of what it erased, so an undo there is newer still.
    assert set(listed) == {str(mine.id)}
    assert (listed[str(mine.id)]["deleted"], listed[str(mine.id)]["revision"]) == (True, 2)


def test_the_author_of_the_private_annotations_sees_them_and_the_other_reader_does_not(
    client: Client, document: Document, delegate: User, other_delegate: User
) -> None:
    private = annotate(author=delegate, document=document)

    mine = logged_in(client, delegate).get(annotations_url(document)).json()["annotations"]
    theirs = logged_in(client, other_delegate).get(annotations_url(document)).json()["annotations"]

    assert [a["id"] for a in mine] == [str(private.id)]
    assert theirs == []


@pytest.mark.parametrize("who", ["guest", "other_delegate", "outsider"])
def test_the_list_is_not_found_for_who_may_not_read_the_confidential_document(
    client: Client, request: pytest.FixtureRequest, secret: Document, delegate: User, who: str
) -> None:
    annotate(author=delegate, document=secret, shared=True)

    response = logged_in(client, request.getfixturevalue(who)).get(annotations_url(secret))

    assert response.status_code == 404


def test_the_list_is_not_found_for_someone_not_invited_to_the_meeting(
    client: Client, document: Document, outsider: User, delegate: User
) -> None:
    annotate(author=delegate, document=document, shared=True)

    assert logged_in(client, outsider).get(annotations_url(document)).status_code == 404


def test_the_list_asks_who_is_not_logged_in_to_log_in(client: Client, document: Document) -> None:
    response = client.get(annotations_url(document))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_reader_of_the_confidential_document_gets_its_annotations(client: Client, secret: Document, delegate: User, chair: User) -> None:
    shared = annotate(author=delegate, document=secret, shared=True)

    listed = logged_in(client, chair).get(annotations_url(secret)).json()["annotations"]

    assert [a["id"] for a in listed] == [str(shared.id)]


def test_annotations_stay_on_their_version_and_page_when_a_new_version_is_uploaded(
    client: Client, document: Document, secretary: User, delegate: User, pdf_upload: Callable[..., Any]
) -> None:
    first = first_version(document)
    on_page_four = annotate(author=delegate, document=document, page=4, shared=True)

    second = document_add_version(actor=secretary, document=document, upload=pdf_upload("de-an-rut-gon.pdf", pages=2))

    stored = Annotation.objects.get(pk=on_page_four.pk)
    assert (stored.version_id, stored.page, stored.deleted) == (first.pk, 4, False)
    assert second.number == 2
    (listed,) = logged_in(client, delegate).get(annotations_url(document)).json()["annotations"]
    assert (listed["id"], listed["version_id"], listed["page"]) == (str(on_page_four.id), first.pk, 4)


def _note(text: str) -> dict[str, Any]:
    return {"rect": [0.1, 0.1, 0.3, 0.15], "text": text, "color": "#f9a825"}


# --- Search within a document ---------------------------------------------------------------------


def test_search_ignores_case_and_vietnamese_diacritics(client: Client, with_text: Document, delegate: User) -> None:
    version = first_version(with_text)
    reader = logged_in(client, delegate)

    for query in ("ngan sach", "Ngân sách", "NGÂN SÁCH", "  ngân   SACH "):
        response = reader.get(*search_url(with_text, version, query))
        assert response.status_code == 200, query
        assert [r["page"] for r in response.json()["results"]] == [1, 2], query


def test_search_finds_d_for_the_letter_d_with_stroke(client: Client, with_text: Document, delegate: User) -> None:
    results = logged_in(client, delegate).get(*search_url(with_text, first_version(with_text), "duong nguyen dinh chieu")).json()

    assert [r["page"] for r in results["results"]] == [3]
    assert "đường Nguyễn Đình Chiểu" in results["results"][0]["snippet"]


def test_search_results_carry_a_snippet_in_the_original_text(client: Client, with_text: Document, delegate: User) -> None:
    body = logged_in(client, delegate).get(*search_url(with_text, first_version(with_text), "ngan sach")).json()

    assert body["query"] == "ngan sach"
    first, second = body["results"]
    assert "dự toán Ngân sách thành phố năm 2025" in first["snippet"]
    assert "Cân đối NGÂN SÁCH địa phương" in second["snippet"]
    assert "\n" not in first["snippet"]


def test_a_snippet_from_the_middle_of_a_long_page_is_cut_with_ellipses(client: Client, with_text: Document, delegate: User) -> None:
    body = logged_in(client, delegate).get(*search_url(with_text, first_version(with_text), "von doi ung")).json()

    (result,) = body["results"]
    assert result["page"] == 4
    assert result["snippet"].startswith("…")
    assert result["snippet"].endswith("…")
    assert "vốn đối ứng" in result["snippet"]
    assert len(result["snippet"]) < 200


def test_search_for_nothing_or_for_what_is_not_there_finds_nothing(client: Client, with_text: Document, delegate: User) -> None:
    reader = logged_in(client, delegate)
    version = first_version(with_text)

    assert reader.get(*search_url(with_text, version, "")).json()["results"] == []
    assert reader.get(*search_url(with_text, version, "   ")).json()["results"] == []
    assert reader.get(*search_url(with_text, version, "biên bản")).json()["results"] == []


def test_search_finds_a_phrase_that_wraps_onto_the_next_line(
    client: Client, council: Meeting, secretary: User, delegate: User, pdf_upload: Callable[..., Any]
) -> None:
    sentence = "Dự toán ngân sách nhà nước năm 2025 của thành phố"
    narrow = document_upload(
        actor=secretary,
        meeting=council,
        upload=pdf_upload("hep.pdf", content=text_pdf([f'<p style="width: 4cm">{sentence}</p>'])),
        title="Trang hẹp",
    )
    version = first_version(narrow)
    assert "\n" in DocumentPage.objects.get(version=version).text.strip()  # the sentence does wrap

    results = logged_in(client, delegate).get(*search_url(narrow, version, "du toan ngan sach nha nuoc nam 2025 cua thanh pho")).json()

    assert [r["page"] for r in results["results"]] == [1]


def test_search_ignores_punctuation_between_the_words(client: Client, with_text: Document, delegate: User) -> None:
    body = logged_in(client, delegate).get(*search_url(with_text, first_version(with_text), "kinh te xa hoi sau thang")).json()

    (result,) = body["results"]
    assert result["page"] == 4
    assert "kinh tế - xã hội sáu tháng" in result["snippet"]


def test_search_finds_text_written_with_combining_diacritics(
    client: Client, council: Meeting, secretary: User, delegate: User, pdf_upload: Callable[..., Any]
) -> None:
    decomposed = unicodedata.normalize("NFD", "Dự toán ngân sách nhà nước năm 2025")
    document = document_upload(
        actor=secretary, meeting=council, upload=pdf_upload("to-hop.pdf", content=text_pdf([f"<p>{decomposed}</p>"])), title="Tổ hợp"
    )
    version = first_version(document)

    results = logged_in(client, delegate).get(*search_url(document, version, "ngan sach nha nuoc")).json()["results"]

    assert [r["page"] for r in results] == [1]


def test_search_is_not_found_for_who_may_not_read_the_document(
    client: Client, council: Meeting, secretary: User, delegate: User, guest: User, outsider: User, pdf_upload: Callable[..., Any]
) -> None:
    secret_text = document_upload(
        actor=secretary,
        meeting=council,
        upload=pdf_upload("mat.pdf", content=text_pdf(PAGES[:1])),
        title="Mật",
        confidential=True,
        readers=[delegate],
    )
    version = first_version(secret_text)

    assert logged_in(client, delegate).get(*search_url(secret_text, version, "ngan sach")).json()["results"] != []
    assert logged_in(client, guest).get(*search_url(secret_text, version, "ngan sach")).status_code == 404
    assert logged_in(client, outsider).get(*search_url(secret_text, version, "ngan sach")).status_code == 404


def test_search_in_a_version_of_another_document_is_not_found(
    client: Client, with_text: Document, document: Document, delegate: User
) -> None:
    url = reverse("document_search", args=[document.meeting_id, document.pk, first_version(with_text).pk])

    assert logged_in(client, delegate).get(url, {"q": "ngan sach"}).status_code == 404


# --- Page sizes and text, read at upload ---------------------------------------------------------------


def test_an_upload_stores_every_page_with_its_size_and_text(with_text: Document) -> None:
    version = first_version(with_text)

    pages = list(DocumentPage.objects.filter(version=version).order_by("number"))

    assert [p.number for p in pages] == [1, 2, 3, 4] == list(range(1, version.page_count + 1))
    for page in pages:
        assert (page.width, page.height) == pytest.approx(A4, abs=0.5)
    assert "Ngân sách thành phố" in pages[0].text
    assert "ngan sach thanh pho" in pages[0].search_text
    assert "Kế hoạch đầu tư công" in pages[1].text
    assert "duong nguyen dinh chieu" in pages[2].search_text


def test_a_landscape_page_is_stored_wider_than_tall(secretary: User, council: Meeting, pdf_upload: Callable[..., Any]) -> None:
    landscape = text_pdf(["<p>Sơ đồ tổ chức bộ máy.</p>"], style="@page { size: A4 landscape }")

    document = document_upload(actor=secretary, meeting=council, upload=pdf_upload("so-do.pdf", content=landscape))

    (page,) = DocumentPage.objects.filter(version=first_version(document))
    assert (page.width, page.height) == pytest.approx(A4[::-1], abs=0.5)
    assert "Sơ đồ tổ chức" in page.text


def test_a_rotated_page_is_stored_with_width_and_height_swapped(secretary: User, council: Meeting, pdf_upload: Callable[..., Any]) -> None:
    pdf = pdf_with_page_turned(text_pdf(["<p>Trang dọc.</p>", "<p>Bảng tổng hợp xoay ngang.</p>"]), page_index=1)

    document = document_upload(actor=secretary, meeting=council, upload=pdf_upload("xoay.pdf", content=pdf))

    upright, turned = DocumentPage.objects.filter(version=first_version(document)).order_by("number")
    assert (upright.width, upright.height) == pytest.approx(A4, abs=0.5)
    assert "Bảng tổng hợp" in turned.text
    assert (turned.width, turned.height) == pytest.approx(A4[::-1], abs=0.5)


def test_a_new_version_gets_its_own_pages(document: Document, secretary: User, pdf_upload: Callable[..., Any]) -> None:
    second = document_add_version(actor=secretary, document=document, upload=pdf_upload("de-an-v2.pdf", content=text_pdf(PAGES[:2])))

    assert DocumentPage.objects.filter(version=first_version(document)).count() == 5
    assert list(DocumentPage.objects.filter(version=second).values_list("number", flat=True)) == [1, 2]
    assert "ngan sach" in DocumentPage.objects.get(version=second, number=2).search_text


def test_a_document_uploaded_before_pages_were_read_is_read_on_its_first_search(
    client: Client, with_text: Document, delegate: User
) -> None:
    version = first_version(with_text)
    DocumentPage.objects.filter(version=version).delete()

    response = logged_in(client, delegate).get(*search_url(with_text, version, "ngan sach"))

    assert [hit["page"] for hit in response.json()["results"]]
    assert DocumentPage.objects.filter(version=version).count() == version.page_count


def test_a_snippet_begins_and_ends_with_whole_words_and_carries_the_words_found_apart(
    client: Client, with_text: Document, delegate: User
) -> None:
    body = logged_in(client, delegate).get(*search_url(with_text, first_version(with_text), "von doi ung")).json()

    (result,) = body["results"]
    assert result["match"].lower() == "vốn đối ứng"
    assert result["before"] + result["match"] + result["after"] == result["snippet"]
    page_words = set(" ".join(DocumentPage.objects.get(version=first_version(with_text), number=4).text.split()).split())
    first_word, last_word = result["before"].removeprefix("…").split()[0], result["after"].removesuffix("…").split()[-1]
    assert first_word in page_words
    assert last_word in page_words
