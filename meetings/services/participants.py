"""Inviting people to a meeting, their roles and voting rights."""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError
from meetings.models import Meeting, Participant, User
from meetings.selectors.live import attendance_state
from meetings.services.audit import audit_record
from meetings.services.events import event_emit
from meetings.services.guards import lock_meeting, require_manager, require_preparation_state
from meetings.services.notifications import meeting_notify_participants
from meetings.text import clean_text, file_slug
from realtime.events import publish_rejoin
from voting.models import VoterMark
from voting.services.ballots import polls_after_electorate

# The chair's role follows the meeting's chair field; here one invites everyone else.
INVITABLE_ROLES = (Participant.Role.DELEGATE, Participant.Role.GUEST, Participant.Role.SECRETARY)


def _normalise_vote(*, role: str, can_vote: bool) -> bool:
    return False if role == Participant.Role.GUEST else can_vote


def _check_role(*, role: str) -> None:
    if role not in INVITABLE_ROLES:
        raise ServiceError(_("Choose delegate, guest or secretary. The chair is set in the meeting's details."), code="invalid_role")


@transaction.atomic
def participants_invite(*, actor: User, meeting: Meeting, users: list[User], role: str, can_vote: bool) -> list[Participant]:
    """Invite several people at once with the same role. People already invited are left as they are."""
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    require_preparation_state(meeting=meeting)
    _check_role(role=role)
    already = set(Participant.objects.filter(meeting=meeting, user__in=users).values_list("user_id", flat=True))
    created = []
    for user in users:
        if user.pk in already or not user.is_active:
            continue
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    meeting=meeting, user=user, role=role, can_vote=_normalise_vote(role=role, can_vote=can_vote)
                )
        except IntegrityError:
            continue
        created.append(participant)
        audit_record(meeting=meeting, actor=actor, action="participant.invite", user=user.pk, role=role)
    if created:
        attendance_emit(meeting=meeting)
        polls_after_electorate(meeting=meeting)
        # Someone who prepares the meeting without taking part yet, with the room open, gets their place in it.
        publish_rejoin(meeting_id=meeting.pk, users=[p.user_id for p in created])
    if created and meeting.is_published:
        # Newcomers get the invitation itself; the others need not hear about it.
        meeting_notify_participants(meeting=meeting, kind="invitation", users=[p.user for p in created])
    return created


def attendance_emit(*, meeting: Meeting) -> None:
    """The list of participants on every open screen (who, in which role, with a vote, marked how), after
    it changed. `meeting` is the caller's lock_meeting instance. A draft's room is open only to those who
    prepare it, who see the list where they change it: nothing is told until it is published."""
    if not meeting.is_published:
        return
    event_emit(meeting=meeting, type="attendance.update", payload={"attendance": attendance_state(meeting=meeting)})


def _free_username(*, email: str, full_name: str) -> str:
    """A login name for a new guest account: the address's local part ("nguyen.an"), else the name in
    ASCII ("nguyen-van-an"), numbered when taken."""
    local = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0].lower()) if email else ""
    base = local[:30] or file_slug(full_name).replace("-", ".")[:30] or "khach"
    name, number = base, 1
    while User.objects.filter(username__iexact=name).exists():
        number += 1
        name = f"{base}{number}"
    return name


@transaction.atomic
def guest_invite(*, actor: User, meeting: Meeting, full_name: str, position: str = "", email: str = "") -> Participant:
    """Invite a guest who is not in the directory (a journalist, an expert, someone from another body)
    without the administrator: their account is made here, with no password (the invitation carries a
    link to set one). Someone whose address is already known is invited with the account they have."""
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)  # two guests of one name invited at once get two login names
    require_preparation_state(meeting=meeting)
    full_name, position, email = clean_text(full_name), clean_text(position), (email or "").strip()
    if not full_name:
        raise ServiceError(_("Write the guest's full name."), code="invalid")
    if len(full_name) > 150 or len(position) > 200:
        raise ServiceError(_("The name can be at most 150 characters, the position 200."), code="invalid")
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise ServiceError(_("“%(email)s” is not an e-mail address. Check it, or leave it empty.") % {"email": email}) from error
    # An account in use with this address is theirs (an administrator's is not offered to a secretary).
    known = list(User.objects.filter(email__iexact=email).order_by("is_superuser", "-is_active", "pk")) if email else []
    user = known[0] if known else None
    if user is not None and user.is_superuser:
        # Not a second account on the administrator's address: both would answer "forgot password".
        raise ServiceError(
            _("The address %(email)s belongs to an administrator's account, which is not invited to meetings. Give another address.")
            % {"email": email},
            code="invalid",
        )
    if user is not None and not user.is_active:
        raise ServiceError(
            _("The account with the address %(email)s is switched off. Ask the administrator to switch it on.") % {"email": email},
            code="switched_off",
        )
    if user is None:
        # Theirs is the inviting body's directory: the guest is not offered to every other body.
        user = User(
            username=_free_username(email=email, full_name=full_name),
            full_name=full_name,
            position=position,
            email=email,
            body=meeting.body,
        )
        user.set_unusable_password()
        user.save()
        audit_record(meeting=meeting, actor=actor, action="user.create_guest", user=user.pk, username=user.username)
    invited = participants_invite(actor=actor, meeting=meeting, users=[user], role=Participant.Role.GUEST, can_vote=False)
    if not invited:
        raise ServiceError(_("%(name)s is already invited to this meeting.") % {"name": user.display_name}, code="already_invited")
    return invited[0]


GUEST_PASSWORD_PAIRS = 3  # about 48 bits: a word and four digits, three times
GUEST_PASSWORD_WORDS = ("hop", "song", "bien", "cau", "tau", "nui", "pho", "den")


@transaction.atomic
def guest_password_issue(*, actor: User, participant: Participant) -> str:
    """A first password for a guest the secretary invited without an e-mail address, to hand over on
    paper: without it they could never log in. Only for such a guest (no address, no password yet, not
    an official of the directory), so a secretary cannot take over anyone else's account."""
    meeting = participant.meeting
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    user = User.objects.select_for_update().get(pk=participant.user_id)
    if participant.role != Participant.Role.GUEST or user.email or user.has_usable_password() or user.is_staff or user.is_superuser:
        raise NotAllowed(_("Only a guest invited without an e-mail address, who has no password yet, is given one here."))
    # Words and digits a person can read out and type on a tablet: "hop-7392-song-1845-nui-2051".
    pairs = (f"{secrets.choice(GUEST_PASSWORD_WORDS)}-{secrets.randbelow(9000) + 1000}" for _ in range(GUEST_PASSWORD_PAIRS))
    password = "-".join(pairs)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(meeting=meeting, actor=actor, action="user.guest_password", user=user.pk)
    return password


@transaction.atomic
def participant_update(*, actor: User, participant: Participant, role: str, can_vote: bool) -> Participant:
    meeting = participant.meeting
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    require_preparation_state(meeting=meeting)
    if participant.user_id == meeting.chair_id:
        if role != Participant.Role.CHAIR or not can_vote:
            raise ServiceError(
                _("The chair keeps the chair's role and vote. Change the chair in the meeting's details."), code="chair_fixed"
            )
        return participant
    _check_role(role=role)
    if participant.user_id == meeting.secretary_id and role != Participant.Role.SECRETARY:
        raise ServiceError(_("The meeting's secretary keeps the secretary's role."), code="secretary_fixed")
    if (participant.role, participant.can_vote) == (role, _normalise_vote(role=role, can_vote=can_vote)):
        return participant
    participant.role = role
    participant.can_vote = _normalise_vote(role=role, can_vote=can_vote)
    participant.save(update_fields=["role", "can_vote"])
    audit_record(
        meeting=meeting, actor=actor, action="participant.update", user=participant.user_id, role=role, can_vote=participant.can_vote
    )
    attendance_emit(meeting=meeting)
    polls_after_electorate(meeting=meeting)
    # Their own screen: a secretary's controls and the prepared votes, or a delegate's ballot, from now on.
    publish_rejoin(meeting_id=meeting.pk, users=[participant.user_id])
    return participant


@transaction.atomic
def participant_remove(*, actor: User, participant: Participant) -> None:
    meeting = participant.meeting
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    require_preparation_state(meeting=meeting)
    if participant.user_id in (meeting.chair_id, meeting.secretary_id):
        raise ServiceError(
            _("The chair and the secretary cannot be removed. Change them in the meeting's details first."), code="leading_participant"
        )
    if VoterMark.objects.filter(Q(participant=participant) | Q(cast_by=participant)).exists():
        raise ServiceError(
            _(
                "%(name)s has already answered a question put to this meeting's members, and the answer stays on record: "
                "they cannot be removed. To stop asking them, take away their vote."
            )
            % {"name": participant.user.display_name},
            code="has_answered",
        )
    user = participant.user
    participant.delete()
    audit_record(meeting=meeting, actor=actor, action="participant.remove", user=user.pk)
    attendance_emit(meeting=meeting)
    polls_after_electorate(meeting=meeting)
    # A tablet left open on the meeting is shut out, not kept told what happens in it.
    publish_rejoin(meeting_id=meeting.pk, users=[user.pk])
    if meeting.is_published:
        meeting_notify_participants(meeting=meeting, kind="withdrawal", users=[user])
