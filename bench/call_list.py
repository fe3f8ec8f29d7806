"""The call record's list (/calls/) at 1M calls: p95 of one page with each filter.

    .venv/bin/python bench/call_list.py                     # 1,000,000 calls (PostgreSQL)
    .venv/bin/python bench/call_list.py --calls 200000 --repeats 20

Fills its own database (dasan_bench_call_list) with synthetic calls spread over
two years, the way bench/wallboard.py fills its queue history (one INSERT ...
SELECT over generate_series), then requests one page of /calls/ as a supervisor
through Django's test client (the view, the filters' validation, the query and
the template; no network) for each filter, `repeats` times. Baseline in the same
run: the same unfiltered page counted with Django's Paginator (COUNT(*) of every
match), which the view does not do.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _common import DEFAULT_DATABASE_HOST, bench_env, django_setup, ensure_database, manage, percentile, print_table

DATABASE_URL = f"{DEFAULT_DATABASE_HOST}/dasan_bench_call_list"
AGENTS = 40
SUMMARIES = [
    "수돗물 녹물 문의",
    "버스 배차 간격 불편",
    "지하철 분실물 문의",
    "주정차 단속 이의",
    "쓰레기 수거 요일 안내",
    "단수 예정 안내 요청",
    "전세 사기 피해 상담",
    "미세먼지 저감 조치 문의",
    "도로 파손 신고",
    "복지 급여 신청 방법",
]


def fill_calls(cursor, *, total: int, agent_ids: list[int], category_ids: list[int]) -> None:
    """`total` calls over the two years before now: one caller per ten calls, an
    agent and a category in turn, 5% callback_needed, 3% walk-ins without a
    number, 5% English, 2% urgent, one in a thousand mentions 침수 in its notes."""
    callers = max(1, total // 10)
    cursor.execute(
        "INSERT INTO inquiries_caller (number, first_contact_at) "
        "SELECT '010' || lpad(g::text, 8, '0'), now() - interval '730 days' FROM generate_series(1, %s::int) g",
        [callers],
    )
    cursor.execute("SELECT min(id) FROM inquiries_caller")
    first_caller = cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO inquiries_call (caller_id, number_status, agent_id, language, channel, category_id, summary,
            notes, resolution, started_at, ended_at, satisfaction, urgent, vulnerable, client_request_id,
            request_fingerprint, phone_call_id, created_at, updated_at)
        SELECT CASE WHEN g %% 33 = 0 THEN NULL ELSE %s + g %% %s END,
               CASE WHEN g %% 33 = 0 THEN 'none' ELSE 'known' END,
               (%s::int[])[1 + g %% %s],
               CASE WHEN g %% 20 = 3 THEN 'en' ELSE 'ko' END,
               CASE WHEN g %% 33 = 0 THEN 'visit' ELSE 'phone' END,
               (%s::int[])[1 + g %% %s],
               (%s::text[])[1 + g %% 10] || ' ' || g,
               CASE WHEN g %% 1000 = 7 THEN '지하 침수 피해' ELSE '' END,
               CASE WHEN g %% 20 = 5 THEN 'callback_needed' ELSE 'answered' END,
               t, t + interval '200 s', NULL, g %% 50 = 9, '', NULL, '', '', t, t
        FROM (SELECT g, now() - (g::float / %s * 730) * interval '1 day' AS t FROM generate_series(1, %s::int) g) s
        """,
        [
            first_caller,
            callers,
            agent_ids,
            len(agent_ids),
            category_ids,
            len(category_ids),
            SUMMARIES,
            total,
            total,
        ],
    )
    cursor.execute("ANALYZE inquiries_caller")
    cursor.execute("ANALYZE inquiries_call")


def flags_ensure(total: int) -> None:
    """One call in 10,000 flagged as abusive (a kind in turn), through a queue call of its own
    (a flag is the queue call's): added once, also to a database filled before flags existed."""
    from django.db.models import Max

    from floor.models import AbuseFlag, QueueCall
    from inquiries.models import Call

    if AbuseFlag.objects.exists():
        return
    top = Call.objects.aggregate(top=Max("id"))["top"] or 0
    calls = list(Call.objects.filter(id__in=range(1, top + 1, 10_000)).select_related("caller"))
    kinds = list(AbuseFlag.Kind.values)
    queue_calls = QueueCall.objects.bulk_create(
        QueueCall(
            call_id=f"bench-flag-{call.pk}",
            caller_number=call.caller.number if call.caller else "",
            status=QueueCall.Status.ENDED,
            offered_at=call.started_at,
            agent_id=call.agent_id,
        )
        for call in calls
    )
    AbuseFlag.objects.bulk_create(
        AbuseFlag(call=queue, caller_number=queue.caller_number, agent_id=queue.agent_id, kind=kinds[n % len(kinds)])
        for n, queue in enumerate(queue_calls)
    )
    for call, queue in zip(calls, queue_calls, strict=True):
        Call.objects.filter(pk=call.pk).update(phone_call_id=queue.call_id)
    print(f"flagged {len(calls)} of {total:,} calls as abusive", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="drop and fill the database even when it has the calls")
    args = parser.parse_args()

    env = bench_env(database_url=DATABASE_URL, channel_prefix="bench_call_list", debug=False)
    ensure_database(DATABASE_URL, recreate=args.fresh)
    manage("migrate", "--noinput", env=env)
    django_setup(env)
    from django.test.utils import override_settings

    # The page's {% static %} links without collected, hashed files: the template's cost is the same.
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from inquiries import selectors
    from inquiries.models import Call
    from knowledgebase.models import Category

    User = get_user_model()
    categories = list(Category.objects.values_list("pk", flat=True))
    if Call.objects.count() == args.calls and User.objects.filter(username="bench_supervisor").exists():
        print(f"reusing the {args.calls:,} calls already there (--fresh fills anew)", flush=True)
        supervisor = User.objects.get(username="bench_supervisor")
    else:
        if Call.objects.exists():  # another size: start from an empty database
            connection.close()
            ensure_database(DATABASE_URL, recreate=True)
            manage("migrate", "--noinput", env=env)
            categories = list(Category.objects.values_list("pk", flat=True))
        agents = []
        for n in range(AGENTS):
            user = User.objects.create_user(username=f"bench_agent{n}", password="x")
            user.groups.add(Group.objects.get(name="agent"))
            agents.append(user)
        supervisor = User.objects.create_user(username="bench_supervisor", password="x")
        supervisor.groups.add(Group.objects.get(name="supervisor"))
        started = time.perf_counter()
        with connection.cursor() as cursor:
            fill_calls(cursor, total=args.calls, agent_ids=[a.pk for a in agents], category_ids=categories)
        print(f"filled {args.calls:,} calls in {time.perf_counter() - started:.0f} s", flush=True)

    flags_ensure(args.calls)

    today = timezone.localdate()
    yesterday = today - timezone.timedelta(days=1)
    slug = Category.objects.get(pk=categories[2]).slug
    cases = [
        ("no filter", {}),
        ("date: one day (yesterday)", {"date_from": yesterday.isoformat(), "date_to": yesterday.isoformat()}),
        (
            "date: a year ago, one day",
            {
                "date_from": (today - timezone.timedelta(days=365)).isoformat(),
                "date_to": (today - timezone.timedelta(days=365)).isoformat(),
            },
        ),
        ("shift: 19:00-08:00 yesterday", {"started_from": f"{yesterday}T19:00", "started_to": f"{today}T08:00"}),
        ("agent", {"agent": "bench_agent7"}),
        ("category", {"category": slug}),
        ("resolution: callback_needed (5%)", {"resolution": "callback_needed"}),
        ("channel: visit (3%)", {"channel": "visit"}),
        ("language: en (5%)", {"language": "en"}),
        ("urgent (2%)", {"urgent": "true"}),
        ("text: 단수 (10%)", {"q": "단수"}),
        ("text: 침수 (0.1%, in notes)", {"q": "침수"}),
        ("text: no match", {"q": "없는말"}),
        ("flagged: any (0.01%)", {"flagged": "any"}),
        ("flagged: threat (0.0025%)", {"flagged": "threat"}),
        (
            "text: no match, last 30 days",
            {"q": "없는말", "date_from": (today - timezone.timedelta(days=30)).isoformat()},
        ),
        (
            "agent + category + 30 days",
            {"agent": "bench_agent7", "category": slug, "date_from": (today - timezone.timedelta(days=30)).isoformat()},
        ),
        ("page 20, no filter", {"page": "20"}),
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(supervisor)

    def timed(fn) -> list[float]:
        fn()  # warm-up
        times = []
        for _ in range(args.repeats):
            begun = time.perf_counter()
            fn()
            times.append((time.perf_counter() - begun) * 1000)
        return times

    rows = []
    baseline = timed(lambda: Paginator(selectors.call_list(user=supervisor), 50).get_page(1).object_list.__len__())
    base_p95 = percentile(baseline, 95)
    for name, params in cases:

        def page(params=params):
            response = client.get("/calls/", params)
            assert response.status_code == 200, response.status_code

        times = timed(page)
        rows.append(
            [
                name,
                round(statistics.median(times), 1),
                round(percentile(times, 95), 1),
                round(percentile(times, 95) / base_p95, 2),
            ]
        )
    rows.append(
        [
            "baseline: Paginator with COUNT(*), no filter (selector only)",
            round(statistics.median(baseline), 1),
            round(base_p95, 1),
            1.0,
        ]
    )
    print_table(
        ["case", "median ms", "p95 ms", "p95 / baseline"],
        rows,
        title=f"/calls/ one page of 50 as a supervisor, {args.calls:,} calls, PostgreSQL, {args.repeats} requests each",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
