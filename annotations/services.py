"""Every write to annotations, and the live pen: checked here, published after commit to those who may see it.

Annotations are not numbered meeting events: a private one must reach its author only, and a
shared one only the readers of its document. They go out as targeted messages, and a tablet that
was away fetches the document's annotations again (newest revision wins), so nothing is lost.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annotations.models import Annotation
from annotations.selectors import annotation_state, document_reader_ids
from meetings.errors import NotAllowed, ServiceError
from meetings.models import Document, DocumentVersion, Meeting, Presentation, User
from meetings.permissions import user_can_view_document, user_runs_meeting
from meetings.services.audit import audit_record
from meetings.text import clean_text
from realtime.events import publish_ephemeral

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MIN_WIDTH, MAX_WIDTH = 0.0005, 0.05


class InvalidAnnotation(ServiceError):
    code = "invalid_annotation"


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise InvalidAnnotation(_("An annotation lies outside its page. Draw it again within the page."))
    return round(float(value), 5)


def _points(value: Any, *, exactly: int | None = None) -> list[list[float]]:
    limit = settings.ANNOTATION_MAX_POINTS
    if not isinstance(value, list) or not value or len(value) > limit or (exactly and len(value) != exactly):
        raise InvalidAnnotation(_("A stroke has too many points (at most %(limit)s). Draw it in several strokes.") % {"limit": limit})
    points = []
    for point in value:
        if not isinstance(point, list) or len(point) != 2:
            raise InvalidAnnotation(_("The annotation's shape could not be read. Draw it again."))
        points.append([_number(point[0]), _number(point[1])])
    return points


def _rect(value: Any) -> list[float]:
    if not isinstance(value, list) or len(value) != 4:
        raise InvalidAnnotation(_("The annotation's shape could not be read. Draw it again."))
    x0, y0, x1, y1 = (_number(v) for v in value)
    return [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]


def annotation_data_clean(*, kind: str, data: Any) -> dict[str, Any]:
    """The geometry and style of one annotation, checked and normalised; anything else is refused."""
    if kind not in Annotation.Kind.values:
        raise InvalidAnnotation(_("Unknown kind of annotation: %(kind)s.") % {"kind": str(kind)[:20]})
    if not isinstance(data, dict):
        raise InvalidAnnotation(_("The annotation's shape could not be read. Draw it again."))
    allowed = {"color", "width", "points" if kind in ("ink", "arrow") else "rect"} | ({"text"} if kind == "note" else set())
    if set(data) - allowed:
        raise InvalidAnnotation(
            _("The annotation has fields it cannot have: %(fields)s.") % {"fields": ", ".join(sorted(set(data) - allowed))[:80]}
        )
    color = data.get("color", "#d32f2f")
    width = data.get("width", 0.004)
    if not isinstance(color, str) or not COLOUR.fullmatch(color):
        raise InvalidAnnotation(_("The colour must be written as #rrggbb."))
    if isinstance(width, bool) or not isinstance(width, int | float) or not MIN_WIDTH <= width <= MAX_WIDTH:
        raise InvalidAnnotation(_("The line width is out of range."))
    clean: dict[str, Any] = {"color": color.lower(), "width": round(float(width), 5)}
    if kind == "ink":
        clean["points"] = _points(data.get("points"))
    elif kind == "arrow":
        clean["points"] = _points(data.get("points"), exactly=2)
    else:
        clean["rect"] = _rect(data.get("rect"))
    if kind == "note":
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InvalidAnnotation(_("Write the note's text first."))
        text = clean_text(text)
        if len(text) > settings.ANNOTATION_MAX_TEXT:
            raise InvalidAnnotation(_("A note can be at most %(limit)s characters.") % {"limit": settings.ANNOTATION_MAX_TEXT})
        clean["text"] = text
    return clean


def _document_for(*, actor: User, meeting: Meeting, document_id: int) -> Document:
    document = Document.objects.filter(pk=document_id, meeting_id=meeting.pk).select_related("meeting").first()
    if document is None or not user_can_view_document(user=actor, document=document):
        raise ServiceError(_("That document does not exist or you may not read it."), code="not_found")
    return document


def _announce(*, annotation: Annotation, was_shared: bool, author_only: bool = False) -> None:
    """After commit: the author's screens always hear of it; readers when it is (or just stopped being) shared.

    `author_only`: nothing changed (a stale revision), only the author's device that was behind needs the answer.
    """
    meeting_id, author = annotation.meeting_id, annotation.author_id
    visible = annotation.shared and not annotation.deleted
    readers = [] if author_only else [user for user in document_reader_ids(document=annotation.document) if user != author]
    state = annotation_state(annotation)
    gone = {"id": state["id"], "document_id": annotation.document_id, "revision": annotation.revision}

    def send() -> None:
        publish_ephemeral(
            meeting_id=meeting_id,
            type="annotation.delete" if annotation.deleted else "annotation.upsert",
            users=[author],
            payload=gone if annotation.deleted else {"annotation": state},
        )
        if not readers:
            return
        if visible:
            publish_ephemeral(meeting_id=meeting_id, type="annotation.upsert", payload={"annotation": state}, users=readers)
        elif was_shared:
            publish_ephemeral(meeting_id=meeting_id, type="annotation.delete", payload=gone, users=readers)

    transaction.on_commit(send)


@transaction.atomic
def annotation_upsert(
    *,
    actor: User,
    meeting: Meeting,
    annotation_id: str,
    document_id: int,
    version_id: int,
    page: int,
    kind: str,
    data: Any,
    revision: int,
    shared: bool = False,
) -> Annotation:
    """Create or change an annotation; a revision not newer than the stored one changes nothing (a resend, or a stale device)."""
    key = _annotation_key(annotation_id)
    document = _document_for(actor=actor, meeting=meeting, document_id=document_id)
    version = DocumentVersion.objects.filter(pk=version_id, document=document).first()
    if version is None:
        raise ServiceError(_("That version of the document does not exist."), code="not_found")
    if not 1 <= page <= version.page_count:
        raise InvalidAnnotation(
            _("Page %(page)s does not exist; the document has %(count)s pages.") % {"page": page, "count": version.page_count}
        )
    clean = annotation_data_clean(kind=kind, data=data)
    annotation = Annotation.objects.select_for_update(of=("self",)).select_related("author", "document__meeting").filter(pk=key).first()
    if annotation is None:
        if Annotation.objects.filter(version=version, author=actor, deleted=False).count() >= settings.ANNOTATION_MAX_PER_DOCUMENT:
            raise InvalidAnnotation(
                _("You have reached %(limit)s annotations on this document. Erase some first.")
                % {"limit": settings.ANNOTATION_MAX_PER_DOCUMENT}
            )
        try:
            with transaction.atomic():
                annotation = Annotation.objects.create(
                    id=key,
                    meeting_id=meeting.pk,
                    document=document,
                    version=version,
                    page=page,
                    author=actor,
                    kind=kind,
                    shared=shared,
                    data=clean,
                    revision=revision,
                )
        except IntegrityError:
            # The same id arrived twice at once (a resend racing the original): the first one stands.
            return Annotation.objects.select_related("author", "document__meeting").get(pk=key)
        annotation.author = actor
        annotation.document = document
        _announce(annotation=annotation, was_shared=False)
        return annotation
    if annotation.author_id != actor.pk:
        raise NotAllowed(_("This annotation is someone else's; only its author can change it."))
    if annotation.document_id != document.pk or annotation.version_id != version.pk:
        raise InvalidAnnotation(_("An annotation stays on the document and version it was drawn on."))
    if revision <= annotation.revision:
        # Tell the author's screens what stands, so a device that was behind catches up.
        _announce(annotation=annotation, was_shared=annotation.shared, author_only=True)
        return annotation
    # Taken off the shared view by the chair: the author's edits (an undo, a redo, what was drawn
    # offline) are kept, as private ones.
    shared = shared and not annotation.withheld
    was_shared = annotation.shared and not annotation.deleted
    annotation.page, annotation.kind, annotation.data, annotation.shared = page, kind, clean, shared
    annotation.revision, annotation.deleted, annotation.updated_at = revision, False, timezone.now()
    annotation.save()
    _announce(annotation=annotation, was_shared=was_shared)
    return annotation


@transaction.atomic
def annotation_delete(*, actor: User, meeting: Meeting, annotation_id: str, revision: int) -> None:
    """Erase an annotation (kept as a tombstone at `revision`, so a late upsert does not bring it back)."""
    key = _annotation_key(annotation_id)
    annotation = (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("author", "document__meeting")
        .filter(pk=key, meeting_id=meeting.pk)
        .first()
    )
    if annotation is None:
        return  # never arrived, or erased already: nothing to do
    if annotation.author_id != actor.pk:
        raise NotAllowed(_("This annotation is someone else's; only its author can erase it."))
    if revision <= annotation.revision:
        _announce(annotation=annotation, was_shared=annotation.shared, author_only=True)
        return
    was_shared = annotation.shared and not annotation.deleted
    annotation.deleted, annotation.revision, annotation.updated_at = True, revision, timezone.now()
    annotation.save(update_fields=["deleted", "revision", "updated_at"])
    _announce(annotation=annotation, was_shared=was_shared)


def _annotation_key(annotation_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(annotation_id)
    except ValueError:
        raise InvalidAnnotation(_("An annotation needs an id made by the tablet (a UUID).")) from None


@transaction.atomic
def annotation_withhold(*, actor: User, meeting: Meeting, annotation_id: str) -> None:
    """The chair or a secretary takes someone's shared annotation off every other screen (a mistake, or
    something not for the room). Its author keeps it, private, and cannot share it again."""
    meeting = Meeting.objects.get(pk=meeting.pk)  # a live command names the meeting by its id only
    if not user_runs_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the chair or the secretary can take a shared annotation off the screens."))
    annotation = (
        Annotation.objects.select_for_update(of=("self",))
        .select_related("author", "document__meeting")
        .filter(pk=_annotation_key(annotation_id), meeting_id=meeting.pk, deleted=False)
        .first()
    )
    if annotation is None or not (annotation.shared or annotation.withheld):
        raise ServiceError(_("That annotation is not shared, or has been erased."), code="not_found")
    if annotation.withheld:
        return  # already done: a resend, or two moderators at once
    if annotation.author_id == actor.pk:
        raise ServiceError(_("This annotation is yours: tap it with the hand to make it private."), code="invalid")
    # One revision more, so the author's screens take the change and an older resend cannot undo it.
    annotation.shared, annotation.withheld = False, True
    annotation.revision, annotation.updated_at = annotation.revision + 1, timezone.now()
    annotation.save(update_fields=["shared", "withheld", "revision", "updated_at"])
    audit_record(
        meeting=meeting,
        actor=actor,
        action="annotation.withhold",
        annotation=str(annotation.pk),
        author=annotation.author_id,
        document=annotation.document_id,
        page=annotation.page,
    )
    _announce(annotation=annotation, was_shared=True)


def stroke_relay(
    *, actor: User, meeting: Meeting, stroke_id: str, document_id: int, page: int, points: Any, color: str, width: float
) -> None:
    """The presenter's pen while it draws: relayed to everyone who can read the document, stored nowhere."""
    presentation = Presentation.objects.filter(meeting_id=meeting.pk).select_related("meeting", "document__meeting").first()
    # The one who turned to this page, while they still may present (the chair can take it back) and the meeting runs.
    presenting = (
        presentation is not None
        and presentation.document_id is not None
        and presentation.presenter_id == actor.pk
        and actor.pk in (presentation.meeting.chair_id, presentation.handed_to_id)
        and presentation.meeting.state == Meeting.State.IN_PROGRESS
    )
    if not presenting:
        raise NotAllowed(_("Only the presenter's pen is shown live on every screen."), code="not_presenter")
    if presentation.document_id != document_id or presentation.page != page:
        raise ServiceError(_("Draw on the page being presented."), code="not_presented_page")
    clean = annotation_data_clean(kind="ink", data={"points": points, "color": color, "width": width})
    # The presenter's own other screens too (a projector logged in as the chair); the drawing tablet skips its own strokes.
    readers = document_reader_ids(document=presentation.document)
    payload = {"stroke_id": stroke_id, "document_id": document_id, "version_id": presentation.version_id, "page": page, **clean}
    publish_ephemeral(meeting_id=meeting.pk, type="stroke.points", payload=payload, users=readers)
