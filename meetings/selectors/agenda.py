from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from meetings.models import AgendaItem, Document, Meeting

# The agenda's order and nesting: [(item id, parent id or None), …] in reading order.
Layout = list[tuple[int, int | None]]


def agenda_layout(*, meeting: Meeting) -> Layout:
    """(item id, parent id) in reading order."""
    items = list(meeting.agenda_items.order_by("position", "id").values_list("pk", "parent_id"))
    layout: Layout = []
    for pk, parent_id in items:
        if parent_id is None:
            layout.append((pk, None))
            layout.extend((child, parent) for child, parent in items if parent == pk)
    return layout


@dataclass
class AgendaNode:
    item: AgendaItem
    number: str
    depth: int
    children: list[AgendaNode] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)  # filled by views that show them
    # When it is planned to begin: the meeting's start plus the time allotted to everything before it.
    starts_at: datetime.datetime | None = None


def agenda_tree(*, meeting: Meeting) -> list[AgendaNode]:
    """The agenda as a tree, numbered from its order: 1, 1.1, 1.2, 2 …"""
    items = list(meeting.agenda_items.select_related("presenter").order_by("position", "id"))
    by_parent: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        by_parent.setdefault(item.parent_id, []).append(item)

    def build(parent_id: int | None, prefix: str, depth: int) -> list[AgendaNode]:
        nodes = []
        for index, item in enumerate(by_parent.get(parent_id, []), start=1):
            number = f"{prefix}{index}"
            node = AgendaNode(item=item, number=number, depth=depth)
            node.children = build(item.pk, f"{number}.", depth + 1)
            nodes.append(node)
        return nodes

    tree = build(None, "", 0)
    clock = meeting.starts_at

    def plan(nodes: list[AgendaNode]) -> None:
        nonlocal clock
        for node in nodes:
            node.starts_at = clock
            clock = clock + datetime.timedelta(minutes=node.item.duration_minutes or 0)
            plan(node.children)

    plan(tree)
    return tree


def agenda_flat(*, meeting: Meeting, tree: list[AgendaNode] | None = None) -> list[AgendaNode]:
    """The agenda in reading order, each node with its number and depth."""
    flat: list[AgendaNode] = []

    def walk(nodes: list[AgendaNode]) -> None:
        for node in nodes:
            flat.append(node)
            walk(node.children)

    walk(agenda_tree(meeting=meeting) if tree is None else tree)
    return flat


def agenda_numbers(*, meeting: Meeting) -> dict[int, str]:
    return {node.item.pk: node.number for node in agenda_flat(meeting=meeting)}


def agenda_choices(*, meeting: Meeting) -> list[tuple[int, str]]:
    """The items for a form's list, numbered in agenda order with sub-items under their item (2, 2.1, 3)."""
    return [(node.item.pk, f"{node.number}. {node.item.title}") for node in agenda_flat(meeting=meeting)]


def agenda_item_votes(*, item: AgendaItem) -> list[Any]:
    """The votes on the item and its sub-items (voting builds on meetings: read through the relation)."""
    return [poll for each in (item, *item.children.all()) for poll in each.polls.order_by("pk")]


def agenda_item_documents(*, item: AgendaItem) -> list[Document]:
    """The documents filed under the item and its sub-items."""
    return [document for each in (item, *item.children.all()) for document in each.documents.order_by("pk")]


def agenda_presenters_not_invited(*, meeting: Meeting, agenda: list[AgendaNode]) -> list[AgendaNode]:
    """Items whose presenter is not a participant: named as presenting, they get no invitation and cannot open the meeting."""
    invited = set(meeting.participants.values_list("user_id", flat=True))
    return [node for node in agenda if node.item.presenter_id and node.item.presenter_id not in invited]
