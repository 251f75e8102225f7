"""The hub's fast path: one frame per event, written straight to each daphne socket, local sockets first."""

from __future__ import annotations

import functools
import socket
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.sessions import InstanceSessionWrapper
from twisted.internet import tcp

from meetings.models import Document, Meeting, User
from realtime.commands import HANDLERS, _inside_command_transaction
from realtime.events import meeting_group, publish_ephemeral
from realtime.hub import LocalSocket, Outgoing, deliver_to, hub, websocket_protocol, write_now
from tests.realtime.helpers import Connect, room


class FakeProtocol:
    STATE_OPEN = 3

    def __init__(self, transport: Any) -> None:
        self.state = self.STATE_OPEN
        self.transport = transport
        self.send_queue: list[bytes] = []
        self._perMessageCompress = None
        self.factory = self
        self.prepared = 0

    def prepareMessage(self, payload: bytes) -> Any:
        self.prepared += 1
        return type("Prepared", (), {"payloadHybi": b"\x81" + bytes([len(payload)]) + payload})()

    def sendPreparedMessage(self, prepared: Any) -> None:
        self.transport.write(prepared.payloadHybi)


class FakeTransport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)


async def handle_reply(protocol: Any, message: dict[str, Any]) -> None:
    raise AssertionError("the fast path should not go through daphne's handle_reply")


def test_it_finds_daphnes_protocol_behind_the_session_middleware() -> None:
    protocol = FakeProtocol(FakeTransport())
    daphne_send = functools.partial(handle_reply, protocol)
    wrapper = InstanceSessionWrapper({"type": "websocket", "cookies": {}}, daphne_send)
    assert websocket_protocol(daphne_send) is protocol
    assert websocket_protocol(wrapper.send) is protocol


def test_it_finds_nothing_behind_another_servers_send() -> None:
    async def send(message: dict[str, Any]) -> None:
        return None

    assert websocket_protocol(send) is None


async def test_one_event_is_framed_once_for_every_socket() -> None:
    protocols = [FakeProtocol(FakeTransport()) for _ in range(3)]
    outgoing = Outgoing('{"type":"present.page","seq":1}')
    sockets = [
        LocalSocket(send=functools.partial(handle_reply, protocol), user_id=1, meeting_id=1, resnapshot=None, last_seq=0)
        for protocol in protocols
    ]
    await deliver_to(sockets, 1, outgoing)
    frames = [protocol.transport.written for protocol in protocols]
    assert frames[0] == frames[1] == frames[2] == [b"\x81\x1f" + b'{"type":"present.page","seq":1}']
    assert sum(protocol.prepared for protocol in protocols) == 1


def test_it_writes_to_a_plain_socket_at_once() -> None:
    left, right = socket.socketpair()
    try:
        transport = object.__new__(tcp.Server)
        transport.socket = left
        transport.connected = True
        transport.disconnecting = False
        transport._writeDisconnected = False
        transport.dataBuffer = b""
        transport.offset = 0
        transport._tempDataBuffer = []
        write_now(transport, b"frame")
        assert right.recv(16) == b"frame"
    finally:
        left.close()
        right.close()


def test_it_leaves_queued_bytes_to_twisted_so_order_is_kept() -> None:
    written = []

    transport = object.__new__(tcp.Server)
    transport.socket = None
    transport.connected = True
    transport.disconnecting = False
    transport._writeDisconnected = False
    transport.dataBuffer = b"earlier"
    transport.offset = 0
    transport._tempDataBuffer = []
    transport.write = written.append  # type: ignore[method-assign]
    write_now(transport, b"later")
    assert written == [b"later"]


# ---- publishing: this process's sockets at once, the others through the channel layer -------


@pytest.mark.django_db(transaction=True)
async def test_sockets_of_this_process_get_an_event_without_waiting_for_the_channel_layer(
    connect: Connect, started: Meeting, chair: User, delegate: User, document: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    chair_client, delegate_client = await room(connect, started, chair, delegate)
    sent_through_layer: list[dict[str, Any]] = []

    async def layer_that_never_delivers(group: str, message: dict[str, Any]) -> None:
        sent_through_layer.append(message)

    monkeypatch.setattr(get_channel_layer(), "group_send", layer_that_never_delivers)

    assert (await chair_client.command("present.page", document_id=document.pk, page=2))["type"] == "ack"

    event = (await delegate_client.receive_until(lambda m: m["type"] == "present.page"))[-1]
    assert event["presentation"]["page"] == 2
    # The other processes still hear of it, told that it came from here.
    assert [(m["seq"], m["origin"]) for m in sent_through_layer] == [(event["seq"], hub.channel)]


@pytest.mark.django_db(transaction=True)
async def test_the_copy_that_comes_back_through_the_layer_is_not_delivered_twice(
    connect: Connect, started: Meeting, chair: User, delegate: User
) -> None:
    _chair_client, delegate_client = await room(connect, started, chair, delegate)

    # Unnumbered messages have no seq to tell a second copy by: the origin does.
    await sync_to_async(publish_ephemeral)(meeting_id=started.pk, type="annotation.upsert", payload={"annotation": {"id": "a"}})

    assert (await delegate_client.receive())["type"] == "annotation.upsert"
    assert await delegate_client.nothing_more()


@pytest.mark.django_db(transaction=True)
async def test_a_message_from_another_process_is_delivered_here(connect: Connect, started: Meeting, delegate: User) -> None:
    (delegate_client,) = await room(connect, started, delegate)
    text = '{"type":"notice","text":"Từ tiến trình khác"}'

    await get_channel_layer().group_send(
        meeting_group(started.pk), {"type": "meeting.event", "meeting": started.pk, "seq": None, "text": text, "origin": "hub.elsewhere"}
    )

    assert (await delegate_client.receive())["text"] == "Từ tiến trình khác"


def test_every_command_service_is_run_inside_the_commands_own_transaction() -> None:
    assert all(not hasattr(handler, "__wrapped__") for handler in HANDLERS.values())


def test_a_command_service_without_its_own_transaction_is_refused_at_start_up() -> None:
    def presentation_show_without_a_transaction(**kwargs: Any) -> None:
        return None

    with pytest.raises(TypeError, match=r"not a @transaction\.atomic service"):
        _inside_command_transaction(presentation_show_without_a_transaction)
    with pytest.raises(TypeError):
        _inside_command_transaction(functools.lru_cache(presentation_show_without_a_transaction))
