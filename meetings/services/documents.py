"""Meeting documents: checked uploads stored by content hash, versions, confidentiality."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from meetings.errors import ServiceError
from meetings.models import AgendaItem, Document, DocumentVersion, Meeting, User
from meetings.rendering import document_pages_read, document_prerender
from meetings.services.audit import audit_record
from meetings.services.guards import lock_meeting, require_manager, require_preparation_state
from meetings.services.meetings import mark_changed_since_notice
from meetings.text import shorten

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class DocumentRejected(ServiceError):
    code = "document_rejected"


def _title_from_filename(name: str) -> str:
    """A document's title from its file's name: underscores read as spaces. Django cuts an uploaded name
    to 255 characters, mid-word: such a name loses its last, broken word and ends with an ellipsis."""
    stem = Path(name).stem.replace("_", " ").strip()
    if len(os.path.basename(name)) >= 255 and " " in stem:
        return stem.rsplit(" ", 1)[0].rstrip(" ,;:-.") + "…"
    return stem


def _rejection_message(*, reason: str, filename: str, page_count: int | None = None) -> str:
    messages = {
        "empty": _("“%(name)s” is empty. Choose the file again; it may not have finished saving."),
        "not_pdf": _("“%(name)s” is not a PDF file. Save or export it as PDF, then upload it again."),
        "truncated": _("“%(name)s” is incomplete (the end of the PDF is missing). Download or export it again, then upload it."),
        "encrypted": _("“%(name)s” is password-protected or encrypted. Remove the password (print it to a new PDF), then upload it again."),
        "no_pages": _("“%(name)s” has no pages."),
        "damaged": _("“%(name)s” is damaged and cannot be read as a PDF. Export it again from the original, then upload it."),
        "too_complex": _("“%(name)s” is too complex to check safely. Export it again as a simpler PDF (e.g. PDF/A), then upload it."),
        "timeout": _("Checking “%(name)s” took too long. Export it again as a simpler PDF (e.g. PDF/A), then upload it."),
        "bomb": _(
            "“%(name)s” contains compressed data that expands to an unsafe size. "
            "Export it again from the original (e.g. print to PDF), then upload it."
        ),
        "huge_image": _(
            "“%(name)s” contains an image too large to display safely. "
            "Reduce the resolution of its images (e.g. print to PDF at 300 dpi), then upload it."
        ),
        "huge_page": _(
            "“%(name)s” has a page too large, or too long and narrow, to display. "
            "Export it again on an ordinary paper size (e.g. A4), then upload it."
        ),
    }
    if reason == "too_big":
        return _("“%(name)s” is larger than the %(limit)s limit. Compress it or split it into several files.") % {
            "name": filename,
            "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES),
        }
    if reason == "too_many_pages":
        return _("“%(name)s” has %(pages)s pages; at most %(limit)s are accepted. Split it into several files.") % {
            "name": filename,
            "pages": page_count,
            "limit": settings.DOCUMENT_MAX_PAGES,
        }
    return messages.get(reason, messages["damaged"]) % {"name": filename}


def pdf_check(*, path: Path, filename: str) -> int:
    """Accept the file at `path` as a meeting document or raise DocumentRejected. Returns the page count."""
    if path.stat().st_size > settings.DOCUMENT_MAX_BYTES:
        raise DocumentRejected(_rejection_message(reason="too_big", filename=filename))
    command = [
        sys.executable,
        "-m",
        "meetings.pdf_probe",
        str(path),
        str(settings.DOCUMENT_MAX_PAGES),
        str(settings.DOCUMENT_PARSE_MEMORY_MB),
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - fixed command, our own module
            command, capture_output=True, timeout=settings.DOCUMENT_PARSE_SECONDS, cwd=PROJECT_ROOT, check=False
        )
        result = json.loads(completed.stdout or b"{}")
    except subprocess.TimeoutExpired:
        result = {"ok": False, "reason": "timeout"}
    except ValueError:
        result = {"ok": False, "reason": "too_complex"}
    if not result.get("ok"):
        raise DocumentRejected(
            _rejection_message(reason=result.get("reason", "damaged"), filename=filename, page_count=result.get("page_count"))
        )
    return int(result["page_count"])


@dataclass
class StoredBlob:
    sha256: str
    size: int
    page_count: int
    name: str  # relative to MEDIA_ROOT
    created: bool  # False when an identical file was already stored


def _store_upload(*, upload: UploadedFile) -> StoredBlob:
    """Copy the upload to disk while hashing it, check it, then move it to its content-hash path."""
    filename = os.path.basename(upload.name or "document.pdf")
    if upload.size is not None and upload.size > settings.DOCUMENT_MAX_BYTES:
        raise DocumentRejected(_rejection_message(reason="too_big", filename=filename))
    incoming = Path(settings.MEDIA_ROOT) / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tempfile.NamedTemporaryFile(dir=incoming, suffix=".pdf", delete=False) as handle:
        temporary = Path(handle.name)
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    try:
        page_count = pdf_check(path=temporary, filename=filename)
        sha256 = digest.hexdigest()
        name = f"documents/{sha256[:2]}/{sha256}.pdf"
        final = Path(settings.MEDIA_ROOT) / name
        created = not final.exists()
        if created:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    return StoredBlob(sha256=sha256, size=size, page_count=page_count, name=name, created=created)


def _forget_blob_unless_used(*, blob: StoredBlob) -> None:
    if blob.created and not DocumentVersion.objects.filter(sha256=blob.sha256).exists():
        (Path(settings.MEDIA_ROOT) / blob.name).unlink(missing_ok=True)


def _create_version(*, document: Document, blob: StoredBlob, upload: UploadedFile, actor: User) -> DocumentVersion:
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = DocumentVersion(
        document=document,
        number=last + 1,
        sha256=blob.sha256,
        size=blob.size,
        page_count=blob.page_count,
        original_filename=os.path.basename(upload.name or "")[:255],
        uploaded_by=actor,
    )
    version.file.name = blob.name
    version.save()
    return version


def _refuse_another_documents_file(*, meeting: Meeting, blob: StoredBlob, upload: UploadedFile, document: Document | None = None) -> None:
    """The same file as another document of the meeting would show delegates two documents that are one."""
    already = DocumentVersion.objects.filter(document__meeting=meeting, sha256=blob.sha256).exclude(document=document)
    already = already.select_related("document").first()
    if already is not None:
        raise ServiceError(
            _("“%(filename)s” is already in this meeting, as “%(title)s”. To replace a document, upload a new version of it.")
            % {"filename": os.path.basename(upload.name or ""), "title": already.document.title},
            code="duplicate_document",
        )


def _check_item(*, meeting: Meeting, agenda_item: AgendaItem | None) -> None:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ServiceError(_("That agenda item belongs to another meeting."), code="invalid_item")


def _readers_of(*, meeting: Meeting, readers: list[User]) -> list[User]:
    allowed = set(meeting.participants.values_list("user_id", flat=True))
    return [user for user in readers if user.pk in allowed]


def _pages_prepare(*, version: DocumentVersion) -> None:
    """After the upload is committed: read page sizes and text (search), and render the pages ahead of readers."""
    document_pages_read(version=version)
    document_prerender(version=version)


def document_upload(
    *,
    actor: User,
    meeting: Meeting,
    upload: UploadedFile,
    title: str = "",
    agenda_item: AgendaItem | None = None,
    confidential: bool = False,
    readers: list[User] | None = None,
) -> Document:
    require_manager(actor=actor, meeting=meeting)
    require_preparation_state(meeting=meeting)
    _check_item(meeting=meeting, agenda_item=agenda_item)
    # The slow check runs before the transaction so no lock is held while a PDF is parsed.
    blob = _store_upload(upload=upload)
    try:
        with transaction.atomic():
            meeting = lock_meeting(meeting=meeting)
            require_preparation_state(meeting=meeting)
            _refuse_another_documents_file(meeting=meeting, blob=blob, upload=upload)
            document = Document.objects.create(
                meeting=meeting,
                agenda_item=agenda_item,
                title=shorten(title.strip() or _title_from_filename(upload.name or "") or "Tài liệu", 300),
                confidential=confidential,
                position=meeting.documents.count(),
            )
            if confidential and readers:
                document.readers.set(_readers_of(meeting=meeting, readers=readers))
            version = _create_version(document=document, blob=blob, upload=upload, actor=actor)
            audit_record(
                meeting=meeting,
                actor=actor,
                action="document.upload",
                document=document.pk,
                sha256=version.sha256,
                pages=version.page_count,
            )
            mark_changed_since_notice(meeting=meeting)
    except Exception:
        _forget_blob_unless_used(blob=blob)
        raise
    _pages_prepare(version=version)
    return document


def document_add_version(*, actor: User, document: Document, upload: UploadedFile) -> DocumentVersion:
    """A new version replaces the current one; earlier versions stay in the history."""
    meeting = document.meeting
    require_manager(actor=actor, meeting=meeting)
    require_preparation_state(meeting=meeting)
    blob = _store_upload(upload=upload)
    try:
        with transaction.atomic():
            meeting = lock_meeting(meeting=meeting)
            require_preparation_state(meeting=meeting)
            _refuse_another_documents_file(meeting=meeting, blob=blob, upload=upload, document=document)
            current = document.versions.order_by("-number").first()
            if current is not None and current.sha256 == blob.sha256:
                # Readers would be told of a "version %(n)s" with nothing new in it.
                raise ServiceError(
                    _("This file is the same as version %(number)s: nothing would change. Choose the corrected file.")
                    % {"number": current.number},
                    code="same_version",
                )
            version = _create_version(document=document, blob=blob, upload=upload, actor=actor)
            audit_record(
                meeting=meeting, actor=actor, action="document.version", document=document.pk, number=version.number, sha256=version.sha256
            )
            mark_changed_since_notice(meeting=meeting)
    except Exception:
        _forget_blob_unless_used(blob=blob)
        raise
    _pages_prepare(version=version)
    return version


@transaction.atomic
def document_update(
    *,
    actor: User,
    document: Document,
    title: str,
    agenda_item: AgendaItem | None,
    confidential: bool,
    readers: list[User],
) -> Document:
    meeting = document.meeting
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    require_preparation_state(meeting=meeting)
    _check_item(meeting=meeting, agenda_item=agenda_item)
    document.title = shorten(title.strip(), 300) or document.title
    document.agenda_item = agenda_item
    document.confidential = confidential
    document.save(update_fields=["title", "agenda_item", "confidential"])
    document.readers.set(_readers_of(meeting=meeting, readers=readers) if confidential else [])
    audit_record(meeting=meeting, actor=actor, action="document.update", document=document.pk, confidential=confidential)
    mark_changed_since_notice(meeting=meeting)
    return document


@transaction.atomic
def document_delete(*, actor: User, document: Document) -> None:
    meeting = document.meeting
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    require_preparation_state(meeting=meeting)
    audit_record(
        meeting=meeting,
        actor=actor,
        action="document.delete",
        document=document.pk,
        title=document.title,
        confidential=document.confidential,
    )
    # Blobs stay: they are shared by content hash and the audit trail names them.
    document.delete()
    mark_changed_since_notice(meeting=meeting)
