"""Referrals: the agent's POST /api/referrals/ and the partner desk's list, beside a bare view.

    .venv/bin/python bench/referral_api.py            # or: bench/run_all.py referral_api
    .venv/bin/python bench/referral_api.py --quick    # a quarter of the requests

Serves the project with daphne on PostgreSQL (database `dasan_bench_ref`, migrated,
seeded and filled by this script: 5,000 referrals to the legal counsel, 5% of them
urgent or vulnerable) and the Redis channel layer, then measures in the same run,
at 1 and 16 clients:

- `bare Django view`: POST of a small JSON body to the bench-only bare view (same
  process, settings and middleware; no auth, validation or database);
- `POST /api/referrals/`: agent1 refers a fresh call each time (a referral row, its
  `new` event, an access-log row, `referral.created` published after commit);
- `GET /api/referrals/?open=true` as legal1: the desk's first page of 50 of the
  5,000 open referrals, urgent and vulnerable first (the `pressing_first` sort).

Read the ratios to the bare view, not the times (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import uuid

from _common import (
    BENCH_DIR,
    LOAD_HEADERS,
    ROOT,
    LoadResult,
    bench_env,
    daphne,
    django_setup,
    ensure_database,
    http_load,
    json_request,
    merge,
    print_table,
    ratio,
)

DATABASE_URL = os.environ.get("BENCH_REF_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dasan_bench_ref")
REDIS_URL = os.environ.get("BENCH_REF_REDIS_URL", "redis://127.0.0.1:6379/12")
CHANNEL_PREFIX = "bench_ref"
BACKGROUND_REFERRALS = 5000
PLAN = {1: (120, 20), 16: (400, 64)}  # (measured, warm-up) requests per load
ROUNDS = 2

BARE = "bare Django view"
POST = "POST /api/referrals/"
LIST = "GET /api/referrals/?open=true (desk)"


def prepare(env: dict[str, str], calls_needed: int) -> dict:
    """Create, migrate and fill the bench database; return tokens and call ids."""
    ensure_database(DATABASE_URL)
    django_setup(env)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from inquiries.models import Call, Caller
    from knowledgebase.models import Category
    from referrals.models import Referral, Service

    call_command("migrate", "--noinput", verbosity=0)
    with connection.cursor() as cursor:  # a fresh start every run
        cursor.execute(
            "TRUNCATE referrals_referral, referrals_referralevent, referrals_followup, inquiries_call, "
            "inquiries_callevent, callcenter_accesslog, inquiries_caller CASCADE"
        )
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    users = get_user_model().objects
    agent, partner = users.get(username="agent1"), users.get(username="legal1")
    legal = Service.objects.get(slug="dasan-plaza-legal")
    caller = Caller.objects.create(number="01055550199")
    category = Category.objects.get(slug="legal")
    now = timezone.now()
    calls = Call.objects.bulk_create(
        [
            Call(caller=caller, agent=agent, category=category, summary="법률 상담 연결", started_at=now)
            for _ in range(calls_needed + BACKGROUND_REFERRALS)
        ]
    )
    Referral.objects.bulk_create(
        [
            Referral(
                call=call,
                service=legal,
                reason="아파트 조합 사기 피해 상담 요청",
                consent=True,
                contact_number=caller.number,
                priority="urgent" if i % 40 == 0 else "normal",
                vulnerable=i % 40 == 1,
                created_by=agent,
                created_at=now,
                accept_due_at=now,
            )
            for i, call in enumerate(calls[:BACKGROUND_REFERRALS])
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "agent_token": Token.objects.get_or_create(user=agent)[0].key,
        "partner_token": Token.objects.get_or_create(user=partner)[0].key,
        "free_calls": [call.pk for call in calls[BACKGROUND_REFERRALS:]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the requests (smoke run)")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    scale = 0.25 if args.quick else 1.0
    rounds = max(1, args.rounds)

    def plan(clients: int) -> tuple[int, int]:
        requests, warmup = PLAN[1 if clients == 1 else 16]
        return max(clients, int(requests * scale)), max(clients, int(warmup * scale))

    needed = rounds * sum(sum(plan(c)) for c in (1, 16))
    env = bench_env(
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        channel_prefix=CHANNEL_PREFIX,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    )
    print(f"database {DATABASE_URL}, channel layer {REDIS_URL}, DEBUG off, {rounds} rounds")
    prepared = prepare(env, needed)
    from django.db import connections

    connections.close_all()
    free_calls = iter(prepared["free_calls"])
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "_bare_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH_DIR)]),
    }
    runs: dict[tuple[str, int], list[LoadResult]] = {}
    failed = False

    def keep(name: str, clients: int, result: LoadResult) -> None:
        nonlocal failed
        runs.setdefault((name, clients), []).append(result)
        if result.errors:
            failed = True
            print(f"  {name} at {clients}: {result.errors} errors, first: {result.first_error}", file=sys.stderr)

    with daphne(server_env) as server:
        for round_no in range(rounds):
            for clients in (1, 16):
                requests, warmup = plan(clients)
                ids = [next(free_calls) for _ in range(requests + warmup)]
                loads = {
                    BARE: lambda i: json_request("POST", "/bench/bare/", {"client_request_id": uuid.uuid4().hex}),
                    POST: lambda i, ids=ids: json_request(
                        "POST",
                        "/api/referrals/",
                        {
                            "call": ids[i],
                            "service": "dasan-plaza-legal",
                            "reason": "아파트 조합 사기 피해 상담 요청",
                            "priority": "normal",
                            "consent": True,
                            "callback_preference": "평일 오후",
                        },
                        token=prepared["agent_token"],
                    ),
                    LIST: lambda i: json_request("GET", "/api/referrals/?open=true", token=prepared["partner_token"]),
                }
                order = list(loads) if round_no % 2 == 0 else list(reversed(loads))
                for name in order:
                    result = http_load(
                        server.url, loads[name], clients=clients, requests=requests, warmup=warmup, expect=(200, 201)
                    )
                    keep(name, clients, result)

    rows = []
    for clients in (1, 16):
        bare = merge(runs[(BARE, clients)])
        for name in (BARE, POST, LIST):
            result = merge(runs[(name, clients)])
            rows.append([*result.row(name), ratio(result.rps, bare.rps)])
    print_table(
        [*LOAD_HEADERS, "req/s vs bare"], rows, title=f"Referrals API vs a bare view, same run ({rounds} rounds pooled)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
