"""Small steps the voting tests share: pick a choice by meaning or label, cast, close, read a result row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from meetings.errors import ServiceError
from meetings.models import AuditEvent, Meeting, Participant, User
from voting.models import Poll
from voting.services.ballots import ballot_cast, poll_close


def choice_id(poll: Poll, meaning_or_label: str) -> int:
    """The id of a yes/no poll's choice by meaning ("yes", "no", "abstain"), or of an option by its label."""
    for choice in poll.choices.all():
        if meaning_or_label in (choice.meaning, choice.label):
            return choice.pk
    raise AssertionError(f"no choice {meaning_or_label!r} on poll {poll.pk}")


def vote(poll: Poll, user: User, *choices: str, for_participant: Participant | None = None) -> None:
    ballot_cast(
        actor=user,
        meeting=poll.meeting,
        poll_id=poll.pk,
        choices=[choice_id(poll, c) for c in choices],
        for_participant_id=for_participant.pk if for_participant else None,
    )


def refused(code: str, call: Callable[..., object], *args: Any, **kwargs: Any) -> ServiceError:
    """Call, expect a ServiceError with this code, and return it."""
    with pytest.raises(ServiceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, (caught.value.code, str(caught.value))
    assert str(caught.value).strip()
    return caught.value


def close(poll: Poll, chair: User) -> Poll:
    poll_close(actor=chair, meeting=poll.meeting, poll_id=poll.pk)
    return Poll.objects.get(pk=poll.pk)


def row(result: dict[str, Any], poll: Poll, meaning_or_label: str) -> dict[str, Any]:
    """The result row of one choice."""
    wanted = choice_id(poll, meaning_or_label)
    return next(r for r in result["choices"] if r["choice_id"] == wanted)


def votes_of(result: dict[str, Any], poll: Poll) -> dict[str, int]:
    """Votes per choice label."""
    labels = {c.pk: (c.meaning if c.meaning != "option" else c.label) for c in poll.choices.all()}
    return {labels[r["choice_id"]]: r["votes"] for r in result["choices"]}


def set_attendance(meeting: Meeting, participant: Participant, status: str) -> None:
    """Mark attendance through the service (as the secretary does), which also updates open polls."""
    from meetings.services.live import attendance_mark

    attendance_mark(actor=meeting.secretary, meeting=meeting, participant_id=participant.pk, status=status)


def audit(meeting: Meeting, action: str) -> list[dict[str, Any]]:
    return [event.data for event in AuditEvent.objects.filter(meeting=meeting, action=action).order_by("id")]


def street_names_poll(*, meeting: Meeting, actor: User) -> Poll:
    """Written opinions, prepared: three street names, choose up to two."""
    from voting.services.polls import poll_create

    return poll_create(
        actor=actor,
        meeting=meeting,
        question="Chọn tên đường mới",
        mode=Poll.Mode.WRITTEN,
        kind=Poll.Kind.OPTIONS,
        options=["Đường Hoa Sứ", "Đường Hoa Sen", "Đường Hoa Mai"],
        max_choices=2,
        majority="cast",
    )
