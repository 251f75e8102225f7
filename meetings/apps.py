from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The group an administrator puts a secretary in: it lets them create meetings (and so prepare them).
SECRETARIES_GROUP = "Thư ký"


def secretaries_group_ensure(**kwargs: Any) -> None:
    """After every migrate: a new installation has the group ready, with its right, for the first secretary."""
    from django.contrib.auth.models import Group, Permission

    permission = Permission.objects.filter(content_type__app_label="meetings", codename="add_meeting").first()
    if permission is None:  # permissions are made by the same signal; the next migrate finds it
        return
    group, _created = Group.objects.get_or_create(name=SECRETARIES_GROUP)
    group.permissions.add(permission)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # After auth's own handler (registered first), which creates the permissions.
        post_migrate.connect(secretaries_group_ensure, dispatch_uid="meetings.secretaries_group")
