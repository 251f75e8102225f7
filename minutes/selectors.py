"""What the minutes say: what the system already knows about the meeting, and what the secretary wrote."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from meetings.models import AuditEvent, Document, DocumentVersion, Meeting, Participant, SpeakerRequest, User
from meetings.permissions import user_can_manage_meeting, user_runs_meeting
from meetings.selectors.agenda import agenda_flat
from meetings.selectors.live import PRESENT_STATES, iso
from meetings.text import person_sort_key
from minutes.models import SIGNING_ORDER, Minutes, MinutesAssent, MinutesEntry, MinutesRemark, MinutesVersion
from voting.models import Poll


@dataclass
class SpeechFact:
    name: str
    position: str
    started_at: datetime.datetime | None
    seconds: int
    continued: bool = False  # goes on with a speech a break cut short
    topic: str = ""  # what they asked to speak about


@dataclass
class BreakFact:
    since: datetime.datetime
    until: datetime.datetime


@dataclass
class ItemFacts:
    item_id: int | None
    number: str
    title: str
    presenter: str
    used_seconds: int
    reached: bool = False  # the item was current at some point of the meeting
    notes: str = ""
    conclusions: str = ""
    speeches: list[SpeechFact] = field(default_factory=list)
    polls: list[Poll] = field(default_factory=list)
    breaks: list[BreakFact] = field(default_factory=list)


@dataclass
class MinutesFacts:
    meeting: Meeting
    minutes: Minutes
    present: list[Participant]
    late: list[Participant]
    absent_excused: list[Participant]
    absent: list[Participant]
    unmarked: list[Participant]
    guests: list[Participant]  # those who came
    guests_away: list[Participant]  # invited, not come: on the attendance sheet only
    general: ItemFacts
    items: list[ItemFacts]

    @property
    def polls(self) -> list[Poll]:
        return [poll for item in [self.general, *self.items] for poll in item.polls]


def minutes_of(*, meeting: Meeting) -> Minutes:
    minutes, _created = Minutes.objects.get_or_create(meeting=meeting)
    return minutes


def _breaks(*, meeting: Meeting) -> dict[int | None, list[BreakFact]]:
    """The breaks the chair called, by the item under way then (None: before the first, or not known), from the audit log."""
    breaks: dict[int | None, list[BreakFact]] = {}
    called: AuditEvent | None = None
    for event in AuditEvent.objects.filter(meeting=meeting, action__in=("meeting.recess", "meeting.resume", "meeting.end")).order_by(
        "created_at", "id"
    ):
        if event.action == "meeting.recess":
            called = event
        elif called is not None:
            breaks.setdefault(called.data.get("item"), []).append(BreakFact(since=called.created_at, until=event.created_at))
            called = None
    return breaks


def minutes_facts(*, meeting: Meeting) -> MinutesFacts:
    meeting = Meeting.objects.select_related("body", "chair", "secretary").get(pk=meeting.pk)
    participants = list(meeting.participants.select_related("user").order_by("id"))
    members = [p for p in participants if p.role != Participant.Role.GUEST]
    entries = {entry.agenda_item_id: entry for entry in MinutesEntry.objects.filter(meeting=meeting)}
    speeches: dict[int | None, list[SpeechFact]] = {}
    requests = (
        SpeakerRequest.objects.filter(meeting=meeting, started_at__isnull=False).select_related("participant__user").order_by("started_at")
    )
    for request in requests:
        seconds = int(((request.ended_at or request.started_at) - request.started_at).total_seconds())
        fact = SpeechFact(
            request.participant.user.display_name,
            request.participant.user.position,
            request.started_at,
            max(0, seconds),
            continued=request.continues_speech,
            topic=request.topic,
        )
        speeches.setdefault(request.agenda_item_id, []).append(fact)
    polls: dict[int | None, list[Poll]] = {}
    for poll in (
        Poll.objects.filter(meeting=meeting).exclude(state=Poll.State.DRAFT).prefetch_related("choices").order_by("opened_at", "id")
    ):
        polls.setdefault(poll.agenda_item_id, []).append(poll)

    breaks = _breaks(meeting=meeting)

    def facts(item_id: int | None, number: str, title: str, presenter: User | None, used: int, reached: bool = False) -> ItemFacts:
        entry = entries.get(item_id)
        return ItemFacts(
            item_id=item_id,
            number=number,
            title=title,
            presenter=presenter.display_name if presenter else "",
            used_seconds=used,
            reached=reached,
            notes=entry.notes if entry else "",
            conclusions=entry.conclusions if entry else "",
            speeches=speeches.get(item_id, []),
            polls=polls.get(item_id, []),
            breaks=breaks.get(item_id, []),
        )

    return MinutesFacts(
        meeting=meeting,
        minutes=minutes_of(meeting=meeting),
        present=[p for p in members if p.attendance == Participant.Attendance.PRESENT],
        late=[p for p in members if p.attendance == Participant.Attendance.LATE],
        absent_excused=[p for p in members if p.attendance == Participant.Attendance.ABSENT_EXCUSED],
        absent=[p for p in members if p.attendance == Participant.Attendance.ABSENT],
        # Nobody recorded them either way: the minutes say so rather than call them absent without leave.
        unmarked=[p for p in members if p.attendance == Participant.Attendance.UNKNOWN],
        guests=[p for p in participants if p.role == Participant.Role.GUEST and p.attendance in PRESENT_STATES],
        guests_away=[p for p in participants if p.role == Participant.Role.GUEST and p.attendance not in PRESENT_STATES],
        general=facts(None, "", "", None, 0),
        items=[
            facts(node.item.pk, node.number, node.item.title, node.item.presenter, node.item.used_seconds, node.item.done)
            for node in agenda_flat(meeting=meeting)
        ],
    )


def entry_state(entry: MinutesEntry) -> dict[str, Any]:
    return {
        "item_id": entry.agenda_item_id,
        "notes": entry.notes,
        "conclusions": entry.conclusions,
        "notes_version": entry.notes_version,
        "conclusions_version": entry.conclusions_version,
        "updated_by": entry.updated_by.display_name if entry.updated_by else None,
        "updated_at": iso(entry.updated_at),
    }


def announced_conclusions(*, meeting: Meeting) -> dict[str, str]:
    """The conclusions the chair read out to every screen, by agenda item ("" for the meeting as a whole),
    so a tablet that joins or comes back later still has them under their items."""
    entries = MinutesEntry.objects.filter(meeting=meeting).exclude(conclusion_announced="")
    return {str(entry.agenda_item_id or ""): entry.conclusion_announced for entry in entries}


def participants_unmarked(*, meeting: Meeting) -> list[str]:
    """The names of members whose attendance nobody recorded: the minutes list them as such."""
    unmarked = meeting.participants.filter(attendance=Participant.Attendance.UNKNOWN).exclude(role=Participant.Role.GUEST)
    return [participant.user.display_name for participant in unmarked.select_related("user")]


def user_can_edit_minutes(*, user: User, meeting: Meeting) -> bool:
    return user_can_manage_meeting(user=user, meeting=meeting)


# While the meeting is prepared, held and just ended; approval of the meeting's minutes ends it.
WRITABLE_STATES = (Meeting.State.PUBLISHED, Meeting.State.IN_PROGRESS, Meeting.State.CLOSED)


def minutes_writable(*, meeting: Meeting) -> bool:
    """Whether the minutes are still written in the room: not once circulated, approved or signed."""
    if meeting.state not in WRITABLE_STATES:
        return False
    return not Minutes.objects.filter(meeting=meeting).exclude(state=Minutes.State.DRAFT).exists()


def minutes_state(*, user: User, meeting: Meeting) -> dict[str, Any] | None:
    """The minutes in the live snapshot, for those who write or read them as they are written; None for others.
    `editable` says whether this user may type in them now, so a console does not offer what a save would refuse."""
    # Who sees the minutes while they are written: those who run the meeting (the chair reads them too).
    if not user_runs_meeting(user=user, meeting=meeting):
        return None
    entries = MinutesEntry.objects.filter(meeting=meeting).select_related("updated_by")
    writer = user_can_edit_minutes(user=user, meeting=meeting)
    editable = writer and minutes_writable(meeting=meeting)
    locked = _why_locked(meeting) if writer and not editable else None
    return {"entries": [entry_state(e) for e in entries], "editable": editable, "locked": locked}


def _why_locked(meeting: Meeting) -> str | None:
    """Why minutes no longer writable are so, for their writers: "circulated" (they can take them back
    to draft) or "approved" (for good); None before the meeting is published."""
    if meeting.state == Meeting.State.DRAFT:
        return None
    if meeting.state in WRITABLE_STATES and Minutes.objects.filter(meeting=meeting, state=Minutes.State.CIRCULATED).exists():
        return "circulated"
    return "approved"


def minutes_visible_to(*, user: User, meeting: Meeting) -> bool:
    """The secretary and the chair always; participants once the minutes are circulated. A cancelled
    meeting has none."""
    if meeting.state == Meeting.State.CANCELLED:
        return False
    if user_runs_meeting(user=user, meeting=meeting):
        return True
    state = minutes_state_of(meeting=meeting)
    return state not in (None, Minutes.State.DRAFT) and Participant.objects.filter(meeting=meeting, user=user).exists()


def minutes_state_of(*, meeting: Meeting) -> str | None:
    """Where the minutes are (None before any exist), without creating them as minutes_of does."""
    return Minutes.objects.filter(meeting=meeting).values_list("state", flat=True).first()


def appendix_documents(*, minutes: Minutes) -> list[tuple[Document, DocumentVersion]]:
    """The documents the secretary chose to append, in agenda order, each with its current version."""
    documents = minutes.appendix_documents.order_by("agenda_item__position", "position", "id")
    appended = []
    for document in documents:
        version = DocumentVersion.objects.filter(document=document).order_by("-number").first()
        if version is not None:
            appended.append((document, version))
    return appended


def latest_version(*, minutes: Minutes) -> MinutesVersion | None:
    return minutes.versions.order_by("-number").first()


def next_signer_role(*, signers: list[str]) -> str | None:
    """Whose signature the minutes wait for: the secretary's, then the chair's; None once both are on."""
    return next((role for role in SIGNING_ORDER if role not in signers), None)


def _asked(*, participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """Those whose answer on circulated minutes is awaited: not the secretaries, who wrote them, nor the
    chair, who approves them, nor guests, nor those recorded absent, who cannot say what was said (they
    are sent the draft all the same, and may still remark on it)."""
    absent = (Participant.Attendance.ABSENT, Participant.Attendance.ABSENT_EXCUSED)
    return (
        participants.exclude(role__in=(Participant.Role.GUEST, Participant.Role.SECRETARY))
        .exclude(attendance__in=absent)
        .exclude(Q(user_id=F("meeting__secretary_id")) | Q(user_id=F("meeting__chair_id")))
    )


def minutes_asked_ids(*, meeting: Meeting) -> set[int]:
    """The users asked to answer on the meeting's circulated minutes."""
    return set(_asked(participants=Participant.objects.filter(meeting=meeting)).values_list("user_id", flat=True))


def minutes_asked(*, user: User, meeting: Meeting) -> bool:
    """Whether the user is one of those asked to agree with the circulated minutes or send remarks."""
    return _asked(participants=Participant.objects.filter(meeting=meeting, user=user)).exists()


@dataclass
class MinutesResponses:
    """Who has answered the circulated `version`: agreed as it is, sent remarks, or not yet."""

    version: MinutesVersion
    due: datetime.datetime | None
    agreed: list[User]
    remarked: list[User]
    waiting: list[User]
    # Of those waiting, who agreed with an earlier version, and with which (the secretary asks them
    # again knowing they had nothing to add before).
    agreed_before: dict[int, int] = field(default_factory=dict)

    @property
    def waiting_with_earlier_agreement(self) -> list[tuple[User, int | None]]:
        return [(user, self.agreed_before.get(user.pk)) for user in self.waiting]

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due <= timezone.now()

    @property
    def expected(self) -> int:
        return len(self.agreed) + len(self.remarked) + len(self.waiting)


def minutes_responses(*, meeting: Meeting, minutes: Minutes) -> MinutesResponses | None:
    """The answers to the version on circulation (None when the minutes are not circulated); a guest who
    writes is counted though not asked."""
    if minutes.state != Minutes.State.CIRCULATED:
        return None
    version = latest_version(minutes=minutes)
    if version is None:
        return None
    asked = {p.user_id: p.user for p in _asked(participants=Participant.objects.filter(meeting=meeting)).select_related("user")}
    remarked = {r.author_id: r.author for r in MinutesRemark.objects.filter(version=version).select_related("author")}
    agreed = {
        a.author_id: a.author for a in MinutesAssent.objects.filter(version=version).select_related("author") if a.author_id not in remarked
    }

    def by_name(users: dict[int, User]) -> list[User]:
        return sorted(users.values(), key=lambda user: person_sort_key(user.display_name))

    waiting = {pk: user for pk, user in asked.items() if pk not in remarked and pk not in agreed}
    earlier = MinutesAssent.objects.filter(version__minutes=minutes, version__number__lt=version.number, author_id__in=waiting)
    agreed_before = dict(earlier.order_by("version__number").values_list("author_id", "version__number"))  # the latest wins
    return MinutesResponses(
        version=version,
        due=minutes.remarks_due,
        agreed=by_name(agreed),
        remarked=by_name(remarked),
        waiting=by_name(waiting),
        agreed_before=agreed_before,
    )


@dataclass
class MinutesTask:
    """Minutes waiting for this user: to `answer` (remarks or agreement), to `approve`, or to `sign`."""

    meeting: Meeting
    kind: str
    due: datetime.datetime | None = None


def minutes_tasks_of(*, user: User) -> list[MinutesTask]:
    """What the user has to do with minutes, oldest meeting first, for the home page."""
    latest = MinutesVersion.objects.filter(minutes=OuterRef("pk")).order_by("-number")
    mine_on_latest = {"minutes": OuterRef("pk"), "author": user, "version__number": OuterRef("latest")}
    circulated = (
        Minutes.objects.filter(state=Minutes.State.CIRCULATED)
        .annotate(latest=Subquery(latest.values("number")[:1]))
        .select_related("meeting")
    )
    asked = _asked(participants=Participant.objects.filter(user=user)).values("meeting_id")
    # Past the date asked, silence is agreement: nothing is waiting any more.
    open_for_answers = Q(remarks_due__isnull=True) | Q(remarks_due__gt=timezone.now())
    unanswered = circulated.filter(open_for_answers, meeting__in=asked).exclude(
        Exists(MinutesAssent.objects.filter(**mine_on_latest)) | Exists(MinutesRemark.objects.filter(**mine_on_latest))
    )
    tasks = [MinutesTask(meeting=m.meeting, kind="answer", due=m.remarks_due) for m in unanswered]
    tasks += [MinutesTask(meeting=m.meeting, kind="approve", due=m.remarks_due) for m in circulated.filter(meeting__chair=user)]
    approved = (
        Minutes.objects.filter(state=Minutes.State.APPROVED)
        .filter(Q(meeting__chair=user) | Q(meeting__secretary=user))
        .annotate(signers=Subquery(latest.values("signers")[:1]))
        .select_related("meeting")
    )
    for minutes in approved:
        next_role = next_signer_role(signers=minutes.signers or [])
        signer_id = {"secretary": minutes.meeting.secretary_id, "chair": minutes.meeting.chair_id}.get(next_role or "")
        if signer_id == user.pk:
            tasks.append(MinutesTask(meeting=minutes.meeting, kind="sign"))
    signed = Minutes.objects.filter(state=Minutes.State.SIGNED, meeting__secretary=user).select_related("meeting")
    tasks += [MinutesTask(meeting=m.meeting, kind="archive") for m in signed]
    return sorted(tasks, key=lambda task: task.meeting.starts_at)


def minutes_last_circulated_version(*, meeting: Meeting) -> int | None:
    """The number of the last version sent round for remarks, if any was."""
    sent = AuditEvent.objects.filter(meeting=meeting, action="minutes.circulate").order_by("-id").first()
    return sent.data.get("version") if sent else None
