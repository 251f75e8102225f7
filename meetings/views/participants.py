from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.errors import ServiceError
from meetings.forms import InviteForm, ParticipantForm
from meetings.models import Participant
from meetings.selectors.meetings import participants_of
from meetings.services.participants import participant_remove, participant_update, participants_invite
from meetings.views.common import managed_meeting, report


@login_required
def participants_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    form = InviteForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            invited = participants_invite(
                actor=request.user,
                meeting=meeting,
                users=list(form.cleaned_data["users"]),
                role=form.cleaned_data["role"],
                can_vote=form.cleaned_data["can_vote"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(count)s people invited.") % {"count": len(invited)})
            return redirect("meeting_participants", meeting.pk)
    return render(
        request,
        "meetings/participants.html",
        {"meeting": meeting, "form": form, "participants": participants_of(meeting=meeting), "roles": Participant.Role.choices},
    )


@login_required
@require_POST
def participant_update_view(request: HttpRequest, meeting_id: int, participant_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    participant = get_object_or_404(Participant.objects.select_related("meeting", "user"), pk=participant_id, meeting=meeting)
    form = ParticipantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            participant_update(actor=request.user, participant=participant, **form.cleaned_data)
        except ServiceError as error:
            report(request, error)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": participant.user.display_name})
    return redirect("meeting_participants", meeting.pk)


@login_required
def participant_remove_view(request: HttpRequest, meeting_id: int, participant_id: int) -> HttpResponse:
    """Once the meeting is published, removing someone e-mails them: the page asks first (GET)."""
    meeting = managed_meeting(request, meeting_id)
    participant = get_object_or_404(Participant.objects.select_related("meeting", "user"), pk=participant_id, meeting=meeting)
    if request.method != "POST":
        if not meeting.in_preparation:
            messages.error(request, _("The meeting has begun: who was invited stays on record."))
            return redirect("meeting_participants", meeting.pk)
        return render(request, "meetings/participant_remove_confirm.html", {"meeting": meeting, "participant": participant})
    try:
        participant_remove(actor=request.user, participant=participant)
    except ServiceError as error:
        report(request, error)
    else:
        name = participant.user.display_name
        if meeting.is_published and participant.user.reachable_by_email:
            messages.success(request, _("%(name)s is no longer invited and has been told by e-mail.") % {"name": name})
        else:
            messages.success(request, _("%(name)s is no longer invited.") % {"name": name})
    return redirect("meeting_participants", meeting.pk)
