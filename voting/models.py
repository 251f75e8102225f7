"""Polls, ballots and proxies.

Who has voted (`VoterMark`) is stored apart from what was voted (`Ballot`). A secret ballot
carries no voter, no timestamp and a random id, and the ballots of a secret poll are rewritten
in random order when it closes, so nothing in the stored rows joins a ballot to its voter.
Writes go through `voting.services`; results are computed by `voting.tally`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models import AgendaItem, Meeting, Participant


class Poll(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / No / Abstain")
        OPTIONS = "options", _("Named options")

    class Majority(models.TextChoices):
        CAST = "cast", _("More than half of the votes cast")
        PRESENT = "present", _("More than half of those present")
        MEMBERS = "members", _("More than half of all members")
        TWO_THIRDS = "two_thirds", _("Two thirds of all members")
        THREE_QUARTERS = "three_quarters", _("Three quarters of all members")

    class Mode(models.TextChoices):
        LIVE = "live", _("In the meeting")
        WRITTEN = "written", _("Written opinions (outside the meeting)")

    class State(models.TextChoices):
        DRAFT = "draft", _("Prepared")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ANNULLED = "annulled", _("Annulled")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="polls")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="polls", verbose_name=_("agenda item")
    )
    question = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("choices"), max_length=20, choices=Kind.choices, default=Kind.YES_NO)
    max_choices = models.PositiveSmallIntegerField(_("how many options may be chosen"), default=1)
    secret = models.BooleanField(_("secret ballot"), default=False)
    majority = models.CharField(_("majority required"), max_length=20, choices=Majority.choices, default=Majority.MEMBERS)
    requires_quorum = models.BooleanField(_("a quorum must be present"), default=True)
    allow_change = models.BooleanField(_("votes may be changed until the poll closes"), default=False)
    close_when_all_voted = models.BooleanField(_("close by itself when everyone has voted"), default=False)
    duration_seconds = models.PositiveIntegerField(_("time limit (seconds)"), null=True, blank=True)
    mode = models.CharField(_("where"), max_length=20, choices=Mode.choices, default=Mode.LIVE)
    deadline = models.DateTimeField(_("deadline for written opinions"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    annulled_at = models.DateTimeField(null=True, blank=True)
    annulled_reason = models.TextField(blank=True)
    repeat_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats")
    # Frozen when the poll closes; `voting.tally.poll_tally` recomputes it from the ballots.
    result = models.JSONField(null=True, blank=True)
    # The progress last announced, so a burst of ballots makes one announcement, not one each.
    announced_voted = models.PositiveIntegerField(default=0)
    announced_eligible = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_choices__gte=1), name="poll_allows_a_choice"),
            # Who voted what can be changed only where who voted what is known.
            models.CheckConstraint(condition=~models.Q(secret=True, allow_change=True), name="secret_votes_are_final"),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def time_limit_minutes(self) -> int | None:
        """The time limit in the meeting, in the whole minutes the secretary set it in."""
        return self.duration_seconds // 60 if self.duration_seconds else None


class PollChoice(models.Model):
    class Meaning(models.TextChoices):
        YES = "yes", pgettext_lazy("meaning of a ballot choice", "Yes")
        NO = "no", pgettext_lazy("meaning of a ballot choice", "No")
        ABSTAIN = "abstain", pgettext_lazy("meaning of a ballot choice", "Abstain")
        OPTION = "option", _("Option")

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("label"), max_length=200)
    meaning = models.CharField(max_length=10, choices=Meaning.choices, default=Meaning.OPTION)

    class Meta:
        verbose_name = _("poll choice")
        verbose_name_plural = _("poll choices")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


# What an agree / disagree vote's choices say, in this order.
YES_NO_LABELS = {
    PollChoice.Meaning.YES: _("Agree"),
    PollChoice.Meaning.NO: _("Disagree"),
    PollChoice.Meaning.ABSTAIN: _("No opinion"),
}


def _random_ballot_id() -> uuid.UUID:
    return uuid.uuid4()


class Ballot(models.Model):
    """What was voted. For a secret poll: nothing else (no voter, no time, a random id)."""

    id = models.UUIDField(primary_key=True, default=_random_ballot_id, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    choices = models.JSONField(default=list)  # ids of PollChoice rows of this poll
    weight = models.PositiveIntegerField(default=1)
    # Open (named) polls only: whose vote this is, and who cast it (a proxy holder casts for the giver).
    voter = models.ForeignKey(Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cast_by = models.ForeignKey(Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="one_named_ballot_per_voter")]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.choices}"


class VoterMark(models.Model):
    """Who has voted in a poll (for themselves, or through their proxy); never what."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="voter_marks")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    cast_by = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("record of voting")
        verbose_name_plural = _("records of voting")
        constraints = [models.UniqueConstraint(fields=["poll", "participant"], name="one_ballot_per_voter")]

    def __str__(self) -> str:
        return f"{self.poll_id}: {self.participant_id}"


class Proxy(models.Model):
    """An absent delegate lets another delegate vote for them in this meeting (ủy quyền)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proxies")
    giver = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("given by"))
    holder = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+", verbose_name=_("held by"))
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "giver"], condition=models.Q(revoked_at=None), name="one_proxy_per_giver"),
            # Holding one proxy means casting two ballots; more would concentrate votes.
            models.UniqueConstraint(fields=["meeting", "holder"], condition=models.Q(revoked_at=None), name="one_proxy_per_holder"),
            models.CheckConstraint(condition=~models.Q(giver=models.F("holder")), name="no_proxy_to_oneself"),
        ]

    def __str__(self) -> str:
        return f"{self.giver_id} → {self.holder_id}"
