"""Search latency: p50/p95 of GET /api/kb/search at 2,199 and 100,000 entries, hybrid (words and
meaning, the query embedded in each request) beside words only and an icontains baseline.

The 100,000 entries are a synthetic expansion of the shared corpus: each copy
puts a district name in front of a question and pairs it with another entry's
answer, so the index grows like a real one (the same vocabulary, more entries
per word). Requests go through Django's test client in this process (view,
search, serializer; no network), the baseline runs django-helpdesk's search
(question or answer icontains the query, first 10) on the same data in the same run.

Vectors: the corpus's own are embedded (cached in var/bench-vectors.npz by
bench/search_quality.py); a synthetic entry gets the vector of the entry its question
copies, slightly moved, so the matrix has 100,000 distinct rows (the search costs the
same whatever they hold). Embedding itself is timed on a sample and projected.
The per-process matrix is compared with an ANN index (usearch, when installed:
`pip install usearch`) on the same vectors.

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
# Callers' questions in English, Chinese and Japanese: searched by meaning and, carried into Korean
# by the glossary, by words (two word passes). Written for this bench, not from the quality sets.
FOREIGN_QUERIES = [
    "how can I get a parking permit for residents",
    "where do I report a broken street light",
    "free legal advice for tenants",
    "公共自行车怎么租",
    "护照在哪里办理",
    "垃圾分类怎么扔",
    "粗大ごみの出し方を教えてください",
    "保育園に入るにはどうすればいいですか",
]
DISTRICTS = [
    "종로구", "중구", "용산구", "성동구", "광진구", "동대문구", "중랑구", "성북구", "강북구", "도봉구",
    "노원구", "은평구", "서대문구", "마포구", "양천구", "강서구", "구로구", "금천구", "영등포구", "동작구",
    "관악구", "서초구", "강남구", "송파구", "강동구",
]  # fmt: skip


def expand_to(total: int, model=None) -> None:
    """Add synthetic entries until there are `total`, in bulk (search columns built once per text)."""
    from django.db import transaction

    from knowledgebase.models import FAQEntry
    from knowledgebase.search import index_entries
    from knowledgebase.search.text import search_column

    base = list(FAQEntry.objects.order_by("id").values("id", "category_id", "question_ko", "answer_ko", "search_body"))
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
    copy_vectors(start_id, base_ids=[row["id"] for row in base], embedder=model)


def copy_vectors(start_id: int, base_ids: list[int], embedder=None) -> None:
    """Each new synthetic entry gets the vector of the entry its question copies, moved a little."""
    import numpy
    from django.db import transaction

    from knowledgebase.models import FAQEntry, FAQVector
    from knowledgebase.search.embedder import get_embedder
    from knowledgebase.search.vectors import _bump_version, to_bytes

    embedder = embedder or get_embedder()  # the model, even when the last measurement was words only
    if embedder is None:
        return
    source = {
        entry_id: numpy.frombuffer(bytes(blob), dtype="<f4")
        for entry_id, blob in FAQVector.objects.filter(phrasing=None, language="ko", model=embedder.name).values_list(
            "entry_id", "vector"
        )
        if blob
    }
    rng = numpy.random.default_rng(7)
    new_ids = list(FAQEntry.objects.filter(id__gte=start_id).order_by("id").values_list("id", flat=True))
    have = len(base_ids)
    with transaction.atomic():
        version = _bump_version()
        rows = []
        for offset, entry_id in enumerate(new_ids):
            origin = source.get(base_ids[(have + offset) % have])
            if origin is None:
                continue
            vector = origin + rng.normal(0, 0.01, origin.shape).astype("f4")
            vector /= numpy.linalg.norm(vector)
            rows.append(
                FAQVector(
                    entry_id=entry_id, language="ko", model=embedder.name, text_hash="synthetic",
                    vector=to_bytes(vector), version=version,
                )
            )  # fmt: skip
            if len(rows) == 5000:
                FAQVector.objects.bulk_create(rows)
                rows.clear()
        FAQVector.objects.bulk_create(rows)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(rounds: int, embedder, queries: list[str] = QUERIES) -> tuple[list[float], list[float], list[float]]:
    """(request ms, icontains ms, CPU ms) with the given embedder in this process (None: words only)."""
    from knowledgebase.search import embedder as kb_embedder

    kb_embedder.set_embedder(embedder)
    return _measure(rounds, queries)


def _measure(rounds: int, queries: list[str]) -> tuple[list[float], list[float], list[float]]:
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
    for query in queries:  # warm up caches and connections
        client.get("/api/kb/search", {"q": query})
    for _ in range(rounds):
        for query in queries:
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
    from search_quality import semantic_setup

    model, embed_seconds, embedded_now = semantic_setup()
    print(f"Search latency ({connection.vendor}), {len(QUERIES)} queries x {args.rounds} rounds per size")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine load average at start (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    print(f"corpus import (2,199 entries through the service layer): {import_seconds:.1f} s")
    print()
    print(embedding_costs(model, embed_seconds, embedded_now))
    print()
    header = ["p50", "p95", "words p50", "words p95", "icontains p95", "hybrid/words p95"]
    print(f"{'entries':>9} {'hybrid ' + header[0]:>12} {'hybrid ' + header[1]:>12} {header[2]:>10} {header[3]:>10} "
          f"{header[4]:>14} {header[5]:>17}")  # fmt: skip
    for size in sorted(int(value) for value in args.sizes.split(",")):
        started = time.perf_counter()
        expand_to(size, model)
        grow = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE knowledgebase_faqentry")
                cursor.execute("ANALYZE knowledgebase_faqvector")
        load_ms, matrix_mb, rss_mb = matrix_load(model)
        hybrid, baseline, hybrid_cpu = measure(args.rounds, model)
        words, _baseline, words_cpu = measure(args.rounds, None)
        h50, h95 = percentile(hybrid, 0.5), percentile(hybrid, 0.95)
        w50, w95 = percentile(words, 0.5), percentile(words, 0.95)
        b95 = percentile(baseline, 0.95)
        print(
            f"{size:>9,} {h50:>10.1f}ms {h95:>10.1f}ms {w50:>8.1f}ms {w95:>8.1f}ms {b95:>12.1f}ms {h95 / w95:>16.2f}x"
            + (f"   (grown in {grow:.0f} s)" if grow > 1 else "")
        )
        slowest = max(zip(hybrid, QUERIES * args.rounds, strict=True))
        print(f"{'':>9} slowest hybrid: {slowest[0]:.1f} ms ({slowest[1]}); mean {statistics.mean(hybrid):.1f} ms")
        # CPU time of this process per request: what a search costs on an idle core (with SQLite it includes
        # the database's work; PostgreSQL's runs in its own process and is not counted).
        print(
            f"{'':>9} CPU of this process per search: hybrid p50 {percentile(hybrid_cpu, 0.5):.1f} ms, "
            f"p95 {percentile(hybrid_cpu, 0.95):.1f} ms; words p50 {percentile(words_cpu, 0.5):.1f} ms, "
            f"p95 {percentile(words_cpu, 0.95):.1f} ms"
        )
        print(
            f"{'':>9} vectors: matrix {matrix_mb:.0f} MB in this process (RSS {rss_mb:.0f} MB), "
            f"loaded from the database in {load_ms:.0f} ms (a process's first search)"
        )
        print(f"{'':>9} {ann_comparison(model)}")
        foreign, _baseline, _cpu = measure(args.rounds, model, FOREIGN_QUERIES)
        foreign_words, _baseline, _cpu = measure(args.rounds, None, FOREIGN_QUERIES)
        print(
            f"{'':>9} {len(FOREIGN_QUERIES)} English, Chinese and Japanese questions (carried into Korean by the "
            f"glossary): hybrid p50 {percentile(foreign, 0.5):.1f} ms, p95 {percentile(foreign, 0.95):.1f} ms; "
            f"words p50 {percentile(foreign_words, 0.5):.1f} ms, p95 {percentile(foreign_words, 0.95):.1f} ms"
        )


def embedding_costs(model, embed_seconds: float, embedded_now: int) -> str:
    """Time to embed one entry (a measured sample), projected to the corpus and to 100,000."""
    from knowledgebase.models import FAQEntry
    from knowledgebase.search.vectors import passage_text

    sample = [passage_text(entry, "ko") for entry in FAQEntry.objects.order_by("?")[:40]]
    started = time.perf_counter()
    model.model.embed_passages(sample)
    per_entry = (time.perf_counter() - started) / len(sample)
    query_ms = []
    for query in QUERIES:
        started = time.perf_counter()
        model.embed_query(query)
        query_ms.append((time.perf_counter() - started) * 1000)
    return (
        f"embedding: {per_entry * 1000:.0f} ms an entry (sample of {len(sample)}), so the corpus (2,199) "
        f"~{per_entry * 2199 / 60:.1f} min and 100,000 ~{per_entry * 100000 / 3600:.1f} h on one process; "
        f"a query p50 {percentile(query_ms, 0.5):.1f} ms, p95 {percentile(query_ms, 0.95):.1f} ms "
        f"(this run embedded {embedded_now} passages in {embed_seconds:.0f} s, the rest from the cache)"
    )


def matrix_load(model) -> tuple[float, float, float]:
    """A fresh process's matrix: (load ms, its MB, this process's peak RSS MB)."""
    import resource

    from knowledgebase.search import vectors

    vectors.forget_vector_index()
    started = time.perf_counter()
    index = vectors.vector_index(model)
    load_ms = (time.perf_counter() - started) * 1000
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return load_ms, index.nbytes / 1e6, rss_mb


def ann_comparison(model) -> str:
    """The per-process matrix against an HNSW index (usearch) on the same vectors: build and query time."""
    import numpy

    from knowledgebase.search import vectors

    index = vectors.vector_index(model)
    matrix = index.matrix[: index.size]
    queries = [model.embed_query(query) for query in QUERIES]
    timings = []
    for query in queries * 5:
        started = time.perf_counter()
        scores = matrix @ query
        numpy.argpartition(-scores, 120)[:120]
        timings.append((time.perf_counter() - started) * 1000)
    line = f"nearest 120 of {index.size:,} vectors: numpy matrix p50 {percentile(timings, 0.5):.2f} ms"
    try:
        from usearch.index import Index
    except ImportError:
        return line + " (usearch not installed: no ANN comparison)"
    started = time.perf_counter()
    ann = Index(ndim=matrix.shape[1], metric="cos", dtype="f32")
    ann.add(numpy.arange(len(matrix)), matrix)
    build = time.perf_counter() - started
    timings, recall = [], []
    for query in queries * 5:
        started = time.perf_counter()
        found = ann.search(query, 120)
        timings.append((time.perf_counter() - started) * 1000)
        exact = set(numpy.argpartition(-(matrix @ query), 120)[:120].tolist())
        recall.append(len(exact & set(found.keys.tolist())) / 120)
    return (
        line + f"; usearch HNSW p50 {percentile(timings, 0.5):.2f} ms, recall {statistics.mean(recall):.2f}, "
        f"built in {build:.1f} s per process"
    )


if __name__ == "__main__":
    main()
