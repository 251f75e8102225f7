"""Marks a reader makes on a document page: private to the author, or shared with every reader."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Document, DocumentVersion, Meeting


class Annotation(models.Model):
    class Kind(models.TextChoices):
        INK = "ink", _("pen")
        HIGHLIGHT = "highlight", _("highlighter")
        RECT = "rect", _("rectangle")
        ARROW = "arrow", _("arrow")
        NOTE = "note", _("text note")

    # The tablet makes the id, so a stroke drawn offline and sent twice is still one annotation.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="annotations")
    # An annotation stays on the version it was drawn on: a new upload never moves it to another page.
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="annotations")
    page = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    shared = models.BooleanField(default=False)
    # Geometry normalised to the displayed page (0–1, y down): points, rect, colour, width, text.
    data = models.JSONField(default=dict)
    # Set by the tablet, one more at every change; the higher revision wins, so a late resend changes nothing.
    revision = models.PositiveIntegerField(default=1)
    # Kept as a tombstone so that an older upsert arriving after the delete does not bring it back.
    deleted = models.BooleanField(default=False)
    # The chair or a secretary took it off the shared view; its author keeps it, and cannot share it again.
    withheld = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["document", "version", "page"])]

    def __str__(self) -> str:
        return f"{self.kind} p.{self.page} ({self.author_id})"
