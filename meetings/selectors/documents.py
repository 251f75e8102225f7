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
