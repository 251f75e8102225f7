from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from meetings.models import PREPARATION_STATES, Body, Meeting, Participant, User
from meetings.permissions import user_can_view_meeting
from meetings.text import fold_for_search, person_sort_key


def meetings_visible_to(*, user: User) -> QuerySet[Meeting]:
    """Published meetings the user takes part in, and every meeting they prepare."""
    if user.is_superuser:
        return Meeting.objects.all()
    return Meeting.objects.filter(
        Q(participants__user=user, state__in=[s for s in Meeting.State.values if s != Meeting.State.DRAFT])
        | Q(secretary=user)
        | Q(created_by=user)
        | Q(participants__user=user, participants__role=Participant.Role.SECRETARY)
    ).distinct()


@dataclass
class HomeMeetings:
    running: list[Meeting]
    upcoming: list[Meeting]
    past: list[Meeting]


def _with_my_absence(meetings: QuerySet[Meeting], user: User) -> QuerySet[Meeting]:
    told_absence = Participant.objects.filter(meeting=OuterRef("pk"), user=user, absence_notified_at__isnull=False)
    return meetings.select_related("body", "chair", "minutes").annotate(i_cannot_attend=Exists(told_absence))


# Listed among the meetings to come until their day is over: a cancelled one stays there, said so,
# for whoever looks for it on the day.
AHEAD_STATES = (*PREPARATION_STATES, Meeting.State.CANCELLED)


def _past(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Neither running nor still to come: held, or never held."""
    return meetings.exclude(state=Meeting.State.IN_PROGRESS).exclude(ends_at__gte=timezone.now(), state__in=AHEAD_STATES)


def meetings_for_home(*, user: User, past_limit: int = 20) -> HomeMeetings:
    """Meetings in progress (however late they run), then upcoming ones soonest first, then recent past ones."""
    visible = _with_my_absence(meetings_visible_to(user=user), user)
    running = list(visible.filter(state=Meeting.State.IN_PROGRESS).order_by("starts_at"))
    upcoming = list(visible.filter(ends_at__gte=timezone.now(), state__in=AHEAD_STATES).order_by("starts_at"))
    past = list(_past(visible).order_by("-starts_at")[:past_limit])
    return HomeMeetings(running=running, upcoming=upcoming, past=past)


def meetings_past(*, user: User, query: str = "", year: int | None = None) -> QuerySet[Meeting] | list[Meeting]:
    """Every earlier meeting the user may see, newest first: those of `year`, whose title, place, body
    or minutes' number has every word of `query`, with or without diacritics ("chuyen doi so")."""
    meetings = _past(_with_my_absence(meetings_visible_to(user=user), user)).order_by("-starts_at")
    if year:
        meetings = meetings.filter(starts_at__year=year)
    words = fold_for_search(query).split()
    if not words:
        return meetings

    def searched(meeting: Meeting) -> str:
        minutes = getattr(meeting, "minutes", None)
        # A draft's number is not yet the participants' to see.
        number = minutes.number if minutes and minutes.state != "draft" else ""
        return fold_for_search(" ".join((meeting.title, meeting.location, meeting.body.name, number)))

    return [meeting for meeting in meetings if all(word in searched(meeting) for word in words)]


def meetings_ahead_with(*, users: list[User]) -> dict[int, list[Meeting]]:
    """For each user (by id), the meetings still to be held in which they chair, keep the minutes or
    are invited, soonest first. Two queries, however many users."""
    ids = [user.pk for user in users]
    involved = Q(chair__in=ids) | Q(secretary__in=ids) | Q(participants__user__in=ids)
    theirs = Prefetch("participants", queryset=Participant.objects.filter(user__in=ids).only("meeting_id", "user_id"), to_attr="among")
    ahead = (
        Meeting.objects.filter(involved, state__in=PREPARATION_STATES, ends_at__gte=timezone.now())
        .distinct()
        .order_by("starts_at")
        .prefetch_related(theirs)
    )
    by_user: dict[int, list[Meeting]] = {pk: [] for pk in ids}
    for meeting in ahead:
        for pk in {meeting.chair_id, meeting.secretary_id, *(p.user_id for p in meeting.among)} & by_user.keys():
            by_user[pk].append(meeting)
    return by_user


@dataclass
class VotingGaps:
    """Members with a vote in the body whom the meeting leaves out, or lets in without their vote."""

    not_invited: list[User]
    without_vote: list[User]


def voting_members_left_out(*, meeting: Meeting) -> VotingGaps:
    members = list(meeting.body.voting_members.filter(is_active=True))
    invited = {p.user_id: p for p in Participant.objects.filter(meeting=meeting, user__in=members)}
    by_name = sorted(members, key=lambda user: person_sort_key(user.display_name))
    return VotingGaps(
        not_invited=[user for user in by_name if user.pk not in invited],
        without_vote=[user for user in by_name if user.pk in invited and not invited[user.pk].can_vote],
    )


def meeting_years(*, user: User) -> list[int]:
    """The years the user's earlier meetings were held in, newest first."""
    moments = _past(meetings_visible_to(user=user)).datetimes("starts_at", "year", order="DESC")
    return [moment.year for moment in moments]


def meeting_get_for_user(*, user: User, meeting_id: int) -> Meeting:
    """The meeting, or 404 when it does not exist or the user may not see it (existence does not leak)."""
    meeting = Meeting.objects.select_related("body", "chair", "secretary").filter(pk=meeting_id).first()
    if meeting is None or not user_can_view_meeting(user=user, meeting=meeting):
        raise Http404
    return meeting


ROLE_ORDER = {Participant.Role.CHAIR: 0, Participant.Role.SECRETARY: 1, Participant.Role.DELEGATE: 2, Participant.Role.GUEST: 3}


def participant_order_key(participant: Participant) -> tuple:
    """The chair, the secretaries, the delegates, the guests; by name (Vietnamese order) within each."""
    return (ROLE_ORDER.get(participant.role, 9), person_sort_key(participant.user.display_name))


def participants_of(*, meeting: Meeting) -> list[Participant]:
    return sorted(meeting.participants.select_related("user"), key=participant_order_key)


def participants_with_email_count(*, meeting: Meeting) -> int:
    """How many participants the meeting's e-mails reach (the others see it only when they sign in)."""
    return meeting.participants.exclude(user__email="").filter(user__is_active=True).count()


def absence_reasons(*, meeting: Meeting) -> dict[int, str]:
    """Why each participant absent with leave is away (sent ahead, or told to the secretary), by
    participant: for the chair and the secretaries only. A reason is cleared when the absence is."""
    return dict(meeting.participants.exclude(absence_reason="").values_list("pk", "absence_reason"))


def directory_of(*, body: Body | None, everyone: bool = False) -> QuerySet[User]:
    """Who a body's meeting is prepared with: the active accounts of that body, and those not tied to
    any (except administrators' own accounts); `everyone` adds the other bodies' people, for a guest
    or an official from elsewhere."""
    active = User.objects.filter(is_active=True)
    if everyone or body is None:
        return active.exclude(body__isnull=True, is_superuser=True)
    return active.filter(Q(body=body) | Q(body__isnull=True, is_superuser=False))
