"""A live meeting with a public document and a confidential one that only the delegate (besides the chair
and the secretary) may read, and a second delegate who may read the public one only."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from annotations.models import Annotation
from annotations.services import annotation_upsert
from meetings.models import Document, DocumentVersion, Meeting, Participant, User
from meetings.services.documents import document_upload
from meetings.services.live import meeting_start
from meetings.services.participants import participants_invite
from tests.realtime.conftest import Client, _fresh_layer_and_hub, _quick_presence, connect, live_meeting  # noqa: F401

INK = {"points": [[0.1, 0.1], [0.2, 0.25], [0.3, 0.2]], "color": "#1565C0", "width": 0.004}


@pytest.fixture
def council(live_meeting: Meeting, secretary: User, other_delegate: User) -> Meeting:  # noqa: F811
    """The published meeting with a second delegate invited."""
    participants_invite(actor=secretary, meeting=live_meeting, users=[other_delegate], role=Participant.Role.DELEGATE, can_vote=True)
    return live_meeting


@pytest.fixture
def document(council: Meeting) -> Document:
    """The five-page public document."""
    return Document.objects.get(meeting=council, title="Đề án")


@pytest.fixture
def secret(council: Meeting, secretary: User, delegate: User, pdf_upload: Callable[..., Any]) -> Document:
    """A three-page confidential document the delegate may read; the guest and the other delegate may not."""
    return document_upload(
        actor=secretary,
        meeting=council,
        upload=pdf_upload("nhan-su.pdf", pages=3),
        title="Phương án nhân sự",
        confidential=True,
        readers=[delegate],
    )


@pytest.fixture
def in_session(council: Meeting, document: Document, secret: Document, chair: User) -> Meeting:
    return meeting_start(actor=chair, meeting=council)


def first_version(document: Document) -> DocumentVersion:
    return DocumentVersion.objects.filter(document=document).order_by("number").first()


def annotate(
    *,
    author: User,
    document: Document,
    shared: bool = False,
    page: int = 1,
    kind: str = "ink",
    data: dict[str, Any] | None = None,
    revision: int = 1,
    annotation_id: str | None = None,
    version: DocumentVersion | None = None,
) -> Annotation:
    """An annotation made through the service, as a tablet's command would."""
    return annotation_upsert(
        actor=author,
        meeting=document.meeting,
        annotation_id=annotation_id or str(uuid.uuid4()),
        document_id=document.pk,
        version_id=(version or first_version(document)).pk,
        page=page,
        kind=kind,
        data=INK if data is None else data,
        revision=revision,
        shared=shared,
    )


async def heard(client: Client, *types: str) -> list[dict[str, Any]]:
    """The next messages of a client (those that came with its last command's reply first) are exactly these.

    Presence and replies are skipped; annotations and strokes are not numbered meeting events.
    """
    messages = [m for m in getattr(client, "events", []) if m["type"] != "presence"]
    client.events = []
    while len(messages) < len(types):
        message = await client.receive()
        if message["type"] not in ("presence", "ack"):
            messages.append(message)
    assert [m["type"] for m in messages] == list(types), messages
    for message in messages:
        assert "seq" not in message, message
    return messages


def upsert(document: Document, version_id: int, annotation_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "annotation_id": annotation_id,
        "document_id": document.pk,
        "version_id": version_id,
        "page": 1,
        "kind": "ink",
        "data": INK,
        "revision": 1,
        **fields,
    }


@sync_to_async
def stored(annotation_id: str) -> Annotation:
    return Annotation.objects.get(pk=annotation_id)
