from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy, smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _

from meetings.apps import SECRETARIES_GROUP
from meetings.audit_labels import AUDIT_ACTION_LABELS, audit_details_text
from meetings.forms import UserMultipleChoiceField
from meetings.models import AuditEvent, Body, Meeting, Participant, User
from meetings.selectors.meetings import meetings_ahead_with
from meetings.services.notifications import account_welcome_notify
from meetings.text import shorten


class OwnEmailAddress(forms.ModelForm):
    """One address, one account: "Forgot your password?" and invitations find an account by its address."""

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip()
        # Checked when typed: an account that shared its address before this rule can still be edited.
        if email and "email" in self.changed_data:
            other = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).first()
            if other is not None:
                raise forms.ValidationError(
                    _("This e-mail address is already the address of the account %(username)s (%(name)s). Each person needs their own.")
                    % {"username": other.username, "name": other.display_name}
                )
        return email


class AccountChangeForm(OwnEmailAddress, UserChangeForm):
    pass


class AccountCreationForm(OwnEmailAddress, AdminUserCreationForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # "Let them set it" sends the link to their address: without one they could never log in.
        # Django has by now turned the radio's "usable_password" into "set_usable_password".
        if cleaned.get("set_usable_password") is False and not cleaned.get("email") and not self.has_error("email"):
            self.add_error("email", _("Give their e-mail address: the link to set their password is sent there."))
        return cleaned


PERMISSION_ACTIONS = {
    "add": _("Add %(model)s"),
    "change": _("Change %(model)s"),
    "delete": _("Delete %(model)s"),
    "view": _("View %(model)s"),
}


class PermissionMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A permission in the administrator's language ("Thêm cuộc họp"). Django stores its name in
    English when the table is made ("Can add meeting") and shows it beside the app's label."""

    def label_from_instance(self, obj: Permission) -> str:
        action = PERMISSION_ACTIONS.get(obj.codename.split("_", 1)[0])
        model = obj.content_type.model_class()
        if action is None or model is None:
            return str(obj)
        # Django's own models are named with a capital in its Vietnamese ("Nhóm"); ours are not.
        name = str(model._meta.verbose_name)
        return str(action) % {"model": name[:1].lower() + name[1:]}


def permissions_field_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**kwargs, "queryset": Permission.objects.select_related("content_type"), "form_class": PermissionMultipleChoiceField}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = AccountCreationForm
    form = AccountChangeForm
    # One "full name" field (Vietnamese names do not split the Western way) instead of Django's two.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("full_name", "position", "body", "email")}),
        (_("Permissions"), {"fields": ("is_active", "groups", "is_staff", "is_superuser", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "position",
                    "body",
                    "email",
                    "groups",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    # Narrow enough for a laptop beside the filters: one column says whether the account is in use
    # (a switched-off one must stand out in the list) and whether it administers.
    list_display = ("username", "full_name", "position", "body", "email", "account_state")
    list_filter = ("body", "is_active", "groups")
    list_select_related = ("body",)
    search_fields = ("username", "full_name", "email", "position")
    actions = ("switch_off",)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user_permissions":
            kwargs = permissions_field_options(kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("Account"), ordering="-is_active")
    def account_state(self, obj: User) -> str:
        state = _("in use") if obj.is_active else _("switched off")
        administers = _("administrator")
        return f"{state} · {administers}" if obj.is_staff else str(state)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change and not obj.has_usable_password() and account_welcome_notify(user=obj):
            sent = _("An e-mail with their user name and a link to set the password was sent to %(email)s.")
            self.message_user(request, sent % {"email": obj.email})
        if change and "is_active" in form.changed_data and not obj.is_active:
            self._warn_of_meetings_ahead(request, [obj])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        if user.body_id is None and not user.is_superuser and User.objects.get(pk=user.pk).has_perm("meetings.add_meeting"):
            warning = _("%(name)s is a secretary but belongs to no body: they cannot create meetings until you choose their body.")
            self.message_user(request, warning % {"name": user.display_name}, level=messages.WARNING)

    @admin.action(permissions=["change"], description=_("Switch off the selected accounts (they have left)"))
    def switch_off(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        leaving = queryset.filter(is_active=True).exclude(pk=request.user.pk)
        if not request.user.is_superuser:
            leaving = leaving.exclude(is_superuser=True)  # an administrator's account is not another's to switch off
        leaving = list(leaving)
        for user in leaving:
            user.is_active = False
            user.save(update_fields=["is_active"])
            self.log_change(request, user, [{"changed": {"fields": ["is_active"]}}])
        self.message_user(
            request, _("Switched off: %(count)s. Their names stay in the meetings they took part in.") % {"count": len(leaving)}
        )
        self._warn_of_meetings_ahead(request, leaving)

    def _warn_of_meetings_ahead(self, request: HttpRequest, users: list[User]) -> None:
        """A switched-off chair or secretary leaves a meeting no one runs: say which, while there is time."""
        ahead_of = meetings_ahead_with(users=users)
        for user in users:
            ahead = ahead_of[user.pk]
            if ahead:
                titles = "; ".join(f"{meeting.title} ({timezone.localtime(meeting.starts_at):%d/%m/%Y})" for meeting in ahead)
                warning = _(
                    "%(name)s is still in meetings to come: %(meetings)s. Change the chair, the secretary or the "
                    "participants of those meetings."
                )
                self.message_user(request, warning % {"name": user.display_name, "meetings": titles}, level=messages.WARNING)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get("usable_password")
        if field is not None:
            # Django's words speak of single sign-on; here the choice is who sets the first password.
            field.label = _("Password")
            field.choices = [("true", _("Set it now and hand it over")), ("false", _("Let them set it"))]
            field.help_text = _(
                "“Let them set it”: an e-mail with their user name and a link to set their password goes to them "
                "when you save, and “Forgot your password?” on the login page sends a new link."
            )
        return form

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # Django's own words here mislead a ward's administrator: "staff status" reads as "works here".
        if db_field.name == "is_staff":
            field.label = _("May use these administration pages")
            field.help_text = _("Only for administrators. Secretaries, chairs and delegates do not need it.")
        elif db_field.name == "is_active":
            field.help_text = _(
                "Untick instead of deleting when someone leaves: they can no longer log in or get e-mails, "
                "and the meetings they took part in keep their name."
            )
        elif db_field.name == "groups":
            field.help_text = _("Put a secretary in “%(group)s”: it lets them create and prepare meetings.") % {"group": SECRETARIES_GROUP}
        return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "permissions":
            kwargs = permissions_field_options(kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "parent_name", "place_name", "quorum_rule")
    search_fields = ("name",)
    filter_horizontal = ("voting_members",)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # Members as the meeting pages list people: in Vietnamese order, a switched-off account said so,
        # and no administrator's own account among them.
        if db_field.name == "voting_members":
            kwargs["queryset"] = User.objects.filter(is_superuser=False)
            kwargs["form_class"] = UserMultipleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ParticipantInline(admin.TabularInline):
    """Who is invited, for reading: inviting and un-inviting notify people, so they are done on the
    meeting's participants page."""

    model = Participant
    extra = 0
    fields = ("user", "role", "can_vote", "vote_weight", "attendance", "arrived_at", "absence_reason")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here: meetings change through their own pages (which
    notify people; a draft is deleted there, a published meeting stays on record), and the audit log
    is append-only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    """Meetings for reading and finding. Every change goes through the meeting's own pages, whose
    services keep the chair and secretary among the participants and notify them (an edit here
    changed the chair without either)."""

    list_display = ("title", "body", "starts_at", "status", "chair", "secretary")
    list_filter = ("state", "body", "kind")
    search_fields = ("title",)
    list_select_related = ("body", "chair", "secretary", "minutes")

    @admin.display(description=_("state"), ordering="state")
    def status(self, meeting: Meeting) -> str:
        """As the meeting's own pages say it: past approval, how far the minutes went."""
        return meeting.status_label

    inlines = [ParticipantInline]
    fieldsets = (
        (
            None,
            {
                # Named with the very words of the meeting's own buttons, so the administrator finds them.
                "description": format_lazy(
                    _(
                        "Meetings are prepared and changed on their own pages (open the meeting, then “{details}” "
                        "or “{participants}”): that is where participants are notified. To hand a meeting to another "
                        "secretary, change its secretary there."
                    ),
                    details=_("Details"),
                    participants=_("Participants"),
                ),
                "fields": ("title", "body", "kind", "starts_at", "ends_at", "location", "chair", "secretary"),
            },
        ),
        (_("State"), {"fields": ("state", "created_by", "created_at", "published_at", "started_at", "ended_at")}),
    )


class AuditActionFilter(admin.SimpleListFilter):
    """The actions that occur in the log, by what they mean rather than their codes."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        codes = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
        return sorted(((code, str(AUDIT_ACTION_LABELS.get(code, code))) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    # What happened and its details first: the meeting's long title last, where it may wrap.
    list_display = ("created_at", "what", "details", "actor", "meeting_title")
    # The record as the list reads it, not its codes and JSON.
    fields = ("created_at", "what", "details", "actor", "meeting")
    readonly_fields = fields
    list_filter = (AuditActionFilter,)
    list_select_related = ("meeting", "actor")
    ordering = ("-id",)  # the latest first, as an inspector reads a log
    search_fields = ("action", "meeting__title", "actor__username", "actor__full_name")
    date_hierarchy = "created_at"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent], search_term: str
    ) -> tuple[QuerySet[AuditEvent], bool]:
        """Also by what an action means, as the list shows it ("công bố"), not only by its code: the
        actions whose words include every word searched for (as Django's search takes them)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = [
            unescape_string_literal(word) if word.startswith(('"', "'")) and len(word) > 1 and word[0] == word[-1] else word
            for word in smart_split(search_term.casefold())
        ]
        codes = [code for code, label in AUDIT_ACTION_LABELS.items() if words and all(word in str(label).casefold() for word in words)]
        if codes:
            results |= queryset.filter(action__in=codes)
        return results, may_have_duplicates

    @admin.display(description=_("action"), ordering="action")
    def what(self, event: AuditEvent) -> str:
        label = AUDIT_ACTION_LABELS.get(event.action)
        return f"{label} ({event.action})" if label else event.action

    @admin.display(description=_("meeting"), ordering="meeting__title")
    def meeting_title(self, event: AuditEvent) -> str:
        return shorten(event.meeting.title, 60) if event.meeting else "—"

    @admin.display(description=_("details"))
    def details(self, event: AuditEvent) -> str:
        return audit_details_text(event.data)
