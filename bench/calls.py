"""POST /api/calls/ under load, beside the framework's and the database's ceilings.

    .venv/bin/python bench/calls.py            # or: make bench / bench/run_all.py calls
    .venv/bin/python bench/calls.py --quick    # a quarter of the requests, for a smoke run
    .venv/bin/python bench/calls.py --row-by-row   # also the ordinary saves, against callcenter/db.py's one statement

Serves the project with daphne on PostgreSQL (database `dasan_bench`, migrated and
seeded by this script) and the Redis channel layer, then measures at 1 and 16
concurrent clients, in the same run:

- `POST /api/calls/`: token auth (agent1), a unique client_request_id per request,
  a repeat caller from a pool of 500 (so the caller row exists, as for most calls);
- `bare Django view`: a POST of the same body to a bench-only JSON view in the same
  daphne process, same settings and middleware, no auth/validation/database
  (bench/_bare_urls.py; reachable only under bench/_bare_settings.py);
- `raw insert (call row)`: the same inquiries_call row inserted with psycopg 3
  straight from this process, one autocommit INSERT per request. The issue says
  psycopg2; the project uses psycopg 3 instead (decided in shared/docs/PERFORMANCE.md:
  1.8x faster under daphne with Django's pool, no connection leak), so the
  database's ceiling is measured with the driver the project actually uses;
- `raw SQL (whole write)`: what call_log() asks of the database, in raw SQL: the
  idempotency and caller look-ups, then call + event + access-log rows in one
  transaction (how much of the API's time is the database's).

Targets (issue 2): at 16 clients the API reaches >= 0.5x the bare view's req/s; at
1 client its p95 stays < 2x the bare view's p95. Environment: BENCH_CALLS_DATABASE_URL,
BENCH_CALLS_REDIS_URL override the defaults below.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import uuid
from datetime import timedelta
from statistics import median
from typing import Any

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
    run_workers,
    verdict,
)

DATABASE_URL = os.environ.get("BENCH_CALLS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dasan_bench")
REDIS_URL = os.environ.get("BENCH_CALLS_REDIS_URL", "redis://127.0.0.1:6379/11")
CHANNEL_PREFIX = "bench_calls"
AGENT = "agent1"
CALLER_POOL = 500
SUMMARY = "아파트 단지 수돗물에서 녹물이 나온다는 문의. 수도사업소 수질검사 신청 방법 안내 후 결과 문자 발송 예정."

# (measured requests, warm-up) per round, for 1 client and for more; --quick divides by 4.
# 300 at 1 client: a p95 of 120 requests rested on the 6 slowest, and the per-round
# p95 ratio then swung from 1.3 to 2.6 within one run.
HTTP_PLAN = {1: (300, 20), 16: (400, 64)}
RAW_PLAN = {1: (500, 50), 16: (1500, 100)}
ROUNDS = 3

BARE = "bare Django view"
CALLS = "POST /api/calls/"
WHATIF = "POST /api/calls/ what-if P4"
ROW_BY_ROW = "POST /api/calls/ row by row"
RAW_ROW = "raw insert (call row)"
RAW_WHOLE = "raw SQL (whole write)"

TARGET_RPS_RATIO = 0.5  # calls req/s at 16 clients >= 0.5 x bare
TARGET_P95_RATIO = 2.0  # calls p95 at 1 client < 2 x bare


def caller_number(n: int) -> str:
    """A valid mobile number, as an agent types it, for caller n of the pool."""
    n %= CALLER_POOL
    return f"010-7{n:03d}-{(n * 37) % 10000:04d}"


def call_body(i: int, run_id: str) -> dict[str, Any]:
    return {
        "caller_number": caller_number(i),
        "category": "water",
        "summary": SUMMARY,
        "language": "ko",
        "channel": "phone",
        "resolution": "answered",
        "started_at": "2026-03-02T10:00:00+09:00",
        "ended_at": "2026-03-02T10:04:30+09:00",
        "satisfaction": 4,
        "urgent": False,
        "client_request_id": f"bench-{run_id}-{i}",
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a quarter of the requests (smoke run)")
    parser.add_argument("--clients", default="1,16", help="comma-separated client counts (default 1,16)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"measurement rounds (default {ROUNDS})")
    parser.add_argument(
        "--row-by-row",
        action="store_true",
        help="also measure the calls API saving row by row in a transaction (a second daphne), "
        "against callcenter/db.py's one statement",
    )
    parser.add_argument(
        "--what-if",
        action="store_true",
        help="also measure the proposals in bench/_whatif.py, patched into a second daphne",
    )
    return parser.parse_args(argv)


# --- setup -------------------------------------------------------------------------


def prepare(env: dict[str, str]) -> dict[str, Any]:
    """Create, migrate and seed the bench database; return what the loads need."""
    ensure_database(DATABASE_URL)
    django_setup(env)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from callcenter.phone_numbers import normalize_number
    from inquiries.models import Caller

    call_command("migrate", "--noinput", verbosity=0)
    # A fresh start every run, so tables and indexes do not grow from run to run.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE inquiries_call, inquiries_callevent, callcenter_accesslog, inquiries_caller CASCADE")
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    Caller.objects.bulk_create(
        [Caller(number=normalize_number(caller_number(n))) for n in range(CALLER_POOL)], ignore_conflicts=True
    )
    agent = get_user_model().objects.get(username=AGENT)
    token, _ = Token.objects.get_or_create(user=agent)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics for the planner after the truncate
    return {"token": token.key, "agent": agent}


def queries_per_call(token: str) -> list[str]:
    """The SQL one POST /api/calls/ runs, captured in this process (not timed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    # One call first: as on the running server, the per-process caches (roles,
    # categories) are warm; the capture shows a call in that steady state.
    client.post("/api/calls/", call_body(6, f"count-{uuid.uuid4().hex[:8]}"), format="json")
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/calls/", call_body(7, f"count-{uuid.uuid4().hex[:8]}"), format="json")
    if response.status_code != 201:
        raise RuntimeError(f"query count: POST /api/calls/ answered {response.status_code}: {response.content[:300]!r}")
    return [query["sql"] for query in captured.captured_queries]


def summarize_sql(sql: str) -> str:
    words = sql.split()
    head = " ".join(words[:2]) if words and words[0] in {"INSERT", "UPDATE", "DELETE"} else words[0] if words else ""
    table = next((w.strip('"') for w in words if w.startswith('"') and "_" in w), "")
    if words and words[0] == "SELECT" and " FROM " in sql:
        table = sql.split(" FROM ", 1)[1].split()[0].strip('"')
    return f"{head} {table}".strip()


# --- raw SQL references ------------------------------------------------------------


def insert_statement(model: Any, instance: Any) -> tuple[str, list[Any], dict[str, int]]:
    """INSERT ... RETURNING id for `instance` with every concrete column, values
    prepared exactly as Django would write them (so new columns are included)."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id"  # noqa: S608 (names from the model)
    return sql, values, {f.name: index for index, f in enumerate(fields)}


def raw_statements(agent: Any) -> dict[str, Any]:
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    from callcenter.models import AccessLog
    from callcenter.phone_numbers import normalize_number
    from inquiries.models import Call, Caller, CallEvent
    from knowledgebase.models import Category

    body = call_body(0, "raw")
    caller = Caller.objects.get(number=normalize_number(body["caller_number"]))
    category = Category.objects.get(slug=body["category"])
    started = parse_datetime(body["started_at"])
    call = Call(
        caller=caller,
        agent=agent,
        category=category,
        summary=body["summary"],
        language=body["language"],
        channel=body["channel"],
        resolution=body["resolution"],
        started_at=started,
        ended_at=started + timedelta(seconds=270),
        satisfaction=body["satisfaction"],
        urgent=False,
        client_request_id="placeholder",
    )
    event = CallEvent(call_id=0, actor=agent, at=timezone.now(), kind=CallEvent.Kind.CREATED, to_value="answered")
    access = AccessLog(user=agent, action=AccessLog.Action.CREATE, subject=caller.subject, source_address="127.0.0.1")
    return {
        "call": insert_statement(Call, call),
        "event": insert_statement(CallEvent, event),
        "access": insert_statement(AccessLog, access),
        "caller_number": caller.number,
    }


def raw_load(statements: dict[str, Any], *, clients: int, requests: int, warmup: int, whole: bool) -> LoadResult:
    import psycopg

    call_sql, call_values, call_index = statements["call"]
    event_sql, event_values, event_index = statements["event"]
    access_sql, access_values, access_index = statements["access"]
    run_id = uuid.uuid4().hex[:8]
    kind = "w" if whole else "r"

    def make_worker():
        conn = psycopg.connect(DATABASE_URL, autocommit=True)

        def insert_row(i: int) -> None:
            values = list(call_values)
            values[call_index["client_request_id"]] = f"raw{kind}-{run_id}-{i}"
            conn.execute(call_sql, values)

        def whole_write(i: int) -> None:
            key = f"raw{kind}-{run_id}-{i}"
            if conn.execute("SELECT 1 FROM inquiries_call WHERE client_request_id = %s", [key]).fetchone():
                return
            with conn.transaction():
                caller_id = conn.execute(
                    "SELECT id FROM inquiries_caller WHERE number = %s", [statements["caller_number"]]
                ).fetchone()[0]
                values = list(call_values)
                values[call_index["client_request_id"]] = key
                values[call_index["caller"]] = caller_id
                call_id = conn.execute(call_sql, values).fetchone()[0]
                event = list(event_values)
                event[event_index["call"]] = call_id
                conn.execute(event_sql, event)
                access = list(access_values)
                access[access_index["target"]] = f"call:{call_id}"
                conn.execute(access_sql, access)

        work = whole_write if whole else insert_row
        work.conn = conn  # type: ignore[attr-defined]
        return work

    return run_workers(
        make_worker, clients=clients, requests=requests, warmup=warmup, close_worker=lambda w: w.conn.close()
    )


# --- the run ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    client_counts = [int(c) for c in args.clients.split(",") if c.strip()]
    scale = 0.25 if args.quick else 1.0
    rounds = max(1, args.rounds)

    def plan(table: dict[int, tuple[int, int]], clients: int) -> tuple[int, int]:
        requests, warmup = table[1] if clients == 1 else table[16]
        return max(clients, int(requests * scale)), max(clients, int(warmup * scale))

    env = bench_env(
        database_url=DATABASE_URL,
        redis_url=REDIS_URL,
        channel_prefix=CHANNEL_PREFIX,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    )
    print(f"database {DATABASE_URL}, channel layer {REDIS_URL} (prefix {CHANNEL_PREFIX}), DEBUG off, {rounds} rounds")
    prepared = prepare(env)
    token = prepared["token"]
    statements = raw_statements(prepared["agent"])
    queries = queries_per_call(token)

    from django.db import connections

    connections.close_all()

    server_env = dict(env)
    server_env["DJANGO_SETTINGS_MODULE"] = "_bare_settings"
    server_env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(BENCH_DIR)])
    whatif_env = {**server_env, "DASAN_BENCH_WHATIF": "1"}
    row_env = {**server_env, "DASAN_BENCH_ROW_BY_ROW": "1"}
    run_id = uuid.uuid4().hex[:8]
    runs: dict[tuple[str, int], list[LoadResult]] = {}
    failed = False

    def keep(name: str, clients: int, result: LoadResult) -> LoadResult:
        nonlocal failed
        runs.setdefault((name, clients), []).append(result)
        if result.errors:
            failed = True
            print(f"  {name} at {clients}: {result.errors} errors, first: {result.first_error}", file=sys.stderr)
        return result

    def post_calls(server_url: str, clients: int, key: str) -> LoadResult:
        requests, warmup = plan(HTTP_PLAN, clients)
        return http_load(
            server_url,
            lambda i: json_request("POST", "/api/calls/", call_body(i, key), token=token),
            clients=clients,
            requests=requests,
            warmup=warmup,
            expect=(201,),
        )

    def post_bare(server_url: str, clients: int) -> LoadResult:
        requests, warmup = plan(HTTP_PLAN, clients)
        return http_load(
            server_url,
            lambda i: json_request("POST", "/bench/bare/", call_body(i, "bare")),
            clients=clients,
            requests=requests,
            warmup=warmup,
        )

    with contextlib.ExitStack() as stack:
        server = stack.enter_context(daphne(server_env))
        whatif = stack.enter_context(daphne(whatif_env)) if args.what_if else None
        by_row = stack.enter_context(daphne(row_env)) if args.row_by_row else None
        print(f"daphne {server.url}: one process, Django's psycopg 3 pool; the bare view is served by the same process")
        if whatif:
            print(f"what-if daphne {whatif.url}: bench/_whatif.py proposal P4 patched in")
        for round_no in range(rounds):
            for clients in client_counts:
                # Request indices restart at 0 for every load: the key keeps ids unique.
                key = f"{run_id}-{round_no}-{clients}"
                # Alternate the order each round so a drift in machine load hits both alike.
                order = ["bare", "calls"] if round_no % 2 == 0 else ["calls", "bare"]
                for case in order:
                    if case == "bare":
                        keep(BARE, clients, post_bare(server.url, clients))
                    else:
                        keep(CALLS, clients, post_calls(server.url, clients, key))
                if whatif:
                    keep(WHATIF, clients, post_calls(whatif.url, clients, key + "-w"))
                if by_row:
                    # Alternating with the one-statement server, so drifting load hits both alike.
                    keep(ROW_BY_ROW, clients, post_calls(by_row.url, clients, key + "-r"))
                raw_requests, raw_warmup = plan(RAW_PLAN, clients)
                for name, whole in ((RAW_ROW, False), (RAW_WHOLE, True)):
                    keep(
                        name,
                        clients,
                        raw_load(statements, clients=clients, requests=raw_requests, warmup=raw_warmup, whole=whole),
                    )

    # Every 201 made exactly one row: nothing lost, nothing doubled.
    from inquiries.models import Call

    logged = Call.objects.filter(client_request_id__startswith=f"bench-{run_id}-").count()
    expected = sum(
        r.statuses.get(201, 0) for (name, _), rs in runs.items() if name in (CALLS, WHATIF, ROW_BY_ROW) for r in rs
    )
    connections.close_all()

    rows = []
    for clients in client_counts:
        bare = merge(runs[(BARE, clients)])
        for name in (BARE, CALLS, ROW_BY_ROW, WHATIF, RAW_ROW, RAW_WHOLE):
            if (name, clients) in runs:
                result = merge(runs[(name, clients)])
                rows.append([*result.row(name), ratio(result.rps, bare.rps)])
    print_table(
        [*LOAD_HEADERS, "req/s vs bare"],
        rows,
        title=f"POST /api/calls/ vs references, same run ({rounds} rounds pooled)",
    )
    print(f"\ncalls logged through the API: {logged} rows for {expected} answers 201")
    if logged != expected:
        failed = True
        print("  MISMATCH between rows and 201 answers", file=sys.stderr)

    print(f"\nqueries per POST /api/calls/ (repeat caller, no FAQ entries): {len(queries)}")
    for sql in queries:
        print(f"  {summarize_sql(sql)}")

    if 16 in client_counts and 1 in client_counts:
        target_rows = []
        for name in (CALLS, ROW_BY_ROW, WHATIF):
            if (name, 1) not in runs:
                continue
            # One ratio per round (both sides measured back to back), then the median.
            rps = [ratio(c.rps, b.rps) for c, b in zip(runs[(name, 16)], runs[(BARE, 16)], strict=True)]
            p95 = [ratio(c.p95_ms, b.p95_ms) for c, b in zip(runs[(name, 1)], runs[(BARE, 1)], strict=True)]
            label = {CALLS: "", ROW_BY_ROW: " (row by row)", WHATIF: " (what-if)"}[name]
            target_rows += [
                [
                    f"16 clients: calls req/s / bare req/s{label}",
                    f"{median(rps):.2f}",
                    " ".join(f"{r:.2f}" for r in rps),
                    f">= {TARGET_RPS_RATIO:.2f}",
                    verdict(median(rps) >= TARGET_RPS_RATIO),
                ],
                [
                    f"1 client: calls p95 / bare p95{label}",
                    f"{median(p95):.2f}",
                    " ".join(f"{r:.2f}" for r in p95),
                    f"< {TARGET_P95_RATIO:.2f}",
                    verdict(median(p95) < TARGET_P95_RATIO),
                ],
            ]
        print_table(["target (issue 2)", "median", "per round", "target", "verdict"], target_rows, title="targets")
    if any(name == ROW_BY_ROW for name, _ in runs):
        gain_rows = []
        for clients in client_counts:
            one, rows_ = runs[(CALLS, clients)], runs[(ROW_BY_ROW, clients)]
            rps = [ratio(a.rps, b.rps) for a, b in zip(one, rows_, strict=True)]
            p95 = [ratio(a.p95_ms, b.p95_ms) for a, b in zip(one, rows_, strict=True)]
            gain_rows.append([clients, f"{median(rps):.2f}", " ".join(f"{r:.2f}" for r in rps), f"{median(p95):.2f}"])
        print_table(
            ["clients", "req/s one statement / row by row (median)", "per round", "p95 one statement / row by row"],
            gain_rows,
            title="callcenter/db.py: the one-statement write against ordinary saves, same run",
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
