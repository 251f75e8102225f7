from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from meetings.models import AgendaItem, Body, Document, Meeting, Participant, User, whole_minutes
from meetings.selectors.agenda import agenda_choices
from meetings.selectors.meetings import directory_of
from meetings.services.participants import INVITABLE_ROLES
from meetings.text import person_sort_key


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def active_users() -> forms.models.QuerySet[User]:
    return User.objects.filter(is_active=True)


class VietnameseOrder(ModelChoiceIterator):
    """The directory offered in Vietnamese order (by given name, Đ after D), which no database collation gives."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for user in sorted(self.queryset, key=lambda user: (person_sort_key(user.display_name), user.username)):
            yield self.choice(user)


def person_label(user: User) -> str:
    label = f"{user.display_name} – {user.position}" if user.position else user.display_name
    switched_off = _("account switched off")
    return label if user.is_active else f"{label} ({switched_off})"


class UserChoiceField(forms.ModelChoiceField):
    iterator = VietnameseOrder

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = VietnameseOrder

    def label_from_instance(self, obj: User) -> str:
        return person_label(obj)


class MinutesField(forms.IntegerField):
    """Whole minutes on the form, seconds in the model."""

    widget = forms.NumberInput(attrs={"class": "input-short"})

    def prepare_value(self, value: Any) -> Any:
        # What the user typed comes back as text, in minutes; the model's value is seconds.
        if isinstance(value, int):
            return whole_minutes(value)
        return value

    def clean(self, value: Any) -> int | None:
        minutes = super().clean(value)
        return None if minutes is None else minutes * 60


class MeetingForm(forms.ModelForm):
    chair = UserChoiceField(queryset=User.objects.none(), label=_("Chair"))
    secretary = UserChoiceField(queryset=User.objects.none(), label=_("Secretary"))
    # The chair can change it in the room while this form is open: the value the form showed is
    # posted back, so saving other details does not undo the chair's choice.
    speaker_seconds = MinutesField(
        show_hidden_initial=True,
        min_value=1,
        max_value=60,
        label=_("Speaking time per turn (minutes)"),
        help_text=_("Each speaker's timer counts down from this; the chair can give a speaker more time during the meeting."),
        error_messages={
            "min_value": _("A turn lasts at least 1 minute."),
            "max_value": _("A turn lasts at most 60 minutes."),
            "invalid": _("Enter the speaking time as a whole number of minutes, from 1 to 60."),
        },
    )

    # Only for a published meeting (removed otherwise): a new title, time or place goes out by e-mail
    # at once unless the secretary says it is only a correction.
    notify_now = forms.BooleanField(
        required=False,
        initial=True,
        label=_("E-mail every participant a change of title, time or place now"),
        help_text=_(
            "Untick it to put right a small mistake: the change is then told in the next update notice, sent from the meeting's page."
        ),
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "kind",
            "body",
            "starts_at",
            "ends_at",
            "location",
            "chair",
            "secretary",
            "speaker_seconds",
            "allow_self_checkin",
        ]
        widgets = {"starts_at": DateTimeLocalInput(), "ends_at": DateTimeLocalInput()}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.is_published:
            del self.fields["notify_now"]
        # A new meeting's form starts from the model's default, which a declared field does not get.
        self.initial.setdefault("speaker_seconds", self.instance.speaker_seconds)
        # A secretary of a body prepares its meetings, with its people; the administrator, any body's.
        own_body = None if user.is_superuser else user.body
        bodies = Body.objects.filter(pk=own_body.pk) if own_body else Body.objects.all()
        if self.instance.body_id:
            bodies = bodies | Body.objects.filter(pk=self.instance.body_id)
        self.fields["body"].queryset = bodies
        # A chair or secretary whose account was switched off stays shown (not a blank select) and is
        # refused on saving with a reason.
        current = [pk for pk in (self.instance.chair_id, self.instance.secretary_id) if pk]
        people = directory_of(body=own_body or (self.instance.body if self.instance.body_id else None))
        for name in ("chair", "secretary"):
            self.fields[name].queryset = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk__in=current))
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The expected end must be after the start."))
        for name in ("chair", "secretary"):
            person = cleaned.get(name)
            if person is not None and not person.is_active:
                self.add_error(
                    name,
                    _("%(name)s's account is switched off. Choose someone else, or ask the administrator to switch it on.")
                    % {"name": person.display_name},
                )
        chair, secretary = cleaned.get("chair"), cleaned.get("secretary")
        if chair is not None and chair == secretary:
            # The minutes carry two signatures, the secretary's and then the chair's.
            self.add_error("secretary", _("The secretary cannot be the chair: both sign the minutes. Choose someone else."))
        return cleaned


class InviteForm(forms.Form):
    users = UserMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("People"),
        error_messages={"required": _("Tick at least one person to invite.")},
    )
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in INVITABLE_ROLES], initial=Participant.Role.DELEGATE, label=_("Role"))
    can_vote = forms.BooleanField(required=False, initial=True, label=_("With voting rights"))

    def __init__(self, *args: Any, meeting: Meeting, everyone: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        invited = meeting.participants.values_list("user_id", flat=True)
        self.fields["users"].queryset = directory_of(body=meeting.body, everyone=everyone).exclude(pk__in=invited)


class ParticipantForm(forms.Form):
    role = forms.ChoiceField(choices=Participant.Role.choices, label=_("Role"))
    can_vote = forms.BooleanField(required=False, label=_("With voting rights"))


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=300, label=_("Title"))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Description"))
    presenter = UserChoiceField(queryset=User.objects.none(), required=False, label=_("Presenter"))
    duration_minutes = forms.IntegerField(
        min_value=1,
        max_value=600,
        initial=10,
        label=_("Allotted minutes"),
        help_text=_("For this item alone: sub-items have their own time."),
    )
    parent = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(), required=False, label=_("Sub-item of"), empty_label=_("— main item —")
    )

    def __init__(self, *args: Any, meeting: Meeting, item: AgendaItem | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The body's people, and whoever is invited from elsewhere (an official of the city at a ward's meeting).
        current = [item.presenter_id] if item is not None and item.presenter_id else []
        people = directory_of(body=meeting.body)
        self.fields["presenter"].queryset = User.objects.filter(
            Q(pk__in=people.values("pk")) | Q(pk__in=meeting.participants.values("user_id")) | Q(pk__in=current)
        )
        parents = meeting.agenda_items.filter(parent__isnull=True).order_by("position")
        if item is not None:
            parents = parents.exclude(pk=item.pk)
        self.fields["parent"].queryset = parents


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePdfField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "application/pdf,.pdf"})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        files = [f for f in files if f]
        if not files:
            raise forms.ValidationError(_("Choose at least one PDF file."), code="required")
        return [super(MultiplePdfField, self).clean(f, initial) for f in files]


class DocumentFieldsMixin(forms.Form):
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(), required=False, label=_("Agenda item"), empty_label=_("— whole meeting —")
    )
    confidential = forms.BooleanField(required=False, label=_("Confidential (MẬT)"))
    readers = UserMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Who may read it (besides the chair and the secretary)"),
    )

    def setup_document_fields(self, *, meeting: Meeting) -> None:
        field = self.fields["agenda_item"]
        field.queryset = meeting.agenda_items.all()
        field.choices = [("", field.empty_label), *agenda_choices(meeting=meeting)]
        participant_ids = meeting.participants.exclude(user_id__in=[meeting.chair_id, meeting.secretary_id]).values_list(
            "user_id", flat=True
        )
        self.fields["readers"].queryset = active_users().filter(pk__in=participant_ids)


class DocumentUploadForm(DocumentFieldsMixin):
    files = MultiplePdfField(label=_("PDF files"))
    title = forms.CharField(max_length=300, required=False, label=_("Title"), help_text=_("Leave empty to use each file's name."))

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_document_fields(meeting=meeting)


class DocumentForm(DocumentFieldsMixin, forms.ModelForm):
    class Meta:
        model = Document
        fields = ["title", "agenda_item", "confidential", "readers"]

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_document_fields(meeting=meeting)


class NewVersionForm(forms.Form):
    file = forms.FileField(label=_("New version (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}))


class LoginForm(AuthenticationForm):
    """Django's form, with a refusal that says what to do (its own names the fields, capitalised mid-sentence)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The username or the password is not right. Check them (capital letters count) and try again. "
            "If you have forgotten your password, use “Forgot your password?” below, or ask the administrator."
        ),
        "inactive": _("This account is switched off, so it cannot log in. Ask the administrator to switch it on again."),
    }

    def get_invalid_login_error(self) -> ValidationError:
        """A switched-off account is told so (with the right password only), not sent to retype it:
        Django's backend refuses inactive users before the form could say why."""
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        switched_off = User.objects.filter(username=username, is_active=False).first()
        if switched_off is not None and password and switched_off.check_password(password):
            return ValidationError(self.error_messages["inactive"], code="inactive")
        return super().get_invalid_login_error()


class GuestForm(forms.Form):
    """A guest who is not in the directory: the secretary makes their account while inviting them."""

    full_name = forms.CharField(max_length=150, label=_("Full name"), error_messages={"required": _("Write the guest's full name.")})
    position = forms.CharField(max_length=200, required=False, label=_("Position and organisation"))
    email = forms.EmailField(
        required=False,
        label=_("E-mail address"),
        help_text=_("They get the invitation there, with a link to set their password. Without one, they cannot log in."),
    )


class FirstPasswordResetForm(PasswordResetForm):
    """Django's, which also reaches accounts without a password yet: a guest the secretary invited sets
    their first password from "Forgot your password?" once the invitation's link is too old."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")  # as the rest of the site says it, not Django's "Email"

    def get_users(self, email: str) -> Iterator[User]:
        wanted = email.casefold()
        for user in User.objects.filter(email__iexact=email, is_active=True):
            if user.email.casefold() == wanted:
                yield user


class RulesUnderNewPassword:
    """The password rules a new password breaks are said under it, where the rules are listed and the
    person typed it; Django says them under the confirmation, a screen below on a phone. A mismatch
    stays under the confirmation."""

    NEW_PASSWORD_FIELD = "new_password1"  # noqa: S105 (a field name, not a password)

    def validate_password_for_user(self, user: User, password_field_name: str = NEW_PASSWORD_FIELD) -> None:
        super().validate_password_for_user(user, self.NEW_PASSWORD_FIELD)  # type: ignore[misc]


class NewPasswordForm(RulesUnderNewPassword, SetPasswordForm):
    """Setting a password from an e-mailed link."""


class OwnPasswordChangeForm(RulesUnderNewPassword, PasswordChangeForm):
    """Changing one's own password from the top bar."""
