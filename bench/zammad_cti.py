"""Phone events per second: the Zammad-compatible endpoint beside our own event API, same run.

    .venv/bin/python bench/zammad_cti.py            # or: bench/run_all.py zammad_cti
    .venv/bin/python bench/zammad_cti.py --quick    # a quarter of the events, for a smoke run

Serves the project with daphne on PostgreSQL (database `dasan_bench_zammad`, migrated
and seeded by this script) and the Redis channel layer, then drives whole calls
through each of three cases, in the same run and the same server process:

- `POST /api/cti/events/` (ours, JSON, token header): call.offered, call.answered
  (agent by username), call.ended;
- `POST /api/cti/zammad/<token>/`, form-encoded: newCall, answer (answeringNumber =
  the agent's extension), hangup normalClearing;
- the same, JSON.

Each case posts N offers, then N answers, then N ends (N different calls per phase, so
concurrent clients never race one call's events against each other); events per second
is all events over the time the three phases took. Calls go to 20 agents in turn. The
order of the cases rotates every round. At the end every event must have been applied
(none rejected, none lost): the comparison is between equal work.

Target (issue 15): the Zammad endpoint reaches >= 0.8x our API's events per second, form
and JSON. Environment: BENCH_ZAMMAD_DATABASE_URL, BENCH_ZAMMAD_REDIS_URL override the
defaults below.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import uuid
from datetime import timedelta
from statistics import median
from typing import Any
from urllib.parse import urlencode

from _common import (
    LOAD_HEADERS,
    LoadResult,
    Request,
    bench_env,
    daphne,
    django_setup,
    ensure_database,
    http_load,
    json_request,
    merge,
    print_table,
    ratio,
    verdict,
)

DATABASE_URL = os.environ.get("BENCH_ZAMMAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dasan_bench_zammad")
REDIS_URL = os.environ.get("BENCH_ZAMMAD_REDIS_URL", "redis://127.0.0.1:6379/7")
CHANNEL_PREFIX = "bench_zammad"
AGENTS = 20
# calls per phase (each call: 3 events), per client count; --quick divides by 4
PLAN = {1: 100, 8: 200}
ROUNDS = 3
TARGET = 0.8

OURS = "ours, JSON"
ZAMMAD_FORM = "Zammad, form"
ZAMMAD_JSON = "Zammad, JSON"
CASES = (OURS, ZAMMAD_FORM, ZAMMAD_JSON)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the events (smoke run)")
    parser.add_argument("--clients", default="1,8", help="comma-separated client counts (default 1,8)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"measurement rounds (default {ROUNDS})")
    return parser.parse_args(argv)


def prepare(env: dict[str, str]) -> dict[str, Any]:
    """Create, migrate and seed the bench database: the phone system's token and 20 agents with extensions."""
    ensure_database(DATABASE_URL)
    django_setup(env)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from floor import protection_services
    from floor import services as floor_services

    call_command("migrate", "--noinput", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE inquiries_phoneevent, inquiries_abuseflag, inquiries_callerblock, inquiries_queuecall, "
            "inquiries_agentstatechange, inquiries_agentstatus, inquiries_shiftsession CASCADE"
        )
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    User = get_user_model()
    agent_group = Group.objects.get(name="agent")
    agents = []
    for n in range(AGENTS):
        agent, _ = User.objects.get_or_create(username=f"bench_agent{n}", defaults={"first_name": f"Agent{n}"})
        agent.groups.add(agent_group)
        protection_services.agent_extension_set(agent=agent, extension=str(3000 + n))
        floor_services.shift_sign_in(agent=agent)
        agents.append((agent.username, str(3000 + n)))
    pbx = User.objects.get(username="pbx")
    token, _ = Token.objects.get_or_create(user=pbx)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {"token": token.key, "agents": agents}


def ours(step: str, call_id: str, agent: tuple[str, str], token: str, base) -> Request:
    at = {"offer": base, "answer": base + timedelta(seconds=5), "end": base + timedelta(seconds=60)}[step]
    body: dict[str, Any] = {"call_id": call_id, "at": at.isoformat()}
    if step == "offer":
        body.update(event="call.offered", caller_number="010-2345-6789", queue="general")
    elif step == "answer":
        body.update(event="call.answered", agent=agent[0])
    else:
        body.update(event="call.ended")
    return json_request("POST", "/api/cti/events/", body, token=token)


def zammad(step: str, call_id: str, agent: tuple[str, str], token: str, *, as_json: bool) -> Request:
    body = {"from": "01023456789", "to": "120", "direction": "in", "callId": call_id}
    if step == "offer":
        body.update(event="newCall", queue="general")
    elif step == "answer":
        body.update(event="answer", answeringNumber=agent[1])
    else:
        body.update(event="hangup", cause="normalClearing", answeringNumber=agent[1])
    path = f"/api/cti/zammad/{token}/"
    headers = {"Accept": "application/json"}
    if as_json:
        headers["Content-Type"] = "application/json"
        return Request("POST", path, json.dumps(body).encode(), headers)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return Request("POST", path, urlencode(body).encode(), headers)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    client_counts = [int(c) for c in args.clients.split(",") if c.strip()]
    scale = 0.25 if args.quick else 1.0
    rounds = max(1, args.rounds)
    # the per-token rate limit off: both APIs send as the same phone system, far above a real PBX's rate
    env = bench_env(database_url=DATABASE_URL, redis_url=REDIS_URL, channel_prefix=CHANNEL_PREFIX, API_TOKEN_RATE="off")
    print(f"database {DATABASE_URL}, channel layer {REDIS_URL} (prefix {CHANNEL_PREFIX}), DEBUG off, {rounds} rounds")
    prepared = prepare(env)
    token, agents = prepared["token"], prepared["agents"]

    from django.db import connections
    from django.utils import timezone

    connections.close_all()
    run_id = uuid.uuid4().hex[:8]
    runs: dict[tuple[str, int], list[LoadResult]] = {}
    per_round: dict[tuple[str, int], list[float]] = {}
    failed = False

    def load(server_url: str, case: str, clients: int, key: str) -> LoadResult:
        calls = max(clients, int(PLAN.get(clients, PLAN[8]) * scale))
        base = timezone.now() - timedelta(minutes=2)
        phases = []
        for step in ("offer", "answer", "end"):

            def make(i: int, step=step) -> Request:
                call_id = f"{key}-{i}"
                agent = agents[i % AGENTS]
                if case == OURS:
                    return ours(step, call_id, agent, token, base)
                return zammad(step, call_id, agent, token, as_json=case == ZAMMAD_JSON)

            expect = (201,) if case == OURS else (200,)
            phases.append(http_load(server_url, make, clients=clients, requests=calls, warmup=0, expect=expect))
        return merge(phases)  # all events over the three phases' summed time

    with daphne(env) as server:
        print(f"daphne {server.url}: one process, Django's psycopg 3 pool, Redis channel layer")
        for round_no in range(rounds):
            for clients in client_counts:
                order = CASES[round_no % 3 :] + CASES[: round_no % 3]
                for case in order:
                    key = f"bz-{run_id}-{round_no}-{clients}-{CASES.index(case)}"
                    result = load(server.url, case, clients, key)
                    runs.setdefault((case, clients), []).append(result)
                    per_round.setdefault((case, clients), []).append(result.rps)
                    if result.errors:
                        failed = True
                        print(f"  {case} at {clients}: {result.errors} errors, first: {result.first_error}")

    # Equal work: every event of every case applied, none rejected or lost.
    from django.db.models import Count

    from floor.models import PhoneEvent, QueueCall

    prefix = f"bz-{run_id}-"
    statuses = dict(PhoneEvent.objects.filter(call_id__startswith=prefix).values_list("status").annotate(n=Count("id")))
    ended = QueueCall.objects.filter(call_id__startswith=prefix, status="ended").count()
    expected_calls = sum(r.count for rs in runs.values() for r in rs) // 3
    connections.close_all()

    rows = []
    for clients in client_counts:
        base = merge(runs[(OURS, clients)])
        for case in CASES:
            result = merge(runs[(case, clients)])
            rows.append([*result.row(case), ratio(result.rps, base.rps)])
    headers = [*LOAD_HEADERS, "events/s vs ours"]
    headers[3] = "events/s"
    print_table(headers, rows, title=f"phone events through each API, same run ({rounds} rounds pooled)")
    print(f"\nevents by status: {statuses}; calls ended {ended} of {expected_calls}")
    if statuses.get("applied", 0) != 3 * expected_calls or ended != expected_calls:
        failed = True
        print("  NOT EVERY EVENT WAS APPLIED", file=sys.stderr)

    target_rows = []
    for clients in client_counts:
        for case in (ZAMMAD_FORM, ZAMMAD_JSON):
            ratios = [z / o for z, o in zip(per_round[(case, clients)], per_round[(OURS, clients)], strict=True)]
            ok = median(ratios) >= TARGET
            failed |= not ok
            target_rows.append(
                [f"{case} at {clients}", " ".join(f"{r:.2f}" for r in ratios), median(ratios), verdict(ok)]
            )
    print_table(
        ["case", "per-round ratio to ours", "median", f">= {TARGET}"],
        target_rows,
        title="target: the Zammad endpoint's events/s >= 0.8x ours",
        floatfmt=".2f",
    )
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
