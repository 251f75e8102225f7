"""The minutes after the meeting: the secretary's page (compile, circulate, archive), the chair's
approval and signature, participants' remarks, downloads and the signature check."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.downloads import meeting_file_name
from meetings.errors import ServiceError, WrongState
from meetings.models import Meeting
from meetings.permissions import participation_of, user_can_manage_meeting, user_runs_meeting
from meetings.selectors.meetings import meeting_get_for_user
from meetings.views.common import report
from minutes.models import SIGNING_ORDER, Minutes, MinutesRemark, MinutesVersion
from minutes.selectors import (
    latest_version,
    minutes_asked,
    minutes_last_circulated_version,
    minutes_of,
    minutes_responses,
    minutes_visible_to,
    participants_unmarked,
)
from minutes.services import workflow

MAX_CERTIFICATE_BYTES = 64 * 1024
REMARKS_DUE_TIME = datetime.time(17, 0)  # the end of a working day


def _may_see_versions(request: HttpRequest, meeting: Meeting, minutes: Minutes) -> bool:
    return minutes_visible_to(user=request.user, meeting=meeting)


@login_required
def minutes_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    minutes = minutes_of(meeting=meeting)
    if not _may_see_versions(request, meeting, minutes):
        raise Http404
    manages = user_can_manage_meeting(user=request.user, meeting=meeting)
    versions = list(minutes.versions.select_related("created_by").order_by("-number"))
    remarks = list(minutes.remarks.select_related("author", "version", "answered_by"))
    responses = minutes_responses(meeting=meeting, minutes=minutes)
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "versions": versions if manages or request.user.pk == meeting.chair_id else versions[:1],
        "latest": versions[0] if versions else None,
        "manages": manages,
        "is_chair": request.user.pk == meeting.chair_id,
        "signer_role": "chair" if request.user.pk == meeting.chair_id else "secretary" if request.user.pk == meeting.secretary_id else None,
        "remarks": remarks,
        "unanswered": sum(1 for remark in remarks if not remark.outcome),
        "answerable_states": (Minutes.State.DRAFT, Minutes.State.CIRCULATED),
        "my_remarks": [remark for remark in remarks if remark.author_id == request.user.pk],
        "responses": responses,
        "asked": minutes_asked(user=request.user, meeting=meeting),
        "my_assent": responses is not None and request.user in responses.agreed,
        "my_remarked": responses is not None and request.user in responses.remarked,
        "remarks_due_suggested": remarks_due_suggested(),
        "documents": meeting.documents.filter(confidential=False).order_by("position", "id"),
        "appended": set(minutes.appendix_documents.values_list("pk", flat=True)),
        "is_participant": participation_of(user=request.user, meeting=meeting) is not None,
        "languages": Minutes.Language.choices,
        "organisation_certificate": bool(settings.SIGNING_ORGANISATION_P12),
        # Still to put right in the room before compiling: attendance can be marked until approval.
        "unmarked": participants_unmarked(meeting=meeting) if manages and meeting.state == Meeting.State.CLOSED else [],
    }
    return render(request, "minutes/minutes_page.html", context)


def _remarks_due(value: str) -> datetime.datetime | None:
    """The day remarks are asked by, to the end of that working day; None when left empty."""
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise ServiceError(_("Give the date for remarks as a day of the calendar, or leave it empty."), code="invalid") from None
    return timezone.make_aware(datetime.datetime.combine(day, REMARKS_DUE_TIME))


def remarks_due_suggested() -> datetime.date:
    """Three days on, moved off a weekend: time enough to read, soon enough to sign."""
    day = timezone.localdate() + datetime.timedelta(days=3)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _act(request: HttpRequest, meeting_id: int, action: str) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    done = {
        "compile": _("The minutes have been compiled as a new version."),
        "circulate": _("The minutes have been circulated to the participants for remarks."),
        "draft": _("The minutes are a draft again: edit them, then compile and circulate a new version."),
        "approve": _("The minutes are approved. The secretary signs first, then the chair."),
        "archive": _("The signed minutes are archived with the meeting."),
        "assent": _("Thank you: the secretary sees that you agree with this version as it is."),
    }
    try:
        if action == "compile":
            if "with_settings" in request.POST:
                _settings_save(request, meeting)
            was_circulated = minutes_of(meeting=meeting).state == Minutes.State.CIRCULATED
            version = workflow.minutes_compile(actor=request.user, meeting=meeting)
            if was_circulated:
                done["compile"] = _(
                    "Version %(number)s is compiled. The participants have not been sent it: the round of remarks on the earlier "
                    "version has ended. Circulate this version when it is ready."
                ) % {"number": version.number}
        elif action == "circulate":
            workflow.minutes_circulate(actor=request.user, meeting=meeting, remarks_due=_remarks_due(request.POST.get("remarks_due", "")))
        elif action == "assent":
            workflow.minutes_assent(actor=request.user, meeting=meeting)
        elif action == "draft":
            workflow.minutes_back_to_draft(actor=request.user, meeting=meeting)
        elif action == "approve":
            # The approval names the version the chair read on the approval page: without it, nothing is approved.
            version = request.POST.get("version", "")
            if not version.isdigit():
                raise WrongState(_("Open the approval page, read the version it names, then approve it there."))
            workflow.minutes_approve(actor=request.user, meeting=meeting, version_number=int(version))
        elif action == "archive":
            workflow.minutes_archive(actor=request.user, meeting=meeting)
        else:
            raise Http404
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, done[action])
    return redirect("minutes", meeting.pk)


@login_required
def minutes_approve_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Approving is final, and the signatures follow: the chair first sees which version, whether it went
    round for remarks, and what it still lacks (GET); the form names the version read (POST)."""
    if request.method == "POST":
        return _act(request, meeting_id, "approve")
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if request.user.pk != meeting.chair_id:
        raise PermissionDenied
    minutes = minutes_of(meeting=meeting)
    latest = latest_version(minutes=minutes)
    if latest is None or minutes.state not in (Minutes.State.DRAFT, Minutes.State.CIRCULATED):
        return redirect("minutes", meeting.pk)
    circulated = minutes_last_circulated_version(meeting=meeting)
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "latest": latest,
        # Compiled again after it went round, the latest version itself has not been seen by anyone.
        "latest_circulated": circulated == latest.number,
        "earlier_circulated": circulated,
        "remarks": minutes.remarks.filter(version=latest).count(),
        "unanswered": minutes.remarks.filter(outcome="").count(),
        # Taken in on the latest version: the change was promised for a version not yet compiled.
        "promised": minutes.remarks.filter(version=latest, outcome=MinutesRemark.Outcome.TAKEN_IN).count(),
        "unmarked": participants_unmarked(meeting=meeting),
        "responses": minutes_responses(meeting=meeting, minutes=minutes),
    }
    return render(request, "minutes/approve_confirm.html", context)


@login_required
@require_POST
def minutes_action_view(request: HttpRequest, meeting_id: int, action: str) -> HttpResponse:
    return _act(request, meeting_id, action)


def _settings_save(request: HttpRequest, meeting: Meeting) -> None:
    """The number, recipients, closing words, layout and appended documents as the form sends them."""
    try:
        ids = [int(value) for value in request.POST.getlist("documents")]
    except ValueError:
        ids = []
    workflow.minutes_settings_update(
        actor=request.user,
        meeting=meeting,
        number=request.POST.get("number", ""),
        recipients=request.POST.get("recipients", ""),
        language=request.POST.get("language", "vi"),
        closing=request.POST.get("closing", ""),
        appendix_document_ids=ids,
    )


@login_required
@require_POST
def minutes_settings_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    try:
        _settings_save(request, meeting)
    except ServiceError as error:
        report(request, error)
    else:
        if latest_version(minutes=minutes_of(meeting=meeting)) is None:
            messages.success(request, _("Saved. The minutes will be compiled with it."))
        else:
            messages.success(request, _("Saved. Compile the minutes again to see the change."))
    return redirect("minutes", meeting.pk)


@login_required
@require_POST
def minutes_remark_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    try:
        workflow.minutes_remark_add(actor=request.user, meeting=meeting, text=request.POST.get("text", ""))
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, _("Thank you: your remark has been sent to the secretary."))
    return redirect("minutes", meeting.pk)


@login_required
@require_POST
def minutes_remark_answer_view(request: HttpRequest, meeting_id: int, remark_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    try:
        workflow.minutes_remark_answer(
            actor=request.user,
            meeting=meeting,
            remark_id=remark_id,
            outcome=request.POST.get("outcome", ""),
            reply=request.POST.get("reply", ""),
        )
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, _("Answer saved: its author sees it on this page."))
    return redirect(f"{reverse('minutes', args=[meeting.pk])}#remark-{remark_id}")


@login_required
@require_POST
def minutes_sign_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    upload = request.FILES.get("certificate")
    if upload is not None and upload.size > MAX_CERTIFICATE_BYTES:
        messages.error(request, _("That file is too large to be a signing certificate (.p12 or .pfx)."))
        return redirect("minutes", meeting.pk)
    try:
        signed = workflow.minutes_sign(
            actor=request.user, meeting=meeting, p12=upload.read() if upload else None, passphrase=request.POST.get("passphrase", "")
        )
    except ServiceError as error:
        report(request, error)
    else:
        # Said back: whose certificate it was and who vouches for it, as the check page will show it.
        with signed.file.open("rb") as handle:
            last = _checked(handle.read())["checks"][-1]
        said = _("Signed with the certificate of %(name)s, issued by %(issuer)s. The signed copy is kept as version %(number)s.")
        messages.success(request, said % {"name": last.signer_name, "issuer": last.issuer or "?", "number": signed.number})
    return redirect("minutes", meeting.pk)


def _version(request: HttpRequest, meeting_id: int, number: int) -> tuple[Meeting, MinutesVersion]:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    minutes = minutes_of(meeting=meeting)
    if not _may_see_versions(request, meeting, minutes):
        raise Http404
    version = get_object_or_404(MinutesVersion, minutes=minutes, number=number)
    latest = minutes.versions.order_by("-number").first()
    manages = user_runs_meeting(user=request.user, meeting=meeting)
    if not manages and version != latest:
        raise Http404
    return meeting, version


@login_required
def minutes_file_view(request: HttpRequest, meeting_id: int, number: int) -> FileResponse:
    meeting, version = _version(request, meeting_id, number)
    response = FileResponse(version.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{meeting_file_name(meeting=meeting, kind="bien-ban")}-v{version.number}.pdf"'
    response["ETag"] = f'"{version.sha256[:32]}"'
    return response


def _checked(pdf: bytes) -> dict[str, Any]:
    """What the check page shows of a file: each signature in its box, the verdict, the boxes still empty."""
    from minutes.signing import pdf_verdict, pdf_verify, trust_roots_from_settings

    checks = pdf_verify(pdf=pdf, trust_roots=trust_roots_from_settings())
    # Which signature box each signature fills: the certificate's name alone does not say in what role.
    boxes = {"Signature-secretary": _("Secretary"), "Signature-chair": _("Chair")}
    # Intact but not complete: a copy with the secretary's signature alone is not the signed minutes.
    signed_boxes = {check.field_name for check in checks}
    return {
        "rows": [(check, boxes.get(check.field_name, check.field_name)) for check in checks],
        "checks": checks,
        "verdict": pdf_verdict(checks=checks),
        "missing": [boxes[f"Signature-{role}"] for role in SIGNING_ORDER if f"Signature-{role}" not in signed_boxes],
        "sha256": hashlib.sha256(pdf).hexdigest(),
    }


@login_required
def minutes_verify_view(request: HttpRequest, meeting_id: int, number: int) -> HttpResponse:
    """The stored version's signatures; and (POST) a copy someone received, checked without being kept."""
    meeting, version = _version(request, meeting_id, number)
    with version.file.open("rb") as handle:
        stored = _checked(handle.read())
    context: dict[str, Any] = {
        "meeting": meeting,
        "version": version,
        "stored": stored,
        "stored_changed": stored["sha256"] != version.sha256,
    }
    if request.method == "POST":
        upload = request.FILES.get("copy")
        if upload is None or upload.size > settings.DOCUMENT_MAX_BYTES:
            context["copy_error"] = _("Choose the PDF file you received (at most %(size)s MB).") % {
                "size": settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
            }
        else:
            copy = _checked(upload.read())
            same = MinutesVersion.objects.filter(minutes=version.minutes, sha256=copy["sha256"]).first()
            context["copy"] = {**copy, "name": upload.name, "same_as": same}
    return render(request, "minutes/verify.html", context)
