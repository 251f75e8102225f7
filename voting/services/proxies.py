"""Proxies: a member who cannot attend lets another member vote for them."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import Meeting, User
from meetings.permissions import participation_of, user_can_manage_meeting
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import lock_meeting
from voting.models import Poll, Proxy
from voting.selectors import AWAY, proxies_state


def _emit_proxies(meeting: Meeting) -> None:
    event_emit(meeting=meeting, type="proxy.update", payload={"proxies": proxies_state(meeting=meeting)})


def _require_no_open_vote(meeting: Meeting) -> None:
    if Poll.objects.filter(meeting=meeting, mode=Poll.Mode.LIVE, state=Poll.State.OPEN).exists():
        raise WrongState(_("A vote is open. Proxies can be given or revoked only between votes."), code="poll_open")


@transaction.atomic
def proxy_give(*, actor: User, meeting: Meeting, holder_id: int, giver_id: int | None = None) -> Proxy:
    """A delegate who cannot attend lets another delegate vote for them; the secretary may record it for them."""
    meeting = lock_meeting(meeting=meeting)
    if meeting.state not in (Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS):
        raise WrongState(_("Proxies can be given only before or during the meeting."))
    actor_participant = participation_of(user=actor, meeting=meeting)
    if giver_id is None or (actor_participant is not None and giver_id == actor_participant.pk):
        giver = actor_participant
    elif user_can_manage_meeting(user=actor, meeting=meeting):
        giver = meeting.participants.filter(pk=giver_id).first()
    else:
        raise NotAllowed(_("Only the secretary can record a proxy on someone else's behalf."))
    holder = meeting.participants.filter(pk=holder_id).first()
    if giver is None or holder is None:
        raise ServiceError(_("That person is not a participant of this meeting."), code="not_found")
    if not giver.can_vote:
        raise NotAllowed(_("Only a member with a vote can give a proxy."), code="not_eligible")
    if not holder.can_vote or holder.pk == giver.pk:
        raise ServiceError(_("A proxy can be given only to another member with a vote."), code="invalid")
    if holder.attendance in AWAY:
        raise ServiceError(
            _("%(name)s will not be at the meeting (absent). Give the proxy to a member who will be there.")
            % {"name": holder.user.display_name},
            code="holder_away",
        )
    _require_no_open_vote(meeting)
    if Proxy.objects.filter(meeting=meeting, giver=giver, revoked_at=None).exists():
        raise ServiceError(_("A proxy has already been given. Revoke it first to give it to someone else."), code="duplicate")
    if Proxy.objects.filter(meeting=meeting, holder=holder, revoked_at=None).exists():
        raise ServiceError(
            _("%(name)s already holds a proxy; one member may hold only one.") % {"name": holder.user.display_name}, code="duplicate"
        )
    if Proxy.objects.filter(meeting=meeting, holder=giver, revoked_at=None).exists():
        raise ServiceError(_("You hold a proxy yourself, so you cannot hand your own vote on."), code="invalid")
    if Proxy.objects.filter(meeting=meeting, giver=holder, revoked_at=None).exists():
        raise ServiceError(
            _("%(name)s has handed their own vote to someone else, so they cannot hold a proxy.") % {"name": holder.user.display_name},
            code="invalid",
        )
    proxy = Proxy.objects.create(meeting=meeting, giver=giver, holder=holder)
    audit_record(meeting=meeting, actor=actor, action="proxy.give", giver=giver.pk, holder=holder.pk)
    _emit_proxies(meeting)
    return proxy


@transaction.atomic
def proxy_revoke(*, actor: User, meeting: Meeting, proxy_id: int) -> None:
    meeting = lock_meeting(meeting=meeting)
    proxy = Proxy.objects.filter(meeting=meeting, pk=proxy_id, revoked_at=None).select_related("giver").first()
    if proxy is None:
        raise ServiceError(_("That proxy is not in force."), code="not_found")
    if actor.pk != proxy.giver.user_id and not user_can_manage_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only whoever gave the proxy, or the secretary, can revoke it."))
    _require_no_open_vote(meeting)
    proxy.revoked_at = timezone.now()
    proxy.save(update_fields=["revoked_at"])
    audit_record(meeting=meeting, actor=actor, action="proxy.revoke", giver=proxy.giver_id, holder=proxy.holder_id)
    _emit_proxies(meeting)
