"""E-mail notices: to participants, the invitation on publishing, updates after it, withdrawals; to the
chair and the secretary, a participant's notice of absence."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from meetings.calendar import meeting_ics
from meetings.links import site_url
from meetings.models import Meeting, Participant, User
from meetings.selectors.agenda import agenda_flat, agenda_layout
from meetings.selectors.changes import meeting_changes_since_notice
from meetings.services.audit import audit_record

if TYPE_CHECKING:  # minutes and voting build on meetings
    import datetime

    from minutes.models import MinutesRemark
    from voting.models import Poll

NOTICE_SUBJECTS = {
    # Translated when the notice is built, in the site's language.
    "invitation": gettext_noop("Invitation"),
    "update": gettext_noop("Changed"),
    "withdrawal": gettext_noop("No longer invited"),
    "cancellation": gettext_noop("Cancelled"),
}


def _set_password_url(user: User) -> str:
    """For an account made for a guest, without a password yet: the link that sets their first one."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})
    return site_url(path)


def account_welcome_notify(*, user: User) -> int:
    """Tell someone whose account the administrator made without a password their user name and how to
    set one: a secretary is never invited first, so no invitation would carry the link. Returns how many
    were queued (0 without an address)."""
    if not user.reachable_by_email:
        return 0
    context = {
        "url": _set_password_url(user),
        "login_url": site_url(reverse("login")),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your account in the paperless meeting room")
        messages = _one_each(subject=str(subject), template="meetings/email/account_created.txt", context=context, recipients=[user])
    _send_after_commit(messages)
    return len(messages)


def _build_message(
    *,
    meeting: Meeting,
    kind: str,
    recipient: User,
    previous: dict[str, Any] | None = None,
    changes: list[str] | None = None,
    participation: Participant | None = None,
) -> EmailMultiAlternatives:
    starts_local = timezone.localtime(meeting.starts_at)
    context = {
        "previous": _previous_details(meeting=meeting, previous=previous or {}),
        "changes": changes or [],
        "meeting": meeting,
        "kind": kind,
        "recipient": recipient,
        "participation": participation,
        "set_password_url": _set_password_url(recipient) if kind == "invitation" and not recipient.has_usable_password() else "",
        "agenda": agenda_flat(meeting=meeting),
        "starts_at": starts_local,
        "ends_at": timezone.localtime(meeting.ends_at),
        "url": site_url(meeting.get_absolute_url()),
    }
    body = render_to_string("meetings/email/notice.txt", context)
    # The calendar entry is seen by whoever reads the calendar (shared, forwarded): never the link
    # that sets the account's password.
    description = body
    if context["set_password_url"]:
        description = render_to_string("meetings/email/notice.txt", {**context, "set_password_url": ""})
    subject = "[{label}] {title} – {when}".format(
        label=_(NOTICE_SUBJECTS[kind]), title=meeting.title, when=starts_local.strftime("%H:%M %d/%m/%Y")
    )
    message = EmailMultiAlternatives(subject=subject, body=body, to=[recipient.email])
    if kind == "withdrawal":
        # Uninviting one person (RFC 5546 §3.2.5): the CANCEL names only them; the meeting itself goes on.
        ics = meeting_ics(meeting=meeting, attendees=[recipient], description=description, method="CANCEL")
        method = "CANCEL"
    elif kind == "cancellation":
        # The whole meeting is called off (RFC 5546 §3.2.5): STATUS:CANCELLED, and calendars remove it.
        ics = meeting_ics(meeting=meeting, attendees=[recipient], description=description, method="CANCEL", cancel_event=True)
        method = "CANCEL"
    else:
        # Each entry names its own recipient only: a guest (the press) does not get everyone's address.
        ics = meeting_ics(meeting=meeting, attendees=[recipient], description=description, method="REQUEST")
        method = "REQUEST"
    # Django adds the charset of a text part itself.
    message.attach("cuoc-hop.ics", ics, f"text/calendar; method={method}")
    return message


def _previous_details(*, meeting: Meeting, previous: dict[str, Any]) -> dict[str, Any]:
    """The title, time and place as they were, for what changed: a time is given whole (start and end)."""
    details = {name: previous[name] for name in ("title", "location") if name in previous}
    if "starts_at" in previous or "ends_at" in previous:
        details["starts_at"] = timezone.localtime(previous.get("starts_at", meeting.starts_at))
        details["ends_at"] = timezone.localtime(previous.get("ends_at", meeting.ends_at))
    return details


def _send_after_commit(messages: list[EmailMultiAlternatives]) -> None:
    if messages:
        # Nothing is sent for a change that was rolled back.
        transaction.on_commit(lambda: get_connection().send_messages(messages))


def meeting_notify_participants(
    *,
    meeting: Meeting,
    kind: str,
    users: Iterable[User] | None = None,
    previous: dict[str, Any] | None = None,
    actor: User | None = None,
) -> int:
    """Send `kind` notices to `users` (default: every participant). Returns how many were queued.
    `previous`: the calendar fields an update changed, with their former values."""
    participants = list(Participant.objects.filter(meeting=meeting).select_related("user"))
    participation = {p.user_id: p for p in participants}
    recipients = list(users) if users is not None else [p.user for p in participants]
    changes: list[str] = []
    if kind == "update" and users is None:
        with translation.override(settings.LANGUAGE_CODE):
            changes = meeting_changes_since_notice(meeting=meeting)
        # Everyone has now been told: the next notice says what changed after this one.
        layout = [list(row) for row in agenda_layout(meeting=meeting)]
        audit_record(meeting=meeting, actor=actor, action="meeting.notice_sent", sequence=meeting.notice_sequence + 1, layout=layout)
    if kind in ("update", "cancellation") and users is None:
        # A later SEQUENCE than the last notice's: a calendar applies only a newer one.
        meeting.notice_sequence += 1
        meeting.changed_since_notice = False
        Meeting.objects.filter(pk=meeting.pk).update(notice_sequence=meeting.notice_sequence, changed_since_notice=False)
    with translation.override(settings.LANGUAGE_CODE):
        messages = [
            _build_message(
                meeting=meeting,
                kind=kind,
                recipient=user,
                previous=previous,
                changes=changes,
                participation=participation.get(user.pk),
            )
            for user in recipients
            if user.reachable_by_email
        ]
    _send_after_commit(messages)
    return len(messages)


def _one_each(*, subject: str, template: str, context: dict[str, Any], recipients: Iterable[User]) -> list[EmailMultiAlternatives]:
    """The same news to each recipient, its template filled in for them (it greets them by name)."""
    return [
        EmailMultiAlternatives(subject=subject, body=render_to_string(template, {**context, "recipient": user}), to=[user.email])
        for user in recipients
    ]


def _organisers_but(*, meeting: Meeting, users: set[int]) -> QuerySet[User]:
    """The chair and the secretaries who can be e-mailed, but `users` (whom the news is about, or who made it)."""
    assistants = Participant.objects.filter(meeting=meeting, role=Participant.Role.SECRETARY).values("user_id")
    return (
        User.objects.filter(Q(pk__in={meeting.chair_id, meeting.secretary_id}) | Q(pk__in=assistants))
        .exclude(pk__in=users)
        .exclude(email="")
        .filter(is_active=True)
    )


def absence_withdrawn_notify_organisers(*, meeting: Meeting, participant: Participant, sender: User) -> int:
    """Tell those who were told of an absence that it is taken back: they are expected after all.
    Returns how many were queued."""
    attendee = participant.user
    context = {
        "meeting": meeting,
        "attendee": attendee,
        "recorded_by": sender if sender.pk != attendee.pk else None,
        "starts_at": timezone.localtime(meeting.starts_at),
        "url": site_url(meeting.get_absolute_url()),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Attending after all] %(name)s – %(title)s") % {"name": attendee.display_name, "title": meeting.title}
        messages = _one_each(
            subject=str(subject),
            template="meetings/email/absence_withdrawn.txt",
            context=context,
            recipients=_organisers_but(meeting=meeting, users={attendee.pk, sender.pk}),
        )
    _send_after_commit(messages)
    return len(messages)


def absence_notify_organisers(*, meeting: Meeting, participant: Participant, sender: User) -> int:
    """Tell the chair and the secretary that `participant` cannot attend, except the absentee and
    whoever recorded it, and anyone whose proxy they hold. Returns how many were queued."""
    from voting.models import Proxy  # voting builds on meetings

    absentee = participant.user
    organisers = _organisers_but(meeting=meeting, users={absentee.pk, sender.pk})
    # A proxy they hold is a vote lost too, unless its giver names someone else.
    proxies_held = Proxy.objects.filter(meeting=meeting, holder=participant, revoked_at=None).select_related("giver__user")
    context = {
        "meeting": meeting,
        "participant": participant,
        "absentee": absentee,
        "recorded_by": sender if sender.pk != absentee.pk else None,
        "proxy_givers": [proxy.giver.user.display_name for proxy in proxies_held],
        "starts_at": timezone.localtime(meeting.starts_at),
        "url": site_url(meeting.get_absolute_url()),
    }
    # Whoever gave them a proxy is told too: their vote goes with the absentee unless they name someone else.
    givers = [proxy.giver.user for proxy in proxies_held if proxy.giver.user.reachable_by_email and proxy.giver.user_id != sender.pk]
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Absence] %(name)s – %(title)s") % {"name": absentee.display_name, "title": meeting.title}
        messages = _one_each(subject=str(subject), template="meetings/email/absence.txt", context=context, recipients=organisers)
        messages += _one_each(subject=str(subject), template="meetings/email/proxy_holder_away.txt", context=context, recipients=givers)
    _send_after_commit(messages)
    return len(messages)


def minutes_notify_circulated(
    *, meeting: Meeting, sender: User, version: int, replaces: int | None = None, remarks_due: datetime.datetime | None = None
) -> int:
    """Tell every participant but the one who circulated them that the draft minutes (`version`, which
    `replaces` the one sent round before) await their remarks by `remarks_due` (the chair, that they
    approve them there). Returns how many were queued."""
    url = site_url(reverse("minutes", args=[meeting.pk]))
    from minutes.selectors import minutes_asked_ids  # minutes build on meetings

    participants = Participant.objects.filter(meeting=meeting).exclude(user=sender).select_related("user")
    recipients = [p for p in participants if p.user.reachable_by_email]
    asked = minutes_asked_ids(meeting=meeting)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Draft minutes] %(title)s") % {"title": meeting.title}
        messages = [
            EmailMultiAlternatives(
                subject=str(subject),
                body=render_to_string(
                    "minutes/email/circulated.txt",
                    {
                        "meeting": meeting,
                        "recipient": participant.user,
                        # Addressed as the invitation addresses them: a guest is not "đồng chí".
                        "guest": participant.role == Participant.Role.GUEST,
                        "url": url,
                        "version": version,
                        "replaces": replaces,
                        "remarks_due": remarks_due,
                        # Only those asked have the "I agree" button; the chair approves, a guest may write.
                        "asked": participant.user_id in asked,
                    },
                ),
                to=[participant.user.email],
            )
            for participant in recipients
        ]
    _send_after_commit(messages)
    return len(messages)


def minutes_notify_remark(*, meeting: Meeting, remark: MinutesRemark) -> int:
    """Tell the meeting's secretary of a remark on the draft minutes, to answer it. Returns how many were
    queued (0 when the secretary wrote it, or has no address)."""
    secretary = meeting.secretary
    if secretary.pk == remark.author_id or not secretary.reachable_by_email:
        return 0
    url = site_url(reverse("minutes", args=[meeting.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Remark on the minutes] %(title)s") % {"title": meeting.title}
        body = render_to_string("minutes/email/remark.txt", {"meeting": meeting, "recipient": secretary, "remark": remark, "url": url})
        message = EmailMultiAlternatives(subject=str(subject), body=body, to=[secretary.email])
    _send_after_commit([message])
    return 1


def minutes_notify_signer(*, meeting: Meeting, signer: User) -> int:
    """Tell the one whose signature the minutes now wait for (the secretary once approved, the chair once
    the secretary has signed) that it is their turn. Returns how many were queued (0 without an address)."""
    if not signer.reachable_by_email:
        return 0
    url = site_url(reverse("minutes", args=[meeting.pk]))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Minutes to sign] %(title)s") % {"title": meeting.title}
        body = render_to_string("minutes/email/sign.txt", {"meeting": meeting, "recipient": signer, "url": url})
        message = EmailMultiAlternatives(subject=str(subject), body=body, to=[signer.email])
    _send_after_commit([message])
    return 1


def poll_notify_written_open(*, meeting: Meeting, poll: Poll) -> int:
    """Ask every member with a vote for their written opinion (lấy ý kiến bằng văn bản): the question,
    the deadline and where to answer. Returns how many were queued."""
    url = site_url(meeting.get_absolute_url()) + "#votes"
    members = Participant.objects.filter(meeting=meeting, can_vote=True).select_related("user")
    recipients = [p.user for p in members if p.user.reachable_by_email]
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Written opinion] %(question)s") % {"question": poll.question}
        messages = _one_each(
            subject=str(subject)[:200],
            template="voting/email/written_open.txt",
            context={"meeting": meeting, "poll": poll, "url": url, "deadline": timezone.localtime(poll.closes_at)},
            recipients=recipients,
        )
    _send_after_commit(messages)
    return len(messages)
