from __future__ import annotations

import re

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from meetings.models import Document, DocumentPage, DocumentVersion, Meeting, User
from meetings.permissions import user_can_manage_meeting, user_can_view_document
from meetings.text import fold_characters, fold_for_search


def documents_visible_to(*, user: User, meeting: Meeting) -> QuerySet[Document]:
    """The meeting's documents this user may read, each with its versions newest first."""
    documents = meeting.documents.select_related("agenda_item").prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number").select_related("uploaded_by"))
    )
    if not (user_can_manage_meeting(user=user, meeting=meeting) or user.pk == meeting.chair_id):
        documents = documents.filter(Q(confidential=False) | Q(readers=user)).distinct()
    return documents.order_by("position", "id")


def document_get_for_user(*, user: User, meeting: Meeting, document_id: int) -> Document:
    document = meeting.documents.filter(pk=document_id).first()
    if document is None or not user_can_view_document(user=user, document=document):
        raise Http404
    return document


def document_current_version(*, document: Document) -> DocumentVersion:
    version = document.versions.order_by("-number").first()
    if version is None:
        raise Http404
    return version


def document_search(*, version: DocumentVersion, query: str, limit: int = 100) -> list[dict[str, object]]:
    """Pages of `version` containing `query` (case, diacritics and punctuation ignored), each with the words around the first match."""
    folded_query = fold_for_search(query)
    if not folded_query:
        return []
    # The same words with anything that is not a word between them, found in the page's own text.
    pattern = re.compile(r"[\W_]+".join(re.escape(word) for word in folded_query.split()))
    results = []
    pages = DocumentPage.objects.filter(version=version, search_text__contains=folded_query).order_by("number")[:limit]
    for page in pages:
        text = page.text
        found = pattern.search(fold_characters(text))
        start, end = (found.start(), found.end()) if found else (0, 0)
        # About sixty characters either side, widened or narrowed to whole words.
        before, after = max(0, start - 60), min(len(text), end + 60)
        if before and (space := text.find(" ", before, start)) != -1:
            before = space + 1
        if after < len(text) and (space := text.rfind(" ", end, after)) != -1:
            after = space
        lead = ("…" if before else "") + _one_line(text[before:start])
        tail = _one_line(text[end:after]) + ("…" if after < len(text) else "")
        match = _one_line(text[start:end])
        # The words found, apart, so the screen can mark them; the whole line for anyone else.
        results.append({"page": page.number, "snippet": lead + match + tail, "before": lead, "match": match, "after": tail})
    return results


def _one_line(text: str) -> str:
    """Whitespace, line breaks included, as single spaces (kept at the ends, where the pieces join)."""
    return re.sub(r"\s+", " ", text)
