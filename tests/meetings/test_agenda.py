"""Building the agenda: items, sub-items, numbering and order."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.errors import NotAllowed, ServiceError, WrongState
from meetings.models import AgendaItem, AuditEvent, Meeting, User
from meetings.selectors.agenda import agenda_flat, agenda_numbers, agenda_tree
from meetings.selectors.changes import meeting_changes_since_notice
from meetings.services.agenda import agenda_item_create, agenda_item_delete, agenda_item_move, agenda_item_update, agenda_reorder
from meetings.services.meetings import meeting_publish
from tests.conftest import set_state

pytestmark = pytest.mark.django_db

Layout = list[tuple[int, int | None]]


def reading_order(meeting: Meeting) -> list[tuple[str, str]]:
    """(number, title) in reading order."""
    return [(node.number, node.item.title) for node in agenda_flat(meeting=meeting)]


def layout_of(meeting: Meeting) -> Layout:
    return [(node.item.pk, node.item.parent_id) for node in agenda_flat(meeting=meeting)]


def numbers_for(layout: Layout) -> dict[int, str]:
    """The numbers a layout in reading order should produce: 1, 1.1, 1.2, 2 …"""
    numbers: dict[int, str] = {}
    top = 0
    children = 0
    for pk, parent in layout:
        if parent is None:
            top += 1
            children = 0
            numbers[pk] = str(top)
        else:
            children += 1
            numbers[pk] = f"{numbers[parent]}.{children}"
    return numbers


@pytest.fixture
def items(meeting: Meeting, secretary: User) -> dict[str, AgendaItem]:
    """The agenda  1 Khai mạc · 2 Báo cáo (2.1 Kinh tế, 2.2 Xã hội, 2.3 Quốc phòng) · 3 Bế mạc."""
    opening = meeting.agenda_items.get()
    report = agenda_item_create(actor=secretary, meeting=meeting, title="Báo cáo")
    economy = agenda_item_create(actor=secretary, meeting=meeting, title="Kinh tế", parent=report)
    society = agenda_item_create(actor=secretary, meeting=meeting, title="Xã hội", parent=report)
    defence = agenda_item_create(actor=secretary, meeting=meeting, title="Quốc phòng", parent=report)
    closing = agenda_item_create(actor=secretary, meeting=meeting, title="Bế mạc")
    return {"opening": opening, "report": report, "economy": economy, "society": society, "defence": defence, "closing": closing}


# --- items and numbering -------------------------------------------------------------------------


def test_it_numbers_items_and_sub_items_in_order(meeting: Meeting, items: dict[str, AgendaItem]) -> None:
    assert reading_order(meeting) == [
        ("1", "Khai mạc"),
        ("2", "Báo cáo"),
        ("2.1", "Kinh tế"),
        ("2.2", "Xã hội"),
        ("2.3", "Quốc phòng"),
        ("3", "Bế mạc"),
    ]
    assert [node.depth for node in agenda_flat(meeting=meeting)] == [0, 0, 1, 1, 1, 0]
    tree = agenda_tree(meeting=meeting)
    assert [node.number for node in tree] == ["1", "2", "3"]
    assert [child.item.title for child in tree[1].children] == ["Kinh tế", "Xã hội", "Quốc phòng"]
    assert agenda_numbers(meeting=meeting)[items["society"].pk] == "2.2"


def test_it_numbers_1_11_12_2(meeting: Meeting, secretary: User) -> None:
    first = meeting.agenda_items.get()
    agenda_item_create(actor=secretary, meeting=meeting, title="a", parent=first)
    agenda_item_create(actor=secretary, meeting=meeting, title="b", parent=first)
    agenda_item_create(actor=secretary, meeting=meeting, title="Tiếp theo")

    assert [number for number, _title in reading_order(meeting)] == ["1", "1.1", "1.2", "2"]


def test_it_stores_the_details_of_an_item(meeting: Meeting, secretary: User, delegate: User) -> None:
    item = agenda_item_create(
        actor=secretary,
        meeting=meeting,
        title="  Tờ trình dự toán  ",
        description=" Trình bày 10 phút ",
        presenter=delegate,
        duration_minutes=25,
    )

    item.refresh_from_db()
    assert (item.title, item.description, item.presenter, item.duration_minutes) == ("Tờ trình dự toán", "Trình bày 10 phút", delegate, 25)
    assert AuditEvent.objects.filter(meeting=meeting, action="agenda.create", data__item=item.pk).exists()


def test_it_rejects_a_sub_item_of_a_sub_item(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    with pytest.raises(ServiceError) as excinfo:
        agenda_item_create(actor=secretary, meeting=meeting, title="Quá sâu", parent=items["economy"])

    assert excinfo.value.code == "too_deep"
    assert not meeting.agenda_items.filter(title="Quá sâu").exists()


def test_it_rejects_making_an_item_with_sub_items_a_sub_item(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    report = items["report"]
    with pytest.raises(ServiceError) as excinfo:
        agenda_item_update(
            actor=secretary,
            item=report,
            title=report.title,
            description="",
            presenter=None,
            duration_minutes=10,
            parent=items["opening"],
        )

    assert excinfo.value.code == "too_deep"
    report.refresh_from_db()
    assert report.parent_id is None


def test_it_rejects_an_item_as_its_own_parent(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    closing = items["closing"]
    with pytest.raises(ServiceError):
        agenda_item_update(
            actor=secretary, item=closing, title="Bế mạc", description="", presenter=None, duration_minutes=5, parent=closing
        )
    closing.refresh_from_db()
    assert closing.parent_id is None


def test_it_rejects_a_parent_from_another_meeting(meeting: Meeting, secretary: User, make_meeting: Callable[..., Meeting]) -> None:
    other = make_meeting()

    with pytest.raises(ServiceError) as excinfo:
        agenda_item_create(actor=secretary, meeting=meeting, title="Lạc chỗ", parent=other.agenda_items.get())

    assert excinfo.value.code == "invalid_parent"


def test_it_makes_an_item_a_sub_item_at_the_end_of_its_new_parent(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    closing = items["closing"]
    agenda_item_update(
        actor=secretary, item=closing, title="Kết luận", description="", presenter=None, duration_minutes=5, parent=items["report"]
    )

    assert reading_order(meeting)[-2:] == [("2.3", "Quốc phòng"), ("2.4", "Kết luận")]


def test_it_rejects_agenda_changes_by_a_delegate(meeting: Meeting, delegate: User, items: dict[str, AgendaItem]) -> None:
    with pytest.raises(NotAllowed):
        agenda_item_create(actor=delegate, meeting=meeting, title="Không được")
    with pytest.raises(NotAllowed):
        agenda_item_move(actor=delegate, item=items["closing"], direction="up")
    with pytest.raises(NotAllowed):
        agenda_reorder(actor=delegate, meeting=meeting, layout=list(reversed(layout_of(meeting))))
    with pytest.raises(NotAllowed):
        agenda_item_delete(actor=delegate, item=items["closing"])
    assert meeting.agenda_items.count() == 6


def test_it_forbids_agenda_changes_once_the_meeting_has_started(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    set_state(meeting, Meeting.State.IN_PROGRESS)
    before = reading_order(meeting)

    with pytest.raises(WrongState):
        agenda_item_create(actor=secretary, meeting=meeting, title="Muộn")
    with pytest.raises(WrongState):
        agenda_item_move(actor=secretary, item=items["closing"], direction="up")
    with pytest.raises(WrongState):
        agenda_item_delete(actor=secretary, item=items["closing"])
    with pytest.raises(WrongState):
        agenda_reorder(actor=secretary, meeting=meeting, layout=[(pk, None) for pk, _parent in reversed(layout_of(meeting))])

    assert reading_order(meeting) == before


# --- delete --------------------------------------------------------------------------------------


def test_it_renumbers_after_a_delete(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    agenda_item_delete(actor=secretary, item=items["society"])
    assert [n for n, _t in reading_order(meeting)] == ["1", "2", "2.1", "2.2", "3"]

    opening_id = items["opening"].pk
    agenda_item_delete(actor=secretary, item=items["opening"])
    assert reading_order(meeting) == [("1", "Báo cáo"), ("1.1", "Kinh tế"), ("1.2", "Quốc phòng"), ("2", "Bế mạc")]
    top_positions = list(meeting.agenda_items.filter(parent=None).order_by("position").values_list("position", flat=True))
    assert top_positions == [0, 1]
    assert AuditEvent.objects.filter(meeting=meeting, action="agenda.delete", data__item=opening_id).exists()


def test_it_deletes_an_item_with_its_sub_items(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    economy_id = items["economy"].pk
    agenda_item_delete(actor=secretary, item=items["report"])

    assert reading_order(meeting) == [("1", "Khai mạc"), ("2", "Bế mạc")]
    assert not AgendaItem.objects.filter(pk=economy_id).exists()


def test_an_item_with_a_vote_already_put_is_not_deleted(
    published_meeting: Meeting, secretary: User, delegate: User, client: Client
) -> None:
    from voting.services.ballots import poll_open
    from voting.services.polls import poll_create

    item = agenda_item_create(actor=secretary, meeting=published_meeting, title="Dự toán ngân sách")
    written = poll_create(actor=secretary, meeting=published_meeting, question="Thông qua dự toán?", agenda_item_id=item.pk, mode="written")
    poll_open(actor=secretary, meeting=published_meeting, poll_id=written.pk, deadline=timezone.now() + datetime.timedelta(days=2))

    with pytest.raises(WrongState) as error:
        agenda_item_delete(actor=secretary, item=item)

    assert error.value.code == "has_votes"
    assert "Thông qua dự toán?" in str(error.value)
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_the_delete_page_says_what_stays_of_the_item(
    meeting: Meeting, secretary: User, client: Client, pdf_upload: Callable[..., Any]
) -> None:
    from meetings.services.documents import document_upload
    from voting.services.polls import poll_create

    item = agenda_item_create(actor=secretary, meeting=meeting, title="Dự toán ngân sách")
    document_upload(actor=secretary, meeting=meeting, upload=pdf_upload("du-toan.pdf", pages=1), title="Tờ trình dự toán", agenda_item=item)
    poll_create(actor=secretary, meeting=meeting, question="Thông qua dự toán?", agenda_item_id=item.pk)
    client.force_login(secretary)

    page = client.get(reverse("agenda_item_delete", args=[meeting.pk, item.pk])).content.decode()

    assert "Tờ trình dự toán" in page
    assert "Thông qua dự toán?" in page
    client.post(reverse("agenda_item_delete", args=[meeting.pk, item.pk]))
    assert not AgendaItem.objects.filter(pk=item.pk).exists()
    assert meeting.documents.get(title="Tờ trình dự toán").agenda_item is None


# --- reorder (drag and drop) ---------------------------------------------------------------------


def test_it_applies_a_full_layout(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    i = {name: item.pk for name, item in items.items()}
    layout: Layout = [
        (i["closing"], None),
        (i["opening"], None),
        (i["defence"], i["opening"]),
        (i["report"], None),
        (i["economy"], i["report"]),
        (i["society"], None),
    ]

    agenda_reorder(actor=secretary, meeting=meeting, layout=layout)

    assert reading_order(meeting) == [
        ("1", "Bế mạc"),
        ("2", "Khai mạc"),
        ("2.1", "Quốc phòng"),
        ("3", "Báo cáo"),
        ("3.1", "Kinh tế"),
        ("4", "Xã hội"),
    ]
    assert layout_of(meeting) == layout
    assert AuditEvent.objects.filter(meeting=meeting, action="agenda.reorder").count() == 1


def test_it_records_nothing_when_the_layout_is_unchanged(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    agenda_reorder(actor=secretary, meeting=meeting, layout=layout_of(meeting))

    assert not AuditEvent.objects.filter(meeting=meeting, action="agenda.reorder").exists()


def test_it_marks_a_reorder_after_publishing_as_a_change_to_notify(published_meeting: Meeting, secretary: User) -> None:
    second = agenda_item_create(actor=secretary, meeting=published_meeting, title="Thứ hai")
    Meeting.objects.filter(pk=published_meeting.pk).update(changed_since_notice=False)
    first = published_meeting.agenda_items.exclude(pk=second.pk).get()

    agenda_reorder(actor=secretary, meeting=published_meeting, layout=[(second.pk, None), (first.pk, None)])

    published_meeting.refresh_from_db()
    assert published_meeting.changed_since_notice


def test_an_item_moved_down_and_back_up_is_no_change_to_notify(
    meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: Any
) -> None:
    second = agenda_item_create(actor=secretary, meeting=meeting, title="Thứ hai")
    with django_capture_on_commit_callbacks(execute=True):
        meeting_publish(actor=secretary, meeting=meeting)

    agenda_item_move(actor=secretary, item=second, direction="up")
    meeting.refresh_from_db()
    assert meeting.changed_since_notice
    assert meeting_changes_since_notice(meeting=meeting) == ["Thứ tự chương trình họp đã thay đổi."]

    agenda_item_move(actor=secretary, item=AgendaItem.objects.get(pk=second.pk), direction="down")
    meeting.refresh_from_db()
    assert not meeting.changed_since_notice
    assert meeting_changes_since_notice(meeting=meeting) == []


def test_each_agenda_control_names_its_item_for_a_screen_reader(client: Client, meeting: Meeting, secretary: User) -> None:
    item = agenda_item_create(actor=secretary, meeting=meeting, title="Báo cáo ngân sách")
    client.force_login(secretary)

    html = client.get(reverse("meeting_agenda", args=[meeting.pk])).content.decode()

    number = agenda_numbers(meeting=meeting)[item.pk]
    assert f'aria-label="Chuyển lên: {number}. Báo cáo ngân sách"' in html
    # The last item cannot go further down: the button says so rather than doing nothing.
    assert f'value="down" disabled title="Chuyển xuống" aria-label="Chuyển xuống: {number}. Báo cáo ngân sách"' in html
    assert f'Sửa<span class="visually-hidden">: {number}. Báo cáo ngân sách</span>' in html


def test_an_item_added_and_removed_again_is_not_told_of(meeting: Meeting, secretary: User, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        meeting_publish(actor=secretary, meeting=meeting)
    passing = agenda_item_create(actor=secretary, meeting=meeting, title="Nhầm")
    agenda_item_delete(actor=secretary, item=passing)

    meeting.refresh_from_db()
    assert not meeting.changed_since_notice
    assert meeting_changes_since_notice(meeting=meeting) == []

    passing = agenda_item_create(actor=secretary, meeting=meeting, title="Nhầm")
    agenda_item_create(actor=secretary, meeting=meeting, title="Kiến nghị của cử tri")
    agenda_item_delete(actor=secretary, item=passing)
    meeting.refresh_from_db()
    assert meeting.changed_since_notice
    assert meeting_changes_since_notice(meeting=meeting) == ["Thêm nội dung: Kiến nghị của cử tri"]


@pytest.mark.parametrize("change", ["missing", "duplicate", "unknown"])
def test_it_rejects_a_stale_layout(meeting: Meeting, secretary: User, items: dict[str, AgendaItem], change: str) -> None:
    layout = layout_of(meeting)
    if change == "missing":
        stale = layout[:-1]
    elif change == "duplicate":
        stale = [*layout, layout[-1]]
    else:
        stale = [*layout, (10**9, None)]

    with pytest.raises(ServiceError) as excinfo:
        agenda_reorder(actor=secretary, meeting=meeting, layout=stale)

    assert excinfo.value.code == "stale_agenda"
    assert layout_of(meeting) == layout


def test_it_rejects_a_layout_with_an_item_of_another_meeting(
    meeting: Meeting, secretary: User, items: dict[str, AgendaItem], make_meeting: Callable[..., Meeting]
) -> None:
    foreign = make_meeting().agenda_items.get()
    layout = layout_of(meeting)

    with pytest.raises(ServiceError) as excinfo:
        agenda_reorder(actor=secretary, meeting=meeting, layout=[*layout, (foreign.pk, None)])
    assert excinfo.value.code == "stale_agenda"

    with pytest.raises(ServiceError) as excinfo:
        agenda_reorder(actor=secretary, meeting=meeting, layout=[*layout[:-1], (layout[-1][0], foreign.pk)])
    assert excinfo.value.code == "invalid_layout"

    assert layout_of(meeting) == layout
    assert foreign.meeting.agenda_items.get() == foreign


def test_it_rejects_a_sub_item_before_its_parent(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    i = {name: item.pk for name, item in items.items()}
    before = layout_of(meeting)
    layout: Layout = [
        (i["economy"], i["report"]),
        (i["opening"], None),
        (i["report"], None),
        (i["society"], i["report"]),
        (i["defence"], i["report"]),
        (i["closing"], None),
    ]

    with pytest.raises(ServiceError) as excinfo:
        agenda_reorder(actor=secretary, meeting=meeting, layout=layout)

    assert excinfo.value.code == "invalid_layout"
    assert layout_of(meeting) == before


def test_it_rejects_a_sub_item_of_a_sub_item_in_a_layout(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    i = {name: item.pk for name, item in items.items()}
    layout: Layout = [
        (i["opening"], None),
        (i["report"], None),
        (i["economy"], i["report"]),
        (i["society"], i["economy"]),
        (i["defence"], i["report"]),
        (i["closing"], None),
    ]

    with pytest.raises(ServiceError) as excinfo:
        agenda_reorder(actor=secretary, meeting=meeting, layout=layout)

    assert excinfo.value.code == "invalid_layout"


def test_it_rejects_a_sub_item_separated_from_its_parent(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    i = {name: item.pk for name, item in items.items()}
    before = layout_of(meeting)
    layout: Layout = [
        (i["opening"], None),
        (i["report"], None),
        (i["economy"], i["report"]),
        (i["society"], i["report"]),
        (i["closing"], None),
        (i["defence"], i["report"]),  # below "Bế mạc" but claims "Báo cáo" as its parent
    ]

    with pytest.raises(ServiceError) as excinfo:
        agenda_reorder(actor=secretary, meeting=meeting, layout=layout)

    assert excinfo.value.code == "invalid_layout"
    assert layout_of(meeting) == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_it_numbers_any_valid_layout_as_it_was_laid_out(meeting: Meeting, secretary: User, data: st.DataObject) -> None:
    with transaction.atomic():
        count = data.draw(st.integers(min_value=1, max_value=9), label="count")
        for index in range(count - 1):
            agenda_item_create(actor=secretary, meeting=meeting, title=f"Mục {index + 2}")
        ids = list(meeting.agenda_items.values_list("pk", flat=True))
        order = data.draw(st.permutations(ids), label="order")
        # The first row is a main item; every other row may be a sub-item of the nearest main item above it.
        sub = [False, *data.draw(st.lists(st.booleans(), min_size=count - 1, max_size=count - 1), label="sub-items")]
        layout: Layout = []
        parent: int | None = None
        for pk, is_sub in zip(order, sub, strict=True):
            if is_sub:
                layout.append((pk, parent))
            else:
                layout.append((pk, None))
                parent = pk

        agenda_reorder(actor=secretary, meeting=meeting, layout=layout)

        assert layout_of(meeting) == layout
        assert agenda_numbers(meeting=meeting) == numbers_for(layout)
        transaction.set_rollback(True)


# --- move buttons --------------------------------------------------------------------------------


def test_it_moves_an_item_up_and_down_with_its_sub_items(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    agenda_item_move(actor=secretary, item=items["report"], direction="up")
    assert reading_order(meeting) == [
        ("1", "Báo cáo"),
        ("1.1", "Kinh tế"),
        ("1.2", "Xã hội"),
        ("1.3", "Quốc phòng"),
        ("2", "Khai mạc"),
        ("3", "Bế mạc"),
    ]

    agenda_item_move(actor=secretary, item=items["report"], direction="down")
    agenda_item_move(actor=secretary, item=items["report"], direction="down")
    assert [t for _n, t in reading_order(meeting)] == ["Khai mạc", "Bế mạc", "Báo cáo", "Kinh tế", "Xã hội", "Quốc phòng"]
    assert AuditEvent.objects.filter(meeting=meeting, action="agenda.move").count() == 3


def test_it_moves_a_sub_item_within_its_parent(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    agenda_item_move(actor=secretary, item=items["defence"], direction="up")

    assert reading_order(meeting)[2:5] == [("2.1", "Kinh tế"), ("2.2", "Quốc phòng"), ("2.3", "Xã hội")]

    agenda_item_move(actor=secretary, item=items["economy"], direction="down")

    assert reading_order(meeting)[2:5] == [("2.1", "Quốc phòng"), ("2.2", "Kinh tế"), ("2.3", "Xã hội")]


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("opening", "up"),  # the first item cannot go higher
        ("closing", "down"),  # the last item cannot go lower
        ("opening", "indent"),  # the first item has nothing above to belong to
        ("report", "indent"),  # an item with sub-items cannot become a sub-item
        ("economy", "indent"),  # a sub-item cannot go deeper
        ("economy", "up"),  # the first sub-item stays under its parent
        ("defence", "down"),  # the last sub-item stays under its parent
        ("closing", "outdent"),  # a main item is already at the top level
    ],
)
def test_it_leaves_the_agenda_alone_for_a_move_that_is_not_possible(
    meeting: Meeting, secretary: User, items: dict[str, AgendaItem], name: str, direction: str
) -> None:
    before = layout_of(meeting)

    agenda_item_move(actor=secretary, item=items[name], direction=direction)

    assert layout_of(meeting) == before
    assert not AuditEvent.objects.filter(meeting=meeting, action="agenda.move").exists()


def test_it_indents_an_item_under_the_item_above(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    agenda_item_move(actor=secretary, item=items["closing"], direction="indent")

    assert reading_order(meeting) == [
        ("1", "Khai mạc"),
        ("2", "Báo cáo"),
        ("2.1", "Kinh tế"),
        ("2.2", "Xã hội"),
        ("2.3", "Quốc phòng"),
        ("2.4", "Bế mạc"),
    ]


def test_it_outdents_a_sub_item_to_right_after_its_parent(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    agenda_item_move(actor=secretary, item=items["society"], direction="outdent")

    assert reading_order(meeting) == [
        ("1", "Khai mạc"),
        ("2", "Báo cáo"),
        ("2.1", "Kinh tế"),
        ("2.2", "Quốc phòng"),
        ("3", "Xã hội"),
        ("4", "Bế mạc"),
    ]


def test_it_rejects_an_unknown_move(meeting: Meeting, secretary: User, items: dict[str, AgendaItem]) -> None:
    with pytest.raises(ServiceError) as excinfo:
        agenda_item_move(actor=secretary, item=items["closing"], direction="sideways")

    assert excinfo.value.code == "invalid_move"


def test_a_number_out_of_range_is_told_in_plain_vietnamese(meeting: Meeting) -> None:
    from django.utils import translation

    from meetings.forms import AgendaItemForm

    with translation.override("vi"):
        form = AgendaItemForm({"title": "Khai mạc", "duration_minutes": "0"}, meeting=meeting)
        assert not form.is_valid()
        # Django's own catalogue says "Đảm bảo giá trị này lớn hơn hoặc bằng với 1 ." (a space before the stop).
        assert form.errors["duration_minutes"] == ["Giá trị phải từ 1 trở lên."]


def test_each_item_has_its_planned_start_from_the_meetings_start_and_the_time_before_it(
    meeting: Meeting, secretary: User, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from meetings.services.meetings import meeting_publish

    report = agenda_item_create(actor=secretary, meeting=meeting, title="Báo cáo", duration_minutes=20)
    agenda_item_create(actor=secretary, meeting=meeting, title="Kinh tế", duration_minutes=15, parent=report)
    agenda_item_create(actor=secretary, meeting=meeting, title="Bế mạc", duration_minutes=5)
    start = timezone.localtime(meeting.starts_at)
    at = lambda minutes: f"{start + datetime.timedelta(minutes=minutes):%H:%M}"  # noqa: E731

    starts = {node.item.title: f"{timezone.localtime(node.starts_at):%H:%M}" for node in agenda_flat(meeting=meeting)}

    # Khai mạc (the fixture's, 5 minutes), Báo cáo 20, its sub-item Kinh tế 15, then Bế mạc.
    assert starts == {"Khai mạc": at(0), "Báo cáo": at(5), "Kinh tế": at(25), "Bế mạc": at(40)}
    client.force_login(secretary)
    assert f'title="Giờ dự kiến bắt đầu">{at(40)}</span>' in client.get(meeting.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_publish(actor=secretary, meeting=meeting)
    assert f"{at(25)}      2.1. Kinh tế" in mail.outbox[0].body
