from __future__ import annotations

from django.urls import path

from minutes import views

urlpatterns = [
    path("meetings/<int:meeting_id>/minutes/", views.minutes_view, name="minutes"),
    path("meetings/<int:meeting_id>/minutes/settings/", views.minutes_settings_view, name="minutes_settings"),
    path("meetings/<int:meeting_id>/minutes/remarks/", views.minutes_remark_view, name="minutes_remark"),
    path(
        "meetings/<int:meeting_id>/minutes/remarks/<int:remark_id>/answer/",
        views.minutes_remark_answer_view,
        name="minutes_remark_answer",
    ),
    path("meetings/<int:meeting_id>/minutes/sign/", views.minutes_sign_view, name="minutes_sign"),
    path("meetings/<int:meeting_id>/minutes/v<int:number>.pdf", views.minutes_file_view, name="minutes_file"),
    path("meetings/<int:meeting_id>/minutes/v<int:number>/verify/", views.minutes_verify_view, name="minutes_verify"),
    path("meetings/<int:meeting_id>/minutes/approve/", views.minutes_approve_view, name="minutes_approve"),
    path("meetings/<int:meeting_id>/minutes/<slug:action>/", views.minutes_action_view, name="minutes_action"),
]
