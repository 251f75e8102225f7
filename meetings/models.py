"""The meeting domain: bodies, people, meetings, their agendas and documents, and the audit log.

Writes go through `meetings.services`; reads through `meetings.selectors`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.majorities import at_least, more_than_half
from meetings.text import place_in_name


class User(AbstractUser):
    # Vietnamese names do not split into first/last the Western way ("Nguyễn Văn An").
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True, help_text=_("e.g. Phó Chủ tịch UBND"))
    body = models.ForeignKey(
        "Body",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("body"),
        help_text=_("Where they work. Secretaries prepare their own body's meetings, and invite from its people (others on request)."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        # Family name first, as Vietnamese names are written, if only Django's two name fields are filled.
        return self.full_name or f"{self.last_name} {self.first_name}".strip() or self.username

    @property
    def reachable_by_email(self) -> bool:
        """An address to write to, on an account still in use: a switched-off account gets no notices."""
        return self.is_active and bool(self.email)


class Body(models.Model):
    """An organisation that holds meetings, e.g. UBND thành phố Vũng Tàu."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True, help_text=_("Used in document numbers, e.g. UBND"))
    parent_name = models.CharField(_("parent body"), max_length=200, blank=True, help_text=_("e.g. UBND TỈNH BÀ RỊA - VŨNG TÀU"))
    place_name = models.CharField(
        _("place name"),
        max_length=100,
        blank=True,
        help_text=_(
            "Written before the date on its documents: “Vũng Tàu, ngày …”. For a ward or commune, its own name. "
            "Left empty, it is taken from the name."
        ),
    )

    class QuorumRule(models.TextChoices):
        MORE_THAN_HALF = "more_than_half", _("More than half of the members with a vote")
        TWO_THIRDS = "two_thirds", _("At least two thirds of the members with a vote (sessions of a People's Committee)")
        HALF = "half", _("At least half of the members with a vote")

    # Whose vote the quorum and majorities count on: a meeting that leaves one of them out, or in
    # without a vote, lowers the base without anyone noticing. The participants page says so.
    voting_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="voting_member_of",
        verbose_name=_("members with a vote"),
        help_text=_(
            "Those who vote in every meeting of the body (the members of the People's Committee, say). Preparing a "
            "meeting, the secretary is told when one of them is not invited, or invited without a vote."
        ),
    )
    quorum_rule = models.CharField(
        _("quorum"),
        max_length=20,
        choices=QuorumRule.choices,
        default=QuorumRule.MORE_THAN_HALF,
        help_text=_("How many of the members with a vote must be present for the meeting to decide."),
    )

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def quorum_needed(self, *, voting: int) -> int:
        """How many of `voting` members with a vote make a quorum, in whole people."""
        if self.quorum_rule == self.QuorumRule.TWO_THIRDS:
            return at_least(numerator=2, denominator=3, of=voting)
        if self.quorum_rule == self.QuorumRule.HALF:
            return at_least(numerator=1, denominator=2, of=voting)
        return more_than_half(of=voting)

    @property
    def place(self) -> str:
        """The place name (địa danh) its documents are dated at: the one set, else the name after its
        administrative unit ("Ủy ban nhân dân phường Thắng Tam" → "Thắng Tam")."""
        if self.place_name.strip():
            return self.place_name.strip()
        return place_in_name(self.name)


def default_speaker_seconds() -> int:
    return settings.SPEAKER_SECONDS


def whole_minutes(seconds: int) -> int:
    """A speaking time as people state it: whole minutes, at least one."""
    return max(1, (seconds + 30) // 60)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        EXTRAORDINARY = "extraordinary", _("Extraordinary")
        THEMATIC = "thematic", _("Thematic")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
        # Called off before it began: kept, with why, for whoever was invited to read.
        CANCELLED = "cancelled", _("Cancelled")

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body"))
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("expected end"))
    location = models.CharField(_("location"), max_length=300)
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("chair"))
    secretary = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("secretary"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Bumped on every notice sent after publishing, so calendars replace the earlier invitation.
    notice_sequence = models.PositiveIntegerField(_("notices sent"), default=0)
    changed_since_notice = models.BooleanField(_("changed since the last notice"), default=False)
    # The live meeting (see meetings.services.live).
    allow_self_checkin = models.BooleanField(_("delegates may check in from their tablet"), default=True)
    # What each speech is given when the chair gives the floor; the chair may extend one speech.
    speaker_seconds = models.PositiveIntegerField(_("speaking time per turn"), default=default_speaker_seconds)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    current_item = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("current item")
    )
    # A break in the meeting (giải lao): the item's clock stands still and the room is told when it goes on.
    recess_since = models.DateTimeField(_("break since"), null=True, blank=True)
    recess_until = models.DateTimeField(_("break until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # Last sequence number of the meeting's live events; allocated under the meeting's row lock.
    event_seq = models.PositiveBigIntegerField(_("live events"), default=0)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meeting_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.state != self.State.DRAFT

    @property
    def in_preparation(self) -> bool:
        """Its details, participants, agenda and documents may still change: before the meeting begins."""
        return self.state in PREPARATION_STATES

    @property
    def status_label(self) -> str:
        """What its badge says. Past approval the meeting's own state stays "minutes approved": the
        badge then follows the minutes (a reverse one-to-one: select_related("minutes") in lists)."""
        minutes_state = getattr(getattr(self, "minutes", None), "state", "")
        return str(MINUTES_BADGES.get(minutes_state) or self.get_state_display())

    @property
    def speaker_minutes(self) -> int:
        return whole_minutes(self.speaker_seconds)

    @property
    def checkin_opens_at(self) -> datetime.datetime:
        """Members check in on their tablets from then: before, they are reading the papers at home."""
        return self.starts_at - datetime.timedelta(minutes=settings.CHECKIN_OPENS_MINUTES)


# The minutes' states past approval, as a meeting's badge names them (the minutes app owns the states).
MINUTES_BADGES = {
    "signed": pgettext_lazy("meeting badge", "Minutes signed"),
    "archived": pgettext_lazy("meeting badge", "Minutes archived"),
}
# Before the meeting begins; afterwards what was prepared stays as it was held.
PREPARATION_STATES = (Meeting.State.DRAFT, Meeting.State.PUBLISHED)
# After the meeting ended: its minutes, not its room, are what people come for.
HELD_STATES = (Meeting.State.CLOSED, Meeting.State.MINUTES_APPROVED)


class Participant(models.Model):
    class Attendance(models.TextChoices):
        UNKNOWN = "unknown", _("Not yet marked")
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT_EXCUSED = "absent_excused", _("Absent with leave")
        ABSENT = "absent", _("Absent without leave")

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        DELEGATE = "delegate", _("Delegate")
        GUEST = "guest", _("Guest")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("meeting"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.DELEGATE)
    can_vote = models.BooleanField(_("voting rights"), default=True)
    # Bodies that weigh votes (e.g. by shares represented) set this; everyone else counts once.
    vote_weight = models.PositiveSmallIntegerField(_("vote weight"), default=1)
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    attendance = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices, default=Attendance.UNKNOWN)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    # Told ahead by the participant ("báo vắng"); kept off the live room's screens, shown to the
    # chair and the secretary and written into the minutes.
    absence_reason = models.CharField(_("reason for absence"), max_length=300, blank=True)
    absence_notified_at = models.DateTimeField(_("absence reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_participation_per_meeting"),
            models.CheckConstraint(condition=~models.Q(role="guest", can_vote=True), name="guests_do_not_vote"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("presenter")
    )
    duration_minutes = models.PositiveIntegerField(_("allotted minutes"), default=10)
    # Time used in the live meeting: seconds accumulated over every stretch the item was current.
    used_seconds = models.PositiveIntegerField(default=0)
    current_since = models.DateTimeField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Document(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents", verbose_name=_("agenda item")
    )
    title = models.CharField(_("title"), max_length=300)
    confidential = models.BooleanField(_("confidential"), default=False)
    # Who may read a confidential document besides the chair and the secretary.
    readers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("allowed readers"))
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class DocumentVersion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # Stored by content hash (documents/ab/abcd….pdf): the same file uploaded twice is one blob.
    file = models.FileField(upload_to="documents/", max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField()
    original_filename = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="one_version_number_per_document")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class DocumentPage(models.Model):
    """A page's displayed size and its text, read once at upload: for the viewer's layout and for search."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    # In points, as displayed (after /Rotate, within the crop box).
    width = models.FloatField()
    height = models.FloatField()
    text = models.TextField(blank=True)
    # Lower case without diacritics, so "ngan sach" finds "Ngân sách" as people type on tablets.
    search_text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("document page")
        verbose_name_plural = _("document pages")
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="one_row_per_document_page")]

    def __str__(self) -> str:
        return f"{self.version} p.{self.number}"


class AuditEvent(models.Model):
    """Append-only record of every action that matters."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events", verbose_name=_("meeting")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=60)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        # In the site's time, as the list beside it shows it (not UTC).
        from meetings.audit_labels import AUDIT_ACTION_LABELS  # words of the actions, which name these models

        return f"{timezone.localtime(self.created_at):%d/%m/%Y %H:%M} {AUDIT_ACTION_LABELS.get(self.action, self.action)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("Audit events are append-only.")


class Presentation(models.Model):
    """What the room is looking at: a document page shown by the chair or whoever the chair hands over to."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="presentation")
    presenter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Someone the chair lets present besides themselves (e.g. the item's presenter).
    handed_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.ForeignKey(DocumentVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    page = models.PositiveIntegerField(default=1)
    viewport = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.document_id} p.{self.page}"


class SpeakerRequest(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SPEAKING = "speaking", _("Speaking")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DISMISSED = "dismissed", _("Taken off the queue by the chair")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="speaker_requests")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="speaker_requests")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    allotted_seconds = models.PositiveIntegerField(default=0)
    # What they ask to speak about, in a few words: the chair orders the debate by it.
    topic = models.CharField(_("asks to speak about"), max_length=200, blank=True)
    # A break cut this speaker short: this turn goes on with that speech (not a new turn on the item).
    continues_speech = models.BooleanField(_("goes on with a speech a break cut short"), default=False)

    class Meta:
        verbose_name = _("request to speak")
        verbose_name_plural = _("requests to speak")
        ordering = ["requested_at", "id"]
        constraints = [
            # One open request per person: asking twice does not jump the queue.
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=models.Q(status__in=["waiting", "speaking"]),
                name="one_open_request_per_participant",
            ),
            models.UniqueConstraint(fields=["meeting"], condition=models.Q(status="speaking"), name="one_speaker_at_a_time"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} ({self.status})"


class MeetingEvent(models.Model):
    """The bounded log of a meeting's live events, for clients that missed some (resync)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    # The users it is told to (a prepared vote: the chair and secretaries); null: everyone.
    audience = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        ordering = ["meeting", "seq"]
        constraints = [models.UniqueConstraint(fields=["meeting", "seq"], name="one_event_per_seq")]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.seq} {self.type}"


class CommandReceipt(models.Model):
    """A live command already applied: a tablet that resends it gets an ack, not a second effect."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    command_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("command receipt")
        verbose_name_plural = _("command receipts")
        constraints = [models.UniqueConstraint(fields=["meeting", "user", "command_id"], name="one_receipt_per_command")]

    def __str__(self) -> str:
        return self.command_id


class LiveConnection(models.Model):
    """An open websocket, so presence is known across daphne processes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    process = models.CharField(max_length=80)
    socket = models.CharField(max_length=40, unique=True)
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("live connection")
        verbose_name_plural = _("live connections")

    def __str__(self) -> str:
        return f"{self.user_id}@{self.process}"
