"""The minutes after the meeting: compile (numbered versions), circulate for remarks, approve,
sign (secretary, then chair; PAdES), archive. A signed version is never rewritten: each signature
is an incremental update saved as a new version."""

from __future__ import annotations

import datetime
import functools
import hashlib
import unicodedata
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import Meeting, User
from meetings.permissions import participation_of, user_can_manage_meeting
from meetings.services.audit import audit_record
from meetings.services.guards import lock_meeting
from meetings.services.notifications import minutes_notify_circulated, minutes_notify_remark, minutes_notify_signer
from meetings.text import clean_text, fold_for_search
from minutes.compile import minutes_compile_pdf
from minutes.models import SIGNING_ORDER, Minutes, MinutesAssent, MinutesRemark, MinutesVersion
from minutes.selectors import latest_version, minutes_asked, minutes_last_circulated_version, minutes_of, next_signer_role

if TYPE_CHECKING:
    from minutes.signing import SignerIdentity


def _locked_minutes(meeting: Meeting) -> Minutes:
    minutes_of(meeting=meeting)
    return Minutes.objects.select_for_update().get(meeting=meeting)


def _require_manager(*, actor: User, meeting: Meeting) -> None:
    if not user_can_manage_meeting(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the meeting's secretary can do this with the minutes."))


def _store(*, minutes: Minutes, pdf: bytes, actor: User, page_count: int, **fields: object) -> MinutesVersion:
    digest = hashlib.sha256(pdf).hexdigest()
    number = (minutes.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = MinutesVersion(
        minutes=minutes, number=number, sha256=digest, size=len(pdf), page_count=page_count, created_by=actor, **fields
    )
    version.file.save(f"{minutes.meeting_id}/{number:03d}-{digest[:16]}.pdf", ContentFile(pdf), save=False)
    version.save()
    return version


@transaction.atomic
def minutes_settings_update(
    *,
    actor: User,
    meeting: Meeting,
    number: str,
    recipients: str,
    language: str,
    appendix_document_ids: list[int],
    closing: str = "",
) -> Minutes:
    meeting = lock_meeting(meeting=meeting)
    _require_manager(actor=actor, meeting=meeting)
    minutes = _locked_minutes(meeting)
    if minutes.state not in (Minutes.State.DRAFT, Minutes.State.CIRCULATED):
        raise WrongState(_("The minutes have been approved; their settings can no longer change."))
    if language not in Minutes.Language.values:
        raise ServiceError(_("Unknown layout."), code="invalid")
    minutes.number = clean_text(number)[:60]
    minutes.recipients = clean_text(recipients)[:2000]
    minutes.language = language
    minutes.closing = clean_text(closing)[:2000]
    minutes.save(update_fields=["number", "recipients", "language", "closing"])
    chosen = meeting.documents.filter(pk__in=appendix_document_ids)
    if chosen.filter(confidential=True).exists():
        raise ServiceError(
            _("Confidential documents are not appended to the minutes: the minutes go to every participant."), code="confidential"
        )
    minutes.appendix_documents.set(chosen)
    audit_record(
        meeting=meeting,
        actor=actor,
        action="minutes.settings",
        number=minutes.number,
        language=minutes.language,
        recipients=minutes.recipients,
        closing=minutes.closing,
        appendices=sorted(chosen.values_list("pk", flat=True)),
    )
    return minutes


def minutes_compile(*, actor: User, meeting: Meeting) -> MinutesVersion:
    """Render outside the transaction (it takes seconds), then store it as the next version."""
    meeting = Meeting.objects.get(pk=meeting.pk)
    _require_manager(actor=actor, meeting=meeting)
    if meeting.state not in (Meeting.State.CLOSED,):
        raise WrongState(_("The minutes are compiled after the meeting has ended."))
    minutes = minutes_of(meeting=meeting)
    if minutes.state not in (Minutes.State.DRAFT, Minutes.State.CIRCULATED):
        raise WrongState(_("The minutes have been approved; they are no longer compiled again."))
    compiled = minutes_compile_pdf(meeting=meeting)
    with transaction.atomic():
        lock_meeting(meeting=meeting)
        minutes = _locked_minutes(meeting)
        if minutes.state not in (Minutes.State.DRAFT, Minutes.State.CIRCULATED):
            raise WrongState(_("The minutes have been approved; they are no longer compiled again."))
        version = _store(
            minutes=minutes, pdf=compiled.pdf, actor=actor, page_count=compiled.page_count, signature_boxes=compiled.signature_boxes
        )
        audit_record(meeting=meeting, actor=actor, action="minutes.compile", version=version.number, sha256=version.sha256)
        if minutes.state == Minutes.State.CIRCULATED:
            # Nobody has been sent the new version: the round on the old one ends, and the new one goes
            # round when the secretary sends it (the e-mail says which version it replaces).
            minutes.state = Minutes.State.DRAFT
            minutes.save(update_fields=["state"])
            audit_record(meeting=meeting, actor=actor, action="minutes.back_to_draft", why="compiled", version=version.number)
    return version


@transaction.atomic
def minutes_circulate(*, actor: User, meeting: Meeting, remarks_due: datetime.datetime | None = None) -> Minutes:
    """Send the latest version round for remarks, by `remarks_due` when given: past it, a participant
    who has not answered is taken to agree."""
    meeting = lock_meeting(meeting=meeting)
    _require_manager(actor=actor, meeting=meeting)
    minutes = _locked_minutes(meeting)
    if minutes.state not in (Minutes.State.DRAFT, Minutes.State.CIRCULATED):
        raise WrongState(_("Only draft minutes are circulated."))
    version = latest_version(minutes=minutes)
    if version is None:
        raise WrongState(_("Compile the minutes first."))
    if remarks_due is not None and remarks_due <= timezone.now():
        raise ServiceError(_("The date for remarks has already passed: choose a later one."), code="invalid")
    # Sent round again after the remarks: the e-mail says which version this one replaces.
    earlier = minutes_last_circulated_version(meeting=meeting)
    replaces = earlier if earlier != version.number else None
    minutes.state = Minutes.State.CIRCULATED
    minutes.circulated_at = timezone.now()
    minutes.remarks_due = remarks_due
    minutes.save(update_fields=["state", "circulated_at", "remarks_due"])
    audit_record(
        meeting=meeting,
        actor=actor,
        action="minutes.circulate",
        version=version.number,
        remarks_due=remarks_due.isoformat() if remarks_due else None,
    )
    minutes_notify_circulated(
        meeting=Meeting.objects.select_related("secretary").get(pk=meeting.pk),
        sender=actor,
        version=version.number,
        replaces=replaces,
        remarks_due=remarks_due,
    )
    return minutes


@transaction.atomic
def minutes_back_to_draft(*, actor: User, meeting: Meeting) -> Minutes:
    """Take circulated minutes back to edit them after the remarks."""
    meeting = lock_meeting(meeting=meeting)
    _require_manager(actor=actor, meeting=meeting)
    minutes = _locked_minutes(meeting)
    if minutes.state != Minutes.State.CIRCULATED:
        raise WrongState(_("Only circulated minutes go back to draft."))
    minutes.state = Minutes.State.DRAFT
    minutes.save(update_fields=["state"])
    audit_record(meeting=meeting, actor=actor, action="minutes.back_to_draft")
    return minutes


@transaction.atomic
def minutes_remark_add(*, actor: User, meeting: Meeting, text: str) -> MinutesRemark:
    meeting = lock_meeting(meeting=meeting)
    if participation_of(user=actor, meeting=meeting) is None:
        raise NotAllowed(_("Only participants of the meeting can comment on its minutes."))
    minutes = _locked_minutes(meeting)
    if minutes.state != Minutes.State.CIRCULATED:
        raise WrongState(_("The minutes are not open for remarks now."))
    text = clean_text(text)
    if not text:
        raise ServiceError(_("Write your remark first."), code="invalid")
    if len(text) > 5000:
        raise ServiceError(_("A remark can be at most 5000 characters."), code="invalid")
    remark = MinutesRemark.objects.create(minutes=minutes, version=latest_version(minutes=minutes), author=actor, text=text)
    audit_record(meeting=meeting, actor=actor, action="minutes.remark", remark=remark.pk)
    minutes_notify_remark(meeting=Meeting.objects.select_related("secretary").get(pk=meeting.pk), remark=remark)
    return remark


@transaction.atomic
def minutes_assent(*, actor: User, meeting: Meeting) -> MinutesAssent:
    """One of those asked agrees with the circulated version as it is. Saying it twice changes nothing."""
    meeting = lock_meeting(meeting=meeting)
    if participation_of(user=actor, meeting=meeting) is None:
        raise NotAllowed(_("Only participants of the meeting can comment on its minutes."))
    if not minutes_asked(user=actor, meeting=meeting):
        raise NotAllowed(_("Only the members asked for their answer agree with the minutes; you can still send remarks."))
    minutes = _locked_minutes(meeting)
    if minutes.state != Minutes.State.CIRCULATED:
        raise WrongState(_("The minutes are not open for remarks now."))
    version = latest_version(minutes=minutes)
    assent, created = MinutesAssent.objects.get_or_create(minutes=minutes, version=version, author=actor)
    if created:
        audit_record(meeting=meeting, actor=actor, action="minutes.assent", version=version.number)
    return assent


@transaction.atomic
def minutes_remark_answer(*, actor: User, meeting: Meeting, remark_id: int, outcome: str, reply: str = "") -> MinutesRemark:
    """The secretary says what became of a remark: taken in (the next version changes) or kept as it
    is, with a word of why; its author sees the answer. Answerable until the minutes are approved."""
    meeting = lock_meeting(meeting=meeting)
    _require_manager(actor=actor, meeting=meeting)
    minutes = _locked_minutes(meeting)
    if minutes.state not in (Minutes.State.DRAFT, Minutes.State.CIRCULATED):
        raise WrongState(_("The minutes are approved: their remarks can no longer be answered."))
    remark = MinutesRemark.objects.filter(minutes=minutes, pk=remark_id).first()
    if remark is None:
        raise ServiceError(_("That remark does not exist."), code="not_found")
    if outcome not in MinutesRemark.Outcome.values:
        raise ServiceError(_("Say whether the remark is taken in or the text kept as it is."), code="invalid")
    reply = clean_text(reply)
    if len(reply) > 2000:
        raise ServiceError(_("A reply can be at most 2000 characters."), code="invalid")
    remark.outcome, remark.reply, remark.answered_by, remark.answered_at = outcome, reply, actor, timezone.now()
    remark.save(update_fields=["outcome", "reply", "answered_by", "answered_at"])
    audit_record(meeting=meeting, actor=actor, action="minutes.remark_answer", remark=remark.pk, outcome=outcome)
    return remark


@transaction.atomic
def minutes_approve(*, actor: User, meeting: Meeting, version_number: int | None = None) -> Minutes:
    """`version_number`: the version the chair read; approving fails if a newer one was compiled meanwhile."""
    meeting = lock_meeting(meeting=meeting)
    if actor.pk != meeting.chair_id:
        raise NotAllowed(_("Only the chair approves the minutes."))
    minutes = _locked_minutes(meeting)
    if minutes.state not in (Minutes.State.DRAFT, Minutes.State.CIRCULATED):
        raise WrongState(_("These minutes have already been approved."))
    version = latest_version(minutes=minutes)
    if version is None:
        raise WrongState(_("Compile the minutes first."))
    if version_number is not None and version.number != version_number:
        newer = _("A newer version (v%(number)s) was compiled after you opened the page. Read it, then approve it.")
        raise WrongState(newer % {"number": version.number})
    minutes.state = Minutes.State.APPROVED
    minutes.approved_at = timezone.now()
    minutes.save(update_fields=["state", "approved_at"])
    meeting.state = Meeting.State.MINUTES_APPROVED
    meeting.save(update_fields=["state"])
    audit_record(meeting=meeting, actor=actor, action="minutes.approve", version=version.number, sha256=version.sha256)
    minutes_notify_signer(meeting=meeting, signer=meeting.secretary)
    return minutes


def _role_of(*, actor: User, meeting: Meeting) -> str:
    if actor.pk == meeting.chair_id:
        return "chair"
    if actor.pk == meeting.secretary_id:
        return "secretary"
    raise NotAllowed(_("Only the secretary and the chair sign the minutes."))


def _certificate(*, p12: bytes | None, passphrase: str) -> tuple[bytes, bytes | None]:
    """The signer's own PKCS#12 (used for this signature only, never stored), or the organisation's."""
    if p12:
        return p12, passphrase.encode() if passphrase else None
    path = getattr(settings, "SIGNING_ORGANISATION_P12", "")
    if not path:
        raise ServiceError(_("Choose your signing certificate (a .p12 or .pfx file) and enter its password."), code="no_certificate")
    with open(path, "rb") as handle:
        return handle.read(), settings.SIGNING_ORGANISATION_PASSPHRASE.encode() or None


def _same_name(certificate_name: str, account_name: str) -> bool:
    """The same person's name: letter for letter with its diacritics, case aside; only a certificate that
    writes the name without diacritics ("TRAN THI THU") is compared without them. "Trần Thị Thư" is not
    "Trần Thị Thu"."""
    written = " ".join(unicodedata.normalize("NFC", certificate_name).casefold().split())
    if written.isascii():
        return fold_for_search(written) == fold_for_search(account_name)
    return written == " ".join(unicodedata.normalize("NFC", account_name).casefold().split())


def _require_own_certificate(actor: User, holder: SignerIdentity) -> None:
    """A personal certificate signs only for the person it was issued to: its UID is their account, or its
    name is theirs. Raises ServiceError, which the signing lets through to the signer."""
    if holder.user_id and holder.user_id == actor.username:
        return
    if _same_name(holder.common_name, actor.display_name):
        return
    raise ServiceError(
        _("This certificate was issued to %(holder)s, not to you (%(name)s). Sign with your own certificate.")
        % {"holder": holder.common_name, "name": actor.display_name},
        code="not_your_certificate",
    )


@transaction.atomic
def minutes_sign(*, actor: User, meeting: Meeting, p12: bytes | None, passphrase: str) -> MinutesVersion:
    from minutes.signing import SigningError, pdf_sign

    meeting = lock_meeting(meeting=meeting)
    role = _role_of(actor=actor, meeting=meeting)
    minutes = _locked_minutes(meeting)
    if minutes.state in (Minutes.State.SIGNED, Minutes.State.ARCHIVED):
        # A second tab, an old link: they signed already, and so did everyone else.
        raise WrongState(_("The minutes are already signed by the secretary and the chair; nothing is left to sign."))
    if minutes.state != Minutes.State.APPROVED:
        raise WrongState(_("The minutes are signed once the chair has approved them."))
    current = latest_version(minutes=minutes)
    signed = list(current.signers)
    if role in signed:
        raise WrongState(_("You have already signed these minutes."))
    if role != next_signer_role(signers=signed):
        raise WrongState(_("The secretary signs first, then the chair."))
    page, x1, y1, x2, y2 = current.signature_boxes[role]
    certificate, secret = _certificate(p12=p12, passphrase=passphrase)
    titles = {"secretary": "Thư ký", "chair": "Chủ tọa"}
    if p12:
        # One's own certificate signs only for oneself; the stamp gives one's name as written here.
        signer_name, role_line = actor.display_name, titles[role]
        check_signer = functools.partial(_require_own_certificate, actor)
    else:
        # The organisation's certificate: the stamp names it, and who signed with it in which role.
        signer_name, role_line, check_signer = None, f"{titles[role]}: {actor.display_name}", None
    with current.file.open("rb") as handle:
        original = handle.read()
    try:
        pdf = pdf_sign(
            pdf=original,
            p12=certificate,
            passphrase=secret,
            field_name=f"Signature-{role}",
            page=int(page),
            box=(x1, y1, x2, y2),
            signer_name=signer_name,
            role=role_line,
            reason=f"{titles[role]} ký biên bản",
            location=meeting.location[:100],
            check_signer=check_signer,
            language=minutes.language,
        )
    except SigningError as error:
        raise ServiceError(str(error), code="signing_failed") from error
    version = _store(
        minutes=minutes,
        pdf=pdf,
        actor=actor,
        page_count=current.page_count,
        signed_from=current,
        signers=[*signed, role],
        signature_boxes=current.signature_boxes,
    )
    if len(version.signers) == len(SIGNING_ORDER):
        minutes.state = Minutes.State.SIGNED
        minutes.save(update_fields=["state"])
    elif role == "secretary":
        minutes_notify_signer(meeting=meeting, signer=meeting.chair)
    audit_record(meeting=meeting, actor=actor, action="minutes.sign", role=role, version=version.number, sha256=version.sha256)
    return version


@transaction.atomic
def minutes_archive(*, actor: User, meeting: Meeting) -> Minutes:
    meeting = lock_meeting(meeting=meeting)
    _require_manager(actor=actor, meeting=meeting)
    minutes = _locked_minutes(meeting)
    if minutes.state != Minutes.State.SIGNED:
        raise WrongState(_("Only signed minutes are archived."))
    minutes.state = Minutes.State.ARCHIVED
    minutes.archived_at = timezone.now()
    minutes.save(update_fields=["state", "archived_at"])
    audit_record(meeting=meeting, actor=actor, action="minutes.archive", version=latest_version(minutes=minutes).number)
    return minutes
