"""The floor hears of a missing person: POST /api/safety/cases/ to the alert on every socket.

    .venv/bin/python bench/safety_alert.py                 # 200 agents + 20 wallboards, 20 cases
    .venv/bin/python bench/safety_alert.py --agents 50 --boards 5 --cases 10
    BENCH_SAFETY_DATABASE_URL=postgres://postgres@127.0.0.1:5432/dasan_me \
        BENCH_SAFETY_REDIS_URL=redis://127.0.0.1:6379/7 BENCH_SAFETY_CHANNEL_PREFIX=dasan_me_bench \
        BENCH_PORTS=8170-8179 .venv/bin/python bench/safety_alert.py   # a shared machine: one's own

daphne with PostgreSQL and Redis (the product's stack), the demo data. 200 agents
(each their own user and session) on /ws/agent/ and 20 supervisors' boards on
/ws/wallboard/. In the same run and on the same sockets:

  safety alert      agent1 POSTs a missing-person case (JSON, no photo) every 0.5 s;
                    the time from sending the POST to `safety.case_opened` for that
                    case on each of the 220 sockets (each case is then closed, its
                    `safety.case_closed` counted as well);
  wallboard update  the phone system POSTs one call.offered every 0.5 s; the time
                    from sending it to the first `update` on the 20 boards that
                    counts it (the plain wallboard push, coalesced at 0.25 s:
                    0.5 s apart, each goes out on the leading edge).

Lost = expected (case, socket) pairs never seen by the end (plus a grace period).
Loops are bounded; daphne runs on a free port and is stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_DATABASE_HOST, DEFAULT_REDIS_HOST, daphne, percentile, print_table, ratio
from wallboard import MiniSocket, demo_floor

# On a machine shared with other installations: a database (dropped and made again) and a Redis
# database of one's own (BENCH_SAFETY_*), and one's own ports (BENCH_PORTS, bench/_common.py).
DATABASE_URL = os.environ.get("BENCH_SAFETY_DATABASE_URL", f"{DEFAULT_DATABASE_HOST}/dasan_bench_safety")
REDIS_URL = os.environ.get("BENCH_SAFETY_REDIS_URL", f"{DEFAULT_REDIS_HOST}/8")
CHANNEL_PREFIX = os.environ.get("BENCH_SAFETY_CHANNEL_PREFIX", "bench_safety")
EVERY = 0.5  # seconds between POSTs of each kind
GRACE = 10.0
CONNECT_WAVE = 10  # sockets connecting at once (each agent's snapshot queries the database)

OPENED = re.compile(rb'^\{"type":"safety\.case_opened","data":\{"case":\{"id":(\d+)')
CLOSED = re.compile(rb'^\{"type":"safety\.case_closed","data":\{"case":\{"id":(\d+)')
UPDATE = re.compile(rb'^\{"type":\s*"wallboard.updated"')
OFFERED_TODAY = re.compile(rb'"offered_today":\s*(\d+)')


def floor_users(agents: int) -> tuple[list[str], str, int]:
    """`agents` agent users with a session each (cookies), agent1's API token, a call of agent1's."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from inquiries.models import Call, Caller
    from knowledgebase.models import Category

    User = get_user_model()
    group = Group.objects.get(name="agent")
    cookies = []
    for n in range(agents):
        user, _ = User.objects.get_or_create(username=f"bench_agent_{n}")
        user.set_unusable_password()
        user.save()
        user.groups.add(group)
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"sessionid={session.session_key}")
    agent1 = User.objects.get(username="agent1")
    token, _ = Token.objects.get_or_create(user=agent1)
    caller, _ = Caller.objects.get_or_create(number="01077771234")
    call = Call.objects.create(
        caller=caller,
        agent=agent1,
        category=Category.objects.get(slug="welfare"),
        summary="실종 신고 (bench)",
        vulnerable="senior",
    )
    connections.close_all()
    return cookies, token.key, call.pk


def post(connection: http.client.HTTPConnection, path: str, body: dict, token: str) -> dict:
    connection.request(
        "POST",
        path,
        body=json.dumps(body),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    data = response.read()
    if response.status not in (200, 201):
        raise RuntimeError(f"{path}: HTTP {response.status} {data[:200]!r}")
    return json.loads(data)


async def run(
    *,
    port: int,
    board_cookie: str,
    agent_cookies: list[str],
    agent_token: str,
    pbx_token: str,
    call_id: int,
    boards: int,
    cases: int,
) -> dict:
    clients: list[MiniSocket] = []
    paths = [("/ws/agent/", cookie) for cookie in agent_cookies] + [("/ws/wallboard/", board_cookie)] * boards
    for start in range(0, len(paths), CONNECT_WAVE):
        batch = await asyncio.gather(*[MiniSocket.connect(port, p, c) for p, c in paths[start : start + CONNECT_WAVE]])
        for client in batch:
            await asyncio.wait_for(client.first, 120)  # the snapshot
        clients.extend(batch)
    board_clients = clients[len(agent_cookies) :]
    first_boards = [json.loads(await asyncio.wait_for(c.first, 1)) for c in board_clients]
    base = max(snapshot["stats"]["offered_today"] for snapshot in first_boards)

    opened_sent: dict[int, float] = {}
    opened_at: list[dict[int, float]] = [{} for _ in clients]
    closed_seen: list[set[int]] = [set() for _ in clients]
    offered_sent = [0.0] * cases
    board_seen = [0 for _ in board_clients]
    board_latency: list[float] = []

    def listener(index: int):
        board = index - len(agent_cookies)

        def on_message(message: bytes, now: float) -> None:
            match = OPENED.match(message)
            if match:
                opened_at[index].setdefault(int(match.group(1)), now)
                return
            match = CLOSED.match(message)
            if match:
                closed_seen[index].add(int(match.group(1)))
                return
            if board >= 0 and UPDATE.match(message):
                reflected = min(int(OFFERED_TODAY.search(message).group(1)) - base, cases)
                while board_seen[board] < reflected:
                    if offered_sent[board_seen[board]]:
                        board_latency.append(now - offered_sent[board_seen[board]])
                    board_seen[board] += 1

        return on_message

    for index, client in enumerate(clients):
        client.on_message = listener(index)
        client.deferred = True

    async def drain_all() -> None:
        while True:
            await asyncio.sleep(0.1)
            for client in clients:
                client.drain()

    drainer = asyncio.create_task(drain_all())
    case_ids: list[int] = []

    def open_cases() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.monotonic()
        for i in range(cases):
            time.sleep(max(0.0, start + i * EVERY - time.monotonic()))
            sent = time.monotonic()
            body = {
                "call": call_id,
                "kind": "dementia",
                "name": f"벤치 {i}",
                "age": 78,
                "sex": "male",
                "height_cm": 165,
                "clothing": "회색 점퍼",
                "marks": "왼쪽 뺨에 점",
                "last_seen_place": "종로3가역",
                "last_seen_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
                "guardian_number": "010-7777-1234",
                "consent": True,
            }
            case = post(connection, "/api/safety/cases/", body, agent_token)
            opened_sent[case["id"]] = sent
            case_ids.append(case["id"])
        for case_id in case_ids:
            post(connection, f"/api/safety/cases/{case_id}/transition/", {"to": "closed"}, agent_token)

    def offer_calls() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.monotonic() + EVERY / 2  # between the cases
        stamp = f"{time.time_ns():x}"
        for i in range(cases):
            time.sleep(max(0.0, start + i * EVERY - time.monotonic()))
            offered_sent[i] = time.monotonic()
            body = {
                "event": "call.offered",
                "call_id": f"bench-safety-{stamp}-{i}",
                "at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat(),
                "caller_number": "010-2345-6789",
                "queue": "general",
            }
            post(connection, "/api/cti/events/", body, pbx_token)

    threads = [threading.Thread(target=open_cases, daemon=True), threading.Thread(target=offer_calls, daemon=True)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        await asyncio.sleep(0.2)
    deadline = time.monotonic() + GRACE

    def complete() -> bool:
        return all(len(seen) >= cases for seen in closed_seen) and all(n >= cases for n in board_seen)

    while time.monotonic() < deadline and not complete():
        await asyncio.sleep(0.2)
    drainer.cancel()
    for client in clients:
        client.drain()
        client.close()
    await asyncio.sleep(0.5)

    def latencies(indexes: range) -> list[float]:
        return [
            (opened_at[i][case_id] - opened_sent[case_id]) * 1000
            for i in indexes
            for case_id in case_ids
            if case_id in opened_at[i]
        ]

    agent_range, board_range = range(len(agent_cookies)), range(len(agent_cookies), len(clients))
    return {
        "agents": latencies(agent_range),
        "boards": latencies(board_range),
        "lost_opened": len(case_ids) * len(clients) - sum(len(opened_at[i]) for i in range(len(clients))),
        "lost_closed": len(case_ids) * len(clients) - sum(len(s) for s in closed_seen),
        "update": [value * 1000 for value in board_latency],
        "lost_update": cases * boards - len(board_latency),
        "expected": len(case_ids) * len(clients),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument("--cases", type=int, default=20, help="cases opened (and as many call.offered events)")
    args = parser.parse_args()
    print(
        f"safety alert bench: {args.agents} agents' + {args.boards} wallboards' sockets, {args.cases} cases", flush=True
    )
    env, board_cookie, pbx_token = demo_floor(DATABASE_URL, REDIS_URL, CHANNEL_PREFIX)
    env["KB_EMBEDDER"] = "none"  # the alert's path, not the embedding of the description (~80 ms, measured apart)
    agent_cookies, agent_token, call_id = floor_users(args.agents)
    with daphne(env) as server:
        result = asyncio.run(
            run(
                port=server.port,
                board_cookie=board_cookie,
                agent_cookies=agent_cookies,
                agent_token=agent_token,
                pbx_token=pbx_token,
                call_id=call_id,
                boards=args.boards,
                cases=args.cases,
            )
        )
    rows = []
    for name, values, lost, expected in [
        ("safety.case_opened on agents' sockets", result["agents"], None, args.cases * args.agents),
        ("safety.case_opened on wallboards", result["boards"], None, args.cases * args.boards),
        ("plain wallboard update (call.offered)", result["update"], result["lost_update"], args.cases * args.boards),
    ]:
        lost = expected - len(values) if lost is None else lost
        rows.append([name, len(values), lost, round(percentile(values, 50), 1), round(percentile(values, 99), 1)])
    print_table(
        ["push", "received", "lost", "p50 ms", "p99 ms"],
        rows,
        title="POST to the message on every socket (daphne, PostgreSQL, Redis pub/sub)",
    )
    print(f"safety.case_closed lost: {result['lost_closed']} of {result['expected']}")
    alert = result["agents"] + result["boards"]
    print(f"alert p99 / plain update p99: {ratio(percentile(alert, 99), percentile(result['update'], 99)):.2f}")
    lost_total = result["lost_opened"] + result["lost_closed"] + result["lost_update"]
    return 0 if lost_total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
