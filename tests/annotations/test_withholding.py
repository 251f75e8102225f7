"""The chair or a secretary takes someone's shared annotation off every other screen; its author keeps it."""

from __future__ import annotations

import uuid

import pytest
from asgiref.sync import sync_to_async

from meetings.models import AuditEvent, Document, Meeting, User
from tests.annotations.conftest import annotate, heard, stored, upsert
from tests.realtime.helpers import Connect, assert_error, assert_quiet, room

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def audited(action: str) -> list[dict]:
    return list(AuditEvent.objects.filter(action=action).values_list("data", flat=True))


async def test_the_chair_takes_a_shared_annotation_off_every_screen_but_its_authors(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User, chair: User, secretary: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    key = str(annotation.id)
    author, other, chair_client, secretary_client = await room(connect, in_session, delegate, other_delegate, chair, secretary)

    reply = await chair_client.command("annotation.withhold", annotation_id=key)

    assert reply["type"] == "ack", reply
    (kept,) = await heard(author, "annotation.upsert")
    assert (kept["annotation"]["shared"], kept["annotation"]["withheld"], kept["annotation"]["revision"]) == (False, True, 2)
    for client in (other, chair_client, secretary_client):
        (gone,) = await heard(client, "annotation.delete")
        assert gone == {"type": "annotation.delete", "id": key, "document_id": document.pk, "revision": 2}
    await assert_quiet(author, other, chair_client, secretary_client)
    saved = await stored(key)
    assert (saved.shared, saved.withheld, saved.deleted) == (False, True, False)
    assert await audited("annotation.withhold") == [{"annotation": key, "author": delegate.pk, "document": document.pk, "page": 1}]


async def test_a_secretary_may_withhold_too_and_a_resend_changes_nothing(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, secretary: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    key = str(annotation.id)
    author, secretary_client = await room(connect, in_session, delegate, secretary)

    first = await secretary_client.command("annotation.withhold", id="an-1", annotation_id=key)
    await heard(author, "annotation.upsert")
    await heard(secretary_client, "annotation.delete")
    again = await secretary_client.command("annotation.withhold", id="an-1", annotation_id=key)
    second_moderator = await secretary_client.command("annotation.withhold", id="an-2", annotation_id=key)

    assert (first["type"], again["type"], second_moderator["type"]) == ("ack", "ack", "ack")
    await assert_quiet(author, secretary_client)
    assert (await stored(key)).revision == 2
    assert len(await audited("annotation.withhold")) == 1


async def test_its_author_keeps_changing_a_withheld_annotation_but_only_privately(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User, chair: User
) -> None:
    """What the author's tablet sends after the withholding (an undo or a redo of a shared version,
    something drawn offline) is kept, as private: their work is not lost, and nobody else sees it."""
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    key = str(annotation.id)
    author, other, chair_client = await room(connect, in_session, delegate, other_delegate, chair)
    await chair_client.command("annotation.withhold", annotation_id=key)
    await heard(author, "annotation.upsert")
    await heard(other, "annotation.delete")
    await heard(chair_client, "annotation.delete")

    wider = {**annotation.data, "width": 0.01}
    edited = await author.command("annotation.upsert", **upsert(document, annotation.version_id, key, revision=3, shared=True, data=wider))

    assert edited["type"] == "ack", edited
    (mine,) = await heard(author, "annotation.upsert")
    assert (mine["annotation"]["revision"], mine["annotation"]["shared"], mine["annotation"]["withheld"]) == (3, False, True)
    assert mine["annotation"]["data"]["width"] == 0.01
    await assert_quiet(author, other, chair_client)
    saved = await stored(key)
    assert (saved.shared, saved.withheld, saved.revision) == (False, True, 3)


async def test_a_delegate_cannot_withhold_someone_elses_annotation(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, other_delegate: User
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    key = str(annotation.id)
    author, other = await room(connect, in_session, delegate, other_delegate)

    reply = await other.command("annotation.withhold", id="an-1", annotation_id=key)

    assert_error(reply, code="forbidden", id="an-1")
    await assert_quiet(author, other)
    saved = await stored(key)
    assert (saved.shared, saved.withheld, saved.revision) == (True, False, 1)


async def test_a_private_annotation_cannot_be_withheld_nor_told_apart_from_a_missing_one(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, chair: User
) -> None:
    private = await sync_to_async(annotate)(author=delegate, document=document, shared=False)
    author, chair_client = await room(connect, in_session, delegate, chair)

    of_private = await chair_client.command("annotation.withhold", id="an-1", annotation_id=str(private.id))
    of_missing = await chair_client.command("annotation.withhold", id="an-2", annotation_id=str(uuid.uuid4()))

    assert_error(of_private, code="not_found", id="an-1")
    assert_error(of_missing, code="not_found", id="an-2")
    assert of_private["message"] == of_missing["message"]
    await assert_quiet(author, chair_client)
    assert (await stored(str(private.id))).withheld is False


async def test_the_chair_is_pointed_to_the_hand_for_their_own_annotation(
    connect: Connect, in_session: Meeting, document: Document, chair: User
) -> None:
    own = await sync_to_async(annotate)(author=chair, document=document, shared=True)
    (chair_client,) = await room(connect, in_session, chair)

    reply = await chair_client.command("annotation.withhold", id="an-1", annotation_id=str(own.id))

    assert_error(reply, code="invalid", id="an-1")
    assert (await stored(str(own.id))).shared is True


@pytest.mark.parametrize(
    "fields",
    [{}, {"annotation_id": "không-phải-uuid"}, {"annotation_id": 42}, {"annotation_id": "x" * 65}],
    ids=["missing", "not-a-uuid", "a-number", "too-long"],
)
async def test_a_malformed_withhold_gets_an_error_and_the_socket_stays_open(
    connect: Connect, in_session: Meeting, document: Document, delegate: User, chair: User, fields: dict
) -> None:
    annotation = await sync_to_async(annotate)(author=delegate, document=document, shared=True)
    (chair_client,) = await room(connect, in_session, chair)

    reply = await chair_client.command("annotation.withhold", id="an-1", **fields)

    assert reply["type"] == "error" and reply["id"] == "an-1", reply
    assert reply["code"] in ("invalid", "invalid_annotation"), reply
    pong = await chair_client.command("annotation.withhold", id="an-2", annotation_id=str(annotation.id))
    assert pong["type"] == "ack", pong
