from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# The group an administrator puts a secretary in: it lets them create meetings (and so prepare them).
SECRETARIES_GROUP = "Thư ký"


def secretaries_group_ensure(*, using: str = "default", **kwargs: Any) -> None:
    """After migrate: a new installation has the group ready, with its right, for the first secretary.
    Made once: an administrator who later changes the group's rights keeps their change."""
    from django.contrib.auth.models import Group, Permission

    if Group.objects.using(using).filter(name=SECRETARIES_GROUP).exists():
        return
    permission = Permission.objects.using(using).filter(content_type__app_label="meetings", codename="add_meeting").first()
    if permission is None:  # made by auth's handler for this app, which runs first
        return
    Group.objects.using(using).create(name=SECRETARIES_GROUP).permissions.add(permission)


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        # After auth's own handler (registered first), which creates the permissions.
        post_migrate.connect(secretaries_group_ensure, sender=self, dispatch_uid="meetings.secretaries_group")
