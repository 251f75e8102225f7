"""The minutes of a meeting (biên bản): the secretary's notes per agenda item, and the compiled,
circulated, approved, signed and archived PDF versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models import AgendaItem, Document, Meeting

DEFAULT_RECIPIENTS = "- Thành phần dự họp;\n- Lưu: VT, VP."
SIGNING_ORDER = ("secretary", "chair")


class Minutes(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("minutes state", "Draft")
        CIRCULATED = "circulated", _("Circulated for remarks")
        APPROVED = "approved", _("Approved by the chair")
        SIGNED = "signed", _("Signed")
        ARCHIVED = "archived", _("Archived")

    class Language(models.TextChoices):
        VIETNAMESE = "vi", "Tiếng Việt"
        ENGLISH = "en", "English"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    number = models.CharField(_("number"), max_length=60, blank=True, help_text=_("e.g. 15/BB-UBND; left blank it prints as …/BB-…"))
    recipients = models.TextField(_("recipients (Nơi nhận)"), default=DEFAULT_RECIPIENTS)
    language = models.CharField(_("layout"), max_length=2, choices=Language.choices, default=Language.VIETNAMESE)
    # Printed after the end time, as the text's last words: "Biên bản đã được đọc lại và thông qua…".
    closing = models.TextField(_("closing words"), blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    appendix_documents = models.ManyToManyField(Document, blank=True, related_name="+", verbose_name=_("documents appended"))
    circulated_at = models.DateTimeField(null=True, blank=True)
    # The date the secretary asked for remarks by: past it, no answer counts as agreement.
    remarks_due = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"{self.meeting} ({self.state})"


class MinutesEntry(models.Model):
    """What the secretary writes for one agenda item (or, without an item, for the meeting as a whole)."""

    class Field(models.TextChoices):
        NOTES = "notes", _("Discussion")
        CONCLUSIONS = "conclusions", _("Conclusions")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes_entries")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    notes = models.TextField(blank=True)
    conclusions = models.TextField(blank=True)
    # Rise with every write of their field, so a console that wrote on top of a text it had not
    # seen can be told so.
    notes_version = models.PositiveIntegerField(default=0)
    conclusions_version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    conclusion_announced_at = models.DateTimeField(null=True, blank=True)
    # What the chair read out, as read: the secretary may word the minutes' text differently later,
    # and that draft is not the room's.
    conclusion_announced = models.TextField(blank=True)

    class Meta:
        verbose_name = _("minutes entry")
        verbose_name_plural = _("minutes entries")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agenda_item"], name="one_entry_per_item"),
            models.UniqueConstraint(fields=["meeting"], condition=models.Q(agenda_item=None), name="one_general_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.agenda_item_id}"


class MinutesVersion(models.Model):
    """One compiled PDF (or a signed copy of one). Kept for good; a signed version never changes."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    signed_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    file = models.FileField(upload_to="minutes/", max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    signers = models.JSONField(default=list, blank=True)  # roles that signed, in order: ["secretary", "chair"]
    # Where each role's signature goes: {"chair": [page index, x1, y1, x2, y2]} in PDF points.
    signature_boxes = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["minutes", "-number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="one_minutes_version_number")]

    def __str__(self) -> str:
        return f"{self.minutes_id} v{self.number}"


class MinutesRemark(models.Model):
    """A participant's remark on a circulated version (góp ý), and the secretary's answer to it."""

    class Outcome(models.TextChoices):
        TAKEN_IN = "taken_in", _("Taken in: the next version is changed")
        KEPT = "kept", _("Kept as it is")

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="remarks")
    version = models.ForeignKey(MinutesVersion, on_delete=models.PROTECT, related_name="remarks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(_("answer"), max_length=20, choices=Outcome.choices, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("remark on the minutes")
        verbose_name_plural = _("remarks on the minutes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.text[:40]}"


class MinutesAssent(models.Model):
    """A participant agrees with a circulated version as it is (nhất trí, không có ý kiến), so the
    secretary and the chair know who has read it and has nothing to add."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="assents")
    version = models.ForeignKey(MinutesVersion, on_delete=models.PROTECT, related_name="assents")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("agreement with the minutes")
        verbose_name_plural = _("agreements with the minutes")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "author"], name="one_assent_per_version")]

    def __str__(self) -> str:
        return f"{self.author_id} v{self.version_id}"
