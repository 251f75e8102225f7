from __future__ import annotations

from django.urls import path

from annotations import views

urlpatterns = [
    path("meetings/<int:meeting_id>/documents/<int:document_id>/annotations/", views.annotations_list, name="annotations_list"),
    path(
        "meetings/<int:meeting_id>/documents/<int:document_id>/versions/<int:version_id>/annotated.pdf",
        views.annotated_copy,
        name="annotated_copy",
    ),
]
