from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from meetings.models import Document, DocumentVersion, Meeting, User
from meetings.permissions import user_can_manage_meeting, user_can_view_document


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
    """Pages of `version` containing `query` (case and diacritics ignored), each with the words around the first match."""
    from meetings.models import DocumentPage
    from meetings.rendering import fold_for_search

    folded_query = " ".join(fold_for_search(query).split())
    if not folded_query:
        return []
    results = []
    pages = DocumentPage.objects.filter(version=version, search_text__contains=folded_query).order_by("number")[:limit]
    for page in pages:
        at = page.search_text.find(folded_query)
        # Folding keeps one character per character of NFC text, so the match sits at the same place in the original.
        source = page.text if len(page.text) == len(page.search_text) else page.search_text
        start, end = max(0, at - 60), min(len(source), at + len(folded_query) + 60)
        snippet = " ".join(source[start:end].split())
        results.append({"page": page.number, "snippet": ("…" if start else "") + snippet + ("…" if end < len(source) else "")})
    return results
