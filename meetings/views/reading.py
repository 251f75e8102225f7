"""Reading the meeting's documents: search within a document, and the whole meeting pack as one PDF."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from meetings.downloads import meeting_file_name, pdf_response, watermark_lines
from meetings.models import Document, Meeting, User
from meetings.rendering import document_pages_read, source_path
from meetings.selectors.agenda import agenda_flat
from meetings.selectors.documents import document_get_for_user, document_search, documents_visible_to
from meetings.selectors.meetings import meeting_get_for_user


@login_required
def document_search_view(request: HttpRequest, meeting_id: int, document_id: int, version_id: int) -> JsonResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    document = document_get_for_user(user=request.user, meeting=meeting, document_id=document_id)
    version = get_object_or_404(document.versions, pk=version_id)
    query = request.GET.get("q", "")[:200]
    if not version.pages.exists():
        # Uploaded before pages were read, or reading failed then: read them now, once.
        document_pages_read(version=version)
    response = JsonResponse({"query": query, "results": document_search(version=version, query=query)})
    response["Cache-Control"] = "private, no-store" if document.confidential else "private, no-cache"
    return response


# A few locks shared by content key (a hex digest): the same pack is never built twice at once.
_pack_locks = [threading.Lock() for _ in range(16)]


def _pack_lock(key: str) -> threading.Lock:
    return _pack_locks[int(key[:8], 16) % len(_pack_locks)]


def _pack_sections(*, user: User, meeting: Meeting) -> list[tuple[str, str, list[Document]]]:
    """(number, title, documents) per agenda item in agenda order, then the documents of no item."""
    documents = list(documents_visible_to(user=user, meeting=meeting))
    by_item: dict[int | None, list[Document]] = {}
    for document in documents:
        if document.versions.all():
            by_item.setdefault(document.agenda_item_id, []).append(document)
    sections = [(node.number, node.item.title, by_item.get(node.item.pk, [])) for node in agenda_flat(meeting=meeting)]
    if by_item.get(None):
        sections.append(("", _("Documents for the whole meeting"), by_item[None]))
    return sections


@login_required
def meeting_pack(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Cover, table of contents and every document this reader may see, in agenda order, as one PDF.

    Built once per distinct content and kept on disk; a pack with confidential documents is built
    for its reader each time, with their watermark on those documents.
    """
    from meetings.pack import PackCover

    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    sections = _pack_sections(user=request.user, meeting=meeting)
    starts = timezone.localtime(meeting.starts_at)
    cover = PackCover(
        title=meeting.title,
        body=meeting.body.name,
        parent_body=meeting.body.parent_name,
        starts=f"{formats.time_format(starts, 'H:i')}, {formats.date_format(starts, 'DATE_FORMAT')}",
        place=meeting.location,
        language="en" if get_language() == "en" else "vi",
    )
    confidential = any(document.confidential for _n, _t, documents in sections for document in documents)
    key = hashlib.sha256(
        json.dumps(
            [cover.__dict__, [(n, t, [(d.title, d.versions.all()[0].sha256) for d in docs]) for n, t, docs in sections]], default=str
        ).encode()
    ).hexdigest()
    cached = Path(settings.MEDIA_ROOT) / "packs" / f"{key}.pdf"
    etag = f'"{key[:32]}"'
    if not confidential and request.headers.get("If-None-Match") == etag:
        return HttpResponseNotModified()
    with _pack_lock(key):
        # Thirty delegates opening the pack together wait for one build, then share it.
        if not confidential and cached.is_file():
            name = meeting_file_name(meeting=meeting, kind="tai-lieu-hop")
            return pdf_response(pdf=cached.read_bytes(), filename=name, confidential=False, etag=etag)
        return _pack_build_response(
            request=request, meeting=meeting, cover=cover, sections=sections, confidential=confidential, cached=cached, etag=etag
        )


def _pack_build_response(
    *,
    request: HttpRequest,
    meeting: Meeting,
    cover: Any,
    sections: list[tuple[str, str, list[Document]]],
    confidential: bool,
    cached: Path,
    etag: str,
) -> HttpResponse:
    from meetings.pack import PackDocument, PackSection, pack_build_pdf

    pack_sections = [
        PackSection(
            number=number,
            title=title,
            documents=[
                PackDocument(title=d.title, path=source_path(version=d.versions.all()[0]), confidential=d.confidential) for d in documents
            ],
        )
        for number, title, documents in sections
    ]
    # Confidential documents carry this reader's watermark on their pages; the rest of the pack does not.
    pdf = pack_build_pdf(cover=cover, sections=pack_sections, watermark_lines=watermark_lines(user=request.user) if confidential else None)
    if not confidential:
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cached.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(pdf)
        os.replace(temporary, cached)
    return pdf_response(pdf=pdf, filename=meeting_file_name(meeting=meeting, kind="tai-lieu-hop"), confidential=confidential, etag=etag)
