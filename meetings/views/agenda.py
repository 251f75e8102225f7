from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meetings.errors import ServiceError
from meetings.forms import AgendaItemForm
from meetings.models import AgendaItem
from meetings.selectors.agenda import (
    agenda_flat,
    agenda_item_documents,
    agenda_item_votes,
    agenda_numbers,
    agenda_presenters_not_invited,
)
from meetings.services.agenda import agenda_item_create, agenda_item_delete, agenda_item_move, agenda_item_update, agenda_reorder
from meetings.views.common import managed_meeting, preparation_closed, preparation_closed_reason, report


@login_required
def agenda_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    # Once the meeting has begun the agenda is shown as it is held, with nothing to move or add.
    closed_reason = preparation_closed_reason(meeting=meeting)
    # Sub-items come several in a row: the form keeps the parent of the one just added.
    form = AgendaItemForm(request.POST or None, meeting=meeting, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and not closed_reason and form.is_valid():
        try:
            item = agenda_item_create(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Item added: %(title)s.") % {"title": item.title})
            if item.parent_id:
                return redirect(f"{reverse('meeting_agenda', args=[meeting.pk])}?parent={item.parent_id}#add-item")
            return redirect("meeting_agenda", meeting.pk)
    agenda = agenda_flat(meeting=meeting)
    # The parent kept from the sub-item just added is said in the form's heading: a main item typed
    # next must not become a sub-item unnoticed.
    parent = str(form["parent"].value() or "")
    adding_under = next((node for node in agenda if str(node.item.pk) == parent), None)
    # First and last among their siblings: "up" or "down" would do nothing there, so it is not offered.
    siblings: dict[int | None, list[int]] = {}
    for node in agenda:
        siblings.setdefault(node.item.parent_id, []).append(node.item.pk)
    planned = sum(node.item.duration_minutes for node in agenda)
    length = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    context = {
        "meeting": meeting,
        "form": None if closed_reason else form,
        "closed_reason": closed_reason,
        "agenda": agenda,
        "adding_under": adding_under,
        "uninvited_presenters": {node.item.pk for node in agenda_presenters_not_invited(meeting=meeting, agenda=agenda)},
        "first_of_siblings": {ids[0] for ids in siblings.values()},
        "last_of_siblings": {ids[-1] for ids in siblings.values()},
        "planned_minutes": planned,
        "meeting_minutes": length,
    }
    return render(request, "meetings/agenda.html", context)


def _item_of(meeting_id: int, item_id: int, request: HttpRequest) -> AgendaItem:
    meeting = managed_meeting(request, meeting_id)
    return get_object_or_404(AgendaItem.objects.select_related("meeting", "parent"), pk=item_id, meeting=meeting)


@login_required
def agenda_item_edit(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    item = _item_of(meeting_id, item_id, request)
    if closed := preparation_closed(request, item.meeting):
        return closed
    initial = {
        "title": item.title,
        "description": item.description,
        "presenter": item.presenter,
        "duration_minutes": item.duration_minutes,
        "parent": item.parent,
    }
    form = AgendaItemForm(request.POST or None, meeting=item.meeting, item=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Item saved: %(title)s.") % {"title": item.title})
            return redirect("meeting_agenda", meeting_id)
    return render(request, "meetings/agenda_item_form.html", {"meeting": item.meeting, "item": item, "form": form})


@login_required
def agenda_item_delete_view(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    item = _item_of(meeting_id, item_id, request)
    if closed := preparation_closed(request, item.meeting):
        return closed
    if request.method == "POST":
        try:
            agenda_item_delete(actor=request.user, item=item)
        except ServiceError as error:
            report(request, error)
        else:
            messages.success(request, _("Item deleted: %(title)s.") % {"title": item.title})
        return redirect("meeting_agenda", meeting_id)
    return render(
        request,
        "meetings/confirm_delete.html",
        {
            "meeting": item.meeting,
            "object": item,
            "children": list(item.children.all()),
            "documents": agenda_item_documents(item=item),
            "votes": agenda_item_votes(item=item),
            "cancel_url": f"/meetings/{meeting_id}/agenda/",
        },
    )


@login_required
@require_POST
def agenda_item_move_view(request: HttpRequest, meeting_id: int, item_id: int) -> HttpResponse:
    item = _item_of(meeting_id, item_id, request)
    try:
        agenda_item_move(actor=request.user, item=item, direction=request.POST.get("direction", ""))
    except ServiceError as error:
        report(request, error)
    return redirect(f"/meetings/{meeting_id}/agenda/#item-{item.pk}")


@login_required
@require_POST
def agenda_reorder_view(request: HttpRequest, meeting_id: int) -> JsonResponse:
    """Drag and drop sends the whole order: {"layout": [[item id, parent id or null], …]}."""
    meeting = managed_meeting(request, meeting_id)
    try:
        payload = json.loads(request.body)
        layout = [(int(pk), None if parent is None else int(parent)) for pk, parent in payload["layout"]]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("The new order could not be read. Reload the page and try again.")}, status=400)
    try:
        agenda_reorder(actor=request.user, meeting=meeting, layout=layout)
    except ServiceError as error:
        return JsonResponse({"error": str(error), "code": error.code}, status=409 if error.code == "stale_agenda" else 400)
    return JsonResponse({"numbers": {str(pk): number for pk, number in agenda_numbers(meeting=meeting).items()}})
