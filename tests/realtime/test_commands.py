"""Every live command: what the right person's command does for everyone, and how a wrong one is refused.

A refused command gets an error reply naming its id, with a stable code and a message; nothing
is broadcast, the meeting's sequence number stays, and the same socket goes on serving.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from annotations.models import Annotation
from annotations.services import annotation_delete, annotation_upsert
from meetings.models import AgendaItem, AuditEvent, Document, DocumentVersion, Meeting, Participant, Presentation, SpeakerRequest, User
from meetings.services.documents import document_add_version, document_upload
from meetings.services.live import (
    attendance_mark,
    meeting_end,
    meeting_recess,
    meeting_start,
    presentation_hand_over,
    presentation_show,
)
from meetings.services.speakers import speaker_request, speaker_start
from realtime.protocol import COMMANDS
from tests.conftest import make_user
from tests.realtime.conftest import Client
from tests.realtime.helpers import (
    Connect,
    assert_quiet,
    assert_refused,
    assert_still_serving,
    assert_still_serving_resync,
    current_seq,
    entry_of,
    heard,
    numbered,
    participant_of,
    room,
)
from voting.models import Poll, Proxy
from voting.services.ballots import poll_open
from voting.services.polls import poll_create
from voting.services.proxies import proxy_give

pytestmark = pytest.mark.django_db(transaction=True)


# --- Scenes: the meeting in the state a command is tried in -------------------------------------


@dataclass
class Scene:
    meeting: Meeting
    users: dict[str, User]
    items: list[AgendaItem]
    document: Document
    participants: dict[str, Participant]
    foreign_item: AgendaItem
    foreign_participant: Participant
    foreign_document: Document
    poll: Poll
    choices: dict[str, int]
    foreign_poll: Poll
    foreign_choice: int
    proxy: Proxy
    versions: list[DocumentVersion]  # of `document`, oldest first
    annotation: Annotation  # the delegate's, shared, on page 2 of the first version
    case: Case | None = None
    waiting_request_id: int | None = None  # the guest's, in the "queued" scene
    speech_id: int | None = None  # the delegate's, in the "speaking" scene


Fields = dict[str, Any] | Callable[[Scene], dict[str, Any]]


@dataclass(frozen=True)
class Case:
    """A command that must be refused: in which scene, by whom, with what, and the error code expected."""

    state: str
    actor: str
    type: str
    fields: Fields = field(default_factory=dict)
    code: str = "invalid"
    label: str = ""
    observer: str = ""
    mentions: str = ""
    probe: tuple[str, dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return "-".join(part for part in (self.state, self.actor, self.type, self.label or self.code) if part)

    def resolved_fields(self, scene: Scene) -> dict[str, Any]:
        return self.fields(scene) if callable(self.fields) else dict(self.fields)


def _build_scene(request: pytest.FixtureRequest, state: str) -> Scene:
    meeting: Meeting = request.getfixturevalue("live_meeting")
    make_meeting = request.getfixturevalue("make_meeting")
    pdf_upload = request.getfixturevalue("pdf_upload")
    users = {name: request.getfixturevalue(name) for name in ("chair", "secretary", "delegate", "guest", "other_delegate")}
    admin = make_user("quantri")
    admin.is_superuser = True
    admin.save()
    users["admin"] = admin
    chair = users["chair"]
    document = Document.objects.get(meeting=meeting)
    participants = {
        p_name: Participant.objects.get(meeting=meeting, user=users[p_name]) for p_name in ("chair", "secretary", "delegate", "guest")
    }
    elsewhere = make_meeting(title="Họp giao ban khác")
    foreign_document = document_upload(actor=users["secretary"], meeting=elsewhere, upload=pdf_upload("khac.pdf", pages=9), title="Khác")
    poll = poll_create(actor=users["secretary"], meeting=meeting, question="Thông qua đề án?")
    foreign_poll = poll_create(actor=users["secretary"], meeting=elsewhere, question="Nội dung khác?")
    # The delegate, expecting to be away, lets the chair vote for them.
    proxy = proxy_give(actor=users["delegate"], meeting=meeting, holder_id=participants["chair"].pk)
    annotation = annotation_upsert(
        actor=users["delegate"],
        meeting=meeting,
        annotation_id=DELEGATES_ANNOTATION,
        document_id=document.pk,
        version_id=document.versions.get().pk,
        page=2,
        kind="ink",
        data=INK,
        revision=1,
        shared=True,
    )
    if state == "revised":
        document_add_version(actor=users["secretary"], document=document, upload=pdf_upload("de-an-sua.pdf", pages=3))
    if state == "erased":
        annotation_delete(actor=users["delegate"], meeting=meeting, annotation_id=DELEGATES_ANNOTATION, revision=2)

    if state != "published":
        meeting_start(actor=chair, meeting=meeting)
    if state == "recess":
        meeting_recess(actor=chair, meeting=meeting, minutes=15)
    if state == "live_no_checkin":
        Meeting.objects.filter(pk=meeting.pk).update(allow_self_checkin=False)
    if state == "confidential":
        # Made confidential with no reader named: the chair and the secretary still read it, the delegate no longer.
        Document.objects.filter(pk=document.pk).update(confidential=True)
    if state == "presenting":
        presentation_show(actor=chair, meeting=meeting, document_id=document.pk, page=1)
    speech = speaker_start(actor=chair, meeting=meeting, participant_id=participants["delegate"].pk) if state == "speaking" else None
    waiting = speaker_request(actor=users["guest"], meeting=meeting) if state == "queued" else None
    if state == "handed":
        presentation_hand_over(actor=chair, meeting=meeting, user_id=users["delegate"].pk)
    if state == "voting":
        attendance_mark(actor=users["secretary"], meeting=meeting, participant_id=participants["chair"].pk, status="present")
        attendance_mark(actor=users["secretary"], meeting=meeting, participant_id=participants["delegate"].pk, status="present")
        poll_open(actor=chair, meeting=meeting, poll_id=poll.pk)
    if state in ("closed", "approved"):
        meeting_end(actor=chair, meeting=meeting)
    if state == "approved":
        Meeting.objects.filter(pk=meeting.pk).update(state=Meeting.State.MINUTES_APPROVED)

    return Scene(
        meeting=Meeting.objects.get(pk=meeting.pk),
        users=users,
        items=list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "id")),
        document=document,
        participants=participants,
        foreign_item=AgendaItem.objects.get(meeting=elsewhere),
        foreign_participant=Participant.objects.get(meeting=elsewhere, user=chair),
        foreign_document=foreign_document,
        poll=Poll.objects.get(pk=poll.pk),
        choices={c.meaning: c.pk for c in poll.choices.all()},
        foreign_poll=foreign_poll,
        foreign_choice=foreign_poll.choices.first().pk,
        proxy=proxy,
        versions=list(DocumentVersion.objects.filter(document=document).order_by("number")),
        annotation=Annotation.objects.get(pk=annotation.pk),
        waiting_request_id=waiting.pk if waiting else None,
        speech_id=speech.pk if speech else None,
    )


@pytest.fixture
def scene(request: pytest.FixtureRequest) -> Scene:
    case: Case = request.param
    built = _build_scene(request, case.state)
    built.case = case
    return built


async def _refused_and_carried_on(connect: Connect, scene: Scene) -> None:
    case = scene.case
    assert case is not None
    observer_name = case.observer or ("delegate" if case.actor == "chair" else "chair")
    actor, observer = await room(connect, scene.meeting, scene.users[case.actor], scene.users[observer_name])
    seq_before = await current_seq(scene.meeting)

    reply = await assert_refused(actor, [observer], case.type, code=case.code, **case.resolved_fields(scene))

    if case.mentions:
        assert case.mentions in reply["message"], reply
    assert await current_seq(scene.meeting) == seq_before
    if case.probe is not None:
        await assert_still_serving(actor, case.probe[0], **case.probe[1])
    elif case.state in ("closed", "approved"):
        await assert_still_serving_resync(actor, scene.meeting)
    elif case.state == "published":
        await assert_still_serving(actor, "attendance.checkin")
    else:
        await assert_still_serving(actor, "speaker.withdraw")


def _item(index: int) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"item_id": s.items[index].pk}


def _page(page: Any, **extra: Any) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"document_id": s.document.pk, "page": page, **extra}


def _mark(who: str, status: Any = "present") -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"participant_id": s.participants[who].pk, "status": status}


def _hand_to(who: str) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"user_id": s.users[who].pk}


def _floor_to(who: str) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"participant_id": s.participants[who].pk}


def _waiting(**extra: Any) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"request_id": s.waiting_request_id, **extra}


def _more(seconds: Any, **extra: Any) -> Callable[[Scene], dict[str, Any]]:
    """More time for the speech under way (the delegate's, in the "speaking" scene); None leaves seconds out."""
    return lambda s: {"request_id": s.speech_id, **({} if seconds is None else {"seconds": seconds}), **extra}


def _poll(**extra: Any) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"poll_id": s.poll.pk, **extra}


def _ballot(meaning: str, **extra: Any) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"poll_id": s.poll.pk, "choices": [s.choices[meaning]], **extra}


def _proxy(**extra: Any) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"proxy_id": s.proxy.pk, **extra}


def _omit(fields: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if key != name}


def _note(**extra: Any) -> dict[str, Any]:
    return {"field": "notes", "text": "Đại biểu thảo luận.", "base_version": 0, **extra}


def _conclude(index: int, text: Any = "Thống nhất thông qua.") -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"item_id": s.items[index].pk, "text": text}


DELEGATES_ANNOTATION = "5b0f6c1e-2f4a-4e8e-9d3c-7a1b2c3d4e5f"
NEW_ANNOTATION = "0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70"
STROKE = "c0ffee00-1234-4abc-8def-0123456789ab"
INK = {"points": [[0.1, 0.1], [0.2, 0.25], [0.3, 0.2]], "color": "#1565c0", "width": 0.004}


def _annotate(data: Any = None, **extra: Any) -> Callable[[Scene], dict[str, Any]]:
    """A new ink annotation on page 1 of the first version of the meeting's document."""
    return lambda s: {
        "annotation_id": NEW_ANNOTATION,
        "document_id": s.document.pk,
        "version_id": s.versions[0].pk,
        "page": 1,
        "kind": "ink",
        "data": INK if data is None else data,
        "revision": 1,
        **extra,
    }


def _ink(**data: Any) -> Callable[[Scene], dict[str, Any]]:
    return _annotate(data={**INK, **data})


def _change(**extra: Any) -> Callable[[Scene], dict[str, Any]]:
    """A newer revision of the delegate's annotation, as it stands."""
    return lambda s: {
        "annotation_id": str(s.annotation.id),
        "document_id": s.annotation.document_id,
        "version_id": s.annotation.version_id,
        "page": s.annotation.page,
        "kind": s.annotation.kind,
        "data": s.annotation.data,
        "revision": s.annotation.revision + 5,
        **extra,
    }


def _erase(**extra: Any) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"annotation_id": str(s.annotation.id), "revision": s.annotation.revision + 5, **extra}


def _withhold(**extra: Any) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"annotation_id": str(s.annotation.id), **extra}


def _stroke(**extra: Any) -> Callable[[Scene], dict[str, Any]]:
    """A few points of the presenter's pen on page 1 of the meeting's document (the page presented)."""
    return lambda s: {
        "stroke_id": STROKE,
        "document_id": s.document.pk,
        "page": 1,
        "points": [[0.1, 0.1], [0.12, 0.11]],
        "color": "#d32f2f",
        "width": 0.004,
        **extra,
    }


NOTICE_PROBE = ("notice.send", {"text": "Kiểm tra"})

FORBIDDEN = [
    Case("published", "delegate", "meeting.start", code="forbidden"),
    Case("published", "guest", "meeting.start", code="forbidden"),
    Case("published", "secretary", "meeting.start", code="forbidden"),
    Case("published", "delegate", "attendance.update", _mark("delegate"), code="forbidden"),
    Case("published", "guest", "attendance.update", _mark("guest"), code="forbidden"),
    Case("published", "delegate", "notice.send", {"text": "Xin chào"}, code="forbidden"),
    Case("published", "guest", "notice.send", {"text": "Xin chào"}, code="forbidden"),
    Case("live", "delegate", "projector.clear", code="forbidden"),
    Case("live", "guest", "projector.clear", code="forbidden"),
    Case("live", "delegate", "meeting.end", code="forbidden"),
    Case("live", "delegate", "meeting.recess", {"minutes": 15}, code="forbidden"),
    Case("live", "secretary", "meeting.recess", {"minutes": 15}, code="forbidden"),
    Case("live", "admin", "meeting.recess", {"minutes": 15}, code="forbidden", label="not-a-participant", probe=NOTICE_PROBE),
    Case("recess", "delegate", "meeting.resume", code="forbidden"),
    Case("recess", "guest", "meeting.resume", code="forbidden"),
    Case("live", "secretary", "meeting.end", code="forbidden"),
    Case("live", "delegate", "agenda.current", _item(1), code="forbidden"),
    Case("live", "secretary", "agenda.current", _item(1), code="forbidden"),
    Case("live", "delegate", "present.page", _page(1), code="forbidden"),
    Case("live", "guest", "present.page", _page(1), code="forbidden"),
    Case("live", "secretary", "present.page", _page(1), code="forbidden"),
    Case("live", "delegate", "present.handover", _hand_to("delegate"), code="forbidden"),
    Case("live", "delegate", "speaker.start", _floor_to("delegate"), code="forbidden"),
    Case("live", "guest", "speaker.start", _floor_to("guest"), code="forbidden"),
    Case("live", "delegate", "attendance.update", _mark("delegate"), code="forbidden"),
    Case("live", "admin", "speaker.request", code="forbidden", label="not-a-participant", probe=NOTICE_PROBE),
    Case("live", "admin", "speaker.withdraw", code="forbidden", label="not-a-participant", probe=NOTICE_PROBE),
    Case("live", "admin", "attendance.checkin", code="forbidden", label="not-a-participant", probe=NOTICE_PROBE),
    Case("live_no_checkin", "delegate", "attendance.checkin", code="forbidden", label="self-checkin-off"),
    Case("presenting", "delegate", "present.stop", code="forbidden"),
    Case("presenting", "guest", "present.page", _page(2), code="forbidden"),
    Case("handed", "guest", "present.page", _page(2), code="forbidden", label="handed-to-someone-else"),
    Case("speaking", "guest", "speaker.end", code="forbidden", label="someone-else-speaks"),
    Case("speaking", "secretary", "speaker.end", code="forbidden", label="someone-else-speaks"),
    Case("speaking", "delegate", "speaker.extend", _more(60), code="forbidden", label="the-speaker-themself"),
    Case("speaking", "secretary", "speaker.extend", _more(60), code="forbidden"),
    Case("queued", "guest", "speaker.dismiss", _waiting(), code="forbidden", label="their-own-request"),
    Case("queued", "secretary", "speaker.dismiss", _waiting(), code="forbidden"),
    Case("live", "delegate", "speaker.allot", {"seconds": 240}, code="forbidden"),
    Case("live", "secretary", "speaker.allot", {"seconds": 240}, code="forbidden", label="the-secretary-uses-the-form"),
    Case("live", "admin", "speaker.allot", {"seconds": 240}, code="forbidden", label="not-a-participant", probe=NOTICE_PROBE),
    Case("speaking", "admin", "speaker.extend", _more(60), code="forbidden", label="not-a-participant", probe=NOTICE_PROBE),
    Case("queued", "admin", "speaker.dismiss", _waiting(), code="forbidden", label="not-a-participant", probe=NOTICE_PROBE),
    Case("live", "delegate", "poll.create", {"question": "Biểu quyết ngay?"}, code="forbidden"),
    Case("live", "delegate", "poll.open", _poll(), code="forbidden"),
    Case("live", "secretary", "poll.open", _poll(), code="forbidden", label="only-the-chair-opens"),
    Case("voting", "delegate", "poll.close", _poll(), code="forbidden"),
    Case("voting", "delegate", "poll.annul", _poll(reason="Sai quy trình"), code="forbidden"),
    Case("voting", "guest", "ballot.cast", _ballot("yes"), code="not_eligible", label="no-vote"),
    Case("voting", "secretary", "ballot.cast", _ballot("yes"), code="not_eligible", label="no-vote"),
    Case(
        "voting",
        "delegate",
        "ballot.cast",
        lambda s: {**_ballot("yes")(s), "for_participant_id": s.participants["chair"].pk},
        code="not_eligible",
        label="no-proxy-from-that-person",
    ),
    Case(
        "live",
        "delegate",
        "proxy.give",
        lambda s: {"holder_id": s.participants["chair"].pk, "giver_id": s.participants["guest"].pk},
        code="forbidden",
        label="for-someone-else",
    ),
    Case("live", "guest", "proxy.revoke", _proxy(), code="forbidden", label="someone-elses-proxy"),
    Case("live", "delegate", "minutes.update", _note(), code="forbidden"),
    Case("live", "guest", "minutes.update", _note(), code="forbidden"),
    Case("live", "delegate", "minutes.conclude", _conclude(0), code="forbidden"),
    Case("live", "secretary", "minutes.conclude", _conclude(0), code="forbidden", label="only-the-chair-announces"),
    Case("live", "guest", "annotation.upsert", _change(), code="forbidden", label="someone-elses-annotation"),
    Case("live", "chair", "annotation.upsert", _change(shared=False), code="forbidden", label="chair-unsharing-someone-elses"),
    Case("live", "guest", "annotation.delete", _erase(), code="forbidden", label="someone-elses-annotation"),
    Case("live", "admin", "annotation.delete", _erase(), code="forbidden", label="not-even-an-administrator", probe=NOTICE_PROBE),
    Case("live", "guest", "annotation.withhold", _withhold(), code="forbidden", label="not-the-chair-or-a-secretary"),
    Case("live", "delegate", "annotation.withhold", _withhold(), code="forbidden", label="a-delegate-even-their-own"),
    Case("confidential", "delegate", "annotation.upsert", _annotate(), code="not_found", label="confidential-not-for-them"),
    Case(
        "confidential", "delegate", "annotation.upsert", _change(), code="not_found", label="own-annotation-on-what-they-may-no-longer-read"
    ),
    Case("presenting", "delegate", "stroke.points", _stroke(), code="not_presenter", label="the-chair-presents"),
    Case("presenting", "secretary", "stroke.points", _stroke(), code="not_presenter", label="the-chair-presents"),
    Case("presenting", "admin", "stroke.points", _stroke(), code="not_presenter", label="not-a-participant", probe=NOTICE_PROBE),
    Case("presenting", "guest", "stroke.points", _stroke(), code="not_presenter", label="the-chair-presents"),
]

WRONG_STATE = [
    Case("published", "chair", "agenda.current", _item(1), code="wrong_state"),
    Case("published", "chair", "present.page", _page(1), code="wrong_state"),
    Case("published", "chair", "present.stop", code="wrong_state"),
    Case("published", "chair", "present.handover", _hand_to("delegate"), code="wrong_state"),
    Case("published", "chair", "meeting.end", code="wrong_state"),
    Case("published", "chair", "meeting.recess", {"minutes": 10}, code="wrong_state"),
    Case("closed", "chair", "meeting.recess", {"minutes": 10}, code="wrong_state"),
    Case("closed", "chair", "meeting.resume", code="wrong_state"),
    Case("voting", "chair", "meeting.recess", {"minutes": 10}, code="poll_open", label="vote-still-open"),
    Case("recess", "chair", "meeting.recess", {"minutes": 10}, code="recess", label="already-on-a-break"),
    Case("recess", "chair", "agenda.current", _item(1), code="recess", label="on-a-break"),
    Case("recess", "chair", "speaker.start", _floor_to("delegate"), code="recess", label="on-a-break"),
    Case("recess", "chair", "poll.open", lambda s: {"poll_id": s.poll.pk}, code="recess", label="on-a-break"),
    Case("published", "chair", "speaker.start", _floor_to("delegate"), code="wrong_state"),
    Case("published", "chair", "speaker.end", code="wrong_state"),
    Case("published", "delegate", "speaker.request", code="wrong_state"),
    Case("published", "delegate", "speaker.withdraw", code="wrong_state"),
    Case("published", "chair", "speaker.extend", {"request_id": 1, "seconds": 60}, code="wrong_state"),
    Case("published", "chair", "speaker.dismiss", {"request_id": 1}, code="wrong_state"),
    Case("closed", "chair", "speaker.extend", {"request_id": 1, "seconds": 60}, code="wrong_state"),
    Case("closed", "chair", "speaker.dismiss", {"request_id": 1}, code="wrong_state"),
    Case("closed", "chair", "speaker.allot", {"seconds": 240}, code="wrong_state"),
    Case("live", "chair", "meeting.start", code="wrong_state", label="already-started"),
    Case("closed", "chair", "meeting.start", code="wrong_state"),
    Case("closed", "chair", "meeting.end", code="wrong_state"),
    Case("closed", "chair", "agenda.current", _item(1), code="wrong_state"),
    Case("closed", "chair", "present.page", _page(1), code="wrong_state"),
    Case("approved", "secretary", "attendance.update", _mark("delegate"), code="wrong_state", label="minutes-approved"),
    Case("closed", "delegate", "attendance.checkin", code="wrong_state"),
    Case("closed", "secretary", "notice.send", {"text": "Xin chào"}, code="wrong_state"),
    Case("closed", "chair", "projector.clear", code="wrong_state"),
    Case("closed", "delegate", "speaker.request", code="wrong_state"),
    Case("published", "chair", "poll.open", _poll(), code="wrong_state", label="meeting-not-started"),
    Case("approved", "chair", "poll.create", {"question": "Biểu quyết thêm?"}, code="wrong_state", label="minutes-approved"),
    Case("voting", "chair", "poll.open", _poll(), code="wrong_state", label="already-open"),
    Case("live", "chair", "poll.close", _poll(), code="poll_not_open"),
    Case("live", "chair", "poll.annul", _poll(reason="Sai"), code="wrong_state", label="never-opened"),
    Case("live", "chair", "ballot.cast", _ballot("yes"), code="poll_not_open"),
    Case("voting", "delegate", "proxy.give", lambda s: {"holder_id": s.participants["chair"].pk}, code="poll_open"),
    Case("voting", "delegate", "proxy.revoke", _proxy(), code="poll_open"),
    Case("voting", "chair", "meeting.end", code="poll_open", label="vote-still-open"),
    Case("approved", "secretary", "minutes.update", _note(), code="wrong_state", label="minutes-approved"),
    Case("published", "chair", "minutes.conclude", _conclude(0), code="wrong_state", label="meeting-not-started"),
    Case("closed", "chair", "minutes.conclude", _conclude(0), code="wrong_state", label="meeting-ended"),
    Case("live", "chair", "stroke.points", _stroke(), code="not_presenter", label="nothing-presented"),
    Case("closed", "chair", "stroke.points", _stroke(), code="not_presenter", label="meeting-ended"),
    Case("presenting", "chair", "stroke.points", _stroke(page=2), code="not_presented_page", label="another-page"),
    Case(
        "presenting",
        "chair",
        "stroke.points",
        lambda s: {**_stroke()(s), "document_id": s.foreign_document.pk},
        code="not_presented_page",
        label="another-document",
    ),
    Case(
        "revised",
        "delegate",
        "annotation.upsert",
        lambda s: {**_change()(s), "version_id": s.versions[-1].pk},
        code="invalid_annotation",
        label="moved-to-the-new-version",
    ),
    Case(
        "revised",
        "delegate",
        "annotation.upsert",
        lambda s: {**_change()(s), "version_id": s.versions[-1].pk, "page": 3},
        code="invalid_annotation",
        label="moved-to-a-page-of-the-new-version",
    ),
    Case("erased", "guest", "annotation.upsert", _change(), code="forbidden", label="someone-elses-erased-annotation"),
    Case("erased", "guest", "annotation.delete", _erase(), code="forbidden", label="someone-elses-erased-annotation"),
    Case("erased", "chair", "annotation.withhold", _withhold(), code="not_found", label="erased-annotation"),
]

MALFORMED = [
    Case("published", "chair", "meeting.start", {"force": True}, label="unexpected-field", mentions="force"),
    Case("live", "chair", "meeting.end", {"now": 1}, label="unexpected-field", mentions="now"),
    Case("live", "chair", "meeting.recess", {}, label="missing-minutes", mentions="minutes"),
    Case("live", "chair", "meeting.recess", {"minutes": "15"}, label="minutes-as-text", mentions="minutes"),
    Case("live", "chair", "meeting.recess", {"minutes": 0}, label="minutes-zero", mentions="minutes"),
    Case("live", "chair", "meeting.recess", {"minutes": 241}, label="minutes-past-four-hours", mentions="minutes"),
    Case("live", "chair", "meeting.recess", {"minutes": 15.5}, label="minutes-as-float", mentions="minutes"),
    Case("recess", "chair", "meeting.resume", {"minutes": 5}, label="unexpected-field", mentions="minutes"),
    # agenda.current
    Case("live", "chair", "agenda.current", {}, label="missing-item", mentions="item_id"),
    Case("live", "chair", "agenda.current", lambda s: {"item_id": str(s.items[1].pk)}, label="item-as-text", mentions="item_id"),
    Case("live", "chair", "agenda.current", {"item_id": True}, label="item-as-bool"),
    Case("live", "chair", "agenda.current", {"item_id": 0}, label="item-zero"),
    Case("live", "chair", "agenda.current", {"item_id": -2}, label="item-negative"),
    Case("live", "chair", "agenda.current", lambda s: {"item_id": s.items[1].pk + 0.5}, label="item-as-float"),
    Case("live", "chair", "agenda.current", {"item_id": None}, label="item-null"),
    Case("live", "chair", "agenda.current", {"item_id": 2**31}, label="item-too-big"),
    Case("live", "chair", "agenda.current", lambda s: {"item_id": s.items[1].pk, "extra": 1}, label="unexpected-field"),
    Case("live", "chair", "agenda.current", {"item_id": 999_999}, code="not_found", label="unknown-item"),
    Case("live", "chair", "agenda.current", lambda s: {"item_id": s.foreign_item.pk}, code="not_found", label="other-meetings-item"),
    # present.page
    Case("live", "chair", "present.page", {}, label="missing-all"),
    Case("live", "chair", "present.page", lambda s: {"document_id": s.document.pk}, label="missing-page", mentions="page"),
    Case("live", "chair", "present.page", {"page": 1}, label="missing-document", mentions="document_id"),
    Case("live", "chair", "present.page", _page("1"), label="page-as-text"),
    Case("live", "chair", "present.page", _page(True), label="page-as-bool"),
    Case("live", "chair", "present.page", _page(0), label="page-zero"),
    Case("live", "chair", "present.page", _page(2.0), label="page-as-float"),
    Case("live", "chair", "present.page", _page(100_001), label="page-absurd"),
    Case("live", "chair", "present.page", _page(6), code="invalid_page", label="page-past-the-end"),
    Case("live", "chair", "present.page", {"document_id": 999_999, "page": 1}, code="not_found", label="unknown-document"),
    Case(
        "live",
        "chair",
        "present.page",
        lambda s: {"document_id": s.foreign_document.pk, "page": 7},
        code="not_found",
        label="other-meetings-document",
    ),
    Case("live", "chair", "present.page", {"document_id": True, "page": 1}, label="document-as-bool"),
    Case("live", "chair", "present.page", _page(1, viewport={"x": 1.5}), label="viewport-x-outside", mentions="viewport"),
    Case("live", "chair", "present.page", _page(1, viewport={"x": 0.1, "rotate": 90}), label="viewport-extra-key"),
    Case("live", "chair", "present.page", _page(1, viewport={"zoom": 0.5}), label="viewport-zoom-too-small"),
    Case("live", "chair", "present.page", _page(1, viewport={"zoom": 9}), label="viewport-zoom-too-big"),
    Case("live", "chair", "present.page", _page(1, viewport=[0, 0, 1]), label="viewport-as-list"),
    Case("live", "chair", "present.page", _page(1, viewport={"x": True}), label="viewport-bool"),
    Case("live", "chair", "present.page", _page(1, viewport={"y": "0.5"}), label="viewport-text"),
    Case("live", "chair", "present.page", _page(1, viewport={"zoom": 2, "h": 1.2}), label="viewport-height-past-the-page"),
    Case("live", "chair", "present.page", _page(1, slide=3), label="unexpected-field", mentions="slide"),
    # present.stop, present.handover
    Case("presenting", "chair", "present.stop", {"document_id": 1}, label="unexpected-field"),
    Case("live", "chair", "present.handover", {}, label="missing-user", mentions="user_id"),
    Case("live", "chair", "present.handover", lambda s: {"user_id": str(s.users["delegate"].pk)}, label="user-as-text"),
    Case("live", "chair", "present.handover", {"user_id": True}, label="user-as-bool"),
    Case("live", "chair", "present.handover", {"user_id": 0}, label="user-zero"),
    Case("live", "chair", "present.handover", _hand_to("guest"), code="not_found", label="to-a-guest"),
    Case("live", "chair", "present.handover", _hand_to("other_delegate"), code="not_found", label="to-someone-not-invited"),
    Case("live", "chair", "present.handover", {"user_id": 999_999}, code="not_found", label="to-nobody"),
    # attendance.update, attendance.checkin
    Case("live", "secretary", "attendance.update", {}, label="missing-all"),
    Case(
        "live",
        "secretary",
        "attendance.update",
        lambda s: {"participant_id": s.participants["delegate"].pk},
        label="missing-status",
        mentions="status",
    ),
    Case("live", "secretary", "attendance.update", {"status": "present"}, label="missing-participant", mentions="participant_id"),
    Case("live", "secretary", "attendance.update", _mark("delegate", 1), label="status-as-number"),
    Case("live", "secretary", "attendance.update", _mark("delegate", None), label="status-null"),
    Case("live", "secretary", "attendance.update", _mark("delegate", "here"), label="status-unknown"),
    Case("live", "secretary", "attendance.update", _mark("delegate", "p" * 21), label="status-too-long"),
    Case(
        "live",
        "secretary",
        "attendance.update",
        lambda s: {"participant_id": s.participants["delegate"].pk, "status": "absent_excused", "reason": 7},
        label="reason-as-number",
        mentions="reason",
    ),
    Case(
        "live",
        "secretary",
        "attendance.update",
        lambda s: {"participant_id": s.participants["delegate"].pk, "status": "absent_excused", "reason": "ố" * 301},
        label="reason-too-long",
    ),
    Case("live", "secretary", "attendance.update", {"participant_id": False, "status": "present"}, label="participant-as-bool"),
    Case(
        "live",
        "secretary",
        "attendance.update",
        {"participant_id": 999_999, "status": "present"},
        code="not_found",
        label="unknown-participant",
    ),
    Case(
        "live",
        "secretary",
        "attendance.update",
        lambda s: {"participant_id": s.foreign_participant.pk, "status": "present"},
        code="not_found",
        label="other-meetings-participant",
    ),
    Case("live", "delegate", "attendance.checkin", lambda s: {"participant_id": s.participants["delegate"].pk}, label="unexpected-field"),
    # speakers
    Case("live", "delegate", "speaker.request", {"note": "xin phát biểu"}, label="unexpected-field", mentions="note"),
    Case("live", "delegate", "speaker.request", {"topic": 3}, label="topic-as-number", mentions="topic"),
    Case("live", "delegate", "speaker.request", {"topic": "x" * 201}, label="topic-too-long", mentions="topic"),
    Case("live", "delegate", "speaker.withdraw", {"request_id": 1}, label="unexpected-field"),
    Case("live", "chair", "speaker.start", {}, label="nobody-named"),
    Case("live", "chair", "speaker.start", {"request_id": "1"}, label="request-as-text"),
    Case("live", "chair", "speaker.start", {"request_id": True}, label="request-as-bool"),
    Case("live", "chair", "speaker.start", {"request_id": None}, label="request-null"),
    Case("live", "chair", "speaker.start", {"request_id": 999_999}, code="not_found", label="unknown-request"),
    Case("live", "chair", "speaker.start", {"participant_id": 999_999}, code="not_found", label="unknown-participant"),
    Case(
        "live",
        "chair",
        "speaker.start",
        lambda s: {"participant_id": s.foreign_participant.pk},
        code="not_found",
        label="other-meetings-participant",
    ),
    Case(
        "live", "chair", "speaker.start", lambda s: {"participant_id": s.participants["guest"].pk, "seconds": 60}, label="unexpected-field"
    ),
    Case("speaking", "chair", "speaker.end", {"request_id": 1}, label="unexpected-field"),
    Case("speaking", "chair", "speaker.extend", _more(None), label="missing-seconds", mentions="seconds"),
    Case("speaking", "chair", "speaker.extend", {"seconds": 60}, label="missing-request", mentions="request_id"),
    Case("speaking", "chair", "speaker.extend", _more(0), label="seconds-zero"),
    Case("speaking", "chair", "speaker.extend", _more(-60), label="seconds-negative"),
    Case("speaking", "chair", "speaker.extend", _more(3601), label="more-than-an-hour-at-once"),
    Case("speaking", "chair", "speaker.extend", _more(3600), label="past-an-hour-in-all"),
    Case("speaking", "chair", "speaker.extend", _more("60"), label="seconds-as-text"),
    Case("speaking", "chair", "speaker.extend", _more(60.5), label="seconds-as-fraction"),
    Case("speaking", "chair", "speaker.extend", _more(True), label="seconds-as-bool"),
    Case("speaking", "chair", "speaker.extend", _more(60, participant_id=1), label="unexpected-field"),
    Case("speaking", "chair", "speaker.extend", {"request_id": 999_999, "seconds": 60}, code="not_found", label="not-the-speech-under-way"),
    Case("live", "chair", "speaker.extend", {"request_id": 1, "seconds": 60}, code="not_found", label="nobody-speaks"),
    Case("live", "chair", "speaker.allot", {}, label="missing-seconds", mentions="seconds"),
    Case("live", "chair", "speaker.allot", {"seconds": 0}, label="seconds-zero"),
    Case("live", "chair", "speaker.allot", {"seconds": 30}, label="under-a-minute"),
    Case("live", "chair", "speaker.allot", {"seconds": 90}, label="not-whole-minutes"),
    Case("live", "chair", "speaker.allot", {"seconds": 3660}, label="over-an-hour"),
    Case("live", "chair", "speaker.allot", {"seconds": "180"}, label="seconds-as-text"),
    Case("live", "chair", "speaker.allot", {"seconds": 180, "item_id": 1}, label="unexpected-field", mentions="item_id"),
    Case("queued", "chair", "speaker.dismiss", {}, label="missing-request", mentions="request_id"),
    Case("queued", "chair", "speaker.dismiss", {"request_id": "1"}, label="request-as-text"),
    Case("queued", "chair", "speaker.dismiss", {"request_id": 0}, label="request-zero"),
    Case("queued", "chair", "speaker.dismiss", {"request_id": None}, label="request-null"),
    Case("queued", "chair", "speaker.dismiss", {"request_id": 999_999}, code="not_found", label="unknown-request"),
    Case("queued", "chair", "speaker.dismiss", _waiting(reason="hết giờ"), label="unexpected-field", mentions="reason"),
    # notice.send
    Case("live", "secretary", "notice.send", {}, label="missing-text", mentions="text"),
    Case("live", "secretary", "notice.send", {"text": 5}, label="text-as-number"),
    Case("live", "secretary", "notice.send", {"text": None}, label="text-null"),
    Case("live", "secretary", "notice.send", {"text": " \n\t "}, label="text-blank"),
    Case("live", "secretary", "notice.send", {"text": "x" * 281}, label="text-over-notice-limit"),
    Case("live", "secretary", "notice.send", {"text": "x" * 2001}, label="text-over-frame-field-limit"),
    Case("live", "secretary", "notice.send", {"text": "Xin chào", "urgent": True}, label="unexpected-field", mentions="urgent"),
    # projector.clear
    Case("live", "chair", "projector.clear", {"what": "notice"}, label="unexpected-field", mentions="what"),
    # votes
    Case("live", "chair", "poll.create", {}, label="missing-question", mentions="question"),
    Case("live", "chair", "poll.create", {"question": 5}, label="question-as-number"),
    Case("live", "chair", "poll.create", {"question": "Chọn?", "secret": "có"}, label="secret-as-text"),
    Case("live", "chair", "poll.create", {"question": "Chọn?", "kind": "options", "options": ["Một"]}, label="one-option"),
    Case("live", "chair", "poll.create", {"question": "Chọn?", "majority": "most"}, label="unknown-majority"),
    Case("live", "chair", "poll.create", {"question": "Chọn?", "secret": True, "allow_change": True}, label="secret-and-changeable"),
    Case("live", "chair", "poll.create", {"question": "Chọn?", "mode": "written"}, label="unexpected-field", mentions="mode"),
    Case("live", "chair", "poll.open", {}, label="missing-poll", mentions="poll_id"),
    Case("live", "chair", "poll.open", lambda s: {"poll_id": s.foreign_poll.pk}, code="not_found", label="other-meetings-poll"),
    Case("voting", "chair", "poll.close", {"poll_id": "1"}, label="poll-as-text"),
    Case("voting", "chair", "poll.annul", _poll(), label="missing-reason", mentions="reason"),
    Case("voting", "chair", "poll.annul", _poll(reason="  "), label="blank-reason"),
    Case("voting", "chair", "poll.annul", _poll(reason="Sai", expected_state=1), label="expected-state-as-number"),
    Case("voting", "delegate", "ballot.cast", _poll(choices="1"), label="choices-as-text"),
    Case("voting", "delegate", "ballot.cast", _poll(choices=[]), label="no-choice"),
    Case("voting", "delegate", "ballot.cast", _poll(choices=[0]), label="choice-zero"),
    Case("voting", "delegate", "ballot.cast", _ballot("yes", weight=2), label="unexpected-field", mentions="weight"),
    Case(
        "voting",
        "delegate",
        "ballot.cast",
        lambda s: {"poll_id": s.poll.pk, "choices": [s.foreign_choice]},
        code="invalid_choice",
        label="other-polls-choice",
    ),
    Case(
        "voting",
        "delegate",
        "ballot.cast",
        lambda s: {"poll_id": s.poll.pk, "choices": [s.choices["yes"], s.choices["no"]]},
        code="invalid_choice",
        label="two-choices",
    ),
    Case("live", "delegate", "proxy.give", {}, label="missing-holder", mentions="holder_id"),
    Case("live", "delegate", "proxy.give", {"holder_id": "chủ tọa"}, label="holder-as-text"),
    Case("live", "delegate", "proxy.revoke", {}, label="missing-proxy", mentions="proxy_id"),
    Case("live", "delegate", "proxy.revoke", {"proxy_id": 999_999}, code="not_found", label="unknown-proxy"),
    # minutes
    Case("live", "secretary", "minutes.update", _note(field="summary"), label="unknown-field-name"),
    Case("live", "secretary", "minutes.update", {"field": "notes", "text": "x"}, label="missing-base-version", mentions="base_version"),
    Case("live", "secretary", "minutes.update", _note(base_version=-1), label="negative-base-version"),
    Case("live", "secretary", "minutes.update", _note(text="x" * 20_001), label="text-too-long"),
    Case("live", "secretary", "minutes.update", lambda s: _note(item_id=s.foreign_item.pk), code="not_found", label="other-meetings-item"),
    Case("live", "secretary", "minutes.update", _note(author="thuky"), label="unexpected-field", mentions="author"),
    Case("live", "chair", "minutes.conclude", _conclude(0, text="   "), label="blank-conclusion"),
    Case("live", "chair", "minutes.conclude", lambda s: {"item_id": s.items[0].pk}, label="missing-text", mentions="text"),
    Case("live", "chair", "minutes.conclude", {"item_id": "chung", "text": "Kết luận"}, label="item-as-text", mentions="item_id"),
    Case(
        "live",
        "chair",
        "minutes.conclude",
        lambda s: {"item_id": s.items[0].pk, "text": "Kết luận", "base_version": "một"},
        label="base-version-as-text",
        mentions="base_version",
    ),
    Case(
        "live",
        "chair",
        "minutes.conclude",
        lambda s: {"item_id": s.foreign_item.pk, "text": "Kết luận"},
        code="not_found",
        label="other-meetings-item",
    ),
    # annotation.upsert: what the protocol refuses, then what the service finds wrong in the shape
    Case("live", "delegate", "annotation.upsert", {}, label="missing-all"),
    Case(
        "live", "delegate", "annotation.upsert", lambda s: _omit(_annotate()(s), "revision"), label="missing-revision", mentions="revision"
    ),
    Case("live", "delegate", "annotation.upsert", lambda s: _omit(_annotate()(s), "data"), label="missing-data", mentions="data"),
    Case("live", "delegate", "annotation.upsert", _annotate(data=[[0.1, 0.1]]), label="data-as-list", mentions="data"),
    Case("live", "delegate", "annotation.upsert", _annotate(data="M 0.1 0.1 L 0.2 0.2"), label="data-as-text", mentions="data"),
    Case("live", "delegate", "annotation.upsert", _annotate(revision=0), label="revision-zero"),
    Case("live", "delegate", "annotation.upsert", _annotate(revision="2"), label="revision-as-text"),
    Case("live", "delegate", "annotation.upsert", _annotate(page=0), label="page-zero"),
    Case("live", "delegate", "annotation.upsert", _annotate(shared="yes"), label="shared-as-text"),
    Case("live", "delegate", "annotation.upsert", _annotate(annotation_id=12345), label="id-as-number"),
    Case("live", "delegate", "annotation.upsert", _annotate(annotation_id="a" * 65), label="id-too-long"),
    Case("live", "delegate", "annotation.upsert", _annotate(kind="k" * 21), label="kind-too-long"),
    Case("live", "delegate", "annotation.upsert", _annotate(author_id=1), label="unexpected-field", mentions="author_id"),
    Case("live", "delegate", "annotation.upsert", _annotate(annotation_id="net-but-01"), code="invalid_annotation", label="id-not-a-uuid"),
    Case("live", "delegate", "annotation.upsert", _annotate(kind="circle"), code="invalid_annotation", label="unknown-kind"),
    Case("live", "delegate", "annotation.upsert", _annotate(page=6), code="invalid_annotation", label="page-past-the-end"),
    Case("live", "delegate", "annotation.upsert", _ink(points=[[0.1, 0.1], [1.2, 0.5]]), code="invalid_annotation", label="x-past-1"),
    Case("live", "delegate", "annotation.upsert", _ink(points=[[0.1, -0.01]]), code="invalid_annotation", label="y-below-0"),
    Case("live", "delegate", "annotation.upsert", _ink(points=[[0.1, True]]), code="invalid_annotation", label="coordinate-as-bool"),
    Case("live", "delegate", "annotation.upsert", _ink(points=[[0.1, "0.2"]]), code="invalid_annotation", label="coordinate-as-text"),
    Case("live", "delegate", "annotation.upsert", _ink(points=[[0.1, 0.2, 0.3]]), code="invalid_annotation", label="point-of-three"),
    Case("live", "delegate", "annotation.upsert", _ink(points=[]), code="invalid_annotation", label="no-points"),
    Case("live", "delegate", "annotation.upsert", _ink(points="0.1,0.1"), code="invalid_annotation", label="points-as-text"),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        lambda s: _ink(points=[[0.5, 0.5]] * (settings.ANNOTATION_MAX_POINTS + 1))(s),
        code="invalid_annotation",
        label="too-many-points",
        mentions=str(settings.ANNOTATION_MAX_POINTS),
    ),
    Case("live", "delegate", "annotation.upsert", _ink(color="red"), code="invalid_annotation", label="colour-by-name"),
    Case("live", "delegate", "annotation.upsert", _ink(color="#12345g"), code="invalid_annotation", label="colour-not-hex"),
    Case("live", "delegate", "annotation.upsert", _ink(width=0), code="invalid_annotation", label="width-zero"),
    Case("live", "delegate", "annotation.upsert", _ink(width=0.2), code="invalid_annotation", label="width-too-wide"),
    Case("live", "delegate", "annotation.upsert", _ink(width="2px"), code="invalid_annotation", label="width-as-text"),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        _ink(opacity=0.5),
        code="invalid_annotation",
        label="data-unexpected-field",
        mentions="opacity",
    ),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        _annotate(kind="arrow", data={"points": [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]}),
        code="invalid_annotation",
        label="arrow-of-three-points",
    ),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        _annotate(kind="rect", data={"rect": [0.1, 0.1, 0.2]}),
        code="invalid_annotation",
        label="rect-of-three-numbers",
    ),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        _annotate(kind="highlight", data={"points": [[0.1, 0.1], [0.2, 0.2]]}),
        code="invalid_annotation",
        label="highlight-with-points",
        mentions="points",
    ),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        _annotate(kind="note", data={"rect": [0.1, 0.1, 0.2, 0.2]}),
        code="invalid_annotation",
        label="note-without-text",
    ),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        _annotate(kind="note", data={"rect": [0.1, 0.1, 0.2, 0.2], "text": " \n "}),
        code="invalid_annotation",
        label="note-blank",
    ),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        lambda s: _annotate(kind="note", data={"rect": [0.1, 0.1, 0.2, 0.2], "text": "x" * (settings.ANNOTATION_MAX_TEXT + 1)})(s),
        code="invalid_annotation",
        label="note-too-long",
    ),
    Case(
        "live",
        "delegate",
        "annotation.upsert",
        _annotate(kind="ink", data={"points": [[0.1, 0.1]], "text": "ghi chú"}),
        code="invalid_annotation",
        label="ink-with-text",
        mentions="text",
    ),
    Case("live", "delegate", "annotation.upsert", _annotate(document_id=999_999), code="not_found", label="unknown-document"),
    Case("live", "delegate", "annotation.upsert", _annotate(version_id=999_999), code="not_found", label="unknown-version"),
    Case(
        "live",
        "chair",
        "annotation.upsert",
        lambda s: {**_annotate()(s), "document_id": s.foreign_document.pk},
        code="not_found",
        label="other-meetings-document",
    ),
    # annotation.delete
    Case("live", "delegate", "annotation.delete", {}, label="missing-all"),
    Case("live", "delegate", "annotation.delete", lambda s: _omit(_erase()(s), "revision"), label="missing-revision", mentions="revision"),
    Case("live", "delegate", "annotation.delete", _erase(revision="3"), label="revision-as-text"),
    Case("live", "delegate", "annotation.delete", _erase(revision=-1), label="revision-negative"),
    Case("live", "delegate", "annotation.delete", {"annotation_id": None, "revision": 3}, label="id-null"),
    Case("live", "delegate", "annotation.delete", _erase(page=2), label="unexpected-field", mentions="page"),
    Case(
        "live",
        "delegate",
        "annotation.delete",
        {"annotation_id": "xoa-het", "revision": 3},
        code="invalid_annotation",
        label="id-not-a-uuid",
    ),
    # annotation.withhold
    Case("live", "chair", "annotation.withhold", {}, label="missing-all"),
    Case("live", "chair", "annotation.withhold", {"annotation_id": 12345}, label="id-as-number"),
    Case("live", "chair", "annotation.withhold", {"annotation_id": "a" * 65}, label="id-too-long"),
    Case("live", "chair", "annotation.withhold", _withhold(revision=3), label="unexpected-field", mentions="revision"),
    Case("live", "chair", "annotation.withhold", {"annotation_id": "an-di"}, code="invalid_annotation", label="id-not-a-uuid"),
    # stroke.points: from the presenter, on the page presented
    Case("presenting", "chair", "stroke.points", lambda s: _omit(_stroke()(s), "stroke_id"), label="missing-stroke", mentions="stroke_id"),
    Case("presenting", "chair", "stroke.points", _stroke(points="0.1,0.1 0.2,0.2"), label="points-as-text", mentions="points"),
    Case("presenting", "chair", "stroke.points", _stroke(points=[]), label="no-points", mentions="points"),
    Case("presenting", "chair", "stroke.points", _stroke(points=[[0.5, 0.5]] * 501), label="too-many-points", mentions="points"),
    Case("presenting", "chair", "stroke.points", _stroke(width=2), label="width-past-1"),
    Case("presenting", "chair", "stroke.points", _stroke(width="thin"), label="width-as-text"),
    Case("presenting", "chair", "stroke.points", _stroke(color="#d32f2f00"), label="colour-too-long"),
    Case("presenting", "chair", "stroke.points", _stroke(page="1"), label="page-as-text"),
    Case("presenting", "chair", "stroke.points", _stroke(pressure=0.5), label="unexpected-field", mentions="pressure"),
    Case("presenting", "chair", "stroke.points", _stroke(points=[[0.1, 1.5]]), code="invalid_annotation", label="point-off-the-page"),
    Case("presenting", "chair", "stroke.points", _stroke(points=[[0.1]]), code="invalid_annotation", label="point-of-one"),
    Case(
        "presenting", "chair", "stroke.points", _stroke(points=[{"x": 0.1, "y": 0.1}]), code="invalid_annotation", label="point-as-object"
    ),
    Case("presenting", "chair", "stroke.points", _stroke(color="red"), code="invalid_annotation", label="colour-by-name"),
    Case("presenting", "chair", "stroke.points", _stroke(width=0.5), code="invalid_annotation", label="width-too-wide"),
    Case("presenting", "chair", "stroke.points", _stroke(width=0), code="invalid_annotation", label="width-zero"),
]


def test_the_refusal_tables_cover_every_command() -> None:
    for table in (FORBIDDEN, WRONG_STATE, MALFORMED):
        assert {case.type for case in table} == set(COMMANDS)
    every = FORBIDDEN + WRONG_STATE + MALFORMED
    assert len({case.id for case in every}) == len(every)


@pytest.mark.parametrize("scene", FORBIDDEN, indirect=True, ids=[c.id for c in FORBIDDEN])
async def test_a_user_who_may_not_is_refused_and_the_meeting_carries_on(connect: Connect, scene: Scene) -> None:
    await _refused_and_carried_on(connect, scene)


@pytest.mark.parametrize("scene", WRONG_STATE, indirect=True, ids=[c.id for c in WRONG_STATE])
async def test_a_command_out_of_its_state_is_refused_and_the_meeting_carries_on(connect: Connect, scene: Scene) -> None:
    await _refused_and_carried_on(connect, scene)


@pytest.mark.parametrize("scene", MALFORMED, indirect=True, ids=[c.id for c in MALFORMED])
async def test_malformed_input_is_refused_and_the_meeting_carries_on(connect: Connect, scene: Scene) -> None:
    await _refused_and_carried_on(connect, scene)


# --- Happy paths: the right person's command, and what everyone else hears -----------------------


async def own(client: Client, count: int) -> list[dict[str, Any]]:
    """The events the acting client got, whether before or after its ack."""
    events = numbered(client.events)
    while len(events) < count:
        events.append(await client.receive())
    return events


async def test_chair_starts_the_meeting_on_its_first_item(
    connect: Connect, live_meeting: Meeting, chair: User, delegate: User, items: list[AgendaItem]
) -> None:
    chair_client, delegate_client = await room(connect, live_meeting, chair, delegate)

    reply = await chair_client.command("meeting.start")

    assert reply["type"] == "ack"
    state, agenda, attendance = await heard(delegate_client, "meeting.state", "agenda.current", "attendance.update")
    assert (state["seq"], agenda["seq"], attendance["seq"]) == (1, 2, 3)
    assert attendance["attendance"]["quorum"]["present"] == 1  # the chair, who opened it
    assert state["meeting"]["state"] == "in_progress"
    assert state["meeting"]["started_at"] is not None
    assert state["meeting"]["current_item_id"] == items[0].pk
    assert agenda["current_item_id"] == items[0].pk
    assert agenda["agenda"][0]["current_since"] is not None
    assert agenda["agenda"][1]["current_since"] is None
    assert await own(chair_client, 3) == [state, agenda, attendance]
    await assert_quiet(chair_client, delegate_client)


async def test_chair_ends_the_meeting_and_everything_live_stops(
    connect: Connect, started: Meeting, chair: User, delegate: User, guest: User, document: Document
) -> None:
    await sync_to_async(presentation_show)(actor=chair, meeting=started, document_id=document.pk, page=2)
    await sync_to_async(speaker_request)(actor=guest, meeting=started)
    await sync_to_async(speaker_start)(actor=chair, meeting=started, participant_id=(await participant_of(started, delegate)).pk)
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    seq = chair_client.snapshot["seq"]

    reply = await chair_client.command("meeting.end")

    assert reply["type"] == "ack"
    state, agenda, presentation, speakers = await heard(delegate_client, "meeting.state", "agenda.current", "present.stop", "speaker.end")
    assert [e["seq"] for e in (state, agenda, presentation, speakers)] == [seq + 1, seq + 2, seq + 3, seq + 4]
    assert state["meeting"]["state"] == "closed"
    assert state["meeting"]["ended_at"] is not None
    assert agenda["current_item_id"] is None
    assert agenda["agenda"][0]["done"] is True
    assert presentation["presentation"]["document_id"] is None
    assert speakers["speakers"]["speaking"] is None
    assert speakers["speakers"]["queue"] == []
    statuses = await sync_to_async(lambda: sorted(SpeakerRequest.objects.filter(meeting=started).values_list("status", flat=True)))()
    assert statuses == ["done", "withdrawn"]
    await own(chair_client, 4)
    await assert_quiet(chair_client, delegate_client)


async def test_chair_moves_to_another_agenda_item(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem]
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await chair_client.command("agenda.current", item_id=items[1].pk)

    assert reply["type"] == "ack"
    (event,) = await heard(delegate_client, "agenda.current")
    assert event["seq"] == chair_client.snapshot["seq"] + 1
    assert event["current_item_id"] == items[1].pk
    first, second = event["agenda"]
    assert first["done"] is True
    assert first["current_since"] is None
    assert second["current_since"] is not None
    assert second["done"] is False


async def test_moving_on_takes_the_last_items_document_off_the_screen(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem], document: Document
) -> None:
    await sync_to_async(Document.objects.filter(pk=document.pk).update)(agenda_item=items[0])
    await sync_to_async(presentation_show)(actor=chair, meeting=started, document_id=document.pk, page=2)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await chair_client.command("agenda.current", item_id=items[1].pk)

    assert reply["type"] == "ack"
    # Taken off first: a tablet told of the new item knows nothing of the last one is presented.
    stopped, moved = await heard(delegate_client, "present.stop", "agenda.current")
    assert moved["seq"] == stopped["seq"] + 1
    assert stopped["presentation"]["document_id"] is None


async def test_a_document_of_the_whole_meeting_stays_on_the_screen_when_the_item_changes(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem], document: Document
) -> None:
    await sync_to_async(Document.objects.filter(pk=document.pk).update)(agenda_item=None)
    await sync_to_async(presentation_show)(actor=chair, meeting=started, document_id=document.pk, page=2)
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await chair_client.command("agenda.current", item_id=items[1].pk)

    assert reply["type"] == "ack"
    await heard(delegate_client, "agenda.current")
    await assert_quiet(chair_client, delegate_client)
    assert (await sync_to_async(Presentation.objects.get)(meeting=started)).document_id == document.pk


async def test_choosing_the_current_item_again_changes_nothing(
    connect: Connect, started: Meeting, chair: User, delegate: User, items: list[AgendaItem]
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await chair_client.command("agenda.current", item_id=items[0].pk)

    assert reply["type"] == "ack"
    await assert_quiet(chair_client, delegate_client)


async def test_chair_presents_a_page_of_a_document(
    connect: Connect, started: Meeting, chair: User, delegate: User, document: Document
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    reply = await chair_client.command("present.page", document_id=document.pk, page=3, viewport={"x": 0.25, "y": 0.5, "zoom": 2, "h": 0.4})

    assert reply["type"] == "ack"
    (event,) = await heard(delegate_client, "present.page")
    version_id = await sync_to_async(lambda: document.versions.get().pk)()
    assert event["presentation"] == {
        "document_id": document.pk,
        "version_id": version_id,
        "page": 3,
        "page_count": 5,
        "presenter_id": chair.pk,
        "handed_to": None,
        "viewport": {"x": 0.25, "y": 0.5, "zoom": 2.0, "h": 0.4},
    }


async def test_chair_turns_the_page_to_the_last_one(
    connect: Connect, started: Meeting, chair: User, delegate: User, document: Document
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("present.page", document_id=document.pk, page=1))["type"] == "ack"
    assert (await chair_client.command("present.page", document_id=document.pk, page=5))["type"] == "ack"

    first, last = await heard(delegate_client, "present.page", "present.page")
    assert (first["presentation"]["page"], last["presentation"]["page"]) == (1, 5)
    assert last["presentation"]["viewport"] == {}


async def test_chair_stops_presenting(connect: Connect, started: Meeting, chair: User, delegate: User, document: Document) -> None:
    await sync_to_async(presentation_show)(actor=chair, meeting=started, document_id=document.pk, page=4)
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    assert chair_client.snapshot["state"]["presentation"]["page"] == 4

    reply = await chair_client.command("present.stop")

    assert reply["type"] == "ack"
    (event,) = await heard(delegate_client, "present.stop")
    assert event["presentation"]["document_id"] is None
    assert event["presentation"]["page"] is None
    assert event["presentation"]["presenter_id"] is None


async def test_chair_hands_the_presentation_over_and_takes_it_back(
    connect: Connect, started: Meeting, chair: User, delegate: User, document: Document
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("present.handover", user_id=delegate.pk))["type"] == "ack"
    (handover,) = await heard(delegate_client, "present.handover")
    assert handover["presentation"]["handed_to"] == delegate.pk
    assert await own(chair_client, 1) == [handover]

    assert (await delegate_client.command("present.page", document_id=document.pk, page=2))["type"] == "ack"
    (shown,) = await heard(chair_client, "present.page")
    assert shown["presentation"]["presenter_id"] == delegate.pk
    assert shown["presentation"]["handed_to"] == delegate.pk
    await own(delegate_client, 1)

    assert (await chair_client.command("present.handover", user_id=None))["type"] == "ack"
    (taken_back,) = await heard(delegate_client, "present.handover")
    assert taken_back["presentation"]["handed_to"] is None
    refused = await delegate_client.command("present.page", document_id=document.pk, page=3)
    assert refused["code"] == "forbidden"


async def test_chair_may_hand_over_to_the_secretary(connect: Connect, started: Meeting, chair: User, secretary: User) -> None:
    chair_client, secretary_client = await room(connect, started, chair, secretary)

    assert (await chair_client.command("present.handover", user_id=secretary.pk))["type"] == "ack"

    (handover,) = await heard(secretary_client, "present.handover")
    assert handover["presentation"]["handed_to"] == secretary.pk


async def test_secretary_marks_a_delegate_present(
    connect: Connect, live_meeting: Meeting, secretary: User, chair: User, delegate: User
) -> None:
    secretary_client, chair_client, delegate_client = await room(connect, live_meeting, secretary, chair, delegate)
    participant = await participant_of(live_meeting, delegate)

    reply = await secretary_client.command("attendance.update", participant_id=participant.pk, status="present")

    assert reply["type"] == "ack"
    for client in (chair_client, delegate_client):
        (event,) = await heard(client, "attendance.update")
        entry = entry_of(event["attendance"], delegate)
        assert entry["id"] == participant.pk
        assert entry["attendance"] == "present"
        assert entry["arrived_at"] is not None
        assert event["attendance"]["quorum"] == {"voting": 2, "present": 1, "needed": 2, "met": False}


async def test_chair_may_take_attendance_too_and_mark_someone_absent(
    connect: Connect, started: Meeting, chair: User, delegate: User
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    participant = await participant_of(started, delegate)

    assert (await chair_client.command("attendance.update", participant_id=participant.pk, status="late"))["type"] == "ack"
    assert (await chair_client.command("attendance.update", participant_id=participant.pk, status="absent_excused"))["type"] == "ack"

    late, excused = await heard(delegate_client, "attendance.update", "attendance.update")
    assert entry_of(late["attendance"], delegate)["attendance"] == "late"
    assert entry_of(excused["attendance"], delegate)["attendance"] == "absent_excused"
    assert entry_of(excused["attendance"], delegate)["arrived_at"] is None


async def test_delegate_checks_in_from_the_tablet_before_the_start(
    connect: Connect, live_meeting: Meeting, delegate: User, secretary: User
) -> None:
    delegate_client, secretary_client = await room(connect, live_meeting, delegate, secretary)

    assert (await delegate_client.command("attendance.checkin"))["type"] == "ack"

    (event,) = await heard(secretary_client, "attendance.update")
    assert entry_of(event["attendance"], delegate)["attendance"] == "present"


async def test_delegate_who_checks_in_as_the_meeting_opens_is_present(
    connect: Connect, started: Meeting, delegate: User, secretary: User
) -> None:
    delegate_client, secretary_client = await room(connect, started, delegate, secretary)

    assert (await delegate_client.command("attendance.checkin"))["type"] == "ack"

    (event,) = await heard(secretary_client, "attendance.update")
    assert entry_of(event["attendance"], delegate)["attendance"] == "present"


async def test_delegate_who_checks_in_past_the_grace_period_is_late(
    connect: Connect, started: Meeting, delegate: User, secretary: User, settings: Any
) -> None:
    opened = started.started_at - datetime.timedelta(minutes=settings.LATE_AFTER_MINUTES, seconds=5)
    await sync_to_async(Meeting.objects.filter(pk=started.pk).update)(started_at=opened)
    delegate_client, secretary_client = await room(connect, started, delegate, secretary)

    assert (await delegate_client.command("attendance.checkin"))["type"] == "ack"

    (event,) = await heard(secretary_client, "attendance.update")
    assert entry_of(event["attendance"], delegate)["attendance"] == "late"


async def test_checking_in_twice_is_heard_once(connect: Connect, live_meeting: Meeting, delegate: User, secretary: User) -> None:
    delegate_client, secretary_client = await room(connect, live_meeting, delegate, secretary)

    assert (await delegate_client.command("attendance.checkin"))["type"] == "ack"
    assert (await delegate_client.command("attendance.checkin"))["type"] == "ack"

    await heard(secretary_client, "attendance.update")
    await assert_quiet(secretary_client)


async def test_secretary_sends_a_notice_to_every_screen(
    connect: Connect, live_meeting: Meeting, secretary: User, delegate: User, guest: User
) -> None:
    secretary_client, delegate_client, guest_client = await room(connect, live_meeting, secretary, delegate, guest)
    decomposed = unicodedata.normalize("NFD", "  Mời các đại biểu vào phòng họp.  ")

    assert (await secretary_client.command("notice.send", text=decomposed))["type"] == "ack"

    for client in (delegate_client, guest_client):
        (event,) = await heard(client, "notice")
        assert event["text"] == "Mời các đại biểu vào phòng họp."
        assert event["sender"] == "Trần Thị Thu"
        assert event["sent_at"]


async def test_the_secretary_clears_the_room_s_screen(connect: Connect, started: Meeting, secretary: User, delegate: User) -> None:
    secretary_client, delegate_client = await room(connect, started, secretary, delegate)

    reply = await secretary_client.command("projector.clear")

    assert reply["type"] == "ack", reply
    (event,) = await heard(delegate_client, "projector.clear")
    assert event["seq"] == await current_seq(started)
    assert await sync_to_async(AuditEvent.objects.filter(meeting=started, action="projector.clear", actor=secretary).exists)()


async def test_chair_sends_a_notice_during_the_meeting(connect: Connect, started: Meeting, chair: User, delegate: User) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)

    assert (await chair_client.command("notice.send", text="Giải lao 15 phút."))["type"] == "ack"

    (event,) = await heard(delegate_client, "notice")
    assert (event["text"], event["sender"], event["sender_id"]) == ("Giải lao 15 phút.", "Nguyễn Văn Hùng", chair.pk)
