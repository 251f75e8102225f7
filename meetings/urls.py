from __future__ import annotations

from django.urls import path

from meetings.views import agenda, documents, home, live, meeting, participants, reading

urlpatterns = [
    path("", home.home, name="home"),
    path("meetings/earlier/", home.meetings_earlier, name="meetings_earlier"),
    path("meetings/new/", meeting.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", meeting.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/edit/", meeting.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/delete/", meeting.meeting_delete_view, name="meeting_delete"),
    path("meetings/<int:meeting_id>/cancel/", meeting.meeting_cancel_view, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/publish/", meeting.meeting_publish_view, name="meeting_publish"),
    path("meetings/<int:meeting_id>/notify/", meeting.meeting_notify_view, name="meeting_notify"),
    path("meetings/<int:meeting_id>/calendar.ics", meeting.meeting_calendar, name="meeting_calendar"),
    path("meetings/<int:meeting_id>/absence/", meeting.meeting_absence_view, name="meeting_absence"),
    path("meetings/<int:meeting_id>/absence/withdraw/", meeting.meeting_absence_withdraw_view, name="meeting_absence_withdraw"),
    path("meetings/<int:meeting_id>/absences.json", meeting.meeting_absences_view, name="meeting_absences"),
    path("meetings/<int:meeting_id>/participants/", participants.participants_view, name="meeting_participants"),
    path("meetings/<int:meeting_id>/participants/<int:participant_id>/", participants.participant_update_view, name="participant_update"),
    path(
        "meetings/<int:meeting_id>/participants/<int:participant_id>/remove/",
        participants.participant_remove_view,
        name="participant_remove",
    ),
    path(
        "meetings/<int:meeting_id>/participants/<int:participant_id>/password/",
        participants.guest_password_view,
        name="guest_password",
    ),
    path("meetings/<int:meeting_id>/agenda/", agenda.agenda_view, name="meeting_agenda"),
    path("meetings/<int:meeting_id>/agenda/reorder/", agenda.agenda_reorder_view, name="agenda_reorder"),
    path("meetings/<int:meeting_id>/agenda/<int:item_id>/", agenda.agenda_item_edit, name="agenda_item_edit"),
    path("meetings/<int:meeting_id>/agenda/<int:item_id>/delete/", agenda.agenda_item_delete_view, name="agenda_item_delete"),
    path("meetings/<int:meeting_id>/agenda/<int:item_id>/move/", agenda.agenda_item_move_view, name="agenda_item_move"),
    path("meetings/<int:meeting_id>/documents/upload/", documents.document_upload_view, name="document_upload"),
    path("meetings/<int:meeting_id>/documents/<int:document_id>/", documents.document_file, name="document_file"),
    path("meetings/<int:meeting_id>/documents/<int:document_id>/v<int:number>/", documents.document_file, name="document_version_file"),
    path("meetings/<int:meeting_id>/documents/<int:document_id>/edit/", documents.document_edit_view, name="document_edit"),
    path(
        "meetings/<int:meeting_id>/documents/<int:document_id>/new-version/",
        documents.document_new_version_view,
        name="document_new_version",
    ),
    path("meetings/<int:meeting_id>/documents/<int:document_id>/delete/", documents.document_delete_view, name="document_delete"),
    path("meetings/<int:meeting_id>/live/", live.live_room, name="live_room"),
    path("meetings/<int:meeting_id>/projector/", live.projector, name="projector"),
    path(
        "meetings/<int:meeting_id>/documents/<int:document_id>/versions/<int:version_id>/pages/<int:page>/<int:width>.webp",
        live.page_image_view,
        name="page_image",
    ),
    path(
        "meetings/<int:meeting_id>/documents/<int:document_id>/versions/<int:version_id>/search/",
        reading.document_search_view,
        name="document_search",
    ),
    path("meetings/<int:meeting_id>/pack.pdf", reading.meeting_pack, name="meeting_pack"),
]
