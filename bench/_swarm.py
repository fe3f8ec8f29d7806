"""The floor's sockets for bench/city_day.py, in a process of their own: agents' consoles
on /ws/agent/ (one session each) and supervisors' wallboards on /ws/wallboard/, all through
nginx. Each socket reconnects as the pages do (full jitter: 0.25 s up to 2, 4, 8, 16, then 30 s), and
every wallboard message (snapshot or update) is kept as (arrival time, offered_today).

    python bench/_swarm.py --port 8160 --cookies cookies.json --boards 50 --out swarm.json --stop stop.flag

`cookies.json`: {"agents": ["sessionid=...", ...], "supervisor": "sessionid=..."}. Runs until
the file `--stop` exists, then writes `--out` (JSON) and exits. time.monotonic() is the
machine's clock for every process, so arrivals compare with the load's own times.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wallboard import DRAIN_EVERY, OFFERED_TODAY, MiniSocket


class Member:
    """One page's socket, reconnecting with the page's backoff."""

    def __init__(self, port: int, path: str, cookie: str, board: bool) -> None:
        self.port, self.path, self.cookie, self.board = port, path, cookie, board
        self.seen: list[tuple[float, int]] = []
        self.messages = 0
        self.connects = 0
        self.refused = 0
        self.socket: MiniSocket | None = None
        self.connected_at: float | None = None
        self.down_since: float | None = None
        # per loss: (monotonic time lost, seconds to the next snapshot, failed attempts, what ended it)
        self.losses: list[tuple[float, float, int, str]] = []
        self.lost_why = ""
        self.failed_attempts = 0

    def on_message(self, message: bytes, now: float) -> None:
        self.messages += 1
        if self.board:
            found = OFFERED_TODAY.search(message)
            if found:
                self.seen.append((now, int(found.group(1))))

    async def run(self, stopping: asyncio.Event) -> None:
        attempt = 0
        while not stopping.is_set():
            try:
                self.socket = await MiniSocket.connect(self.port, self.path, self.cookie)
                first = await asyncio.wait_for(self.socket.first, 30)
                now = time.monotonic()
                self.connects += 1
                if self.down_since is not None:
                    self.losses.append((self.down_since, now - self.down_since, self.failed_attempts, self.lost_why))
                    self.down_since = None
                    self.failed_attempts = 0
                self.on_message(first, now)
                self.socket.on_message = self.on_message
                self.socket.deferred = True
                attempt = 0
                closed = self.socket.closed
                stop = asyncio.ensure_future(stopping.wait())
                await asyncio.wait([closed, stop], return_when=asyncio.FIRST_COMPLETED)
                stop.cancel()
                if stopping.is_set():
                    break
                self.socket.drain()  # a close frame still unparsed says why
                code = self.socket.close_code
                why = f"closed by the server ({code})" if code is not None else "connection dropped"
            except (TimeoutError, OSError, RuntimeError) as error:
                self.refused += 1
                self.failed_attempts += 1
                why = f"{type(error).__name__}: {str(error)[:40]}"
            if self.socket is not None:
                self.socket.drain()
                self.socket = None
            if self.down_since is None:
                self.down_since = time.monotonic()
                self.lost_why = why
            attempt += 1
            delay = max(0.25, min(30.0, 2.0**attempt) * random.random())  # as static/js/common.js
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)

    def drain(self) -> None:
        if self.socket is not None:
            self.socket.drain()


async def swarm(args: argparse.Namespace) -> dict:
    cookies = json.loads(Path(args.cookies).read_text())
    members = [Member(args.port, "/ws/agent/", cookie, False) for cookie in cookies["agents"]]
    members += [Member(args.port, "/ws/wallboard/", cookies["supervisor"], True) for _ in range(args.boards)]
    stopping = asyncio.Event()
    tasks = []
    for start in range(0, len(members), 50):  # waves of 50, as a floor's morning does, faster
        for member in members[start : start + 50]:
            tasks.append(asyncio.create_task(member.run(stopping)))
        await asyncio.sleep(0.2)
    deadline = time.monotonic() + 120
    while sum(1 for m in members if m.connects) < len(members) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    Path(args.ready).write_text(str(sum(1 for m in members if m.connects)))
    stop_file = Path(args.stop)
    while not stop_file.exists():
        await asyncio.sleep(DRAIN_EVERY)
        for member in members:
            member.drain()
    for member in members:
        member.drain()
    stopping.set()
    for member in members:
        if member.socket is not None:
            member.socket.close()
    await asyncio.wait(tasks, timeout=10)
    boards = [m for m in members if m.board]
    agents = [m for m in members if not m.board]
    return {
        "boards": [m.seen for m in boards],
        "board_connects": [m.connects for m in boards],
        "agent_connects": [m.connects for m in agents],
        "agent_messages": sum(m.messages for m in agents),
        "refused": sum(m.refused for m in members),
        "outages": [loss[1] for m in members for loss in m.losses],
        "losses": [loss for m in members for loss in m.losses],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cookies", required=True)
    parser.add_argument("--boards", type=int, default=50)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--stop", required=True)
    args = parser.parse_args()
    result = asyncio.run(swarm(args))
    Path(args.out).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
