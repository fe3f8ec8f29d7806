"""Search latency: p50/p95 of GET /api/kb/search at 2,199 and 100,000 entries, beside an icontains baseline.

The 100,000 entries are a synthetic expansion of the shared corpus: each copy
puts a district name in front of a question and pairs it with another entry's
answer, so the index grows like a real one (the same vocabulary, more entries
per word). Requests go through Django's test client in this process (view,
search, serializer; no network), the baseline runs django-helpdesk's search
(question or answer icontains the query, first 10) on the same data in the same run.

    .venv/bin/python bench/search_latency.py                       # SQLite
    .venv/bin/python bench/search_latency.py --database-url postgres://postgres@127.0.0.1:5432/bench_kb
    .venv/bin/python bench/search_latency.py --sizes 2199 --rounds 3   # quicker
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kb_setup import django_setup, import_corpus, seed_synonyms

QUERIES = [
    "수돗물 수질검사",
    "수도요금이 많이 나왔어요",
    "택시에 가방",
    "무료 변호사 상담",
    "여권 연장",
    "전세",
    "장기전세주택",
    "불꽃축제",
    "따릉이",
    "승화원",
    "핸드폰 분실",
    "가로등 고장",
    "대형폐기물",
    "어린이집",
    "주차",
    "미세먼지",
    "수돗물수질검사",
    "시립승하원",
    "ESCO",
    "자동차세 할인",
]
DISTRICTS = [
    "종로구", "중구", "용산구", "성동구", "광진구", "동대문구", "중랑구", "성북구", "강북구", "도봉구",
    "노원구", "은평구", "서대문구", "마포구", "양천구", "강서구", "구로구", "금천구", "영등포구", "동작구",
    "관악구", "서초구", "강남구", "송파구", "강동구",
]  # fmt: skip


def expand_to(total: int) -> None:
    """Add synthetic entries until there are `total`, in bulk (search columns built once per text)."""
    from django.db import transaction

    from knowledgebase.models import FAQEntry
    from knowledgebase.search import index_entries
    from knowledgebase.search.text import search_column

    base = list(FAQEntry.objects.order_by("id").values("category_id", "question_ko", "answer_ko", "search_body"))
    have = FAQEntry.objects.count()
    n = len(base)
    batch: list[FAQEntry] = []
    made = 0
    with transaction.atomic():
        start_id = (FAQEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        while have + made < total:
            i = have + made
            question_from, answer_from = base[i % n], base[(i * 7 + 3) % n]
            district = DISTRICTS[(i // n) % len(DISTRICTS)]
            question = f"[{district}] {question_from['question_ko']}"[:300]
            batch.append(
                FAQEntry(
                    category_id=question_from["category_id"],
                    status="published",
                    question_ko=question,
                    answer_ko=answer_from["answer_ko"],
                    search_title=search_column(question),
                    search_body=answer_from["search_body"],
                )
            )
            made += 1
            if len(batch) == 5000:
                FAQEntry.objects.bulk_create(batch)
                batch.clear()
        if batch:
            FAQEntry.objects.bulk_create(batch)
        index_entries(FAQEntry.objects.filter(id__gte=start_id).values_list("id", flat=True))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(rounds: int) -> tuple[list[float], list[float], list[float]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Q
    from rest_framework.test import APIClient

    from knowledgebase.models import FAQEntry

    user, _ = get_user_model().objects.get_or_create(username="bench-agent")
    user.groups.add(Group.objects.get_or_create(name="agent")[0])
    client = APIClient()
    client.force_authenticate(user)
    ours, baseline, ours_cpu = [], [], []
    for query in QUERIES:  # warm up caches and connections
        client.get("/api/kb/search", {"q": query})
    for _ in range(rounds):
        for query in QUERIES:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get("/api/kb/search", {"q": query})
            ours.append((time.perf_counter() - started) * 1000)
            ours_cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, response.content[:300]
            started = time.perf_counter()
            list(
                FAQEntry.objects.filter(status="published")
                .filter(Q(question_ko__icontains=query) | Q(answer_ko__icontains=query))
                .values("id", "question_ko", "answer_ko")[:10]
            )
            baseline.append((time.perf_counter() - started) * 1000)
    return ours, baseline, ours_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL of a bench-only database (dropped and re-created)")
    parser.add_argument("--sizes", default="2199,100000", help="entry counts to measure at (comma separated)")
    parser.add_argument("--rounds", type=int, default=10, help="passes over the query list per size")
    args = parser.parse_args()
    django_setup(args.database_url)
    from django.db import connection

    import_seconds = import_corpus()
    seed_synonyms()
    print(f"Search latency ({connection.vendor}), {len(QUERIES)} queries x {args.rounds} rounds per size")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine load average at start (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    print(f"corpus import (2,199 entries through the service layer): {import_seconds:.1f} s")
    print()
    header = ["ours p50", "ours p95", "icontains p50", "icontains p95", "p95 ratio"]
    print(f"{'entries':>9} {header[0]:>9} {header[1]:>9} {header[2]:>14} {header[3]:>14} {header[4]:>10}")
    for size in sorted(int(value) for value in args.sizes.split(",")):
        started = time.perf_counter()
        expand_to(size)
        grow = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE knowledgebase_faqentry")
        ours, baseline, ours_cpu = measure(args.rounds)
        o50, o95 = percentile(ours, 0.5), percentile(ours, 0.95)
        b50, b95 = percentile(baseline, 0.5), percentile(baseline, 0.95)
        print(
            f"{size:>9,} {o50:>7.1f}ms {o95:>7.1f}ms {b50:>12.1f}ms {b95:>12.1f}ms {b95 / o95:>9.1f}x"
            + (f"   (grown in {grow:.0f} s)" if grow > 1 else "")
        )
        slowest = max(zip(ours, QUERIES * args.rounds, strict=True))
        print(f"{'':>9} slowest of ours: {slowest[0]:.1f} ms ({slowest[1]}); mean {statistics.mean(ours):.1f} ms")
        # CPU time of this process per request: what a search costs on an idle core (with SQLite it includes
        # the database's work; PostgreSQL's runs in its own process and is not counted).
        print(
            f"{'':>9} CPU of this process per search: p50 {percentile(ours_cpu, 0.5):.1f} ms, "
            f"p95 {percentile(ours_cpu, 0.95):.1f} ms"
        )


if __name__ == "__main__":
    main()
