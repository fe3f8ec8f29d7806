"""The live wallboard under load, and the cost of one statistics refresh.

    .venv/bin/python bench/wallboard.py                       # N = 10, 100, 500; 60 s each
    .venv/bin/python bench/wallboard.py --duration 20 --sockets 10,100

Part 1, fan-out: daphne with PostgreSQL and Redis; N supervisor sockets on
/ws/wallboard/ while the phone system POSTs call.offered events at 10 per
second. For every event and every socket: the time from the POST to the first
update that reflects it (an update reflects event i when its offered_today has
counted it). Events never reflected at a socket by the end (plus a grace
period) are lost. Server CPU = the daphne process's CPU seconds over the wall
time of the load (1.0 = one core). Two designs in the same run:
  product  coalesced pushes (window 0.25 s: ≤ 4/s; --windows adds others)
           through the Redis pub/sub layer, figures computed once per push
           and encoded once for every socket;
  naive    one push per event through Channels' default Redis layer, each
           consumer encoding its own JSON (bench/_wallboard_naive.py).

Part 2, history: one wallboard_stats() with 10,000 and with 1,000,000 calls in
the queue table (today ~5,000 of them), PostgreSQL. Goal: ratio under 1.5.

Loops are bounded; daphne runs on a free port and is stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import json
import os
import re
import statistics
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datetime import UTC

from _common import (
    BENCH_DIR,
    DEFAULT_DATABASE_HOST,
    DEFAULT_REDIS_HOST,
    bench_env,
    daphne,
    django_setup,
    ensure_database,
    manage,
    percentile,
    print_table,
)
from _history import queue_history_fill

DATABASE_URL = os.environ.get("BENCH_WALLBOARD_DATABASE_URL", f"{DEFAULT_DATABASE_HOST}/dasan_bench_wallboard")
HISTORY_DATABASE_URL = os.environ.get(
    "BENCH_WALLBOARD_HISTORY_DATABASE_URL", f"{DEFAULT_DATABASE_HOST}/dasan_bench_wallboard_history"
)
REDIS_URL = os.environ.get("BENCH_WALLBOARD_REDIS_URL", f"{DEFAULT_REDIS_HOST}/5")
RATE = 10.0  # events per second
GRACE = 15.0  # seconds to wait for the last updates after the last POST
DRAIN_EVERY = 0.1  # seconds between parsing what the sockets received (see MiniSocket)


# --- a minimal websocket client (server frames are unmasked text) ---------------------------
UPDATE = re.compile(rb'^\{"type":\s*"wallboard.updated"')
OFFERED_TODAY = re.compile(rb'"offered_today":\s*(\d+)')


class MiniSocket(asyncio.Protocol):
    """One wallboard socket. Each message is stamped with the time its last
    bytes were read. The 500 sockets share one process and one event loop, so
    during the load the bytes are only stamped and kept as they arrive, and
    parsed every DRAIN_EVERY seconds: a client that parsed each socket's
    frames and JSON before reading the next socket would add its own work on
    every earlier socket to the later sockets' latencies."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.head: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.first: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.on_message = None  # (payload bytes, arrival time) -> None, after the first message
        self.closed = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.chunks: list[bytes] = []
        self.deferred = False  # True during the load: keep bytes, parse them in drain()
        self.pending: list[tuple[float, bytes]] = []
        self.close_code: int | None = None  # the server's close frame's code (None: the connection dropped)

    @classmethod
    async def connect(cls, port: int, path: str, cookie: str) -> MiniSocket:
        _, client = await asyncio.get_running_loop().create_connection(cls, "127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        client.transport.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n"
                f"Cookie: {cookie}\r\n\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(client.head, 60)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"websocket refused: {head[:80]!r}")
        return client

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        if self.deferred:
            self.pending.append((now, data))
            return
        self._feed(now, data)

    def drain(self) -> None:
        """Parse what arrived since the last drain, each message with its arrival time."""
        pending, self.pending = self.pending, []
        for now, data in pending:
            self._feed(now, data)

    def _feed(self, now: float, data: bytes) -> None:
        self.buffer += data
        if not self.head.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self.head.set_result(bytes(self.buffer[: end + 4]))
            del self.buffer[: end + 4]
        while len(self.buffer) >= 2:
            first, second = self.buffer[0], self.buffer[1]
            opcode, length, offset = first & 0x0F, second & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                (length,) = struct.unpack_from("!H", self.buffer, 2)
                offset = 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                (length,) = struct.unpack_from("!Q", self.buffer, 2)
                offset = 10
            if len(self.buffer) < offset + length:
                return
            payload = bytes(self.buffer[offset : offset + length])
            del self.buffer[: offset + length]
            if opcode == 0x8:
                self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.transport.close()
                return
            if opcode == 0x9:  # daphne pings every 20 s and closes sockets that do not answer
                self._pong(payload)
                continue
            if opcode == 0xA:
                continue
            self.chunks.append(payload)
            if first & 0x80:
                message, self.chunks = b"".join(self.chunks), []
                if not self.first.done():
                    self.first.set_result(message)
                elif self.on_message is not None:
                    self.on_message(message, now)

    def _pong(self, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.transport.write(bytes([0x8A, 0x80 | len(payload)]) + mask + masked)

    def close(self) -> None:
        self.transport.close()


# --- part 1: fan-out -----------------------------------------------------------------------
@dataclass
class Watcher:
    """One socket: when it first saw each event reflected."""

    seen_upto: int = 0
    latencies: list[float] = field(default_factory=list)
    updates: int = 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def post_events(
    ports: list[int],
    token: str,
    count: int,
    sent_at: list[float] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """POST `count` call.offered events at RATE per second (open loop), to the
    servers on `ports` in turn; each one's send time goes into `sent_at`."""
    from datetime import datetime, timedelta

    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for port in ports]
    start = time.monotonic()
    stamp = f"{time.time_ns():x}"
    for i in range(count):
        if stop is not None and stop.is_set():
            return
        delay = start + i / RATE - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        body = {
            "event": "call.offered",
            "call_id": f"bench-{stamp}-{i}",
            "at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
            "caller_number": "010-2345-6789",
            "queue": "general",
        }
        connection = connections[i % len(connections)]
        if sent_at is not None:
            sent_at[i] = time.monotonic()
        connection.request(
            "POST",
            "/api/cti/events/",
            body=json.dumps(body),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            print(f"  event {i}: HTTP {response.status}", file=sys.stderr)


async def run_case(*, port: int, pid: int, token: str, cookie: str, sockets: int, duration: float) -> dict:
    count = int(duration * RATE)
    watchers = [Watcher() for _ in range(sockets)]
    clients: list[MiniSocket] = []
    snapshots: list[int] = []
    for start in range(0, sockets, 50):  # connect in waves of 50
        batch = await asyncio.gather(
            *[MiniSocket.connect(port, "/ws/wallboard/", cookie) for _ in range(start, min(sockets, start + 50))]
        )
        for client in batch:
            first = json.loads(await asyncio.wait_for(client.first, 60))
            snapshots.append(first["stats"]["offered_today"])
        clients.extend(batch)
    base = max(snapshots)
    sent_at = [0.0] * count

    def listener(watcher: Watcher):
        def on_message(message: bytes, now: float) -> None:
            if not UPDATE.match(message):
                return
            watcher.updates += 1
            reflected = min(int(OFFERED_TODAY.search(message).group(1)) - base, count)
            while watcher.seen_upto < reflected:
                sent = sent_at[watcher.seen_upto]
                if sent:
                    watcher.latencies.append(now - sent)
                watcher.seen_upto += 1

        return on_message

    for client, watcher in zip(clients, watchers, strict=True):
        client.on_message = listener(watcher)
        client.deferred = True

    async def drain_all() -> None:
        while True:  # often enough to answer daphne's pings in time
            await asyncio.sleep(DRAIN_EVERY)
            for client in clients:
                client.drain()

    drainer = asyncio.create_task(drain_all())
    stop = threading.Event()
    cpu_before, wall_before = cpu_seconds(pid), time.monotonic()
    poster = threading.Thread(target=post_events, args=([port], token, count, sent_at, stop), daemon=True)
    poster.start()
    while poster.is_alive():
        await asyncio.sleep(0.2)
    cpu_load, wall_load = cpu_seconds(pid) - cpu_before, time.monotonic() - wall_before
    deadline = time.monotonic() + GRACE
    while time.monotonic() < deadline and any(w.seen_upto < count for w in watchers):
        await asyncio.sleep(0.2)
    drainer.cancel()
    for client in clients:
        client.drain()
        client.close()
    await asyncio.sleep(0.5)
    if os.environ.get("BENCH_DEBUG"):
        print("  seen_upto per socket:", sorted({w.seen_upto for w in watchers}), "of", count, "base", base)
    latencies = [value * 1000 for w in watchers for value in w.latencies]
    expected = count * sockets
    return {
        "latencies": latencies,
        "lost": expected - len(latencies),
        "expected": expected,
        "updates_per_socket": statistics.mean(w.updates for w in watchers),
        "cpu": cpu_load / wall_load,
    }


def demo_floor(database_url: str, redis_url: str, channel_prefix: str) -> tuple[dict[str, str], str, str]:
    """A fresh demo database: the servers' environment, supervisor1's session
    cookie (for the sockets) and the phone system's token (for the POSTs)."""
    env = bench_env(database_url=database_url, redis_url=redis_url, channel_prefix=channel_prefix)
    ensure_database(database_url, recreate=True)
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", env=env)
    django_setup(env)
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.get(username="supervisor1")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    cookie = f"sessionid={session.session_key}"
    token = Token.objects.get(user__username="pbx").key
    connections.close_all()
    return env, cookie, token


def fanout(sockets_list: list[int], duration: float, windows: list[float], *, naive: bool = True) -> list[list]:
    env, cookie, token = demo_floor(DATABASE_URL, REDIS_URL, "bench_wall")
    rows = []
    designs = [
        (f"product {window:g} s", "callcenter.asgi:application", {**env, "WALLBOARD_COALESCE_SECONDS": str(window)})
        for window in windows
    ]
    if naive:
        naive_env = {**env, "PYTHONPATH": f"{BENCH_DIR}{os.pathsep}{env['PYTHONPATH']}"}
        designs.append(("naive", "_wallboard_naive:application", naive_env))
    for sockets in sockets_list:
        for name, app, design_env in designs:
            with daphne(design_env, app=app) as server:
                result = asyncio.run(
                    run_case(
                        port=server.port,
                        pid=server.proc.pid,
                        token=token,
                        cookie=cookie,
                        sockets=sockets,
                        duration=duration,
                    )
                )
            lat = result["latencies"]
            rows.append(
                [
                    sockets,
                    name,
                    round(percentile(lat, 50)) if lat else "-",
                    round(percentile(lat, 95)) if lat else "-",
                    round(percentile(lat, 99)) if lat else "-",
                    f"{result['lost']} of {result['expected']}",
                    f"{result['updates_per_socket']:.0f}",
                    f"{result['cpu']:.2f}",
                ]
            )
            print(f"  N={sockets} {name}: done", flush=True)
    return rows


# --- part 2: history ------------------------------------------------------------------------
def history(repeats: int) -> list[list]:
    env = bench_env(database_url=HISTORY_DATABASE_URL, channel_prefix="bench_wall_hist")
    ensure_database(HISTORY_DATABASE_URL, recreate=True)
    manage("migrate", "--noinput", env=env)
    django_setup(env)
    from django.db import connection

    from floor import stats

    def fill(total: int, *, today: int) -> None:
        """Calls up to `total`: `today` of them today, the rest spread over two years before (bench/_history.py)."""
        with connection.cursor() as cursor:
            queue_history_fill(cursor, total=total, today=today)

    def measure() -> tuple[float, float]:
        stats._daily_cache.clear()
        started = time.perf_counter()
        stats.wallboard_stats()
        cold = time.perf_counter() - started
        stats.wallboard_stats()  # warm-up
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            stats.wallboard_stats()
            times.append(time.perf_counter() - started)
        return cold * 1000, statistics.median(times) * 1000

    rows = []
    for total in (10_000, 1_000_000):
        fill(total, today=5_000)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM inquiries_queuecall")
            have = cursor.fetchone()[0]
        cold, warm = measure()
        rows.append([f"{have:,}", round(warm, 1), round(cold, 1)])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of events per case (default 60)")
    parser.add_argument("--sockets", default="10,100,500", help="socket counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=30, help="statistics refreshes timed per size")
    parser.add_argument(
        "--windows",
        default="0.25",
        help="coalescing windows of the product design to measure (seconds, comma-separated)",
    )
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--skip-history", action="store_true")
    parser.add_argument("--skip-naive", action="store_true", help="the product design only (a before/after pair)")
    args = parser.parse_args()
    if not args.skip_fanout:
        print(f"wallboard bench: {args.duration:g} s at {RATE:g} events/s per case; sockets {args.sockets}", flush=True)
    if not args.skip_history and not args.skip_fanout:
        # each part configures Django for its own database: run the history part in a process of its own
        import subprocess

        subprocess.run([sys.executable, __file__, "--skip-fanout", "--repeats", str(args.repeats)], check=True)
    elif not args.skip_history:
        rows = history(args.repeats)
        print_table(
            ["calls in table", "refresh ms (median)", "first refresh ms (daily caches cold)"],
            rows,
            title="One statistics refresh (wallboard_stats) by history size, PostgreSQL",
        )
        print(f"ratio 1M / 10k: {rows[1][1] / rows[0][1]:.2f} (goal < 1.5)", flush=True)
    if not args.skip_fanout:
        sockets = [int(n) for n in args.sockets.split(",")]
        rows = fanout(sockets, args.duration, [float(w) for w in args.windows.split(",")], naive=not args.skip_naive)
        print_table(
            ["sockets", "design", "p50 ms", "p95 ms", "p99 ms", "lost", "updates/socket", "server CPU (cores)"],
            rows,
            title="POST to the first update reflecting it, at every socket (daphne + Redis + PostgreSQL)",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
