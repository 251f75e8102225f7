from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.errors import ServiceError
from meetings.forms import DateTimeLocalInput
from meetings.models import Meeting
from meetings.selectors.agenda import agenda_choices
from voting.models import Poll


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=500)
    agenda_item_id = forms.TypedChoiceField(
        label=pgettext_lazy("poll form", "Under which agenda item"), coerce=int, empty_value=None, required=False
    )
    mode = forms.ChoiceField(label=_("Where"), choices=Poll.Mode.choices, initial=Poll.Mode.LIVE)
    kind = forms.ChoiceField(label=_("Choices"), choices=Poll.Kind.choices, initial=Poll.Kind.YES_NO)
    options = forms.CharField(
        label=_("Options, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For named options only, e.g. candidates or alternatives."),
    )
    max_choices = forms.IntegerField(label=_("How many may be chosen"), min_value=1, max_value=50, initial=1)
    majority = forms.ChoiceField(label=_("Majority required"), choices=Poll.Majority.choices, initial=Poll.Majority.MEMBERS)
    secret = forms.BooleanField(label=_("Secret ballot"), required=False)
    requires_quorum = forms.BooleanField(
        label=_("The body's quorum rule applies (in the meeting: enough members present; in writing: enough members answer)"),
        required=False,
        initial=True,
    )
    allow_change = forms.BooleanField(label=_("Votes may be changed until the poll closes (open votes only)"), required=False)
    close_when_all_voted = forms.BooleanField(label=_("Close by itself when everyone has voted"), required=False)
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit in minutes (in the meeting)"),
        min_value=1,
        max_value=1440,
        required=False,
        help_text=_("Leave empty for no limit: the chair closes the vote."),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item_id"].choices = [("", _("— Not tied to an item —")), *agenda_choices(meeting=meeting)]

    def add_service_error(self, error: ServiceError) -> None:
        """Show a refusal of the poll services beside the field it is about (the time limit is asked in minutes here)."""
        name = "time_limit_minutes" if error.field == "duration_seconds" else error.field
        self.add_error(name if name in self.fields else None, str(error))

    def checkboxes(self) -> list[forms.BoundField]:
        return [self[name] for name in ("secret", "requires_quorum", "allow_change", "close_when_all_voted")]

    def service_arguments(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        minutes = data.pop("time_limit_minutes")
        data["duration_seconds"] = minutes * 60 if minutes else None
        data["options"] = [line for line in data["options"].splitlines() if line.strip()]
        return data

    @staticmethod
    def initial_from(poll: Poll) -> dict[str, Any]:
        return {
            "question": poll.question,
            "agenda_item_id": poll.agenda_item_id,
            "mode": poll.mode,
            "kind": poll.kind,
            "options": "\n".join(c.label for c in poll.choices.all()) if poll.kind == Poll.Kind.OPTIONS else "",
            "max_choices": poll.max_choices,
            "majority": poll.majority,
            "secret": poll.secret,
            "requires_quorum": poll.requires_quorum,
            "allow_change": poll.allow_change,
            "close_when_all_voted": poll.close_when_all_voted,
            "time_limit_minutes": poll.time_limit_minutes,
        }


class WrittenOpenForm(forms.Form):
    deadline = forms.DateTimeField(label=_("Deadline for opinions"), widget=DateTimeLocalInput())
