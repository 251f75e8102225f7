from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.downloads import pdf_for_reader, pdf_response
from meetings.errors import ServiceError
from meetings.forms import DocumentForm, DocumentUploadForm, NewVersionForm
from meetings.models import Document
from meetings.rendering import source_path
from meetings.selectors.documents import document_current_version, document_get_for_user
from meetings.selectors.meetings import meeting_get_for_user
from meetings.services.documents import document_add_version, document_delete, document_update, document_upload
from meetings.text import file_slug
from meetings.views.common import managed_meeting, preparation_closed, report


@login_required
def document_upload_view(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = managed_meeting(request, meeting_id)
    if closed := preparation_closed(request, meeting):
        return closed
    initial = {"agenda_item": request.GET.get("item")}
    form = DocumentUploadForm(request.POST or None, request.FILES or None, meeting=meeting, initial=initial)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["files"]
        accepted, refused = [], []
        for upload in files:
            try:
                document = document_upload(
                    actor=request.user,
                    meeting=meeting,
                    upload=upload,
                    title=form.cleaned_data["title"] if len(files) == 1 else "",
                    agenda_item=form.cleaned_data["agenda_item"],
                    confidential=form.cleaned_data["confidential"],
                    readers=list(form.cleaned_data["readers"]),
                )
            except ServiceError as error:
                refused.append(str(error))
            else:
                accepted.append(document.title)
        if accepted:
            # Named as the participants will see them: a file's name often needs a better title.
            messages.success(
                request,
                ngettext(
                    "%(count)d document uploaded: %(titles)s. Participants see it under this title; “Edit” beside it changes it.",
                    "%(count)d documents uploaded: %(titles)s. Participants see them under these titles; “Edit” beside each changes it.",
                    len(accepted),
                )
                % {"count": len(accepted), "titles": "; ".join(f"“{title}”" for title in accepted)},
            )
        if not refused:
            return redirect("meeting_detail", meeting.pk)
        for reason in refused:
            form.add_error("files", reason)
    limits = {"max_mb": settings.DOCUMENT_MAX_BYTES // (1024 * 1024), "max_pages": settings.DOCUMENT_MAX_PAGES}
    return render(request, "meetings/document_upload.html", {"meeting": meeting, "form": form, **limits})


def _managed_document(request: HttpRequest, meeting_id: int, document_id: int) -> Document:
    meeting = managed_meeting(request, meeting_id)
    return get_object_or_404(Document.objects.select_related("meeting"), pk=document_id, meeting=meeting)


@login_required
def document_edit_view(request: HttpRequest, meeting_id: int, document_id: int) -> HttpResponse:
    document = _managed_document(request, meeting_id, document_id)
    if closed := preparation_closed(request, document.meeting):
        return closed
    form = DocumentForm(request.POST or None, instance=Document.objects.get(pk=document.pk), meeting=document.meeting)
    version_form = NewVersionForm()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document_update(
                actor=request.user,
                document=document,
                title=data["title"],
                agenda_item=data["agenda_item"],
                confidential=data["confidential"],
                readers=list(data["readers"]),
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Document saved."))
            return redirect("meeting_detail", meeting_id)
    versions = document.versions.select_related("uploaded_by").order_by("-number")
    return render(
        request,
        "meetings/document_form.html",
        {"meeting": document.meeting, "document": document, "form": form, "version_form": version_form, "versions": versions},
    )


@login_required
def document_new_version_view(request: HttpRequest, meeting_id: int, document_id: int) -> HttpResponse:
    document = _managed_document(request, meeting_id, document_id)
    if request.method != "POST":
        return redirect("document_edit", meeting_id, document_id)
    form = NewVersionForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            version = document_add_version(actor=request.user, document=document, upload=form.cleaned_data["file"])
        except ServiceError as error:
            report(request, error)
        else:
            messages.success(request, _("Version %(number)s uploaded; it replaces the earlier one.") % {"number": version.number})
    else:
        messages.error(request, _("Choose a PDF file for the new version."))
    return redirect("document_edit", meeting_id, document_id)


@login_required
def document_delete_view(request: HttpRequest, meeting_id: int, document_id: int) -> HttpResponse:
    document = _managed_document(request, meeting_id, document_id)
    if closed := preparation_closed(request, document.meeting):
        return closed
    if request.method == "POST":
        try:
            document_delete(actor=request.user, document=document)
        except ServiceError as error:
            report(request, error)
        else:
            messages.success(request, _("Document deleted: %(title)s.") % {"title": document.title})
        return redirect("meeting_detail", meeting_id)
    return render(
        request,
        "meetings/confirm_delete.html",
        {"meeting": document.meeting, "object": document, "cancel_url": f"/meetings/{meeting_id}/"},
    )


@login_required
def document_file(request: HttpRequest, meeting_id: int, document_id: int, number: int | None = None) -> HttpResponse:
    """The PDF itself, inline. Only for people who may read it; 404 for everyone else."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    document = document_get_for_user(user=request.user, meeting=meeting, document_id=document_id)
    version = document_current_version(document=document) if number is None else get_object_or_404(document.versions, number=number)
    etag = f'"{version.sha256}"'
    if request.headers.get("If-None-Match") == etag and not document.confidential:
        return HttpResponseNotModified()
    path = source_path(version=version)
    if not path.is_file():
        raise Http404
    filename = f"{file_slug(document.title) or 'tai-lieu'}-v{version.number}.pdf"
    if document.confidential:
        pdf = pdf_for_reader(user=request.user, document=document, pdf=path.read_bytes())
        return pdf_response(pdf=pdf, filename=filename, confidential=True)
    response = FileResponse(path.open("rb"), content_type="application/pdf", filename=filename)
    response["ETag"] = etag
    # A version's URL never changes content; the current document's URL does when a version is
    # uploaded, so the browser asks again each time (a 304 when nothing changed).
    response["Cache-Control"] = "private, max-age=31536000, immutable" if number is not None else "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
