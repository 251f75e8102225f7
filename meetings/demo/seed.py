"""Creates (once) the demo body, people and meeting through the same services users go through."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

from meetings.apps import SECRETARIES_GROUP, secretaries_group_ensure
from meetings.demo.content import (
    ABSENCE,
    ADMIN,
    AGENDA,
    BODY,
    CHAIR,
    DOCUMENTS,
    GUESTS,
    MEETING_LOCATION,
    MEETING_TITLE,
    POLLS,
    SECRETARY,
    SPEAKING_MINUTES,
    delegate_profile,
)
from meetings.demo.documents import demo_document_pdf, demo_programme_pdf
from meetings.models import Body, Meeting, Participant, User
from meetings.selectors.agenda import agenda_flat
from meetings.services.agenda import agenda_item_create
from meetings.services.documents import document_upload
from meetings.services.live import attendance_notify_absence
from meetings.services.meetings import meeting_create, meeting_publish
from meetings.services.participants import participants_invite
from voting.models import Poll
from voting.services.polls import poll_create


@dataclass
class DemoResult:
    meeting: Meeting
    password: str
    secretary: str
    chair: str
    admin: str
    delegates: list[str] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    created: bool = False

    def as_json(self) -> dict:
        return {
            "meeting_id": self.meeting.pk,
            "password": self.password,
            "accounts": {
                "secretary": self.secretary,
                "chair": self.chair,
                "delegates": self.delegates,
                "guests": self.guests,
                "admin": self.admin,
            },
        }


def _user(*, username: str, full_name: str, position: str, password: str, body: Body | None = None, **flags: bool) -> User:
    user, _created = User.objects.get_or_create(username=username)
    user.full_name = full_name
    user.position = position
    user.body = body
    user.email = f"{username}@vungtau.gov.vn"
    for name, value in flags.items():
        setattr(user, name, value)
    user.set_password(password)
    user.save()
    return user


def _next_working_morning() -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=2)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))


def _build_meeting(*, body: Body, secretary: User, chair: User, delegates: list[User], guests: list[User]) -> Meeting:
    starts = _next_working_morning()
    meeting = meeting_create(
        actor=secretary,
        body=body,
        title=MEETING_TITLE,
        kind=Meeting.Kind.THEMATIC,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3, minutes=30),
        location=MEETING_LOCATION,
        chair=chair,
        secretary=secretary,
        speaker_seconds=SPEAKING_MINUTES * 60,
    )
    participants_invite(actor=secretary, meeting=meeting, users=delegates, role=Participant.Role.DELEGATE, can_vote=True)
    participants_invite(actor=secretary, meeting=meeting, users=guests, role=Participant.Role.GUEST, can_vote=False)

    def presenter(key: str | None) -> User | None:
        if key == "chair":
            return chair
        if key and key.startswith("delegate:"):
            index = int(key.split(":")[1])
            return delegates[index] if index < len(delegates) else None
        return None

    items = {}
    for key, title, who, minutes, description, children in AGENDA:
        parent = agenda_item_create(
            actor=secretary, meeting=meeting, title=title, description=description, presenter=presenter(who), duration_minutes=minutes
        )
        items[key] = parent
        for child_key, child_title, child_who, child_minutes, child_description in children:
            items[child_key] = agenda_item_create(
                actor=secretary,
                meeting=meeting,
                title=child_title,
                description=child_description,
                presenter=presenter(child_who),
                duration_minutes=child_minutes,
                parent=parent,
            )

    local = timezone.localtime(starts)
    when = f"{local:%H} giờ {local:%M}, ngày {local:%d/%m/%Y}"
    programme = [
        (node.number, node.item.title, node.item.presenter.display_name if node.item.presenter else "")
        for node in agenda_flat(meeting=meeting)
    ]
    for index, (stem, title, item_key, confidential, pages) in enumerate(DOCUMENTS):
        if stem == "chuong-trinh-hop":
            pdf = demo_programme_pdf(meeting_title=MEETING_TITLE, agenda=programme, when=when, place=MEETING_LOCATION, date=local.date())
        else:
            pdf = demo_document_pdf(title=title, pages=pages, index=index, date=local.date())
        document_upload(
            actor=secretary,
            meeting=meeting,
            upload=SimpleUploadedFile(f"{stem}.pdf", pdf, content_type="application/pdf"),
            title=title,
            agenda_item=items.get(item_key) if item_key else None,
            confidential=confidential,
            # The confidential draft goes to the vice-chair and the heads of department concerned.
            readers=delegates[:5] if confidential else None,
        )
    for item_key, question, options, secret, majority in POLLS:
        poll_create(
            actor=secretary,
            meeting=meeting,
            question=question,
            agenda_item_id=items[item_key].pk,
            kind=Poll.Kind.OPTIONS if options else Poll.Kind.YES_NO,
            options=options,
            secret=secret,
            majority=majority,
        )
    return meeting


def demo_seed(*, delegates: int = 8, password: str = "hop2026") -> DemoResult:  # noqa: S107 - the demo's published password
    body, _ = Body.objects.get_or_create(name=BODY["name"], defaults={k: v for k, v in BODY.items() if k != "name"})
    secretaries_group_ensure()
    group = Group.objects.get(name=SECRETARIES_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="meetings", codename="add_meeting"))

    secretary = _user(username=SECRETARY[0], full_name=SECRETARY[1], position=SECRETARY[2], password=password, body=body)
    secretary.groups.add(group)
    chair = _user(username=CHAIR[0], full_name=CHAIR[1], position=CHAIR[2], password=password, body=body)
    admin = _user(username=ADMIN[0], full_name=ADMIN[1], position=ADMIN[2], password=password, is_staff=True, is_superuser=True)
    delegate_users = []
    for index in range(delegates):
        name, position = delegate_profile(index)
        delegate_users.append(_user(username=f"daibieu{index + 1:02d}", full_name=name, position=position, password=password, body=body))
    guest_users = [
        _user(username=f"khach{index + 1:02d}", full_name=name, position=position, password=password)
        for index, (name, position) in enumerate(GUESTS)
    ]

    # The demo's invitations are not really sent: nobody reads these mailboxes.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        meeting = Meeting.objects.filter(body=body, title=MEETING_TITLE).first()
        created = meeting is None
        if created:
            meeting = _build_meeting(body=body, secretary=secretary, chair=chair, delegates=delegate_users, guests=guest_users)
        # The People's Committee's members vote; the guests do not.
        body.voting_members.add(chair, *delegate_users)
        if meeting.in_preparation:
            participants_invite(actor=secretary, meeting=meeting, users=delegate_users, role=Participant.Role.DELEGATE, can_vote=True)
            participants_invite(actor=secretary, meeting=meeting, users=guest_users, role=Participant.Role.GUEST, can_vote=False)
        if meeting.state == Meeting.State.DRAFT:
            meeting = meeting_publish(actor=secretary, meeting=meeting)
            absent_index, reason = ABSENCE
            if absent_index < len(delegate_users):
                attendance_notify_absence(actor=delegate_users[absent_index], meeting=meeting, reason=reason)

    return DemoResult(
        meeting=meeting,
        password=password,
        secretary=secretary.username,
        chair=chair.username,
        admin=admin.username,
        delegates=[u.username for u in delegate_users],
        guests=[u.username for u in guest_users],
        created=created,
    )
