from __future__ import annotations

from collections.abc import Callable

import pytest

from meetings.models import Meeting, Participant, User
from meetings.services.live import attendance_mark, meeting_start
from meetings.services.participants import participants_invite
from tests.conftest import make_user
from tests.realtime.conftest import _fresh_layer_and_hub, _quick_presence, connect  # noqa: F401
from voting.models import Poll
from voting.services.ballots import poll_open
from voting.services.polls import poll_create


@pytest.fixture
def council(published_meeting: Meeting, secretary: User, delegate: User, other_delegate: User) -> Meeting:
    """A published meeting whose members with a vote are the chair and three delegates."""
    third = make_user("daibieu3", full_name="Lê Thị Ba")
    participants_invite(
        actor=secretary, meeting=published_meeting, users=[other_delegate, third], role=Participant.Role.DELEGATE, can_vote=True
    )
    return published_meeting


@pytest.fixture
def member(council: Meeting) -> Callable[[str], Participant]:
    def find(username: str) -> Participant:
        return Participant.objects.select_related("user").get(meeting=council, user__username=username)

    return find


@pytest.fixture
def in_session(council: Meeting, chair: User, secretary: User) -> Meeting:
    """The council's meeting started, with every member with a vote marked present."""
    meeting = meeting_start(actor=chair, meeting=council)
    for participant in meeting.participants.filter(can_vote=True):
        attendance_mark(actor=secretary, meeting=meeting, participant_id=participant.pk, status=Participant.Attendance.PRESENT)
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def open_poll(in_session: Meeting, chair: User) -> Callable[..., Poll]:
    def make(**settings: object) -> Poll:
        poll = poll_create(actor=chair, meeting=in_session, question="Thông qua đề án chuyển đổi số?", **settings)
        return poll_open(actor=chair, meeting=in_session, poll_id=poll.pk)

    return make
