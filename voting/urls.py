from __future__ import annotations

from django.urls import path

from voting import views

urlpatterns = [
    path("meetings/<int:meeting_id>/polls/", views.polls_view, name="meeting_polls"),
    path("meetings/<int:meeting_id>/polls/<int:poll_id>/edit/", views.poll_edit_view, name="poll_edit"),
    path("meetings/<int:meeting_id>/polls/<int:poll_id>/delete/", views.poll_delete_view, name="poll_delete"),
    path("meetings/<int:meeting_id>/polls/<int:poll_id>/open-written/", views.poll_written_open_view, name="poll_written_open"),
    path("meetings/<int:meeting_id>/polls/<int:poll_id>/close/", views.poll_close_view, name="poll_close"),
    path("meetings/<int:meeting_id>/polls/<int:poll_id>/annul/", views.poll_annul_view, name="poll_annul"),
    path("meetings/<int:meeting_id>/polls/<int:poll_id>/vote/", views.ballot_written_view, name="poll_vote"),
    path("meetings/<int:meeting_id>/polls/<int:poll_id>/result.csv", views.poll_result_csv_view, name="poll_result_csv"),
    path("meetings/<int:meeting_id>/polls/<int:poll_id>/result.pdf", views.poll_result_pdf_view, name="poll_result_pdf"),
    path("meetings/<int:meeting_id>/proxies/", views.proxy_give_view, name="proxy_give"),
    path("meetings/<int:meeting_id>/proxies/<int:proxy_id>/revoke/", views.proxy_revoke_view, name="proxy_revoke"),
]
