"""Who sees which annotations: the author their own, every reader of the document the shared ones."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from annotations.models import Annotation
from meetings.models import Document, Participant, User
from meetings.permissions import user_can_view_document


def annotation_state(annotation: Annotation) -> dict[str, Any]:
    return {
        "id": str(annotation.id),
        "document_id": annotation.document_id,
        "version_id": annotation.version_id,
        "page": annotation.page,
        "kind": annotation.kind,
        "shared": annotation.shared,
        "withheld": annotation.withheld,
        "author_id": annotation.author_id,
        "author": annotation.author.display_name,
        "data": annotation.data,
        "revision": annotation.revision,
        "deleted": annotation.deleted,
        "updated_at": annotation.updated_at.isoformat(),
    }


def annotations_visible_to(*, user: User, document: Document, version_id: int | None = None) -> QuerySet[Annotation]:
    """Live annotations on `document` (on one version if given) that `user` may see; the caller has checked the document."""
    annotations = (
        Annotation.objects.filter(document=document, deleted=False)
        .filter(Q(author=user) | Q(shared=True))
        .select_related("author")
        .order_by("created_at", "id")
    )
    return annotations.filter(version_id=version_id) if version_id is not None else annotations


def annotations_erased_by(*, user: User, document: Document) -> QuerySet[Annotation]:
    """The user's own erased annotations (tombstones): a device that catches up learns their revision, so an undo is newer."""
    return Annotation.objects.filter(document=document, author=user, deleted=True).select_related("author").order_by("created_at", "id")


def annotations_for_export(*, user: User, document: Document, version_id: int, include_shared: bool) -> list[Annotation]:
    annotations = Annotation.objects.filter(document=document, version_id=version_id, deleted=False).select_related("author")
    mine = Q(author=user)
    return list(annotations.filter(mine | Q(shared=True) if include_shared else mine).order_by("page", "created_at", "id"))


def document_reader_ids(*, document: Document) -> list[int]:
    """Every user who may open `document` (the same rule as permissions.user_can_view_document, for everyone at once)."""
    meeting = document.meeting
    participants = list(Participant.objects.filter(meeting=meeting).values_list("user_id", "role"))
    managers = {meeting.secretary_id, meeting.created_by_id} | {user for user, role in participants if role == Participant.Role.SECRETARY}
    managers |= set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
    readers = set(managers)
    if meeting.is_published:
        if document.confidential:
            allowed = set(document.readers.values_list("pk", flat=True)) | {meeting.chair_id}
            readers |= {user for user, _role in participants if user in allowed}
        else:
            readers |= {user for user, _role in participants}
    readers.discard(None)
    return sorted(readers)


def presented_annotations(*, user: User, presentation: dict[str, Any]) -> list[dict[str, Any]]:
    """The user's own and the shared annotations on the document being presented (for the snapshot)."""
    document = Document.objects.filter(pk=presentation["document_id"]).select_related("meeting").first()
    if document is None or not user_can_view_document(user=user, document=document):
        return []
    return [annotation_state(a) for a in annotations_visible_to(user=user, document=document, version_id=presentation["version_id"])]
