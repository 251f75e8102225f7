"""A poll's life: prepared, changed, opened, closed by hand, by its time limit or by the last ballot, annulled, repeated."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core import mail
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from meetings.models import AgendaItem, Meeting, MeetingEvent, Participant, User
from meetings.services.live import meeting_end, meeting_start
from meetings.services.participants import participant_update
from tests.conftest import set_state
from tests.voting.helpers import audit, choice_id, close, refused, set_attendance, street_names_poll, vote
from voting.export import poll_result_html
from voting.models import Ballot, Poll, PollChoice
from voting.selectors import poll_state
from voting.services.ballots import poll_annul, poll_close, poll_open, poll_progress_announce, polls_close_due
from voting.services.polls import poll_create, poll_delete, poll_update

pytestmark = pytest.mark.django_db

QUESTION = "Thông qua kế hoạch chuyển đổi số năm 2026?"


def _events(meeting: Meeting) -> list[str]:
    return list(MeetingEvent.objects.filter(meeting=meeting).order_by("seq").values_list("type", flat=True))


def _past(poll: Poll) -> None:
    """Move the poll's time limit or deadline into the past, as if it had run out."""
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))


# --- preparing -------------------------------------------------------------------------------


def test_the_secretary_prepares_a_yes_no_poll_with_the_three_usual_choices(council: Meeting, secretary: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=f"  {QUESTION}  ")

    assert (poll.state, poll.question, poll.kind, poll.max_choices, poll.mode) == ("draft", QUESTION, "yes_no", 1, "live")
    assert (poll.majority, poll.requires_quorum, poll.secret, poll.allow_change) == ("members", True, False, False)
    assert [c.meaning for c in poll.choices.all()] == ["yes", "no", "abstain"]
    assert all(c.label for c in poll.choices.all())
    assert poll.created_by == secretary
    assert audit(council, "poll.create") == [{"poll": poll.pk, "question": QUESTION}]
    assert _events(council)[-1] == "poll.update"


def test_the_chair_may_put_a_poll_on_the_spot_with_options(in_session: Meeting, chair: User) -> None:
    poll = poll_create(
        actor=chair,
        meeting=in_session,
        question="Chọn địa điểm xây dựng trường học",
        kind=Poll.Kind.OPTIONS,
        options=["Phường 1", " Phường 2 ", "", "Phường Thắng Tam"],
        max_choices=2,
    )

    assert [(c.label, c.meaning) for c in poll.choices.all()] == [
        ("Phường 1", "option"),
        ("Phường 2", "option"),
        ("Phường Thắng Tam", "option"),
    ]
    assert poll.max_choices == 2


def test_a_yes_no_poll_always_allows_one_choice(council: Meeting, secretary: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION, max_choices=3)

    assert poll.max_choices == 1


def test_polls_are_numbered_in_the_order_they_are_prepared(council: Meeting, secretary: User) -> None:
    first = poll_create(actor=secretary, meeting=council, question="Câu hỏi thứ nhất")
    second = poll_create(actor=secretary, meeting=council, question="Câu hỏi thứ hai")

    assert second.position == first.position + 1


def test_a_poll_prepared_in_a_draft_meeting_is_not_announced(meeting: Meeting, secretary: User) -> None:
    poll_create(actor=secretary, meeting=meeting, question=QUESTION)

    assert _events(meeting) == []


@pytest.mark.parametrize("who", ["delegate", "guest", "outsider"])
def test_only_the_chair_or_the_secretary_prepares_polls(council: Meeting, who: str, request: pytest.FixtureRequest) -> None:
    actor = request.getfixturevalue(who)

    refused("forbidden", poll_create, actor=actor, meeting=council, question=QUESTION)

    assert not Poll.objects.filter(meeting=council).exists()


def test_no_poll_is_added_once_the_minutes_are_approved(council: Meeting, secretary: User) -> None:
    set_state(council, Meeting.State.MINUTES_APPROVED)

    refused("wrong_state", poll_create, actor=secretary, meeting=council, question=QUESTION)


def test_a_poll_is_tied_only_to_an_item_of_its_own_meeting(council: Meeting, secretary: User, make_meeting: Callable[..., Meeting]) -> None:
    item = AgendaItem.objects.get(meeting=council)
    elsewhere = AgendaItem.objects.get(meeting=make_meeting(title="Họp giao ban"))

    poll = poll_create(actor=secretary, meeting=council, question=QUESTION, agenda_item_id=item.pk)
    refused("not_found", poll_create, actor=secretary, meeting=council, question=QUESTION, agenda_item_id=elsewhere.pk)

    assert poll.agenda_item == item


@pytest.mark.parametrize(
    "definition",
    [
        pytest.param({"question": "   "}, id="empty-question"),
        pytest.param({"question": "x" * 501}, id="question-too-long"),
        pytest.param({"kind": "ranked"}, id="unknown-kind"),
        pytest.param({"majority": "unanimous"}, id="unknown-majority"),
        pytest.param({"mode": "email"}, id="unknown-mode"),
        pytest.param({"kind": "options", "options": []}, id="no-options"),
        pytest.param({"kind": "options", "options": ["Phương án A"]}, id="one-option"),
        pytest.param({"kind": "options", "options": ["Phương án A", "   ", ""]}, id="one-option-and-blanks"),
        pytest.param({"kind": "options", "options": ["Phương án A", "Phương án A"]}, id="duplicate-options"),
        pytest.param({"kind": "options", "options": ["Phương án A", " Phương án A "]}, id="duplicate-after-trimming"),
        # The same words typed on two keyboards: precomposed and combining Vietnamese letters.
        pytest.param({"kind": "options", "options": ["Phương án", "Phu\u031bo\u031bng a\u0301n"]}, id="duplicate-after-normalising"),
        pytest.param({"kind": "options", "options": [f"Phương án {i}" for i in range(51)]}, id="too-many-options"),
        pytest.param({"kind": "options", "options": ["A" * 201, "B"]}, id="option-too-long"),
        pytest.param({"kind": "options", "options": ["A", "B", "C"], "max_choices": 0}, id="max-choices-zero"),
        pytest.param({"kind": "options", "options": ["A", "B", "C"], "max_choices": 4}, id="max-choices-above-options"),
        pytest.param({"secret": True, "allow_change": True}, id="secret-and-changeable"),
        pytest.param({"duration_seconds": 9}, id="time-limit-too-short"),
        pytest.param({"duration_seconds": 24 * 3600 + 1}, id="time-limit-too-long"),
    ],
)
def test_it_refuses_a_poll_that_cannot_be_run(council: Meeting, secretary: User, definition: dict[str, object]) -> None:
    fields: dict[str, object] = {"question": QUESTION, **definition}

    refused("invalid", poll_create, actor=secretary, meeting=council, **fields)

    assert not Poll.objects.filter(meeting=council).exists()
    assert not PollChoice.objects.exists()


@pytest.mark.parametrize("duration", [10, 24 * 3600])
def test_the_time_limit_may_be_anywhere_from_ten_seconds_to_a_day(council: Meeting, secretary: User, duration: int) -> None:
    assert poll_create(actor=secretary, meeting=council, question=QUESTION, duration_seconds=duration).duration_seconds == duration


# --- changing and deleting drafts ------------------------------------------------------------


def test_a_draft_can_be_changed_into_a_choice_between_options(council: Meeting, secretary: User, chair: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION)
    old_choices = set(poll.choices.values_list("pk", flat=True))

    poll_update(
        actor=chair,
        meeting=council,
        poll_id=poll.pk,
        question="Chọn phương án",
        kind=Poll.Kind.OPTIONS,
        options=["Phương án A", "Phương án B"],
        secret=True,
        majority=Poll.Majority.CAST,
    )

    poll = Poll.objects.get(pk=poll.pk)
    assert (poll.question, poll.kind, poll.secret, poll.majority) == ("Chọn phương án", "options", True, "cast")
    assert [c.label for c in poll.choices.all()] == ["Phương án A", "Phương án B"]
    assert not old_choices & set(poll.choices.values_list("pk", flat=True))
    assert audit(council, "poll.update") == [{"poll": poll.pk}]


def test_changing_other_settings_keeps_the_options(council: Meeting, secretary: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION, kind="options", options=["A", "B", "C"])

    poll_update(actor=secretary, meeting=council, poll_id=poll.pk, max_choices=3)

    poll = Poll.objects.get(pk=poll.pk)
    assert (poll.max_choices, [c.label for c in poll.choices.all()]) == (3, ["A", "B", "C"])


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"question": "  "}, id="empty-question"),
        pytest.param({"options": ["Phương án A"]}, id="one-option"),
        pytest.param({"options": ["A", "A"]}, id="duplicate-options"),
        pytest.param({"max_choices": 3}, id="max-choices-above-options"),
        pytest.param({"allow_change": True, "secret": True}, id="secret-and-changeable"),
    ],
)
def test_a_draft_cannot_be_changed_into_a_poll_that_cannot_be_run(council: Meeting, secretary: User, fields: dict[str, object]) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION, kind="options", options=["A", "B"])

    refused("invalid", poll_update, actor=secretary, meeting=council, poll_id=poll.pk, **fields)

    poll = Poll.objects.get(pk=poll.pk)
    assert (poll.question, poll.max_choices, poll.secret, poll.allow_change) == (QUESTION, 1, False, False)
    assert [c.label for c in poll.choices.all()] == ["A", "B"]


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"question": "x" * 501}, id="question-too-long"),
        pytest.param({"duration_seconds": 5}, id="time-limit-too-short"),
        pytest.param({"duration_seconds": 7 * 24 * 3600}, id="time-limit-too-long"),
    ],
)
def test_a_draft_cannot_be_changed_past_the_limits_a_new_poll_has(council: Meeting, secretary: User, fields: dict[str, object]) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION)

    refused("invalid", poll_update, actor=secretary, meeting=council, poll_id=poll.pk, **fields)


def test_a_delegate_cannot_change_or_delete_a_poll(council: Meeting, secretary: User, delegate: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION)

    refused("forbidden", poll_update, actor=delegate, meeting=council, poll_id=poll.pk, question="Câu khác")
    refused("forbidden", poll_delete, actor=delegate, meeting=council, poll_id=poll.pk)

    assert Poll.objects.get(pk=poll.pk).question == QUESTION


def test_a_draft_can_be_deleted(council: Meeting, secretary: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION)

    poll_delete(actor=secretary, meeting=council, poll_id=poll.pk)

    assert not Poll.objects.filter(pk=poll.pk).exists()
    assert not PollChoice.objects.filter(poll_id=poll.pk).exists()
    assert audit(council, "poll.delete") == [{"poll": poll.pk, "question": QUESTION}]
    deleted = MeetingEvent.objects.filter(meeting=council).order_by("seq").last()
    assert (deleted.type, deleted.payload) == ("poll.delete", {"poll_id": poll.pk})


def test_a_poll_once_opened_can_be_neither_changed_nor_deleted(open_poll: Callable[..., Poll], secretary: User, chair: User) -> None:
    poll = open_poll()

    refused("wrong_state", poll_update, actor=chair, meeting=poll.meeting, poll_id=poll.pk, question="Câu khác")
    refused("wrong_state", poll_delete, actor=secretary, meeting=poll.meeting, poll_id=poll.pk)
    close(poll, chair)
    refused("wrong_state", poll_update, actor=chair, meeting=poll.meeting, poll_id=poll.pk, question="Câu khác")
    refused("wrong_state", poll_delete, actor=chair, meeting=poll.meeting, poll_id=poll.pk)

    assert Poll.objects.get(pk=poll.pk).question != "Câu khác"


def test_a_poll_of_another_meeting_is_not_found(council: Meeting, secretary: User, make_meeting: Callable[..., Meeting]) -> None:
    other = make_meeting(title="Họp giao ban")
    poll = poll_create(actor=secretary, meeting=other, question=QUESTION)

    refused("not_found", poll_update, actor=secretary, meeting=council, poll_id=poll.pk, question="Câu khác")
    refused("not_found", poll_delete, actor=secretary, meeting=council, poll_id=poll.pk)
    refused("not_found", poll_open, actor=council.chair, meeting=council, poll_id=poll.pk)


# --- opening and closing ---------------------------------------------------------------------


def test_the_chair_opens_a_vote_and_everyone_is_told(in_session: Meeting, chair: User) -> None:
    poll = poll_create(actor=chair, meeting=in_session, question=QUESTION)

    opened = poll_open(actor=chair, meeting=in_session, poll_id=poll.pk)

    assert (opened.state, opened.closes_at) == ("open", None)
    assert opened.opened_at is not None
    event = MeetingEvent.objects.filter(meeting=in_session).order_by("seq").last()
    assert event.type == "poll.open"
    assert event.payload["poll"]["state"] == "open"
    assert event.payload["poll"]["progress"] == {
        "poll_id": poll.pk,
        "voted": 0,
        "eligible": 4,
        "voters": [],
    }
    assert audit(in_session, "poll.open") == [{"poll": poll.pk, "question": QUESTION, "secret": False}]


def test_a_vote_in_the_meeting_waits_for_the_meeting_to_start(council: Meeting, secretary: User, chair: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION)

    refused("wrong_state", poll_open, actor=chair, meeting=council, poll_id=poll.pk)

    assert Poll.objects.get(pk=poll.pk).state == "draft"


def test_no_vote_opens_once_the_meeting_has_ended(in_session: Meeting, chair: User) -> None:
    poll = poll_create(actor=chair, meeting=in_session, question=QUESTION)
    meeting_end(actor=chair, meeting=in_session)

    refused("wrong_state", poll_open, actor=chair, meeting=in_session, poll_id=poll.pk)


def test_a_vote_that_needs_a_quorum_does_not_open_without_one(council: Meeting, chair: User, member: Callable[[str], Participant]) -> None:
    meeting = meeting_start(actor=chair, meeting=council)
    set_attendance(meeting, member("chutoa"), Participant.Attendance.PRESENT)
    set_attendance(meeting, member("daibieu01"), Participant.Attendance.PRESENT)  # 2 of 4; 3 needed
    needs = poll_create(actor=chair, meeting=meeting, question=QUESTION)
    procedural = poll_create(actor=chair, meeting=meeting, question="Nghỉ giải lao 15 phút?", requires_quorum=False)

    refused("no_quorum", poll_open, actor=chair, meeting=meeting, poll_id=needs.pk)
    poll_open(actor=chair, meeting=meeting, poll_id=procedural.pk)
    close(procedural, chair)
    set_attendance(meeting, member("daibieu02"), Participant.Attendance.LATE)  # latecomers count as present
    poll_open(actor=chair, meeting=meeting, poll_id=needs.pk)

    assert Poll.objects.get(pk=needs.pk).state == "open"


def test_only_one_vote_is_open_at_a_time(in_session: Meeting, chair: User) -> None:
    first = poll_create(actor=chair, meeting=in_session, question="Câu hỏi thứ nhất")
    second = poll_create(actor=chair, meeting=in_session, question="Câu hỏi thứ hai")
    poll_open(actor=chair, meeting=in_session, poll_id=first.pk)

    refused("poll_open", poll_open, actor=chair, meeting=in_session, poll_id=second.pk)
    close(first, chair)
    poll_open(actor=chair, meeting=in_session, poll_id=second.pk)

    assert Poll.objects.get(pk=second.pk).state == "open"


def test_a_poll_opens_only_once(open_poll: Callable[..., Poll], chair: User) -> None:
    poll = open_poll()

    refused("wrong_state", poll_open, actor=chair, meeting=poll.meeting, poll_id=poll.pk)
    close(poll, chair)
    refused("wrong_state", poll_open, actor=chair, meeting=poll.meeting, poll_id=poll.pk)


@pytest.mark.parametrize("who", ["secretary", "delegate", "guest"])
def test_only_the_chair_opens_and_closes_a_vote_in_the_meeting(
    in_session: Meeting, chair: User, who: str, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(who)
    draft = poll_create(actor=chair, meeting=in_session, question="Câu hỏi thứ nhất")
    running = poll_open(actor=chair, meeting=in_session, poll_id=poll_create(actor=chair, meeting=in_session, question="Câu hai").pk)

    refused("forbidden", poll_open, actor=actor, meeting=in_session, poll_id=draft.pk)
    refused("forbidden", poll_close, actor=actor, meeting=in_session, poll_id=running.pk)
    refused("forbidden", poll_annul, actor=actor, meeting=in_session, poll_id=running.pk, reason="Lý do")

    assert Poll.objects.get(pk=running.pk).state == "open"


def test_the_chair_closes_the_vote_with_its_result(open_poll: Callable[..., Poll], chair: User, delegate: User) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")

    closed = close(poll, chair)

    assert closed.state == "closed"
    assert closed.closed_at is not None
    assert closed.result["ballots"] == 1
    [entry] = audit(poll.meeting, "poll.close")
    assert (entry["poll"], entry["why"], entry["result"]) == (poll.pk, "chair", closed.result)
    event = MeetingEvent.objects.filter(meeting=poll.meeting).order_by("seq").last()
    assert (event.type, event.payload["poll"]["state"], event.payload["poll"]["result"]) == ("poll.close", "closed", closed.result)


def test_a_draft_cannot_be_closed(in_session: Meeting, chair: User) -> None:
    poll = poll_create(actor=chair, meeting=in_session, question=QUESTION)

    refused("poll_not_open", poll_close, actor=chair, meeting=in_session, poll_id=poll.pk)


# --- annulling -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_annulling_needs_a_reason(open_poll: Callable[..., Poll], chair: User, reason: str) -> None:
    poll = open_poll()

    refused("invalid", poll_annul, actor=chair, meeting=poll.meeting, poll_id=poll.pk, reason=reason)

    assert Poll.objects.get(pk=poll.pk).state == "open"


def test_calling_off_an_open_vote_that_closed_meanwhile_is_refused(open_poll: Callable[..., Poll], chair: User) -> None:
    poll = open_poll()
    close(poll, chair)  # its time ran out while the chair wrote why

    refused("wrong_state", poll_annul, actor=chair, meeting=poll.meeting, poll_id=poll.pk, reason="Nhầm", expected_state="open")

    assert Poll.objects.get(pk=poll.pk).state == "closed"


def test_the_chair_annuls_an_open_vote_with_the_reason_on_record(open_poll: Callable[..., Poll], chair: User, delegate: User) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")

    repeat = poll_annul(actor=chair, meeting=poll.meeting, poll_id=poll.pk, reason="  Hệ thống biểu quyết gặp sự cố.  ")

    assert repeat is None
    poll = Poll.objects.get(pk=poll.pk)
    assert (poll.state, poll.annulled_reason) == ("annulled", "Hệ thống biểu quyết gặp sự cố.")
    assert poll.annulled_at is not None
    assert poll.result is None
    assert audit(poll.meeting, "poll.annul") == [{"poll": poll.pk, "reason": "Hệ thống biểu quyết gặp sự cố."}]
    event = MeetingEvent.objects.filter(meeting=poll.meeting).order_by("seq").last()
    assert (event.type, event.payload["poll"]["annulled_reason"]) == ("poll.annul", "Hệ thống biểu quyết gặp sự cố.")
    # The room can vote on something else now.
    other = poll_create(actor=chair, meeting=poll.meeting, question="Câu hỏi khác")
    assert poll_open(actor=chair, meeting=poll.meeting, poll_id=other.pk).state == "open"


def test_a_closed_vote_can_be_annulled_and_keeps_its_result(open_poll: Callable[..., Poll], chair: User, delegate: User) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")
    result = close(poll, chair).result

    poll_annul(actor=chair, meeting=poll.meeting, poll_id=poll.pk, reason="Phát hiện sai sót trong danh sách đại biểu.")

    poll = Poll.objects.get(pk=poll.pk)
    assert (poll.state, poll.result) == ("annulled", result)


def test_a_draft_or_annulled_poll_cannot_be_annulled(open_poll: Callable[..., Poll], in_session: Meeting, chair: User) -> None:
    draft = poll_create(actor=chair, meeting=in_session, question=QUESTION)
    poll = open_poll()
    poll_annul(actor=chair, meeting=in_session, poll_id=poll.pk, reason="Sự cố")

    refused("wrong_state", poll_annul, actor=chair, meeting=in_session, poll_id=draft.pk, reason="Sự cố")
    refused("wrong_state", poll_annul, actor=chair, meeting=in_session, poll_id=poll.pk, reason="Sự cố")


def test_annulling_with_a_repeat_prepares_the_same_question_again(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User
) -> None:
    poll = open_poll(
        kind=Poll.Kind.OPTIONS,
        options=["Phương án A", "Phương án B", "Phương án C"],
        max_choices=2,
        majority=Poll.Majority.CAST,
        secret=True,
        duration_seconds=120,
    )
    vote(poll, delegate, "Phương án A")

    again = poll_annul(actor=chair, meeting=poll.meeting, poll_id=poll.pk, reason="Mất điện giữa chừng", repeat=True)

    assert again is not None
    again = Poll.objects.get(pk=again.pk)
    assert again.pk != poll.pk
    assert (again.state, again.repeat_of_id, again.created_by) == ("draft", poll.pk, chair)
    assert (again.question, again.kind, again.max_choices, again.majority, again.secret, again.duration_seconds) == (
        poll.question,
        "options",
        2,
        "cast",
        True,
        120,
    )
    assert (again.opened_at, again.closes_at, again.closed_at, again.annulled_at, again.result) == (None, None, None, None, None)
    assert again.annulled_reason == ""
    original = [(c.position, c.label, c.meaning) for c in poll.choices.all()]
    assert [(c.position, c.label, c.meaning) for c in again.choices.all()] == original
    assert not set(again.choices.values_list("pk", flat=True)) & set(poll.choices.values_list("pk", flat=True))
    # The secretary's list says which of the two alike is the vote again.
    assert poll_state(poll=again)["repeat_of"] == poll.pk
    assert not Ballot.objects.filter(poll=again).exists()
    assert Poll.objects.get(pk=poll.pk).state == "annulled"
    assert audit(poll.meeting, "poll.create")[-1] == {"poll": again.pk, "repeat_of": poll.pk}
    assert _events(poll.meeting)[-2:] == ["poll.annul", "poll.update"]
    # The repeat is a vote like any other: whoever voted before votes afresh.
    poll_open(actor=chair, meeting=poll.meeting, poll_id=again.pk)
    vote(again, delegate, "Phương án B")
    vote(again, other_delegate, "Phương án A", "Phương án C")
    assert close(again, chair).result["ballots"] == 2


# --- closing by itself -----------------------------------------------------------------------


def test_a_time_limit_sets_when_the_vote_closes(open_poll: Callable[..., Poll]) -> None:
    poll = open_poll(duration_seconds=90)

    assert poll.closes_at - poll.opened_at == datetime.timedelta(seconds=90)


def test_a_vote_closes_by_itself_when_its_time_runs_out(open_poll: Callable[..., Poll], delegate: User, other_delegate: User) -> None:
    poll = open_poll(duration_seconds=60)
    vote(poll, delegate, "yes")
    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)
    assert Poll.objects.get(pk=poll.pk).state == "open"  # not yet due

    _past(poll)
    refused("poll_closed", vote, poll, other_delegate, "no")  # refused at once, before anyone closes it
    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)

    closed = Poll.objects.get(pk=poll.pk)
    assert closed.state == "closed"
    assert closed.result["ballots"] == 1
    assert audit(poll.meeting, "poll.close")[-1]["why"] == "deadline"
    assert _events(poll.meeting)[-1] == "poll.close"


def test_the_last_ballot_closes_a_vote_that_closes_when_all_have_voted(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll(close_when_all_voted=True)
    for user in (chair, delegate, other_delegate):
        vote(poll, user, "yes")
    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)
    assert Poll.objects.get(pk=poll.pk).state == "open"
    progress = MeetingEvent.objects.filter(meeting=poll.meeting).order_by("seq").last()
    assert (progress.type, progress.payload["progress"]["voted"], progress.payload["progress"]["eligible"]) == ("poll.progress", 3, 4)

    vote(poll, member("daibieu3").user, "no")
    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)

    closed = Poll.objects.get(pk=poll.pk)
    assert closed.state == "closed"
    assert closed.result["ballots"] == 4
    assert audit(poll.meeting, "poll.close")[-1]["why"] == "all_voted"


def test_a_vote_that_waits_for_the_chair_stays_open_when_all_have_voted(
    open_poll: Callable[..., Poll], chair: User, delegate: User, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    poll = open_poll()
    for user in (chair, delegate, other_delegate, member("daibieu3").user):
        vote(poll, user, "yes")

    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)

    assert Poll.objects.get(pk=poll.pk).state == "open"


def test_progress_is_announced_only_when_it_changed(open_poll: Callable[..., Poll], delegate: User) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")

    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)
    poll_progress_announce(meeting_id=poll.meeting_id, poll_id=poll.pk)

    assert _events(poll.meeting).count("poll.progress") == 1


def test_the_meeting_does_not_end_while_a_vote_is_open(
    open_poll: Callable[..., Poll], in_session: Meeting, chair: User, delegate: User
) -> None:
    poll = open_poll()
    vote(poll, delegate, "yes")

    refused("poll_open", meeting_end, actor=chair, meeting=in_session)

    assert Poll.objects.get(pk=poll.pk).state == "open"
    assert Meeting.objects.get(pk=in_session.pk).state == Meeting.State.IN_PROGRESS
    close(poll, chair)
    meeting_end(actor=chair, meeting=in_session)
    assert Meeting.objects.get(pk=in_session.pk).state == Meeting.State.CLOSED


def test_a_vote_past_its_time_limit_does_not_hold_up_the_end(open_poll: Callable[..., Poll], in_session: Meeting, chair: User) -> None:
    poll = open_poll(duration_seconds=60)
    Poll.objects.filter(pk=poll.pk).update(closes_at=poll.opened_at)  # its timer went with a restarted process

    meeting_end(actor=chair, meeting=in_session)

    assert Poll.objects.get(pk=poll.pk).state == "closed"
    assert Meeting.objects.get(pk=in_session.pk).state == Meeting.State.CLOSED


# --- written opinions ------------------------------------------------------------------------


@pytest.fixture
def written(council: Meeting, secretary: User) -> Poll:
    """Written opinions asked for before the meeting, with a deadline in two days."""
    poll = poll_create(actor=secretary, meeting=council, question="Góp ý dự thảo quy chế làm việc", mode=Poll.Mode.WRITTEN)
    return poll_open(actor=secretary, meeting=council, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=2))


def test_written_opinions_are_opened_with_a_deadline_before_the_meeting(written: Poll, council: Meeting) -> None:
    assert (written.state, written.mode) == ("open", "written")
    assert written.closes_at > timezone.now() + datetime.timedelta(days=1)
    assert Meeting.objects.get(pk=council.pk).state == "published"


def test_each_member_with_a_vote_is_asked_by_e_mail_with_the_deadline(
    council: Meeting, secretary: User, guest: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    poll = poll_create(actor=secretary, meeting=council, question="Góp ý dự thảo quy chế làm việc", mode=Poll.Mode.WRITTEN)
    deadline = timezone.now() + datetime.timedelta(days=2)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        poll_open(actor=secretary, meeting=council, poll_id=poll.pk, deadline=deadline)

    members = {p.user.email for p in council.participants.filter(can_vote=True).select_related("user") if p.user.email}
    assert {message.to[0] for message in mail.outbox} == members
    assert guest.email not in members
    message = mail.outbox[0]
    assert message.subject == "[Lấy ý kiến bằng văn bản] Góp ý dự thảo quy chế làm việc"
    assert "Góp ý dự thảo quy chế làm việc" in message.body
    assert f"Trả lời trước {timezone.localtime(deadline):%H:%M}" in message.body
    assert f"/meetings/{council.pk}/#votes" in message.body


def test_the_e_mail_asking_for_written_opinions_lists_the_options_and_how_many_to_choose(
    council: Meeting, secretary: User, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    poll = street_names_poll(meeting=council, actor=secretary)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        poll_open(actor=secretary, meeting=council, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=2))

    body = mail.outbox[0].body
    assert "  - Đường Hoa Sứ\n  - Đường Hoa Sen\n  - Đường Hoa Mai\n" in body
    assert "Chọn tối đa 2 phương án." in body


def test_members_give_written_opinions_without_being_present(
    written: Poll, member: Callable[[str], Participant], delegate: User, other_delegate: User, guest: User
) -> None:
    assert member("daibieu01").attendance == Participant.Attendance.UNKNOWN

    vote(written, delegate, "yes")
    vote(written, other_delegate, "no")
    refused("not_eligible", vote, written, guest, "yes")

    assert Ballot.objects.filter(poll=written).count() == 2


@pytest.mark.parametrize("deadline", [None, datetime.timedelta(seconds=-1), datetime.timedelta(days=-1)])
def test_written_opinions_need_a_deadline_in_the_future(council: Meeting, secretary: User, deadline: datetime.timedelta | None) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION, mode=Poll.Mode.WRITTEN)

    refused(
        "invalid",
        poll_open,
        actor=secretary,
        meeting=council,
        poll_id=poll.pk,
        deadline=None if deadline is None else timezone.now() + deadline,
    )

    assert Poll.objects.get(pk=poll.pk).state == "draft"


def test_written_opinions_wait_for_the_meeting_to_be_published(meeting: Meeting, secretary: User) -> None:
    poll = poll_create(actor=secretary, meeting=meeting, question=QUESTION, mode=Poll.Mode.WRITTEN)

    refused(
        "wrong_state", poll_open, actor=secretary, meeting=meeting, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=1)
    )


def test_a_delegate_cannot_ask_for_written_opinions(council: Meeting, secretary: User, delegate: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION, mode=Poll.Mode.WRITTEN)

    refused("forbidden", poll_open, actor=delegate, meeting=council, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=1))


def test_written_opinions_close_when_their_deadline_has_passed(
    written: Poll, delegate: User, other_delegate: User, member: Callable[[str], Participant]
) -> None:
    vote(written, delegate, "yes")
    vote(written, other_delegate, "yes")
    vote(written, member("daibieu3").user, "yes")
    assert polls_close_due() == 0

    _past(written)
    refused("poll_closed", vote, written, member("chutoa").user, "no")
    closed_count = polls_close_due()

    poll = Poll.objects.get(pk=written.pk)
    assert closed_count == 1
    assert poll.state == "closed"
    assert (poll.result["ballots"], poll.result["quorum_met"], poll.result["no_quorum"], poll.result["base"]) == (3, True, False, 4)
    assert poll.result["passed"] is True  # 3 of 4 members
    assert audit(poll.meeting, "poll.close")[-1]["why"] == "deadline"
    assert polls_close_due() == 0


def test_written_opinions_answered_by_too_few_members_do_not_pass_when_the_quorum_rule_applies(
    written: Poll, secretary: User, delegate: User, other_delegate: User
) -> None:
    vote(written, delegate, "yes")
    vote(written, other_delegate, "yes")

    result = poll_close(actor=secretary, meeting=written.meeting, poll_id=written.pk).result

    # Two of four members answered, both agreeing: more than half of the members is three.
    assert (result["ballots"], result["quorum_met"], result["no_quorum"], result["passed"]) == (2, False, True, False)
    sheet = poll_result_html(poll=Poll.objects.get(pk=written.pk))
    assert "KHÔNG THÔNG QUA (không đủ số thành viên trả lời)" in sheet
    assert "thành viên được lấy ý kiến: 4; không trả lời: 2." in sheet
    assert "có mặt" not in sheet


def test_written_opinions_without_the_quorum_rule_count_whoever_answered(council: Meeting, secretary: User, delegate: User) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION, mode=Poll.Mode.WRITTEN, requires_quorum=False, majority="cast")
    poll = poll_open(actor=secretary, meeting=council, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=1))
    vote(poll, delegate, "yes")

    result = poll_close(actor=secretary, meeting=council, poll_id=poll.pk).result

    assert (result["quorum_met"], result["no_quorum"], result["passed"]) == (False, False, True)


def test_written_opinions_close_by_themselves_once_the_only_member_yet_to_answer_is_given_no_vote(
    council: Meeting, secretary: User, chair: User, delegate: User, other_delegate: User
) -> None:
    poll = poll_create(actor=secretary, meeting=council, question=QUESTION, mode=Poll.Mode.WRITTEN, close_when_all_voted=True)
    poll = poll_open(actor=secretary, meeting=council, poll_id=poll.pk, deadline=timezone.now() + datetime.timedelta(days=2))
    for user in (chair, delegate, other_delegate):
        vote(poll, user, "yes")
    third = Participant.objects.get(meeting=council, user__username="daibieu3")

    # Given no vote, the member still to answer is no longer waited for; the opinions close by themselves.
    participant_update(actor=secretary, participant=third, role=Participant.Role.DELEGATE, can_vote=False)

    poll.refresh_from_db()
    assert (poll.state, poll.result["ballots"]) == ("closed", 3)


def test_a_late_written_opinion_is_told_the_time_is_over(written: Poll, delegate: User) -> None:
    _past(written)

    error = refused("poll_closed", vote, written, delegate, "yes")

    assert str(error) == "Đã hết hạn lấy ý kiến bằng văn bản; không nhận thêm ý kiến."


def test_the_secretary_may_close_written_opinions_early(written: Poll, secretary: User) -> None:
    poll_close(actor=secretary, meeting=written.meeting, poll_id=written.pk)

    assert Poll.objects.get(pk=written.pk).state == "closed"


def test_written_opinions_run_beside_votes_in_the_meeting_and_outlive_it(
    written: Poll, council: Meeting, chair: User, member: Callable[[str], Participant]
) -> None:
    meeting = meeting_start(actor=chair, meeting=council)
    for username in ("chutoa", "daibieu01", "daibieu02"):
        set_attendance(meeting, member(username), Participant.Attendance.PRESENT)
    live = poll_create(actor=chair, meeting=meeting, question="Biểu quyết tại phiên họp")
    poll_open(actor=chair, meeting=meeting, poll_id=live.pk)
    close(live, chair)

    meeting_end(actor=chair, meeting=meeting)

    assert Poll.objects.get(pk=written.pk).state == "open"
    assert choice_id(written, "yes")
