"""One PDF of the minutes: the minutes themselves, then the appendices, bookmarked, with metadata.

Appendices: the attendance sheet, one result sheet per vote, and the documents the secretary
ticked. Pages that repeat (fonts, logos) are stored once.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader, PdfWriter

from meetings.models import Meeting
from meetings.stamping import pdf_finish
from minutes.document import WORDS, appendix_cover_html, appendix_head, appendix_titles, attendance_sheet_html, minutes_html, nfc
from minutes.rendering import html_render_limited
from minutes.selectors import appendix_documents, minutes_facts
from voting.export import poll_result_html

SIGNATURE_WIDTH_PT = 190.0
SIGNATURE_HEIGHT_PT = 80.0


@dataclass(frozen=True)
class CompiledMinutes:
    pdf: bytes
    page_count: int
    minutes_pages: int
    # role → [page index, x1, y1, x2, y2] in PDF points: where each signature goes
    signature_boxes: dict[str, list[float]]


def _signature_boxes(anchors: dict[str, list[float]]) -> dict[str, list[float]]:
    """Each signature in the middle of its signing space (between the role's title and the name)."""
    boxes = {}
    for role in ("secretary", "chair"):
        if f"sign-{role}" not in anchors:
            continue
        page, left, top, right, bottom = anchors[f"sign-{role}"]
        middle_x, middle_y = (left + right) / 2, (top + bottom) / 2
        width = min(SIGNATURE_WIDTH_PT, right - left)
        height = min(SIGNATURE_HEIGHT_PT, top - bottom)
        boxes[role] = [page, middle_x - width / 2, middle_y - height / 2, middle_x + width / 2, middle_y + height / 2]
    return boxes


def minutes_compile_pdf(*, meeting: Meeting) -> CompiledMinutes:
    facts = minutes_facts(meeting=meeting)
    words = WORDS.get(facts.minutes.language, WORDS["vi"])
    polls = [poll for poll in facts.polls if poll.result]
    documents = appendix_documents(minutes=facts.minutes)
    # Appendix I is the attendance sheet; the votes follow it, then the documents, each after a sheet with its head.
    first_document = 1 + len(polls)
    rendered = html_render_limited(
        documents=[
            minutes_html(facts=facts),
            attendance_sheet_html(facts=facts),
            *[poll_result_html(poll=poll, appendix=appendix_head(facts=facts, index=index)) for index, poll in enumerate(polls, 1)],
            *[
                appendix_cover_html(facts=facts, index=index, title=document.title, pages=version.page_count)
                for index, (document, version) in enumerate(documents, first_document)
            ],
        ]
    )
    main, attendance, *appended = rendered.pdfs
    sheets, covers = appended[: len(polls)], appended[len(polls) :]
    titles = iter(appendix_titles(facts=facts, documents=[document for document, _version in documents]))
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(main)), outline_item=nfc(f"{words['minutes'].capitalize()}: {meeting.title}"))
    minutes_pages = len(writer.pages)
    # The appendices' own headings are not bookmarks: each gets exactly one, under "Phụ lục", named as the body lists it.
    writer.append(PdfReader(io.BytesIO(attendance)), import_outline=False)
    appendix = writer.add_outline_item(title="Phụ lục" if words["lang"] == "vi" else "Appendices", page_number=minutes_pages)
    writer.add_outline_item(title=next(titles), page_number=minutes_pages, parent=appendix)
    for sheet in sheets:
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(sheet)), import_outline=False)
        writer.add_outline_item(title=next(titles)[:200], page_number=start, parent=appendix)
    for cover, (_document, version) in zip(covers, documents, strict=True):
        start = len(writer.pages)
        writer.append(PdfReader(io.BytesIO(cover)), import_outline=False)
        with version.file.open("rb") as handle:
            writer.append(PdfReader(io.BytesIO(handle.read())), import_outline=False)
        writer.add_outline_item(title=next(titles)[:200], page_number=start, parent=appendix)
    pdf = pdf_finish(
        writer=writer,
        title=nfc(f"{words['minutes'].capitalize()}: {meeting.title}"),
        author=nfc(meeting.body.name),
        subject=nfc(meeting.title),
    )
    return CompiledMinutes(
        pdf=pdf, page_count=len(writer.pages), minutes_pages=minutes_pages, signature_boxes=_signature_boxes(rendered.anchors)
    )
