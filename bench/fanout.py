"""Fan-out: N tablets in one meeting, the chair turns a page; how long until the last tablet has it?

Measured in the same run against a floor: a minimal raw `websockets` server that broadcasts what
the chair sends. Our system is measured embedded (one daphne, in-memory layer, SQLite) and in
production shape (two daphne processes, PostgreSQL, Redis; tablets split between them).
The chair's command goes through the whole path (checked, stored, numbered, published after
commit), the floor only relays: the ratio is the price of all of that. For each N the three are
connected at once and take their rounds in turn, so each meets the same moments of the machine.

    python bench/fanout.py [--quick] [--sizes 50,200,500,1000] [--rounds 20]

Prints one JSON line: {"bench": "fanout", "params", "metrics", "floor", "ratio"} (milliseconds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402

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
class Tablets:
    """N websocket clients in this process that note when each receives the page the chair turned to."""

    def __init__(self) -> None:
        self.connections: list[Any] = []
        self.tasks: list[asyncio.Task] = []
        self.waiting_for: int | None = None
        self.count = 0
        self.done = asyncio.Event()
        self.last_at = 0.0

    async def connect(self, url: str, headers: dict[str, str] | None, origin: str | None, n: int, skip_snapshot: bool) -> None:
        async def one() -> None:
            connection = await websockets.connect(
                url, additional_headers=headers, origin=origin, max_size=None, open_timeout=60, compression=None
            )
            if skip_snapshot:
                await connection.recv()
            self.connections.append(connection)
            self.tasks.append(asyncio.create_task(self.listen(connection)))

        for start in range(0, n, 50):
            await asyncio.gather(*(one() for _ in range(min(50, n - start))))

    async def listen(self, connection: Any) -> None:
        async for raw in connection:
            if self.waiting_for is None or '"present.page"' not in raw:
                continue
            message = json.loads(raw)
            page = message.get("page") or (message.get("presentation") or {}).get("page")
            if page == self.waiting_for:
                self.count += 1
                if self.count == len(self.connections):
                    self.last_at = time.perf_counter()
                    self.done.set()

    async def round(self, send: Any, page: int) -> float:
        self.waiting_for, self.count = page, 0
        self.done.clear()
        started = time.perf_counter()
        await send(page)
        await asyncio.wait_for(self.done.wait(), 60)
        return (self.last_at - started) * 1000

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(c.close() for c in self.connections), return_exceptions=True)


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 2), "p90_ms": round(ordered[int(0.9 * (len(ordered) - 1))], 2)}


class Setup:
    """Tablets connected to one server, and how the chair turns a page there."""

    def __init__(self, tablets: Tablets, send: Any, close: Any) -> None:
        self.tablets, self.send, self.close = tablets, send, close


async def connect_floor(port: int, n: int) -> Setup:
    url = f"ws://127.0.0.1:{port}/"
    tablets = Tablets()
    await tablets.connect(url, None, None, n, skip_snapshot=False)
    chair = await websockets.connect(url, compression=None)

    async def send(page: int) -> None:
        await chair.send(json.dumps({"type": "present.page", "document_id": 1, "page": page}))

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
        await tablets.connect(ws_url, {"Cookie": cookies[url]}, url, share, skip_snapshot=True)
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
    times: dict[str, list[float]] = {name: [] for name in setups}
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
        embedded = base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'bench.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media-1"))
        demo_embedded = prepare_site(embedded, delegates=3)
        database_url = stack.enter_context(scratch_postgres())
        production = base_env(
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
