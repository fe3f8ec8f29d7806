"""Reports at 1M calls: p95 of a 31-day report, beside a plain ORM aggregate, SQLite and PostgreSQL.

    .venv/bin/python bench/reports.py                          # 1,000,000 calls, both databases
    .venv/bin/python bench/reports.py --calls 200000 --repeats 10 --databases postgresql

Fills its own database on each (var/bench_reports.sqlite3, dasan_bench_reports)
with the wallboard's history generator (bench/_history.py: 5,000 queue calls
today, the rest over the two years before, about 1,370 a day), then gives the
answered ones an agent (40 in turn) and a logged call (5% callback_needed, 4%
referred, a rating on every fourth), a referral to each referred call and a
follow-up to every other referral. Reused on the next run when it holds that
many calls.

Timed in the same run, `repeats` times each, after one warm-up:
  report      reports.selectors.report_build: the page's and the exports' report
              of the last 31 operating days, by day (and by every other
              dimension, a third as many times): eight grouped queries;
  plain ORM   the same figures per day as a plain ORM aggregate gets them: for
              each of the 31 days, floor.stats.queue_figures and satisfaction
              (the wallboard's functions) and three counts (155 queries).
Both read the same indexes, the report's covering ones included (report_*);
then both again with those dropped, to see what they buy. The two ways are
checked to give the same numbers.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    DEFAULT_DATABASE_HOST,
    ROOT,
    bench_env,
    django_setup,
    ensure_database,
    manage,
    percentile,
    print_table,
)
from _history import queue_history_fill

DATABASE_URLS = {
    "postgresql": f"{DEFAULT_DATABASE_HOST}/dasan_bench_reports",
    "sqlite": f"sqlite:///{ROOT / 'var' / 'bench_reports.sqlite3'}",
}
AGENTS = 40
DAYS = 31

CALLS_SQL = """
    INSERT INTO inquiries_call (caller_id, number_status, agent_id, language, channel, category_id, summary, notes,
        resolution, started_at, ended_at, satisfaction, urgent, vulnerable, client_request_id, request_fingerprint,
        phone_call_id, created_at, updated_at)
    SELECT NULL, 'none', agent_id, language, 'phone', category_id, 'bench', '',
           CASE WHEN id %% 20 = 5 THEN 'callback_needed' WHEN id %% 25 = 7 THEN 'referred' ELSE 'answered' END,
           offered_at, ended_at, CASE WHEN id %% 4 = 0 THEN 1 + id %% 5 END, false, '', NULL, '',
           call_id, offered_at, offered_at
    FROM inquiries_queuecall WHERE answered_at IS NOT NULL
"""
REFERRALS_SQL = """
    INSERT INTO referrals_referral (source, call_id, service_id, reason, priority, vulnerable, contact_number,
        contact_name, contact_email, consent, callback_preference, status, created_at, updated_at, outcome,
        decline_reason, address_string, token, incident_number, transferred_to, contact_phone_text)
    SELECT 'call', id, %s, 'bench', 'normal', false, '', '', '', true, '', 'new', started_at, started_at, '',
           '', '', {token}, '', '', ''
    FROM inquiries_call WHERE resolution = 'referred'
"""
FOLLOWUPS_SQL = """
    INSERT INTO referrals_followup (referral_id, reason, agent_id, due_at, status, outcome, note, created_at)
    SELECT r.id, '', c.agent_id, r.created_at, 'due', '', '', r.created_at
    FROM referrals_referral r JOIN inquiries_call c ON c.id = r.call_id WHERE r.id %% 2 = 0
"""


def fill(total: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from referrals.models import Service

    vendor = connection.vendor
    User = get_user_model()
    agents = []
    for n in range(AGENTS):
        user = User.objects.create_user(username=f"bench_agent{n}", password="x", first_name=f"상담원{n:02d}")
        user.groups.add(Group.objects.get(name="agent"))
        agents.append(user.pk)
    service = Service.objects.create(slug="bench-legal", name_ko="무료법률상담", name_en="Legal counsel")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        queue_history_fill(cursor, total=total, today=5_000, vendor=vendor)
        # the answered calls' agents in turn, one call in twenty in English
        cases = " ".join(f"WHEN {i} THEN {pk}" for i, pk in enumerate(agents))
        cursor.execute(
            f"UPDATE inquiries_queuecall SET agent_id = CASE id %% {AGENTS} {cases} END, "  # noqa: S608 (our numbers)
            "language = CASE WHEN id %% 20 = 3 THEN 'en' ELSE 'ko' END WHERE answered_at IS NOT NULL",
            [],
        )
        cursor.execute(CALLS_SQL, [])
        token = "gen_random_uuid()" if vendor == "postgresql" else "lower(hex(randomblob(16)))"
        cursor.execute(REFERRALS_SQL.format(token=token), [service.pk])
        cursor.execute(FOLLOWUPS_SQL, [])
        cursor.execute("ANALYZE" if vendor == "sqlite" else "VACUUM ANALYZE")
    print(f"filled {total:,} queue calls and their logged calls in {time.perf_counter() - started:.0f} s", flush=True)


def plain_orm_report(query) -> list[dict]:
    """The same figures per operating day, the way a plain ORM aggregate gets them."""
    from django.db.models import Count

    from callcenter.workdays import operating_day_window
    from floor import stats
    from inquiries.models import Call
    from referrals.models import FollowUp, Referral

    rows = []
    day = query.date_from
    while day <= query.date_to:
        start, end = operating_day_window(day)
        rows.append(
            {
                **stats.queue_figures(start, end),
                "satisfaction": stats.satisfaction(start, end),
                "logged": Call.objects.filter(started_at__gte=start, started_at__lt=end).aggregate(n=Count("id"))["n"],
                "referrals": Referral.objects.filter(source="call", created_at__gte=start, created_at__lt=end).count(),
                "followups": FollowUp.objects.filter(
                    referral__source="call", created_at__gte=start, created_at__lt=end
                ).count(),
            }
        )
        day += timedelta(days=1)
    return rows


def timed(fn, repeats: int) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        fn()
        times.append((time.perf_counter() - begun) * 1000)
    return times


def measure(database: str, total: int, repeats: int, fresh: bool) -> None:
    url = DATABASE_URLS[database]
    env = bench_env(database_url=url, channel_prefix="bench_reports")
    if database == "postgresql":
        ensure_database(url, recreate=fresh)
    elif fresh:
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    manage("migrate", "--noinput", env=env)
    django_setup(env)
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from callcenter.workdays import operating_day
    from floor.models import QueueCall
    from inquiries.models import Call
    from reports.selectors import DIMENSIONS, ReportQuery, report_build

    complete = get_user_model().objects.filter(username=f"bench_agent{AGENTS - 1}").exists() and Call.objects.exists()
    if QueueCall.objects.count() != total or not complete:
        if QueueCall.objects.exists():
            raise SystemExit(f"{database}: the bench database holds another size or a broken fill: run with --fresh")
        fill(total)
    else:
        print(f"{database}: reusing the {total:,} calls already there (--fresh fills anew)", flush=True)
    logged = Call.objects.count()
    today = operating_day(timezone.now())
    query = ReportQuery(date_from=today - timedelta(days=DAYS - 1), date_to=today, by="day")
    start, end = query.window
    in_range = QueueCall.objects.filter(offered_at__gte=start, offered_at__lt=end).count()

    rows = []
    report_times = timed(lambda: report_build(query=query), repeats)
    rows.append(["report, by day", round(statistics.median(report_times), 1), round(percentile(report_times, 95), 1)])
    for by in DIMENSIONS[1:]:
        other = ReportQuery(date_from=query.date_from, date_to=query.date_to, by=by)
        times = timed(lambda other=other: report_build(query=other), max(3, repeats // 3))
        rows.append([f"report, by {by}", round(statistics.median(times), 1), round(percentile(times, 95), 1)])
    # the same figures are the same numbers both ways
    served = report_build(query=query)
    plain = plain_orm_report(query)
    assert [row["offered"] for row in served.rows] == [row["offered"] for row in plain], "the two ways disagree"
    for name in ("logged", "service_level", "asa_seconds", "satisfaction", "referrals", "followups"):
        assert [row[name] for row in served.rows] == [row[name] for row in plain], f"the two ways disagree: {name}"

    plain_times = timed(lambda: plain_orm_report(query), repeats)
    # the same report without the report's covering indexes (reports' report_* indexes), to see what they buy
    indexes = [
        (model, index)
        for model in apps.get_models()
        for index in model._meta.indexes
        if index.name and index.name.startswith("report_")
    ]
    with connection.schema_editor() as editor:
        for model, index in indexes:
            editor.remove_index(model, index)
    try:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        bare_times = timed(lambda: report_build(query=query), max(3, repeats // 3))
        bare_plain_times = timed(lambda: plain_orm_report(query), max(3, repeats // 3))
    finally:
        with connection.schema_editor() as editor:
            for model, index in indexes:
                editor.add_index(model, index)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rows.append(
        [
            f"plain ORM aggregate, day by day ({DAYS} days x 5 queries)",
            round(statistics.median(plain_times), 1),
            round(percentile(plain_times, 95), 1),
        ]
    )
    for name, times in (
        ("report, by day, without the report indexes", bare_times),
        ("plain ORM aggregate, day by day, without the report indexes", bare_plain_times),
    ):
        rows.append([name, round(statistics.median(times), 1), round(percentile(times, 95), 1)])
    base = percentile(plain_times, 95)
    for row in rows:
        row.append(round(row[2] / base, 2))
    print_table(
        ["case", "median ms", "p95 ms", "p95 / plain ORM"],
        rows,
        title=(
            f"{database}: a {DAYS}-day report, {total:,} queue calls ({logged:,} logged), "
            f"{in_range:,} of them in the range, {repeats} runs ({max(3, repeats // 3)} for the other dimensions)"
        ),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--fresh", action="store_true", help="drop and fill the databases anew")
    parser.add_argument("--only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        measure(args.only, args.calls, args.repeats, args.fresh)
        return 0
    for database in args.databases.split(","):
        # each database in a process of its own: Django is configured once per process
        command = [sys.executable, __file__, "--only", database, "--calls", str(args.calls)]
        command += ["--repeats", str(args.repeats), *(["--fresh"] if args.fresh else [])]
        subprocess.run(command, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
