"""Fan-out: N tablets in one meeting, the chair turns a page; how long until the last tablet has it?

Measured in the same run against a floor: a minimal raw `websockets` server that broadcasts what
the chair sends (the same event text our servers send, so every tablet reads the same bytes).
Our system is measured embedded (one daphne, in-memory layer, SQLite) and in production shape
(two daphne processes, PostgreSQL, Redis; tablets split between them).
The chair's command goes through the whole path (checked, stored, numbered, published after
commit), the floor only relays: the ratio is the price of all of that. Our servers run as in
production (DEBUG off); the tablets are light raw-socket clients (see TabletProtocol). For each N the three are
connected at once and take their rounds in turn, so each meets the same moments of the machine.

    python bench/fanout.py [--quick] [--sizes 50,200,500,1000] [--rounds 20]

Prints one JSON line: {"bench": "fanout", "params", "metrics", "floor", "ratio"} (milliseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

from realtime.events import event_text  # noqa: E402
from tests.servers import (  # noqa: E402
    REDIS_URL,
    base_env,
    daphne,
    free_port,
    prepare_site,
    scratch_postgres,
    session_cookie,
    wait_for_port,
)


# ---- the floor: a raw websockets broadcast server ------------------------------------------
async def serve_floor(port: int) -> None:
    clients: set[Any] = set()

    async def handler(connection: Any) -> None:
        clients.add(connection)
        try:
            async for message in connection:
                websockets.broadcast(clients, message)
        finally:
            clients.discard(connection)

    # No permessage-deflate: daphne does not compress either, and compressing per socket would
    # make the floor slower than a raw broadcast really is.
    async with websockets.serve(handler, "127.0.0.1", port, max_queue=None, compression=None):
        await asyncio.Future()


# ---- tablets --------------------------------------------------------------------------------
class TabletProtocol(asyncio.Protocol):
    """A websocket client that does no more per message than measuring needs.

    Real tablets each read their own socket; here hundreds share one Python process, so the
    last tablet's time is mostly how fast this process gets through everyone's frames. With the
    `websockets` library that took 33–52 µs a message (a floor of 16–26 ms at 500 tablets, varying
    from round to round), so the client, the same for every set-up, hid how fast the servers
    are. This one reads frames straight from the bytes (server frames are unmasked) and answers
    pings, which keeps daphne from closing an idle socket: about 22 µs a message, 14 of them the
    kernel's recv on this machine (the floor at 500 then steady from round to round: 11 ms when
    500 is the first size of a run, 6–7 ms in a full run).
    """

    def __init__(self, tablets: Tablets, request: bytes) -> None:
        self.tablets, self.request = tablets, request
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.greeted: asyncio.Future = asyncio.get_running_loop().create_future()  # the first message (a snapshot)
        self.buffer = bytearray()
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(f"closed during the handshake: {exc}"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.opened.done():
            head, found, rest = bytes(self.buffer).partition(b"\r\n\r\n")
            if not found:
                return
            if not head.startswith(b"HTTP/1.1 101"):
                self.opened.set_exception(ConnectionError(head.decode("latin-1").splitlines()[0]))
                return
            self.buffer = bytearray(rest)
            self.opened.set_result(None)
        self.read_frames()

    def read_frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length, start = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            if opcode == 0x1:
                if not self.greeted.done():
                    self.greeted.set_result(None)
                self.tablets.received(payload)
            elif opcode == 0x9:
                self.send_frame(0xA, payload)

    def send_frame(self, opcode: int, payload: bytes) -> None:
        """A masked client frame (only pongs and the closing frame are ever sent)."""
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)


class Tablets:
    """N tablets in this process that note when each receives the page the chair turned to."""

    def __init__(self) -> None:
        self.protocols: list[TabletProtocol] = []
        self.waiting_for: int | None = None
        self.count = 0
        self.done = asyncio.Event()
        self.first_at = self.last_at = 0.0

    async def connect(self, url: str, headers: dict[str, str] | None, n: int, snapshot: bool) -> None:
        """Connect n tablets; with `snapshot`, each once the server has sent it its snapshot (until
        then, a meeting's events are held back for it)."""
        address = urllib.parse.urlsplit(url)
        lines = [
            f"GET {address.path or '/'} HTTP/1.1",
            f"Host: {address.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Version: 13",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]

        async def one() -> None:
            key = base64.b64encode(os.urandom(16)).decode()
            request = "\r\n".join([*lines, f"Sec-WebSocket-Key: {key}", "", ""]).encode()
            _transport, protocol = await asyncio.get_running_loop().create_connection(
                lambda: TabletProtocol(self, request), address.hostname, address.port
            )
            await asyncio.wait_for(protocol.opened, 60)
            if snapshot:
                await asyncio.wait_for(protocol.greeted, 60)
            self.protocols.append(protocol)

        for start in range(0, n, 50):
            await asyncio.gather(*(one() for _ in range(min(50, n - start))))

    def received(self, payload: bytes) -> None:
        if self.waiting_for is None or b"present.page" not in payload:
            return
        message = json.loads(payload)
        if message["presentation"]["page"] == self.waiting_for:
            self.count += 1
            if self.count == 1:
                self.first_at = time.perf_counter()
            if self.count == len(self.protocols):
                self.last_at = time.perf_counter()
                self.done.set()

    async def round(self, send: Any, page: int) -> tuple[float, float]:
        """Milliseconds until the first and until the last tablet had the page."""
        self.waiting_for, self.count = page, 0
        self.done.clear()
        started = time.perf_counter()
        await send(page)
        try:
            await asyncio.wait_for(self.done.wait(), 60)
        except TimeoutError:
            raise RuntimeError(f"only {self.count} of {len(self.protocols)} tablets got page {page}") from None
        return (self.first_at - started) * 1000, (self.last_at - started) * 1000

    async def close(self) -> None:
        for protocol in self.protocols:
            protocol.send_frame(0x8, (1000).to_bytes(2, "big"))
            protocol.transport.close()


def summary(times: list[tuple[float, float]]) -> dict[str, float]:
    """The last tablet's median and p90 (the measure), and the first tablet's median: how much
    of a round is the servers' path before the first frame, how much the tablets reading."""
    ordered = sorted(last for _first, last in times)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
        "first_median_ms": round(statistics.median(first for first, _last in times), 2),
    }


class Setup:
    """Tablets connected to one server, and how the chair turns a page there."""

    def __init__(self, tablets: Tablets, send: Any, close: Any) -> None:
        self.tablets, self.send, self.close = tablets, send, close


async def connect_floor(port: int, n: int) -> Setup:
    url = f"ws://127.0.0.1:{port}/"
    tablets = Tablets()
    await tablets.connect(url, None, n, snapshot=False)
    chair = await websockets.connect(url, compression=None)

    sent = 0

    async def send(page: int) -> None:
        nonlocal sent
        sent += 1
        presentation = {"document_id": 12, "version_id": 15, "page": page, "page_count": 5, "presenter_id": 2}
        presentation |= {"handed_to": None, "viewport": {}}
        await chair.send(event_text(seq=1000 + sent, type="present.page", payload={"presentation": presentation}))

    async def close() -> None:
        await chair.close()
        await tablets.close()

    return Setup(tablets, send, close)


async def connect_system(urls: list[str], demo: dict, n: int) -> Setup:
    meeting_id, password = demo["meeting_id"], demo["password"]
    cookies = {url: await asyncio.to_thread(session_cookie, url, "daibieu01", password) for url in urls}
    tablets = Tablets()
    for index, url in enumerate(urls):
        share = n // len(urls) + (1 if index < n % len(urls) else 0)
        ws_url = url.replace("http://", "ws://") + f"/ws/meetings/{meeting_id}/"
        await tablets.connect(ws_url, {"Cookie": cookies[url], "Origin": url}, share, snapshot=True)
    chair_cookie = await asyncio.to_thread(session_cookie, urls[0], demo["accounts"]["chair"], password)
    chair = await websockets.connect(
        urls[0].replace("http://", "ws://") + f"/ws/meetings/{meeting_id}/", additional_headers={"Cookie": chair_cookie}, origin=urls[0]
    )
    snapshot = json.loads(await chair.recv())
    document = next(d for d in snapshot["state"]["documents"] if d["page_count"] >= 3)
    if snapshot["state"]["meeting"]["state"] == "published":
        await chair.send(json.dumps({"type": "meeting.start", "id": "start"}))

    async def drain() -> None:
        async for _ in chair:
            pass

    drainer = asyncio.create_task(drain())

    async def send(page: int) -> None:
        await chair.send(json.dumps({"type": "present.page", "id": uuid.uuid4().hex, "document_id": document["id"], "page": page}))

    async def close() -> None:
        drainer.cancel()
        await chair.close()
        await tablets.close()

    return Setup(tablets, send, close)


async def measure_interleaved(setups: dict[str, Setup], rounds: int) -> dict[str, dict[str, float]]:
    """Rounds taken in turn (floor, one process, two processes, floor, …), so that every set-up
    meets the same moments of a shared, noisy machine; measured one after the other, the floor's
    median alone moved between 18 and 32 ms from run to run."""
    await asyncio.sleep(1.5)  # let presence settle after a thousand connections
    for setup in setups.values():
        await setup.tablets.round(setup.send, 3)  # warm-up
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in setups}
    for r in range(rounds):
        for name, setup in setups.items():
            times[name].append(await setup.tablets.round(setup.send, 1 + r % 2))
    for setup in setups.values():
        await setup.close()
    return {name: summary(values) for name, values in times.items()}


async def measure_size(n: int, rounds: int, floor_port: int, one: str, demo_embedded: dict, pair: list[str], demo_production: dict) -> Any:
    setups = {
        "floor": await connect_floor(floor_port, n),
        "one_process": await connect_system([one], demo_embedded, n),
        "two_processes": await connect_system(pair, demo_production, n),
    }
    return await measure_interleaved(setups, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="")
    parser.add_argument("--rounds", type=int, default=0)
    parser.add_argument("--serve-floor", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_floor:
        asyncio.run(serve_floor(args.serve_floor))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s] or ([50, 200] if args.quick else [50, 200, 500, 1000])
    rounds = args.rounds or (5 if args.quick else 20)
    metrics: dict[str, dict[str, dict[str, float]]] = {"one_process": {}, "two_processes": {}}
    floor: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        tmp_path = Path(tmp)
        # Served as in production: with DEBUG on, Django also records every query it runs.
        served = {"DEBUG": "0", "SECRET_KEY": uuid.uuid4().hex * 2, "SECURE_COOKIES": "0"}
        embedded = base_env(**served, DATABASE_URL=f"sqlite:///{tmp_path / 'bench.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media-1"))
        demo_embedded = prepare_site(embedded, delegates=3)
        database_url = stack.enter_context(scratch_postgres())
        production = base_env(
            **served,
            DATABASE_URL=database_url,
            REDIS_URL=REDIS_URL,
            CHANNEL_LAYER_PREFIX=f"bench{uuid.uuid4().hex[:6]}",
            MEDIA_ROOT=str(tmp_path / "media-2"),
            DB_CONN_MAX_AGE="60",
        )
        demo_production = prepare_site(production, delegates=3)
        one = stack.enter_context(daphne(embedded, free_port(), tmp_path / "one.log"))
        pair = [stack.enter_context(daphne(production, free_port(), tmp_path / f"two-{i}.log")) for i in range(2)]
        floor_port = free_port()
        floor_server = subprocess.Popen([sys.executable, __file__, "--serve-floor", str(floor_port)], cwd=ROOT)
        stack.callback(floor_server.wait)
        stack.callback(floor_server.terminate)
        wait_for_port(floor_port)
        for n in sizes:
            result = asyncio.run(measure_size(n, rounds, floor_port, one, demo_embedded, pair, demo_production))
            floor[str(n)] = result["floor"]
            metrics["one_process"][str(n)] = result["one_process"]
            metrics["two_processes"][str(n)] = result["two_processes"]
            print(
                f"n={n}: floor {floor[str(n)]}, one {metrics['one_process'][str(n)]}, two {metrics['two_processes'][str(n)]}",
                file=sys.stderr,
            )
    ratio = {
        shape: {n: round(values["median_ms"] / floor[n]["median_ms"], 2) for n, values in by_size.items()}
        for shape, by_size in metrics.items()
    }
    print(json.dumps({"bench": "fanout", "params": {"sizes": sizes, "rounds": rounds}, "metrics": metrics, "floor": floor, "ratio": ratio}))


if __name__ == "__main__":
    main()
