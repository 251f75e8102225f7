from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from meetings.calendar import meeting_ics
from meetings.downloads import meeting_file_name
from meetings.errors import ServiceError
from meetings.forms import MeetingForm
from meetings.models import HELD_STATES, Body, Meeting
from meetings.permissions import create_refused, participation_of, user_can_create_meetings, user_can_manage_meeting, user_runs_meeting
from meetings.selectors.agenda import agenda_flat, agenda_presenters_not_invited, agenda_tree
from meetings.selectors.documents import documents_visible_to
from meetings.selectors.meetings import absence_reasons, meeting_get_for_user, participants_of, participants_with_email_count
from meetings.services.live import attendance_notify_absence, attendance_withdraw_absence
from meetings.services.meetings import (
    DRAFTS_ONLY_DELETED,
    meeting_cancel,
    meeting_cancel_refusal,
    meeting_create,
    meeting_delete,
    meeting_publish,
    meeting_publish_problems,
    meeting_send_update_notice,
    meeting_update,
)
from meetings.views.common import managed_meeting, preparation_closed, report
from minutes.selectors import minutes_visible_to
from voting.selectors import member_voting
from voting.services.ballots import polls_close_due


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    if not user_can_create_meetings(user=request.user):
        raise PermissionDenied(create_refused(user=request.user))
    initial = {"secretary": request.user, "body": request.user.body or Body.objects.first(), "kind": Meeting.Kind.REGULAR}
    form = MeetingForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_create(actor=request.user, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Meeting created. Now invite the participants and build the agenda."))
            _warn_if_in_the_past(request, meeting)
            return redirect("meeting_participants", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


def _warn_if_in_the_past(request: HttpRequest, meeting: Meeting) -> None:
    """A draft dated in the past is saved (a typo in the year, a meeting recorded afterwards), but said at once, not at publishing."""
    if meeting.state == Meeting.State.DRAFT:
        for problem in meeting_publish_problems(meeting=meeting):
            if problem.code == "in_the_past":
                messages.warning(request, str(problem))


def _tell_sent(request: HttpRequest, meeting: Meeting, message: Any) -> None:
    """Say how many participants an e-mail just went to (those with an address). `message`: an
    ngettext_lazy keyed on "count", which picks the singular or the plural when filled in."""
    messages.success(request, message % {"count": participants_with_email_count(meeting=meeting)})


@login_required
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    if closed := preparation_closed(request, meeting):
        return closed
    form = MeetingForm(request.POST or None, instance=Meeting.objects.get(pk=meeting.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            details = dict(form.cleaned_data)
            if "speaker_seconds" not in form.changed_data:
                del details["speaker_seconds"]
            notify = details.pop("notify_now", True)
            updated = meeting_update(actor=request.user, meeting=meeting, notify=notify, **details)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            if updated.notice_sequence != meeting.notice_sequence:
                _tell_sent(
                    request,
                    meeting,
                    ngettext_lazy(
                        "Meeting details saved. What changed was sent by e-mail to %(count)s participant.",
                        "Meeting details saved. What changed was sent by e-mail to %(count)s participants.",
                        "count",
                    ),
                )
            else:
                messages.success(request, _("Meeting details saved."))
            _warn_if_in_the_past(request, updated)
            return redirect("meeting_detail", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    documents = list(documents_visible_to(user=request.user, meeting=meeting))
    by_item: dict[int | None, list] = {}
    for document in documents:
        by_item.setdefault(document.agenda_item_id, []).append(document)
    agenda = agenda_tree(meeting=meeting)
    for node in agenda_flat(meeting=meeting, tree=agenda):
        node.documents = by_item.get(node.item.pk, [])
    polls_close_due(meeting=meeting)  # a written-opinion deadline passed since anyone last looked
    participants = participants_of(meeting=meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "meeting_documents": by_item.get(None, []),
            "has_documents": bool(documents),
            "participants": participants,
            "absences": sum(1 for p in participants if p.absence_notified_at),
            "my_participation": participation_of(user=request.user, meeting=meeting),
            "can_manage": user_can_manage_meeting(user=request.user, meeting=meeting),
            "sees_absence_reasons": user_runs_meeting(user=request.user, meeting=meeting),
            "now": timezone.now(),
            "voting": member_voting(user=request.user, meeting=meeting),
            "show_minutes": minutes_visible_to(user=request.user, meeting=meeting),
            "held": meeting.state in HELD_STATES,
        },
    )


@login_required
def meeting_publish_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Publishing e-mails everyone at once: the secretary first sees who gets it and what is still missing."""
    meeting = managed_meeting(request, meeting_id)
    if request.method == "POST":
        try:
            meeting_publish(actor=request.user, meeting=meeting)
        except ServiceError as error:
            report(request, error)
        else:
            _tell_sent(
                request,
                meeting,
                ngettext_lazy(
                    "Meeting published. The invitation was sent by e-mail to %(count)s participant.",
                    "Meeting published. The invitation was sent by e-mail to %(count)s participants.",
                    "count",
                ),
            )
        return redirect("meeting_detail", meeting.pk)
    if meeting.state != Meeting.State.DRAFT:
        return redirect("meeting_detail", meeting.pk)
    participants = participants_of(meeting=meeting)
    with_documents = set(meeting.documents.values_list("agenda_item_id", flat=True))
    agenda = agenda_flat(meeting=meeting)
    return render(
        request,
        "meetings/publish_confirm.html",
        {
            "meeting": meeting,
            "participants": participants,
            "without_email": [p for p in participants if not p.user.reachable_by_email],
            # A guest with neither an address nor a password cannot even sign in to see the meeting.
            "cannot_sign_in": [p for p in participants if p.user.is_active and not p.user.email and not p.user.has_usable_password()],
            "items_without_documents": [node for node in agenda if not node.children and node.item.pk not in with_documents],
            "presenters_not_invited": agenda_presenters_not_invited(meeting=meeting, agenda=agenda),
            "problems": meeting_publish_problems(meeting=meeting),
        },
    )


@login_required
@require_POST
def meeting_notify_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    try:
        meeting_send_update_notice(actor=request.user, meeting=meeting)
    except ServiceError as error:
        report(request, error)
    else:
        _tell_sent(
            request,
            meeting,
            ngettext_lazy(
                "The changes were sent by e-mail to %(count)s participant.",
                "The changes were sent by e-mail to %(count)s participants.",
                "count",
            ),
        )
    return redirect("meeting_detail", meeting.pk)


@login_required
def meeting_cancel_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    refused = meeting_cancel_refusal(meeting=meeting)
    if refused:
        messages.error(request, str(refused))
        return redirect(meeting)
    error = None
    if request.method == "POST":
        try:
            meeting_cancel(actor=request.user, meeting=meeting, reason=request.POST.get("reason", ""))
        except ServiceError as refused:
            error = refused
        else:
            messages.success(request, _("The meeting is cancelled. Everyone invited has been told by e-mail."))
            return redirect(meeting)
    invited = participants_with_email_count(meeting=meeting)
    context = {"meeting": meeting, "error": error, "reason": request.POST.get("reason", ""), "invited": invited}
    return render(request, "meetings/cancel_meeting.html", context)


@login_required
def meeting_delete_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    if meeting.state != Meeting.State.DRAFT:
        # Never a page that offers what cannot be done: a published meeting is cancelled, not deleted.
        messages.error(request, DRAFTS_ONLY_DELETED)
        return redirect(meeting)
    if request.method == "POST":
        try:
            meeting_delete(actor=request.user, meeting=meeting)
        except ServiceError as error:
            report(request, error)
            return redirect("meeting_detail", meeting.pk)
        messages.success(request, _("Draft meeting deleted."))
        return redirect("home")
    return render(
        request, "meetings/confirm_delete.html", {"meeting": meeting, "object": meeting, "cancel_url": meeting.get_absolute_url()}
    )


@login_required
def meeting_calendar(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    # The reader's own entry: it does not hand out every participant's address.
    ics = meeting_ics(meeting=meeting, attendees=[request.user], description=meeting.title, method="PUBLISH")
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting_file_name(meeting=meeting, kind="cuoc-hop")}.ics"'
    return response


def _absence_for(request: HttpRequest, meeting: Meeting) -> tuple[int | None, str]:
    """Whose absence a form speaks of (the sender's own, or someone the secretary names) and the page to go back to."""
    named = request.POST.get("participant", "")
    if not named:
        return None, "meeting_detail"
    back = "meeting_participants" if user_can_manage_meeting(user=request.user, meeting=meeting) else "meeting_detail"
    return (int(named) if named.isdigit() else 0), back


@login_required
@require_POST
def meeting_absence_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    participant_id, back = _absence_for(request, meeting)
    try:
        participant = attendance_notify_absence(
            actor=request.user, meeting=meeting, reason=request.POST.get("reason", ""), participant_id=participant_id
        )
    except ServiceError as error:
        report(request, error)
    else:
        if participant_id is None:
            messages.success(request, _("The chair and the secretary have been told that you cannot attend, and why."))
        else:
            messages.success(request, _("%(name)s is listed as absent with leave.") % {"name": participant.user.display_name})
    return redirect(back, meeting.pk)


@login_required
@require_POST
def meeting_absence_withdraw_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    participant_id, back = _absence_for(request, meeting)
    try:
        participant = attendance_withdraw_absence(actor=request.user, meeting=meeting, participant_id=participant_id)
    except ServiceError as error:
        report(request, error)
    else:
        if participant_id is None:
            messages.success(request, _("Your notice of absence is withdrawn: you are expected at the meeting."))
        else:
            messages.success(request, _("%(name)s is expected at the meeting again.") % {"name": participant.user.display_name})
    return redirect(back, meeting.pk)


@login_required
@require_GET
@never_cache
def meeting_absences_view(request: HttpRequest, meeting_id: int) -> JsonResponse:
    """The reasons behind notices of absence, which the meeting room shows its chair and secretaries
    (never sent over the websocket, which every screen in the room shares)."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not user_runs_meeting(user=request.user, meeting=meeting):
        raise PermissionDenied
    return JsonResponse({"reasons": {str(pk): reason for pk, reason in absence_reasons(meeting=meeting).items()}})
