"""Annotations and the presenter's pen over the live socket: who hears of them, and what is stored.

Annotations are not numbered meeting events: each goes out, unnumbered, to its author's screens and,
when shared, to every reader of the document, never to anyone who may not read it.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from annotations.models import Annotation
from annotations.services import annotation_delete
from meetings.models import CommandReceipt, Document, Meeting, User
from meetings.services.live import presentation_hand_over, presentation_show
from tests.annotations.conftest import INK, annotate, first_version, heard, stored, upsert
from tests.realtime.conftest import Client
from tests.realtime.helpers import Connect, assert_error, assert_quiet, current_seq, room

pytestmark = pytest.mark.django_db(transaction=True)

MOVED = {"points": [[0.5, 0.5], [0.6, 0.65]], "color": "#2e7d32", "width": 0.01}


@sync_to_async
def version_id_of(document: Document) -> int:
    return first_version(document).pk


@sync_to_async
def annotation_count() -> int:
    return Annotation.objects.count()


@sync_to_async
def receipt_count() -> int:
    return CommandReceipt.objects.count()


async def test_a_private_annotation_reaches_only_its_author(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User, chair: User
) -> None:
    tablet, laptop, other, chair_client = await room(connect, in_session, delegate, delegate, other_delegate, chair)
    version_id = await version_id_of(document)
    key = str(uuid.uuid4())
    seq = await current_seq(in_session)

    reply = await tablet.command("annotation.upsert", **upsert(document, version_id, key, page=3))

    assert reply["type"] == "ack", reply
    for client in (tablet, laptop):
        (event,) = await heard(client, "annotation.upsert")
        annotation = event["annotation"]
        assert (annotation["id"], annotation["document_id"], annotation["version_id"], annotation["page"]) == (
            key,
            document.pk,
            version_id,
            3,
        )
        assert (annotation["kind"], annotation["shared"], annotation["author_id"], annotation["revision"]) == ("ink", False, delegate.pk, 1)
        assert annotation["author"] == "Lê Minh Tuấn"
        # Stored normalised: the colour in lower case.
        assert annotation["data"] == {**INK, "color": "#1565c0"}
    await assert_quiet(tablet, laptop, other, chair_client)
    saved = await stored(key)
    assert (saved.author_id, saved.shared, saved.deleted, saved.page) == (delegate.pk, False, False, 3)
    assert await current_seq(in_session) == seq


async def test_a_shared_annotation_reaches_every_reader_of_the_document(
    connect: Connect,
    in_session: Meeting,
    document: Document,
    delegate: User,
    other_delegate: User,
    guest: User,
    chair: User,
    secretary: User,
) -> None:
    tablet, other, guest_client, chair_client, secretary_client = await room(
        connect, in_session, delegate, other_delegate, guest, chair, secretary
    )
    key = str(uuid.uuid4())

    reply = await tablet.command("annotation.upsert", **upsert(document, await version_id_of(document), key, shared=True))

    assert reply["type"] == "ack", reply
    for client in (tablet, other, guest_client, chair_client, secretary_client):
        (event,) = await heard(client, "annotation.upsert")
        assert (event["annotation"]["id"], event["annotation"]["shared"]) == (key, True)
    await assert_quiet(tablet, other, guest_client, chair_client, secretary_client)


async def test_a_shared_annotation_on_a_confidential_document_never_reaches_who_may_not_read_it(
    connect: Connect,
    in_session: Meeting,
    secret: Document,
    delegate: User,
    other_delegate: User,
    guest: User,
    chair: User,
    secretary: User,
) -> None:
    tablet, other, guest_client, chair_client, secretary_client = await room(
        connect, in_session, delegate, other_delegate, guest, chair, secretary
    )
    key = str(uuid.uuid4())

    reply = await tablet.command("annotation.upsert", **upsert(secret, await version_id_of(secret), key, shared=True))

    assert reply["type"] == "ack", reply
    for client in (tablet, chair_client, secretary_client):
        (event,) = await heard(client, "annotation.upsert")
        assert event["annotation"]["id"] == key
    await assert_quiet(tablet, other, guest_client, chair_client, secretary_client)


async def test_making_a_shared_annotation_private_erases_it_from_the_other_screens(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User, chair: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    key = str(annotation.id)
    tablet, other, chair_client = await room(connect, in_session, delegate, other_delegate, chair)

    reply = await tablet.command("annotation.upsert", **upsert(document, annotation.version_id, key, revision=2, shared=False))

    assert reply["type"] == "ack", reply
    (mine,) = await heard(tablet, "annotation.upsert")
    assert (mine["annotation"]["shared"], mine["annotation"]["revision"]) == (False, 2)
    for client in (other, chair_client):
        (gone,) = await heard(client, "annotation.delete")
        assert gone == {"type": "annotation.delete", "id": key, "document_id": document.pk, "revision": 2}
    await assert_quiet(tablet, other, chair_client)
    assert (await stored(key)).shared is False


async def test_sharing_a_private_annotation_later_shows_it_to_the_others(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document)
    tablet, other = await room(connect, in_session, delegate, other_delegate)

    fields = upsert(document, annotation.version_id, str(annotation.id), revision=2, shared=True)
    assert (await tablet.command("annotation.upsert", **fields))["type"] == "ack"

    (mine,) = await heard(tablet, "annotation.upsert")
    (theirs,) = await heard(other, "annotation.upsert")
    assert mine["annotation"] == theirs["annotation"]
    assert theirs["annotation"]["shared"] is True


async def test_erasing_a_shared_annotation_erases_it_on_every_screen_and_keeps_a_tombstone(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User, guest: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    key = str(annotation.id)
    tablet, other, guest_client = await room(connect, in_session, delegate, other_delegate, guest)

    reply = await tablet.command("annotation.delete", annotation_id=key, revision=2)

    assert reply["type"] == "ack", reply
    for client in (tablet, other, guest_client):
        (gone,) = await heard(client, "annotation.delete")
        assert gone == {"type": "annotation.delete", "id": key, "document_id": document.pk, "revision": 2}
    await assert_quiet(tablet, other, guest_client)
    saved = await stored(key)
    assert (saved.deleted, saved.revision) == (True, 2)


async def test_erasing_a_private_annotation_is_heard_by_its_author_only(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document)
    tablet, laptop, other = await room(connect, in_session, delegate, delegate, other_delegate)

    assert (await tablet.command("annotation.delete", annotation_id=str(annotation.id), revision=2))["type"] == "ack"

    await heard(tablet, "annotation.delete")
    await heard(laptop, "annotation.delete")
    await assert_quiet(tablet, laptop, other)


async def test_an_upsert_older_than_the_erasure_does_not_bring_the_annotation_back(
    connect: Connect, in_session: Meeting, document: Document, delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document)
    key = str(annotation.id)
    await sync_to_async(annotation_delete)(actor=delegate, meeting=in_session, annotation_id=key, revision=3)
    (tablet,) = await room(connect, in_session, delegate)

    # The tablet's edit at revision 2 arrives late, after the erasure at revision 3.
    reply = await tablet.command("annotation.upsert", **upsert(document, annotation.version_id, key, revision=2, data=MOVED))

    assert reply["type"] == "ack", reply
    (still_gone,) = await heard(tablet, "annotation.delete")
    assert (still_gone["id"], still_gone["revision"]) == (key, 3)
    saved = await stored(key)
    assert (saved.deleted, saved.revision, saved.data["points"]) == (True, 3, INK["points"])


async def test_a_device_that_sends_a_stale_edit_after_hearing_the_erasure_is_told_again(
    connect: Connect, in_session: Meeting, document: Document, delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document)
    key = str(annotation.id)
    tablet, laptop = await room(connect, in_session, delegate, delegate)
    assert (await laptop.command("annotation.delete", annotation_id=key, revision=3))["type"] == "ack"
    await heard(laptop, "annotation.delete")
    await heard(tablet, "annotation.delete")

    # The tablet had drawn its revision 2 before the erasure reached it; it goes out now.
    reply = await tablet.command("annotation.upsert", **upsert(document, annotation.version_id, key, revision=2, data=MOVED))

    assert reply["type"] == "ack", reply
    told = [m for m in tablet.events if m["type"] != "presence"]
    if not told:
        assert not await tablet.nothing_more(timeout=1), "the device that sent the stale edit was not told what stands"
    assert (await stored(key)).deleted is True


async def test_an_upsert_resent_with_the_same_command_id_is_acknowledged_and_applied_once(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User
) -> None:
    tablet, other = await room(connect, in_session, delegate, other_delegate)
    key = str(uuid.uuid4())
    fields = upsert(document, await version_id_of(document), key, shared=True)

    first = await tablet.command("annotation.upsert", id="net-yeu-1", **fields)
    await heard(tablet, "annotation.upsert")
    await heard(other, "annotation.upsert")
    receipts = await receipt_count()
    second = await tablet.command("annotation.upsert", id="net-yeu-1", **fields)

    assert first == {"type": "ack", "id": "net-yeu-1"}
    assert second == {"type": "ack", "id": "net-yeu-1"}
    await assert_quiet(tablet, other)
    assert await annotation_count() == 1
    assert await receipt_count() == receipts


async def test_a_stale_revision_changes_nothing_and_tells_the_author_what_stands(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, revision=3)
    key = str(annotation.id)
    tablet, laptop, other = await room(connect, in_session, delegate, delegate, other_delegate)

    # A tablet that was offline sends its revision 2, drawn elsewhere.
    reply = await tablet.command("annotation.upsert", **upsert(document, annotation.version_id, key, revision=2, page=4, data=MOVED))

    assert reply["type"] == "ack", reply
    for client in (tablet, laptop):
        (event,) = await heard(client, "annotation.upsert")
        assert (event["annotation"]["revision"], event["annotation"]["page"]) == (3, 1)
        assert event["annotation"]["data"]["points"] == INK["points"]
    await assert_quiet(tablet, laptop, other)
    saved = await stored(key)
    assert (saved.revision, saved.page, saved.data["points"]) == (3, 1, INK["points"])


async def test_the_same_revision_sent_again_changes_nothing(
    connect: Connect, in_session: Meeting, document: Document, delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, revision=2)
    (tablet,) = await room(connect, in_session, delegate)

    fields = upsert(document, annotation.version_id, str(annotation.id), revision=2, data=MOVED)
    assert (await tablet.command("annotation.upsert", **fields))["type"] == "ack"

    (event,) = await heard(tablet, "annotation.upsert")
    assert event["annotation"]["data"]["points"] == INK["points"]
    assert (await stored(str(annotation.id))).data["points"] == INK["points"]


@pytest.mark.parametrize("command", ["annotation.upsert", "annotation.delete"])
async def test_a_stale_revision_of_a_shared_annotation_is_answered_to_its_author_only(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User, command: str
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True, revision=3)
    key = str(annotation.id)
    tablet, other = await room(connect, in_session, delegate, other_delegate)

    if command == "annotation.upsert":
        fields = upsert(document, annotation.version_id, key, revision=2, shared=True, data=MOVED)
    else:
        fields = {"annotation_id": key, "revision": 2}
    reply = await tablet.command(command, **fields)

    assert reply["type"] == "ack", reply
    (event,) = await heard(tablet, "annotation.upsert")
    assert event["annotation"]["revision"] == 3
    assert (await stored(key)).revision == 3
    await assert_quiet(tablet)
    assert await other.nothing_more(), "another reader heard of a stale revision that changed nothing"


async def test_a_newer_revision_wins_even_when_revisions_are_skipped(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    key = str(annotation.id)
    tablet, other = await room(connect, in_session, delegate, other_delegate)

    fields = upsert(document, annotation.version_id, key, revision=5, shared=True, page=2, kind="arrow", data=MOVED)
    assert (await tablet.command("annotation.upsert", **fields))["type"] == "ack"

    for client in (tablet, other):
        (event,) = await heard(client, "annotation.upsert")
        changed = event["annotation"]
        assert (changed["id"], changed["revision"], changed["page"], changed["kind"]) == (key, 5, 2, "arrow")
        assert changed["data"] == MOVED
    saved = await stored(key)
    assert (saved.revision, saved.page, saved.kind, saved.data) == (5, 2, "arrow", MOVED)


async def test_someone_elses_annotation_cannot_be_changed_or_erased(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    key = str(annotation.id)
    tablet, other = await room(connect, in_session, delegate, other_delegate)

    changed = await other.command("annotation.upsert", id="doi-1", **upsert(document, annotation.version_id, key, revision=9, data=MOVED))
    erased = await other.command("annotation.delete", id="xoa-1", annotation_id=key, revision=9)

    assert_error(changed, code="forbidden", id="doi-1")
    assert_error(erased, code="forbidden", id="xoa-1")
    await assert_quiet(tablet, other)
    saved = await stored(key)
    assert (saved.author_id, saved.revision, saved.deleted, saved.data["points"]) == (delegate.pk, 1, False, INK["points"])


async def test_the_snapshot_carries_own_and_shared_annotations_of_the_presented_document_only(
    connect: Connect,
    in_session: Meeting,
    document: Document,
    secret: Document,
    chair: User,
    delegate: User,
    other_delegate: User,
) -> None:
    make = sync_to_async(annotate)
    mine_private = await make(author=delegate, document=document, page=1)
    mine_shared = await make(author=delegate, document=document, page=2, shared=True)
    theirs_shared = await make(author=other_delegate, document=document, page=1, shared=True)
    theirs_private = await make(author=other_delegate, document=document, page=1)
    erased = await make(author=other_delegate, document=document, page=1, shared=True)
    await sync_to_async(Annotation.objects.filter(pk=erased.pk).update)(deleted=True)
    elsewhere = await make(author=delegate, document=secret, page=1, shared=True)
    await sync_to_async(presentation_show)(actor=chair, meeting=in_session, document_id=document.pk, page=1)

    mine, theirs = await room(connect, in_session, delegate, other_delegate)

    def ids(client: Client) -> set[str]:
        annotations = client.snapshot["state"]["annotations"]
        assert all(a["document_id"] == document.pk for a in annotations), annotations
        return {a["id"] for a in annotations}

    assert ids(mine) == {str(mine_private.id), str(mine_shared.id), str(theirs_shared.id)}
    assert ids(theirs) == {str(theirs_private.id), str(mine_shared.id), str(theirs_shared.id)}
    assert str(elsewhere.id) not in ids(mine)
    documents = {d["id"]: d for d in mine.snapshot["state"]["documents"]}
    assert [v["id"] for v in documents[document.pk]["versions"]] == [mine_private.version_id]


async def test_the_snapshot_carries_no_annotations_of_a_presented_document_the_user_may_not_read(
    connect: Connect, in_session: Meeting, secret: Document, chair: User, delegate: User, guest: User
) -> None:
    shared = await sync_to_async(annotate)(author=delegate, document=secret, shared=True)
    await sync_to_async(presentation_show)(actor=chair, meeting=in_session, document_id=secret.pk, page=1)

    reader, outsider_of_it = await room(connect, in_session, delegate, guest)

    assert [a["id"] for a in reader.snapshot["state"]["annotations"]] == [str(shared.id)]
    assert outsider_of_it.snapshot["state"]["annotations"] == []


async def test_the_snapshot_carries_no_annotations_when_nothing_is_presented(
    connect: Connect, in_session: Meeting, document: Document, delegate: User
) -> None:
    await sync_to_async(annotate)(author=delegate, document=document, shared=True)

    (tablet,) = await room(connect, in_session, delegate)

    assert tablet.snapshot["state"]["annotations"] == []


async def own_stroke(client: Client) -> dict[str, Any]:
    """The stroke a presenter's own socket hears back, whether it came before the ack or after."""
    before = [m for m in client.events if m["type"] == "stroke.points"]
    if before:
        client.events = [m for m in client.events if m["type"] != "stroke.points"]
        return before[0]
    (stroke,) = await heard(client, "stroke.points")
    return stroke


async def test_the_presenters_pen_reaches_the_other_readers_unnumbered_and_is_stored_nowhere(
    connect: Connect,
    in_session: Meeting,
    document: Document,
    chair: User,
    delegate: User,
    guest: User,
    other_delegate: User,
) -> None:
    await sync_to_async(presentation_show)(actor=chair, meeting=in_session, document_id=document.pk, page=2)
    chair_client, tablet, guest_client, other = await room(connect, in_session, chair, delegate, guest, other_delegate)
    seq, receipts = await current_seq(in_session), await receipt_count()
    stroke_id = str(uuid.uuid4())
    points = [[0.1, 0.2], [0.15, 0.22], [0.2, 0.25]]

    reply = await chair_client.command(
        "stroke.points", stroke_id=stroke_id, document_id=document.pk, page=2, points=points, color="#D32F2F", width=0.004
    )

    assert reply["type"] == "ack", reply
    for client in (tablet, guest_client, other):
        (stroke,) = await heard(client, "stroke.points")
        assert stroke == {
            "type": "stroke.points",
            "stroke_id": stroke_id,
            "document_id": document.pk,
            "version_id": await version_id_of(document),
            "page": 2,
            "color": "#d32f2f",
            "width": 0.004,
            "points": points,
        }
    # The presenter's own account hears it too: a projector logged in as the chair shows the pen (the drawing tablet skips its own).
    assert (await own_stroke(chair_client))["stroke_id"] == stroke_id
    await assert_quiet(chair_client, tablet, guest_client, other)
    assert await annotation_count() == 0
    assert await receipt_count() == receipts
    assert await current_seq(in_session) == seq


async def test_the_presenters_pen_on_a_confidential_document_reaches_its_readers_only(
    connect: Connect,
    in_session: Meeting,
    secret: Document,
    chair: User,
    delegate: User,
    guest: User,
    other_delegate: User,
    secretary: User,
) -> None:
    await sync_to_async(presentation_show)(actor=chair, meeting=in_session, document_id=secret.pk, page=1)
    chair_client, tablet, secretary_client, guest_client, other = await room(
        connect, in_session, chair, delegate, secretary, guest, other_delegate
    )

    reply = await chair_client.command(
        "stroke.points", stroke_id=str(uuid.uuid4()), document_id=secret.pk, page=1, points=[[0.5, 0.5]], color="#212121", width=0.003
    )

    assert reply["type"] == "ack", reply
    await heard(tablet, "stroke.points")
    await heard(secretary_client, "stroke.points")
    await own_stroke(chair_client)
    await assert_quiet(chair_client, tablet, secretary_client, guest_client, other)


async def test_a_resent_stroke_writes_no_receipt(
    connect: Connect, in_session: Meeting, document: Document, chair: User, delegate: User
) -> None:
    await sync_to_async(presentation_show)(actor=chair, meeting=in_session, document_id=document.pk, page=1)
    chair_client, tablet = await room(connect, in_session, chair, delegate)
    fields = {
        "stroke_id": str(uuid.uuid4()),
        "document_id": document.pk,
        "page": 1,
        "points": [[0.3, 0.3]],
        "color": "#1565c0",
        "width": 0.004,
    }

    assert (await chair_client.command("stroke.points", id="net-1", **fields))["type"] == "ack"
    assert (await chair_client.command("stroke.points", id="net-1", **fields))["type"] == "ack"

    # The same points twice in a row draw nothing new: the screen may hear them once.
    await heard(tablet, "stroke.points")
    assert await receipt_count() == 0
    assert await annotation_count() == 0


async def test_whoever_the_presentation_is_handed_to_draws_for_everyone(
    connect: Connect, in_session: Meeting, document: Document, chair: User, delegate: User
) -> None:
    await sync_to_async(presentation_hand_over)(actor=chair, meeting=in_session, user_id=delegate.pk)
    await sync_to_async(presentation_show)(actor=delegate, meeting=in_session, document_id=document.pk, page=3)
    tablet, chair_client = await room(connect, in_session, delegate, chair)
    fields = {
        "stroke_id": str(uuid.uuid4()),
        "document_id": document.pk,
        "page": 3,
        "points": [[0.3, 0.3]],
        "color": "#1565c0",
        "width": 0.004,
    }

    assert (await tablet.command("stroke.points", **fields))["type"] == "ack"
    refused = await chair_client.command("stroke.points", id="chu-toa-ve", **fields)

    (stroke,) = await heard(chair_client, "stroke.points")
    assert stroke["page"] == 3
    assert_error(refused, code="not_presenter", id="chu-toa-ve")
    await assert_quiet(tablet, chair_client)


async def test_once_the_chair_takes_presenting_back_the_former_presenters_pen_is_refused(
    connect: Connect, in_session: Meeting, document: Document, chair: User, delegate: User
) -> None:
    await sync_to_async(presentation_hand_over)(actor=chair, meeting=in_session, user_id=delegate.pk)
    await sync_to_async(presentation_show)(actor=delegate, meeting=in_session, document_id=document.pk, page=3)
    await sync_to_async(presentation_hand_over)(actor=chair, meeting=in_session, user_id=None)
    tablet, chair_client = await room(connect, in_session, delegate, chair)
    fields = {
        "stroke_id": str(uuid.uuid4()),
        "document_id": document.pk,
        "page": 3,
        "points": [[0.3, 0.3]],
        "color": "#1565c0",
        "width": 0.004,
    }

    refused = await tablet.command("stroke.points", id="da-tra-lai", **fields)

    assert_error(refused, code="not_presenter", id="da-tra-lai")
    await assert_quiet(tablet, chair_client)


async def test_the_finished_stroke_is_stored_once_under_its_stroke_id(
    connect: Connect, in_session: Meeting, document: Document, chair: User, delegate: User, guest: User
) -> None:
    await sync_to_async(presentation_show)(actor=chair, meeting=in_session, document_id=document.pk, page=1)
    chair_client, tablet, guest_client = await room(connect, in_session, chair, delegate, guest)
    version_id = await version_id_of(document)
    stroke_id = str(uuid.uuid4())
    drawn = [[0.1, 0.1], [0.2, 0.2], [0.3, 0.25], [0.4, 0.3]]
    for part in (drawn[:2], drawn[2:]):
        reply = await chair_client.command(
            "stroke.points", stroke_id=stroke_id, document_id=document.pk, page=1, points=part, color="#d32f2f", width=0.004
        )
        assert reply["type"] == "ack", reply
    for client in (tablet, guest_client):
        await heard(client, "stroke.points", "stroke.points")

    finished = upsert(document, version_id, stroke_id, shared=True, data={"points": drawn, "color": "#d32f2f", "width": 0.004})
    assert (await chair_client.command("annotation.upsert", **finished))["type"] == "ack"
    # The pen lifted on a tablet with a shaky connection: the same stroke is sent again under a new command id.
    assert (await chair_client.command("annotation.upsert", **finished))["type"] == "ack"

    for client in (tablet, guest_client):
        (event,) = await heard(client, "annotation.upsert")
        assert (event["annotation"]["id"], event["annotation"]["author_id"], event["annotation"]["shared"]) == (stroke_id, chair.pk, True)
        assert event["annotation"]["data"]["points"] == drawn
    assert await annotation_count() == 1
    saved = await stored(stroke_id)
    assert (saved.author_id, saved.page, saved.revision, saved.kind, saved.data["points"]) == (chair.pk, 1, 1, "ink", drawn)
