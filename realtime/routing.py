from __future__ import annotations

from django.urls import path

from realtime.consumers import MeetingConsumer

websocket_urlpatterns = [
    path("ws/meetings/<int:meeting_id>/", MeetingConsumer.as_asgi()),
]
