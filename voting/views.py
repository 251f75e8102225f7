"""The secretary's poll preparation page, written opinions, proxies and result downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.errors import ServiceError
from meetings.models import Meeting
from meetings.permissions import user_can_manage_meeting, user_runs_meeting
from meetings.selectors.meetings import meeting_get_for_user
from meetings.text import file_slug
from meetings.views.common import report
from voting.export import poll_result_csv, poll_result_pdf
from voting.forms import PollForm, WrittenOpenForm
from voting.models import Poll
from voting.selectors import polls_for_page
from voting.services.ballots import ballot_cast, poll_annul, poll_close, poll_open
from voting.services.polls import poll_adding_refusal, poll_create, poll_delete, poll_update
from voting.services.proxies import proxy_give, proxy_revoke


def _runs_polls(request: HttpRequest, meeting_id: int) -> Meeting:
    """The secretary and the chair prepare polls; anyone else gets 403."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    if not user_runs_meeting(user=request.user, meeting=meeting):
        raise PermissionDenied
    return meeting


def _poll(meeting: Meeting, poll_id: int) -> Poll:
    return get_object_or_404(Poll.objects.prefetch_related("choices"), meeting=meeting, pk=poll_id)


@login_required
def polls_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _runs_polls(request, meeting_id)
    refusal = poll_adding_refusal(meeting=meeting)
    form = PollForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            poll = poll_create(actor=request.user, meeting=meeting, **form.service_arguments())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Poll prepared: %(question)s") % {"question": poll.question})
            return redirect("meeting_polls", meeting.pk)
    context = {
        "meeting": meeting,
        "form": None if refusal else form,
        "adding_refused": refusal,
        "polls": polls_for_page(meeting=meeting),
        "open_form": WrittenOpenForm(),
        # The chair prepares votes too, but not the rest: the preparation steps are the secretaries'.
        "can_manage": user_can_manage_meeting(user=request.user, meeting=meeting),
    }
    return render(request, "voting/polls.html", context)


@login_required
def poll_edit_view(request: HttpRequest, meeting_id: int, poll_id: int) -> HttpResponse:
    meeting = _runs_polls(request, meeting_id)
    poll = _poll(meeting, poll_id)
    if poll.state != Poll.State.DRAFT:
        messages.info(request, _("This poll has already been opened; it can no longer be changed."))
        return redirect("meeting_polls", meeting.pk)
    form = PollForm(request.POST or None, meeting=meeting, initial=PollForm.initial_from(poll))
    if request.method == "POST" and form.is_valid():
        try:
            poll_update(actor=request.user, meeting=meeting, poll_id=poll.pk, **form.service_arguments())
        except ServiceError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Poll saved."))
            return redirect("meeting_polls", meeting.pk)
    return render(request, "voting/poll_form.html", {"meeting": meeting, "poll": poll, "form": form})


@login_required
def poll_delete_view(request: HttpRequest, meeting_id: int, poll_id: int) -> HttpResponse:
    meeting = _runs_polls(request, meeting_id)
    if request.method != "POST":
        poll = _poll(meeting, poll_id)
        if poll.state != Poll.State.DRAFT:
            messages.error(request, _("Only a poll that has not been opened can be deleted; an opened one can be annulled."))
            return redirect("meeting_polls", meeting.pk)
        return render(
            request,
            "meetings/confirm_delete.html",
            {"meeting": meeting, "object": poll, "cancel_url": reverse("meeting_polls", args=[meeting.pk])},
        )
    try:
        poll_delete(actor=request.user, meeting=meeting, poll_id=poll_id)
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, _("Poll deleted."))
    return redirect("meeting_polls", meeting.pk)


@login_required
@require_POST
def poll_written_open_view(request: HttpRequest, meeting_id: int, poll_id: int) -> HttpResponse:
    meeting = _runs_polls(request, meeting_id)
    form = WrittenOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the deadline for written opinions."))
        return redirect("meeting_polls", meeting.pk)
    try:
        poll_open(actor=request.user, meeting=meeting, poll_id=poll_id, deadline=form.cleaned_data["deadline"])
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, _("Written opinions are open; participants with a vote can answer from the meeting page."))
    return redirect("meeting_polls", meeting.pk)


@login_required
@require_POST
def poll_close_view(request: HttpRequest, meeting_id: int, poll_id: int) -> HttpResponse:
    meeting = _runs_polls(request, meeting_id)
    try:
        poll = poll_close(actor=request.user, meeting=meeting, poll_id=poll_id)
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, _("Closed: %(question)s. The result is counted; it is below.") % {"question": poll.question})
    return redirect(reverse("meeting_polls", args=[meeting.pk]) + f"#poll-{poll_id}")


@login_required
@require_POST
def poll_annul_view(request: HttpRequest, meeting_id: int, poll_id: int) -> HttpResponse:
    meeting = _runs_polls(request, meeting_id)
    try:
        poll_annul(
            actor=request.user,
            meeting=meeting,
            poll_id=poll_id,
            reason=request.POST.get("reason", ""),
            repeat=request.POST.get("repeat") == "on",
        )
    except ServiceError as error:
        report(request, error)
    return redirect("meeting_polls", meeting.pk)


@login_required
@require_POST
def ballot_written_view(request: HttpRequest, meeting_id: int, poll_id: int) -> HttpResponse:
    """A written opinion, from the meeting page."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    poll = _poll(meeting, poll_id)
    try:
        choices = [int(value) for value in request.POST.getlist("choice")]
    except ValueError:
        choices = []
    try:
        ballot_cast(actor=request.user, meeting=meeting, poll_id=poll.pk, choices=choices)
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, _("Your opinion has been recorded."))
    # Back to the votes, not to the top of a long meeting page.
    return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#votes")


@login_required
@require_POST
def proxy_give_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    try:
        holder_id = int(request.POST.get("holder", ""))
        giver_id = int(request.POST["giver"]) if request.POST.get("giver") else None
    except ValueError:
        messages.error(request, _("Choose whom to give your proxy to."))
        return redirect("meeting_detail", meeting.pk)
    try:
        proxy_give(actor=request.user, meeting=meeting, holder_id=holder_id, giver_id=giver_id)
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, _("The proxy is recorded."))
    return redirect("meeting_detail", meeting.pk)


@login_required
@require_POST
def proxy_revoke_view(request: HttpRequest, meeting_id: int, proxy_id: int) -> HttpResponse:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    try:
        proxy_revoke(actor=request.user, meeting=meeting, proxy_id=proxy_id)
    except ServiceError as error:
        report(request, error)
    else:
        messages.success(request, _("The proxy is revoked."))
    return redirect("meeting_detail", meeting.pk)


def _closed_poll(request: HttpRequest, meeting_id: int, poll_id: int) -> Poll:
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    poll = _poll(meeting, poll_id)
    if poll.result is None:
        raise Http404
    return poll


def _filename(poll: Poll, extension: str) -> str:
    return f"ket-qua-bieu-quyet-{poll.pk}-{file_slug(poll.question, limit=50)}.{extension}"


@login_required
def poll_result_csv_view(request: HttpRequest, meeting_id: int, poll_id: int) -> HttpResponse:
    poll = _closed_poll(request, meeting_id, poll_id)
    response = HttpResponse(poll_result_csv(poll=poll), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(poll, "csv")}"'
    return response


@login_required
def poll_result_pdf_view(request: HttpRequest, meeting_id: int, poll_id: int) -> HttpResponse:
    poll = _closed_poll(request, meeting_id, poll_id)
    response = HttpResponse(poll_result_pdf(poll=poll), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(poll, "pdf")}"'
    return response
