"""The hub's fast path: one frame per event, written straight to each daphne socket."""

from __future__ import annotations

import functools
import socket
from typing import Any

from channels.sessions import InstanceSessionWrapper
from twisted.internet import tcp

from realtime.hub import LocalSocket, Outgoing, websocket_protocol, write_now


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
    for protocol in protocols:
        local = LocalSocket(send=functools.partial(handle_reply, protocol), user_id=1, meeting_id=1, resnapshot=None, last_seq=0)
        await local.deliver(1, outgoing)
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
