"""The wallboard's push cap with several server processes.

    .venv/bin/python bench/wallboard_processes.py                  # 1, 2 and 3 daphne processes, 20 s each
    .venv/bin/python bench/wallboard_processes.py --processes 1,2 --duration 10

Each process coalesces what it publishes (at most one push per 0.25 s window,
callcenter/realtime/publish.py); the receiving fan-out writes what arrives (since
issue 12 it no longer holds a second cap across processes).
Here N daphne processes share PostgreSQL and Redis, 20 supervisor boards are
connected to each, and the phone system POSTs call.offered at 10 per second to
the processes in turn. Per board: pushes per second, the gaps between pushes,
and whether its last update counted every event. The 1-process row is the
baseline of the same run. Expected: about four pushes a second per publishing
process (1 / 0.25), nothing missing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    DEFAULT_DATABASE_HOST,
    DEFAULT_REDIS_HOST,
    daphne,
    percentile,
    print_table,
)
from wallboard import OFFERED_TODAY, RATE, MiniSocket, demo_floor, post_events

DATABASE_URL = f"{DEFAULT_DATABASE_HOST}/dasan_bench_processes"
REDIS_URL = f"{DEFAULT_REDIS_HOST}/6"
BOARDS_PER_PROCESS = 20


async def run_case(ports: list[int], cookie: str, token: str, duration: float) -> list:
    boards: list[MiniSocket] = []
    for port in ports:
        for _ in range(BOARDS_PER_PROCESS):
            board = await MiniSocket.connect(port, "/ws/wallboard/", cookie)
            await asyncio.wait_for(board.first, 60)
            boards.append(board)
    base = max(int(OFFERED_TODAY.search(board.first.result()).group(1)) for board in boards)
    arrivals: list[list[float]] = [[] for _ in boards]
    last_offered = [0] * len(boards)

    def listener(k: int):
        def on_message(message: bytes, now: float) -> None:
            if message.startswith(b'{"type":"wallboard.updated"'):
                arrivals[k].append(now)
                last_offered[k] = int(OFFERED_TODAY.search(message).group(1))

        return on_message

    for k, board in enumerate(boards):
        board.on_message = listener(k)
    count = int(duration * RATE)
    poster = threading.Thread(target=post_events, args=(ports, token, count), daemon=True)
    poster.start()
    while poster.is_alive():
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)  # the last windows close
    for board in boards:
        board.close()
    per_second = [(len(times) - 1) / (times[-1] - times[0]) for times in arrivals if len(times) > 1] or [0.0]
    gaps = [(b - a) * 1000 for times in arrivals for a, b in itertools.pairwise(times)]
    complete = sum(1 for offered in last_offered if offered - base >= count)
    return [
        len(ports),
        len(boards),
        count,
        f"{min(per_second):.2f}-{max(per_second):.2f}",
        round(percentile(gaps, 1)) if gaps else "-",
        round(percentile(gaps, 50)) if gaps else "-",
        f"{complete} of {len(boards)}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", default="1,2,3", help="daphne process counts, comma-separated")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of events per case (default 20)")
    args = parser.parse_args()
    env, cookie, token = demo_floor(DATABASE_URL, REDIS_URL, "bench_proc")
    rows = []
    for processes in [int(n) for n in args.processes.split(",")]:
        with contextlib.ExitStack() as stack:
            servers = [stack.enter_context(daphne(env)) for _ in range(processes)]
            rows.append(asyncio.run(run_case([server.port for server in servers], cookie, token, args.duration)))
        print(f"  {processes} process(es): done", flush=True)
    print_table(
        ["processes", "boards", "events", "pushes/board/s", "gap p1 ms", "gap p50 ms", "last update counts all"],
        rows,
        title=f"Pushes per board with N daphne processes taking {RATE:g} events/s in turn (window 0.25 s)",
    )
    worst = max(float(row[3].split("-")[1]) for row in rows)
    print(f"most pushes a board got: {worst:.2f}/s (goal: about 4, cap 4.4)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
