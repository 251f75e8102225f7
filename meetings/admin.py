from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from meetings.models import AuditEvent, Body, Meeting, Participant, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Position"), {"fields": ("full_name", "position")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Position"), {"fields": ("full_name", "position", "email")}),
    )
    list_display = ("username", "full_name", "position", "email", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email", "position")


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "parent_name", "place_name", "quorum_fraction")
    search_fields = ("name",)


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "body", "starts_at", "state")
    list_filter = ("state", "body", "kind")
    search_fields = ("title",)
    inlines = [ParticipantInline]
    # State changes go through the services (and their notices), not the admin.
    readonly_fields = ("state", "published_at", "notice_sequence", "changed_since_notice", "created_by", "created_at")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "meeting", "actor", "action")
    list_filter = ("action",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
