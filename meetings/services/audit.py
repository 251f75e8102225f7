from __future__ import annotations

from typing import Any

from meetings.models import AuditEvent, Meeting, User


def audit_record(*, meeting: Meeting | None, actor: User | None, action: str, **data: Any) -> AuditEvent:
    return AuditEvent.objects.create(meeting=meeting, actor=actor, action=action, data=data)
