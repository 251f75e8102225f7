"""Inviting people, their roles and voting rights."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import AuditEvent, Meeting, Participant, User
from meetings.permissions import user_can_manage_meeting, user_can_view_meeting
from meetings.services.participants import participant_remove, participant_update, participants_invite
from tests.conftest import logged_in, set_state
from voting.models import Poll
from voting.services.ballots import ballot_cast, poll_open
from voting.services.polls import poll_create

pytestmark = pytest.mark.django_db


def participation(meeting: Meeting, user: User) -> Participant:
    return Participant.objects.get(meeting=meeting, user=user)


# --- invite --------------------------------------------------------------------------------------


def test_it_invites_several_people_at_once_with_the_same_role(
    meeting: Meeting, secretary: User, other_delegate: User, outsider: User
) -> None:
    created = participants_invite(
        actor=secretary, meeting=meeting, users=[other_delegate, outsider], role=Participant.Role.DELEGATE, can_vote=True
    )

    assert {p.user_id for p in created} == {other_delegate.pk, outsider.pk}
    for user in (other_delegate, outsider):
        p = participation(meeting, user)
        assert (p.role, p.can_vote) == (Participant.Role.DELEGATE, True)
    invited = AuditEvent.objects.filter(meeting=meeting, action="participant.invite").values_list("data__user", flat=True)
    assert {other_delegate.pk, outsider.pk} <= set(invited)


def test_it_invites_a_delegate_without_a_vote(meeting: Meeting, secretary: User, other_delegate: User) -> None:
    participants_invite(actor=secretary, meeting=meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=False)

    assert participation(meeting, other_delegate).can_vote is False


def test_it_never_gives_an_invited_guest_a_vote(meeting: Meeting, secretary: User, other_delegate: User) -> None:
    participants_invite(actor=secretary, meeting=meeting, users=[other_delegate], role=Participant.Role.GUEST, can_vote=True)

    p = participation(meeting, other_delegate)
    assert (p.role, p.can_vote) == (Participant.Role.GUEST, False)


def test_it_leaves_someone_already_invited_as_they_are(meeting: Meeting, secretary: User, delegate: User) -> None:
    before = AuditEvent.objects.count()

    created = participants_invite(actor=secretary, meeting=meeting, users=[delegate], role=Participant.Role.GUEST, can_vote=False)

    assert created == []
    assert Participant.objects.filter(meeting=meeting, user=delegate).count() == 1
    p = participation(meeting, delegate)
    assert (p.role, p.can_vote) == (Participant.Role.DELEGATE, True)
    assert AuditEvent.objects.count() == before


def test_it_invites_only_the_newcomers_of_a_mixed_list(meeting: Meeting, secretary: User, delegate: User, other_delegate: User) -> None:
    created = participants_invite(
        actor=secretary, meeting=meeting, users=[delegate, other_delegate, other_delegate], role=Participant.Role.DELEGATE, can_vote=True
    )

    assert [p.user_id for p in created] == [other_delegate.pk]
    assert Participant.objects.filter(meeting=meeting, user=other_delegate).count() == 1


def test_it_skips_deactivated_accounts(meeting: Meeting, secretary: User, other_delegate: User) -> None:
    other_delegate.is_active = False
    other_delegate.save()

    created = participants_invite(actor=secretary, meeting=meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True)

    assert created == []
    assert not Participant.objects.filter(meeting=meeting, user=other_delegate).exists()


def test_it_rejects_inviting_someone_as_chair(meeting: Meeting, secretary: User, other_delegate: User) -> None:
    with pytest.raises(ServiceError) as excinfo:
        participants_invite(actor=secretary, meeting=meeting, users=[other_delegate], role=Participant.Role.CHAIR, can_vote=True)

    assert excinfo.value.code == "invalid_role"
    assert not Participant.objects.filter(meeting=meeting, user=other_delegate).exists()


def test_the_participants_page_offers_the_chairs_role_only_on_the_chairs_row(meeting: Meeting, secretary: User, client: Client) -> None:
    client.force_login(secretary)

    page = client.get(reverse("meeting_participants", args=[meeting.pk])).content.decode()

    # The chair is changed in the meeting's details; the table would offer it only to refuse it.
    assert page.count('<option value="chair"') == 1
    assert '<option value="chair" selected>' in page


@pytest.mark.parametrize("who", ["delegate", "chair", "outsider"])
def test_it_rejects_invitations_by_someone_who_does_not_prepare_the_meeting(
    request: pytest.FixtureRequest, who: str, meeting: Meeting, other_delegate: User
) -> None:
    with pytest.raises(NotAllowed):
        participants_invite(
            actor=request.getfixturevalue(who), meeting=meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True
        )
    assert not Participant.objects.filter(meeting=meeting, user=other_delegate).exists()


def test_it_lets_an_invited_assistant_secretary_prepare_the_meeting(meeting: Meeting, secretary: User, other_delegate: User) -> None:
    assert not user_can_manage_meeting(user=other_delegate, meeting=meeting)

    participants_invite(actor=secretary, meeting=meeting, users=[other_delegate], role=Participant.Role.SECRETARY, can_vote=False)

    assert user_can_manage_meeting(user=other_delegate, meeting=meeting)


# --- roles and votes -----------------------------------------------------------------------------


def test_it_takes_the_vote_away_when_a_delegate_becomes_a_guest(meeting: Meeting, secretary: User, delegate: User) -> None:
    participant_update(actor=secretary, participant=participation(meeting, delegate), role=Participant.Role.GUEST, can_vote=True)

    p = participation(meeting, delegate)
    assert (p.role, p.can_vote) == (Participant.Role.GUEST, False)
    event = AuditEvent.objects.filter(meeting=meeting, action="participant.update").last()
    assert event is not None
    assert event.data == {"user": delegate.pk, "role": "guest", "can_vote": False}


def test_it_gives_a_vote_when_a_guest_becomes_a_delegate(meeting: Meeting, secretary: User, guest: User) -> None:
    participant_update(actor=secretary, participant=participation(meeting, guest), role=Participant.Role.DELEGATE, can_vote=True)

    p = participation(meeting, guest)
    assert (p.role, p.can_vote) == (Participant.Role.DELEGATE, True)


def test_a_delegate_made_a_guest_by_mistake_gets_the_vote_back_with_the_role(
    client: Client, meeting: Meeting, secretary: User, delegate: User, guest: User
) -> None:
    meeting.body.voting_members.add(delegate)
    page = logged_in(client, secretary)
    url = reverse("participant_update", args=[meeting.pk, participation(meeting, delegate).pk])
    page.post(url, {"role": "guest", "can_vote": "on"})
    # The greyed-out box of a guest sends nothing.
    response = page.post(url, {"role": "delegate"})

    assert participation(meeting, delegate).can_vote is True
    # Back at the row, so the keyboard goes on from there.
    assert response["Location"].endswith(f"/participants/#participant-{participation(meeting, delegate).pk}")
    # Someone the body does not list among its members with a vote is made a delegate without one.
    page.post(reverse("participant_update", args=[meeting.pk, participation(meeting, guest).pk]), {"role": "delegate"})
    assert (participation(meeting, guest).role, participation(meeting, guest).can_vote) == (Participant.Role.DELEGATE, False)
    # The service does as it is told.
    participant_update(actor=secretary, participant=participation(meeting, guest), role=Participant.Role.DELEGATE, can_vote=True)
    assert participation(meeting, guest).can_vote is True


def test_it_rejects_a_guest_with_a_vote_in_the_database(meeting: Meeting, other_delegate: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(meeting=meeting, user=other_delegate, role=Participant.Role.GUEST, can_vote=True)

    assert not Participant.objects.filter(meeting=meeting, user=other_delegate).exists()


def test_it_rejects_giving_a_guest_a_vote_behind_the_services_back(meeting: Meeting, guest: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(meeting=meeting, user=guest).update(can_vote=True)

    assert participation(meeting, guest).can_vote is False


def test_it_rejects_two_participations_of_one_person_in_the_database(meeting: Meeting, delegate: User) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(meeting=meeting, user=delegate, role=Participant.Role.GUEST, can_vote=False)


def test_it_rejects_making_someone_else_the_chair_through_their_role(meeting: Meeting, secretary: User, delegate: User) -> None:
    with pytest.raises(ServiceError) as excinfo:
        participant_update(actor=secretary, participant=participation(meeting, delegate), role=Participant.Role.CHAIR, can_vote=True)

    assert excinfo.value.code == "invalid_role"
    assert participation(meeting, delegate).role == Participant.Role.DELEGATE


@pytest.mark.parametrize(("role", "can_vote"), [(Participant.Role.DELEGATE, True), (Participant.Role.CHAIR, False)])
def test_it_keeps_the_chair_in_the_chairs_role_with_a_vote(
    meeting: Meeting, secretary: User, chair: User, role: str, can_vote: bool
) -> None:
    with pytest.raises(ServiceError) as excinfo:
        participant_update(actor=secretary, participant=participation(meeting, chair), role=role, can_vote=can_vote)

    assert excinfo.value.code == "chair_fixed"
    p = participation(meeting, chair)
    assert (p.role, p.can_vote) == (Participant.Role.CHAIR, True)


def test_it_accepts_the_chair_unchanged(meeting: Meeting, secretary: User, chair: User) -> None:
    participant_update(actor=secretary, participant=participation(meeting, chair), role=Participant.Role.CHAIR, can_vote=True)

    assert participation(meeting, chair).role == Participant.Role.CHAIR


def test_it_keeps_the_meetings_secretary_in_the_secretarys_role(meeting: Meeting, secretary: User) -> None:
    with pytest.raises(ServiceError) as excinfo:
        participant_update(actor=secretary, participant=participation(meeting, secretary), role=Participant.Role.DELEGATE, can_vote=True)

    assert excinfo.value.code == "secretary_fixed"
    assert participation(meeting, secretary).role == Participant.Role.SECRETARY


def test_it_rejects_a_role_change_by_a_delegate(meeting: Meeting, delegate: User, guest: User) -> None:
    with pytest.raises(NotAllowed):
        participant_update(actor=delegate, participant=participation(meeting, guest), role=Participant.Role.DELEGATE, can_vote=True)
    assert participation(meeting, guest).role == Participant.Role.GUEST


# --- remove --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["chair", "secretary"])
def test_it_refuses_to_remove_the_chair_or_the_secretary(
    request: pytest.FixtureRequest, who: str, meeting: Meeting, secretary: User
) -> None:
    user = request.getfixturevalue(who)

    with pytest.raises(ServiceError) as excinfo:
        participant_remove(actor=secretary, participant=participation(meeting, user))

    assert excinfo.value.code == "leading_participant"
    assert Participant.objects.filter(meeting=meeting, user=user).exists()


def test_it_removes_a_delegate_who_then_no_longer_sees_the_meeting(published_meeting: Meeting, secretary: User, delegate: User) -> None:
    assert user_can_view_meeting(user=delegate, meeting=published_meeting)

    participant_remove(actor=secretary, participant=participation(published_meeting, delegate))

    assert not Participant.objects.filter(meeting=published_meeting, user=delegate).exists()
    assert not user_can_view_meeting(user=delegate, meeting=published_meeting)
    assert AuditEvent.objects.filter(meeting=published_meeting, action="participant.remove", data__user=delegate.pk).exists()


def test_it_refuses_to_remove_someone_whose_written_opinion_is_on_record(
    client: Client, published_meeting: Meeting, secretary: User, delegate: User
) -> None:
    poll = poll_create(actor=secretary, meeting=published_meeting, question="Góp ý dự thảo quy chế", mode=Poll.Mode.WRITTEN)
    poll = poll_open(actor=secretary, meeting=published_meeting, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=2))
    yes = poll.choices.get(meaning="yes")
    ballot_cast(actor=delegate, meeting=published_meeting, poll_id=poll.pk, choices=[yes.pk])

    response = logged_in(client, secretary).post(
        reverse("participant_remove", args=[published_meeting.pk, participation(published_meeting, delegate).pk]), follow=True
    )

    assert "câu trả lời được lưu trong hồ sơ" in response.content.decode()
    assert Participant.objects.filter(meeting=published_meeting, user=delegate).exists()


def test_it_rejects_a_removal_by_a_delegate(meeting: Meeting, delegate: User, guest: User) -> None:
    with pytest.raises(NotAllowed):
        participant_remove(actor=delegate, participant=participation(meeting, guest))
    assert Participant.objects.filter(meeting=meeting, user=guest).exists()


# --- once the meeting has started ----------------------------------------------------------------


def _change_role(participant: Participant, secretary: User) -> None:
    participant_update(actor=secretary, participant=participant, role=Participant.Role.GUEST, can_vote=False)


def _remove(participant: Participant, secretary: User) -> None:
    participant_remove(actor=secretary, participant=participant)


@pytest.mark.parametrize("operation", [_change_role, _remove])
def test_it_forbids_participant_changes_once_the_meeting_has_started(
    published_meeting: Meeting, secretary: User, delegate: User, operation: Callable[[Participant, User], None]
) -> None:
    set_state(published_meeting, Meeting.State.IN_PROGRESS)
    participant = Participant.objects.select_related("meeting").get(meeting=published_meeting, user=delegate)

    with pytest.raises(WrongState):
        operation(participant, secretary)

    p = participation(published_meeting, delegate)
    assert (p.role, p.can_vote) == (Participant.Role.DELEGATE, True)


def test_it_forbids_invitations_once_the_meeting_has_started(published_meeting: Meeting, secretary: User, other_delegate: User) -> None:
    set_state(published_meeting, Meeting.State.IN_PROGRESS)

    with pytest.raises(WrongState):
        participants_invite(
            actor=secretary, meeting=published_meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True
        )


@pytest.mark.parametrize("operation", [_change_role, _remove])
def test_it_checks_the_state_of_the_locked_meeting_not_of_a_stale_copy(
    published_meeting: Meeting, secretary: User, delegate: User, operation: Callable[[Participant, User], None]
) -> None:
    # The view loads the participant with its meeting; then the chair opens the meeting in another request.
    participant = Participant.objects.select_related("meeting").get(meeting=published_meeting, user=delegate)
    Meeting.objects.filter(pk=published_meeting.pk).update(state=Meeting.State.IN_PROGRESS)

    with pytest.raises(WrongState):
        operation(participant, secretary)


def test_the_page_names_members_with_a_vote_left_out_or_in_without_it(
    client: Client, published_meeting: Meeting, secretary: User, chair: User, delegate: User, other_delegate: User
) -> None:
    published_meeting.body.voting_members.add(chair, delegate, other_delegate)
    Participant.objects.filter(meeting=published_meeting, user=delegate).update(can_vote=False)
    client.force_login(secretary)

    html = client.get(reverse("meeting_participants", args=[published_meeting.pk])).content.decode()

    gaps = html.split('data-testid="voting-gaps"')[1].split("</div>")[0]
    assert f"chưa được mời: {other_delegate.display_name}." in gaps
    assert f"không có quyền biểu quyết: {delegate.display_name}." in gaps
    assert chair.display_name not in gaps


def test_the_page_is_quiet_when_every_member_is_in_with_a_vote(
    client: Client, published_meeting: Meeting, secretary: User, chair: User
) -> None:
    published_meeting.body.voting_members.add(chair)
    client.force_login(secretary)

    html = client.get(reverse("meeting_participants", args=[published_meeting.pk])).content.decode()

    assert 'data-testid="voting-gaps"' not in html


def test_inviting_with_nobody_ticked_says_to_tick_someone(client: Client, meeting: Meeting, secretary: User, other_delegate: User) -> None:
    response = logged_in(client, secretary).post(f"/meetings/{meeting.pk}/participants/", {"role": "delegate", "can_vote": "on"})

    assert response.status_code == 200
    assert "Hãy đánh dấu ít nhất một người để mời." in response.content.decode()
    assert "Trường này là bắt buộc" not in response.content.decode()
