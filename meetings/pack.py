"""The meeting pack (tài liệu họp): one PDF with a cover, a table of contents and every document.

Page numbers count the cover as page 1 without printing it, so the number in the table of
contents, the "Trang n/N" stamped on the page and the page number a PDF viewer or tablet shows
are the same number. The table of contents lists every agenda item, also those without
documents (marked so): delegates expect it to mirror the agenda; only items with documents get
a bookmark, since a bookmark must point at a page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter

from meetings.pdf_render import html_render, serif_font_css
from meetings.stamping import pdf_finish, pdf_stamp_page_numbers, pdf_watermark_pages
from meetings.text import clean_text

WORDS = {
    "vi": {
        "lang": "vi",
        "pack": "TÀI LIỆU HỌP",
        "pack_title": "Tài liệu họp",
        "contents": "MỤC LỤC",
        "contents_bookmark": "Mục lục",
        "time": "Thời gian",
        "place": "Địa điểm",
        "no_documents": "không có tài liệu",
        "confidential": "Mật",
        "page_label": "Trang {number}/{total}",
    },
    "en": {
        "lang": "en",
        "pack": "MEETING PACK",
        "pack_title": "Meeting pack",
        "contents": "CONTENTS",
        "contents_bookmark": "Contents",
        "time": "Time",
        "place": "Place",
        "no_documents": "no documents",
        "confidential": "Confidential",
        "page_label": "Page {number}/{total}",
    },
}

A4_POINTS = (595.28, 841.89)
BOOKMARK_CHARACTERS = 200
# Laying the front matter out again only changes it when a page number gains a digit; a few
# rounds always settle, more would mean a bug.
FRONT_LAYOUT_ROUNDS = 6


@dataclass(frozen=True)
class PackDocument:
    title: str
    path: Path
    confidential: bool = False


@dataclass(frozen=True)
class PackSection:
    number: str  # "1", "2.1"; "" for a section outside the agenda ("Tài liệu khác")
    title: str
    documents: list[PackDocument] = field(default_factory=list)


@dataclass(frozen=True)
class PackCover:
    title: str
    body: str
    parent_body: str
    starts: str  # already formatted, e.g. "08 giờ 00, thứ Bảy, ngày 28/11/2026"
    place: str
    language: str = "vi"


@dataclass(frozen=True)
class _Placed:
    document: PackDocument
    start: int  # index of its first page among the documents' pages (front matter not counted)
    pages: int


def _section_heading(section: PackSection) -> str:
    number = clean_text(section.number).rstrip(".")
    return f"{number}. {clean_text(section.title)}" if number else clean_text(section.title)


def _reader_release(*, writer: PdfWriter, reader: PdfReader, start: int) -> None:
    """Let `writer` forget `reader`, so a pack of 20 files holds one source file at a time, not all.

    After `append` the pages are independent copies, but pypdf still refers to the source (its
    object map, each page's source page, the source pages for re-targeting links). Links inside
    an appended file were already re-targeted by `append`, so none of these is needed again.
    Measured (20 files of 5 MiB): peak memory ~3.3× their total size with them, ~2.2× without.
    """
    writer.reset_translation(reader)
    for index in range(start, len(writer.pages)):
        vars(writer.pages[index]).pop("original_page", None)
    merged = getattr(writer, "_merged_in_pages", None)
    if isinstance(merged, dict):
        for source in [source for source in merged if source is not None and source.pdf is reader]:
            del merged[source]


def _documents_append(*, writer: PdfWriter, sections: list[PackSection]) -> list[list[_Placed]]:
    placed = []
    for section in sections:
        in_section = []
        for document in section.documents:
            start = len(writer.pages)
            reader = PdfReader(document.path)
            writer.append(reader, import_outline=False)
            _reader_release(writer=writer, reader=reader, start=start)
            in_section.append(_Placed(document=document, start=start, pages=len(writer.pages) - start))
        placed.append(in_section)
    return placed


def _front_html(*, cover: PackCover, sections: list[PackSection], placed: list[list[_Placed]], front_pages: int) -> str:
    words = WORDS.get(cover.language, WORDS["vi"])
    items: list[dict[str, Any]] = []
    for section, in_section in zip(sections, placed, strict=True):
        documents = [
            {"title": clean_text(entry.document.title), "confidential": entry.document.confidential, "page": front_pages + entry.start + 1}
            for entry in in_section
            if entry.pages
        ]
        number = clean_text(section.number).rstrip(".")
        items.append(
            {
                "number": f"{number}." if number else "",
                "title": clean_text(section.title),
                "documents": documents,
                "page": documents[0]["page"] if documents else None,
            }
        )
    nfc_cover = PackCover(
        title=clean_text(cover.title),
        body=clean_text(cover.body),
        parent_body=clean_text(cover.parent_body),
        starts=clean_text(cover.starts),
        place=clean_text(cover.place),
        language=cover.language,
    )
    return render_to_string("meetings/pack_front.html", {"fonts": serif_font_css(), "words": words, "cover": nfc_cover, "items": items})


def _front_pdf(*, cover: PackCover, sections: list[PackSection], placed: list[list[_Placed]]) -> tuple[bytes, int]:
    """The cover and table of contents, laid out until the page numbers they print agree with their own length.

    Returns the PDF and how many pages the front matter takes in the pack (the PDF may be
    shorter only if a re-layout shrank it; the caller pads).
    """
    front_pages = 2  # the cover and at least one page of contents
    for _ in range(FRONT_LAYOUT_ROUNDS):
        rendered = html_render(html=_front_html(cover=cover, sections=sections, placed=placed, front_pages=front_pages))
        if len(rendered.pages) <= front_pages:
            return rendered.write_pdf(), front_pages
        front_pages = len(rendered.pages)
    raise RuntimeError("the table of contents did not settle on a page count")


def _outline_add(
    *, writer: PdfWriter, sections: list[PackSection], placed: list[list[_Placed]], front_pages: int, words: dict[str, str]
) -> None:
    writer.add_outline_item(title=words["contents_bookmark"], page_number=1)
    for section, in_section in zip(sections, placed, strict=True):
        present = [entry for entry in in_section if entry.pages]
        if not present:
            continue
        item = writer.add_outline_item(title=_section_heading(section)[:BOOKMARK_CHARACTERS], page_number=front_pages + present[0].start)
        for entry in present:
            writer.add_outline_item(
                title=clean_text(entry.document.title)[:BOOKMARK_CHARACTERS], page_number=front_pages + entry.start, parent=item
            )


def pack_build_pdf(*, cover: PackCover, sections: list[PackSection], watermark_lines: list[str] | None = None) -> bytes:
    """The whole meeting pack for `sections` in the order given (agenda order, then "other documents").

    With `watermark_lines` (e.g. ["MẬT", recipient's name, time]) the pages of confidential
    documents carry that watermark; without, they are included as they are, so the caller
    decides who may receive them.
    """
    words = WORDS.get(cover.language, WORDS["vi"])
    writer = PdfWriter()
    placed = _documents_append(writer=writer, sections=sections)
    front, front_pages = _front_pdf(cover=cover, sections=sections, placed=placed)
    front_reader = PdfReader(io.BytesIO(front))
    writer.merge(0, front_reader, import_outline=False)
    for index in range(len(front_reader.pages), front_pages):
        writer.insert_blank_page(width=A4_POINTS[0], height=A4_POINTS[1], index=index)
    if watermark_lines:
        # One call for all of them, so each page size's overlay is laid out once for the whole pack.
        confidential = [
            front_pages + entry.start + offset
            for in_section in placed
            for entry in in_section
            if entry.document.confidential
            for offset in range(entry.pages)
        ]
        pdf_watermark_pages(writer=writer, page_indexes=confidential, lines=watermark_lines)
    total = len(writer.pages)
    pdf_stamp_page_numbers(writer=writer, start_index=1, first_number=2, total=total, template=words["page_label"])
    _outline_add(writer=writer, sections=sections, placed=placed, front_pages=front_pages, words=words)
    title = clean_text(cover.title)
    return pdf_finish(
        writer=writer,
        title=f"{words['pack_title']}: {title}",
        author=clean_text(cover.body),
        subject=", ".join(part for part in (title, clean_text(cover.starts), clean_text(cover.place)) if part),
    )
