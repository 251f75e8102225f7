"""Who may do what. Views, consumers and services all ask these same functions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from meetings.apps import SECRETARIES_GROUP
from meetings.models import Document, Meeting, Participant, User


def create_refused(*, user: User) -> str:
    """What someone who may not create meetings is told, on the page and by the service alike."""
    if user.is_authenticated and user.has_perm("meetings.add_meeting") and user.body_id is None:
        return _(
            "Your account belongs to no body yet, so it is not known whose meetings you prepare. Ask the administrator to set your body."
        )
    return _("Your account may not create meetings yet. Ask the administrator to add you to the secretaries' group (“%(group)s”).") % {
        "group": SECRETARIES_GROUP
    }


def user_can_create_meetings(*, user: User) -> bool:
    """The administrator, and a secretary of a body: someone with no body would otherwise be offered every body's meetings."""
    return user.is_authenticated and (user.is_superuser or (user.has_perm("meetings.add_meeting") and user.body_id is not None))


def user_can_manage_meeting(*, user: User, meeting: Meeting) -> bool:
    """Prepare the meeting: details, participants, agenda, documents, publishing."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.pk in (meeting.secretary_id, meeting.created_by_id):
        return True
    # An assistant secretary invited in the secretary's role helps prepare it too.
    return Participant.objects.filter(meeting=meeting, user=user, role=Participant.Role.SECRETARY).exists()


def user_runs_meeting(*, user: User, meeting: Meeting) -> bool:
    """The chair and the secretaries: they prepare polls, send notices, keep attendance, see the draft
    minutes, and take a shared annotation off the screens."""
    return user.is_authenticated and (user.pk == meeting.chair_id or user_can_manage_meeting(user=user, meeting=meeting))


def meeting_runner_ids(*, meeting: Meeting) -> list[int]:
    """Every user for whom user_runs_meeting holds: the audience of what only they may see live (a prepared vote)."""
    runners = {meeting.chair_id, meeting.secretary_id, meeting.created_by_id}
    runners.update(Participant.objects.filter(meeting=meeting, role=Participant.Role.SECRETARY).values_list("user_id", flat=True))
    runners.update(User.objects.filter(is_superuser=True, is_active=True).values_list("pk", flat=True))
    return sorted(runner for runner in runners if runner is not None)


def participation_of(*, user: User, meeting: Meeting) -> Participant | None:
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(meeting=meeting, user=user).first()


def user_can_view_meeting(*, user: User, meeting: Meeting) -> bool:
    """Participants see a meeting once it is published; its managers see it from the start."""
    if user_can_manage_meeting(user=user, meeting=meeting):
        return True
    if not meeting.is_published:
        return False
    return user.is_authenticated and Participant.objects.filter(meeting=meeting, user=user).exists()


def user_can_view_document(*, user: User, document: Document) -> bool:
    meeting = document.meeting
    if not user_can_view_meeting(user=user, meeting=meeting):
        return False
    if not document.confidential:
        return True
    if user_can_manage_meeting(user=user, meeting=meeting) or user.pk == meeting.chair_id:
        return True
    return document.readers.filter(pk=user.pk).exists()
