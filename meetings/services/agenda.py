"""Building the agenda: items, sub-items, their order."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from meetings.errors import ServiceError, WrongState
from meetings.models import AgendaItem, Meeting, User
from meetings.selectors.agenda import Layout, agenda_item_votes, agenda_layout
from meetings.selectors.changes import meeting_agenda_as_told
from meetings.services.audit import audit_record
from meetings.services.guards import lock_meeting, require_manager, require_preparation_state
from meetings.services.meetings import mark_changed_since_notice

# Items and sub-items (1, 1.1): deeper outlines do not read well on a tablet or in the minutes.
MAX_DEPTH = 2
MOVES = ("up", "down", "indent", "outdent")


def _prepare(*, actor: User, meeting: Meeting) -> Meeting:
    require_manager(actor=actor, meeting=meeting)
    meeting = lock_meeting(meeting=meeting)
    require_preparation_state(meeting=meeting)
    return meeting


def _check_parent(*, meeting: Meeting, parent: AgendaItem | None, item: AgendaItem | None = None) -> None:
    if parent is None:
        return
    if parent.meeting_id != meeting.pk:
        raise ServiceError(_("That agenda item belongs to another meeting."), code="invalid_parent")
    if parent.parent_id is not None:
        raise ServiceError(_("Sub-items cannot have sub-items of their own."), code="too_deep")
    if item is not None and (parent.pk == item.pk or item.children.exists()):
        raise ServiceError(_("An item with sub-items cannot become a sub-item."), code="too_deep")


def _next_position(*, meeting: Meeting, parent: AgendaItem | None) -> int:
    last = meeting.agenda_items.filter(parent=parent).order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


@transaction.atomic
def agenda_item_create(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    description: str = "",
    presenter: User | None = None,
    duration_minutes: int = 10,
    parent: AgendaItem | None = None,
) -> AgendaItem:
    meeting = _prepare(actor=actor, meeting=meeting)
    _check_parent(meeting=meeting, parent=parent)
    item = AgendaItem.objects.create(
        meeting=meeting,
        parent=parent,
        position=_next_position(meeting=meeting, parent=parent),
        title=title.strip(),
        description=description.strip(),
        presenter=presenter,
        duration_minutes=duration_minutes,
    )
    audit_record(meeting=meeting, actor=actor, action="agenda.create", item=item.pk, title=item.title)
    mark_changed_since_notice(meeting=meeting)
    return item


@transaction.atomic
def agenda_item_update(
    *,
    actor: User,
    item: AgendaItem,
    title: str,
    description: str,
    presenter: User | None,
    duration_minutes: int,
    parent: AgendaItem | None,
) -> AgendaItem:
    meeting = _prepare(actor=actor, meeting=item.meeting)
    _check_parent(meeting=meeting, parent=parent, item=item)
    if parent != item.parent:
        item.parent = parent
        item.position = _next_position(meeting=meeting, parent=parent)
    item.title = title.strip()
    item.description = description.strip()
    item.presenter = presenter
    item.duration_minutes = duration_minutes
    item.save()
    audit_record(meeting=meeting, actor=actor, action="agenda.update", item=item.pk, title=item.title)
    mark_changed_since_notice(meeting=meeting)
    return item


@transaction.atomic
def agenda_item_delete(*, actor: User, item: AgendaItem) -> None:
    meeting = _prepare(actor=actor, meeting=item.meeting)
    # A vote already put (a written opinion runs before the meeting) belongs to its item: the record
    # would lose what was voted on. Its prepared votes and its documents stay, without an item.
    put = [poll.question for poll in agenda_item_votes(item=item) if poll.state != "draft"]
    if put:
        raise WrongState(
            _("“%(question)s” has already been put to the vote on this item, so the item stays. Change its title if it is wrong.")
            % {"question": put[0]},
            code="has_votes",
        )
    audit_record(meeting=meeting, actor=actor, action="agenda.delete", item=item.pk, title=item.title)
    item.delete()
    _apply_layout(meeting=meeting, layout=agenda_layout(meeting=meeting))
    _agenda_changed(meeting=meeting)


def _apply_layout(*, meeting: Meeting, layout: Layout) -> None:
    items = {item.pk: item for item in meeting.agenda_items.all()}
    counters: dict[int | None, int] = {}
    changed = []
    for pk, parent_id in layout:
        item = items[pk]
        position = counters.get(parent_id, 0)
        counters[parent_id] = position + 1
        if item.parent_id != parent_id or item.position != position:
            item.parent_id = parent_id
            item.position = position
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["parent", "position"])


def _validate_layout(*, meeting: Meeting, layout: Layout) -> None:
    ids = [pk for pk, _parent in layout]
    existing = set(meeting.agenda_items.values_list("pk", flat=True))
    if len(ids) != len(set(ids)) or set(ids) != existing:
        raise ServiceError(_("The agenda changed while you were editing it. Reload the page and try again."), code="stale_agenda")
    current_top: int | None = None
    for pk, parent_id in layout:
        if parent_id is None:
            current_top = pk
        elif parent_id != current_top:
            # Sub-items follow their own item directly; the stored order is exactly the one sent.
            raise ServiceError(_("A sub-item must come after the item it belongs to."), code="invalid_layout")


@transaction.atomic
def agenda_reorder(*, actor: User, meeting: Meeting, layout: Layout) -> None:
    """Set the whole order at once, as a drag and drop leaves it: [(item id, parent id or None), …]."""
    meeting = _prepare(actor=actor, meeting=meeting)
    _validate_layout(meeting=meeting, layout=layout)
    if layout == agenda_layout(meeting=meeting):
        return
    _apply_layout(meeting=meeting, layout=layout)
    audit_record(meeting=meeting, actor=actor, action="agenda.reorder", layout=[list(row) for row in layout])
    _agenda_changed(meeting=meeting)


def _agenda_changed(*, meeting: Meeting) -> None:
    """Flag the change for the next notice; unless it put the agenda back as participants were last told
    it (an item moved back, or added and removed again): that is no news to send them."""
    if meeting.changed_since_notice and meeting_agenda_as_told(meeting=meeting):
        Meeting.objects.filter(pk=meeting.pk).update(changed_since_notice=False)
        meeting.changed_since_notice = False
    else:
        mark_changed_since_notice(meeting=meeting)


def _moved_layout(*, layout: Layout, item_id: int, direction: str) -> Layout:
    blocks: list[list[tuple[int, int | None]]] = []
    for row in layout:
        if row[1] is None:
            blocks.append([row])
        else:
            blocks[-1].append(row)
    top_ids = [block[0][0] for block in blocks]
    if item_id in top_ids:
        index = top_ids.index(item_id)
        if direction == "up" and index > 0:
            blocks[index - 1], blocks[index] = blocks[index], blocks[index - 1]
        elif direction == "down" and index < len(blocks) - 1:
            blocks[index + 1], blocks[index] = blocks[index], blocks[index + 1]
        elif direction == "indent" and index > 0 and len(blocks[index]) == 1:
            new_parent = blocks[index - 1][0][0]
            blocks[index - 1].append((item_id, new_parent))
            del blocks[index]
        return [row for block in blocks for row in block]
    block = next(b for b in blocks if any(row[0] == item_id for row in b))
    children = block[1:]
    index = [row[0] for row in children].index(item_id)
    if direction == "up" and index > 0:
        children[index - 1], children[index] = children[index], children[index - 1]
    elif direction == "down" and index < len(children) - 1:
        children[index + 1], children[index] = children[index], children[index + 1]
    elif direction == "outdent":
        # The sub-item becomes the item right after its parent; later siblings stay with the parent.
        del children[index]
        position = blocks.index(block)
        blocks.insert(position + 1, [(item_id, None)])
    block[1:] = children
    return [row for block in blocks for row in block]


@transaction.atomic
def agenda_item_move(*, actor: User, item: AgendaItem, direction: str) -> None:
    """The button fallback for drag and drop: up, down, indent (make a sub-item), outdent."""
    if direction not in MOVES:
        raise ServiceError(_("Unknown move."), code="invalid_move")
    meeting = _prepare(actor=actor, meeting=item.meeting)
    layout = _moved_layout(layout=agenda_layout(meeting=meeting), item_id=item.pk, direction=direction)
    if layout != agenda_layout(meeting=meeting):
        _apply_layout(meeting=meeting, layout=layout)
        audit_record(meeting=meeting, actor=actor, action="agenda.move", item=item.pk, direction=direction)
        _agenda_changed(meeting=meeting)
