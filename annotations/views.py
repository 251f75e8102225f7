from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404

from annotations.selectors import annotation_state, annotations_erased_by, annotations_for_export, annotations_visible_to
from meetings.downloads import pdf_for_reader, pdf_response
from meetings.rendering import source_path
from meetings.selectors.documents import document_get_for_user
from meetings.selectors.meetings import meeting_get_for_user
from meetings.text import file_slug


@login_required
def annotations_list(request: HttpRequest, meeting_id: int, document_id: int) -> JsonResponse:
    """The reader's own and the shared annotations on every version of a document (a tablet catching up),
    and the reader's own erased ones as tombstones (`deleted`), so their revisions are not forgotten."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    document = document_get_for_user(user=request.user, meeting=meeting, document_id=document_id)
    annotations = [annotation_state(a) for a in annotations_visible_to(user=request.user, document=document)]
    annotations += [annotation_state(a) for a in annotations_erased_by(user=request.user, document=document)]
    response = JsonResponse({"document_id": document.pk, "annotations": annotations})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def annotated_copy(request: HttpRequest, meeting_id: int, document_id: int, version_id: int) -> HttpResponse:
    """The document with the reader's annotations (and, if asked, the shared ones) as real PDF annotations."""
    from annotations.pdf_export import pdf_with_annotations

    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    document = document_get_for_user(user=request.user, meeting=meeting, document_id=document_id)
    version = get_object_or_404(document.versions, pk=version_id)
    path = source_path(version=version)
    if not path.is_file():
        raise Http404
    include_shared = request.GET.get("shared") == "1"
    annotations = annotations_for_export(user=request.user, document=document, version_id=version.pk, include_shared=include_shared)
    exported = [
        {**a.data, "id": str(a.id), "page": a.page, "kind": a.kind, "author": a.author.display_name, "updated_at": a.updated_at}
        for a in annotations
    ]
    pdf = pdf_with_annotations(pdf=path.read_bytes(), annotations=exported)
    pdf = pdf_for_reader(user=request.user, document=document, pdf=pdf)
    filename = f"{file_slug(document.title) or 'tai-lieu'}-v{version.number}-ghi-chu"
    return pdf_response(pdf=pdf, filename=filename, confidential=document.confidential)
