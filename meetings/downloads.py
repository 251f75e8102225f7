"""What a reader downloads: a confidential document always carries that reader's watermark."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from meetings.models import Document, Meeting, User
from meetings.text import file_slug


def watermark_lines(*, user: User) -> list[str]:
    """“MẬT”, who downloaded it and when: a leaked copy names its reader."""
    return ["MẬT", user.display_name, timezone.localtime().strftime("%d/%m/%Y %H:%M")]


def meeting_file_name(*, meeting: Meeting, kind: str) -> str:
    """ "tai-lieu-hop-2026-12-09-phien-hop-chuyen-de-ve-chuyen-doi-so": several meetings' files in one
    Downloads folder are told apart by day and title, and sort by day."""
    title = file_slug(meeting.title, limit=50)
    return f"{kind}-{timezone.localdate(meeting.starts_at):%Y-%m-%d}-{title}".rstrip("-")


def pdf_for_reader(*, user: User, document: Document, pdf: bytes) -> bytes:
    if not document.confidential:
        return pdf
    from meetings.stamping import pdf_watermark

    return pdf_watermark(pdf=pdf, lines=watermark_lines(user=user))


def pdf_response(*, pdf: bytes, filename: str, confidential: bool, etag: str | None = None) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{file_slug(filename.removesuffix(".pdf")) or "tai-lieu"}.pdf"'
    # A watermarked copy is made for one reader at one time: no cache may keep it. Anything else
    # may change (a new version, a new annotation) under the same URL: the browser asks each time.
    response["Cache-Control"] = "private, no-store" if confidential else "private, no-cache"
    if etag and not confidential:
        response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    return response
