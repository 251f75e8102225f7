from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.errors import ServiceError, WrongState
from meetings.forms import GuestForm, InviteForm, ParticipantForm
from meetings.models import Meeting, Participant, User
from meetings.selectors.meetings import participants_of, voting_members_left_out
from meetings.services.participants import (
    guest_invite,
    guest_password_issue,
    participant_remove,
    participant_update,
    participants_invite,
)
from meetings.views.common import managed_meeting, report


@login_required
def participants_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    # Two forms on the page: from the directory, or a guest who is not in it.
    adding_guest = request.method == "POST" and request.POST.get("form") == "guest"
    # The body's own people, or everyone when inviting from another body (?everyone=1).
    everyone = request.GET.get("everyone") == "1"
    form = InviteForm(request.POST if request.method == "POST" and not adding_guest else None, meeting=meeting, everyone=everyone)
    guest_form = GuestForm(request.POST if adding_guest else None)
    if request.method == "POST" and not meeting.in_preparation:
        # A form left open while the meeting started: the page no longer shows the forms to say why.
        report(request, WrongState(_("This meeting is no longer being prepared: nobody can be invited now.")))
        return redirect("meeting_participants", meeting.pk)
    if adding_guest and guest_form.is_valid():
        try:
            guest = guest_invite(actor=request.user, meeting=meeting, **guest_form.cleaned_data)
        except ServiceError as error:
            guest_form.add_error(None, str(error))
        else:
            messages.success(request, _guest_invited_message(meeting=meeting, user=guest.user))
            return redirect("meeting_participants", meeting.pk)
    elif request.method == "POST" and not adding_guest and form.is_valid():
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
        {
            "meeting": meeting,
            "form": form,
            "guest_form": guest_form,
            "everyone": everyone,
            "participants": participants_of(meeting=meeting),
            "gaps": voting_members_left_out(meeting=meeting) if meeting.in_preparation else None,
            "roles": Participant.Role.choices,
        },
    )


def _guest_invited_message(*, meeting: Meeting, user: User) -> str:
    """What the guest is sent and when, with the user name: a journalist who telephones is told it."""
    names = {"name": user.display_name, "email": user.email, "username": user.get_username()}
    if not user.reachable_by_email:
        return _("%(name)s is invited as a guest.") % names
    if not meeting.is_published:
        return (
            _("%(name)s is invited as a guest (user name %(username)s). The invitation goes to %(email)s when you publish the meeting.")
            % names
        )
    if not user.has_usable_password():
        return (
            _(
                "%(name)s is invited as a guest. The invitation went to %(email)s "
                "with their user name, %(username)s, and a link to set a password."
            )
            % names
        )
    return _("%(name)s is invited as a guest. The invitation went to %(email)s.") % names


@login_required
@require_POST
def participant_update_view(request: HttpRequest, meeting_id: int, participant_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    participant = get_object_or_404(Participant.objects.select_related("meeting", "user"), pk=participant_id, meeting=meeting)
    form = ParticipantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        fields = form.cleaned_data
        if participant.role == Participant.Role.GUEST and "can_vote" not in request.POST:
            # A guest's vote box is greyed out and sends nothing: taken back from guest, they get the
            # vote if the body counts them among its members with one (everyone, where it names none).
            members = meeting.body.voting_members
            fields = {**fields, "can_vote": not members.exists() or members.filter(pk=participant.user_id).exists()}
        try:
            participant_update(actor=request.user, participant=participant, **fields)
        except ServiceError as error:
            report(request, error)
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": participant.user.display_name})
    # Back at the row just changed: the next Tab goes on from there, not from the top of the page.
    return redirect(reverse("meeting_participants", args=[meeting.pk]) + f"#participant-{participant.pk}")


@login_required
@require_POST
def guest_password_view(request: HttpRequest, meeting_id: int, participant_id: int) -> HttpResponse:
    """Shown once, on this page only (never in a message kept in the session), to be written down."""
    meeting = managed_meeting(request, meeting_id)
    participant = get_object_or_404(Participant.objects.select_related("meeting", "user"), pk=participant_id, meeting=meeting)
    try:
        password = guest_password_issue(actor=request.user, participant=participant)
    except ServiceError as error:
        report(request, error)
        return redirect("meeting_participants", meeting.pk)
    response = render(request, "meetings/guest_password.html", {"meeting": meeting, "participant": participant, "password": password})
    response["Cache-Control"] = "no-store"
    return response


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
