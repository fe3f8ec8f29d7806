"""Search quality over the shared 120 FAQ corpus: recall@5 and MRR, ours vs two baselines, in one run.

Queries are written the way callers speak (colloquial, particles and endings,
spacing variants, synonyms, typos, Latin words); each names the entry (or the
duplicate entries) that answers it. Baselines on the same data:
  plain substring  - the whole query as a substring of question or answer
                     (django-helpdesk's icontains search), title hits first;
  token substring  - each space-separated word as a substring, ranked by how
                     many words hit (title hits count double).

    .venv/bin/python bench/search_quality.py [--database-url postgres://.../bench_kb] [--misses]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kb_setup import django_setup, import_corpus, seed_synonyms

# (kind, query, acceptable external ids)
QUERIES: list[tuple[str, str, set[str]]] = [
    # colloquial: how callers say it
    ("colloquial", "수돗물 검사 받고 싶어요", {"ds120-281"}),
    ("colloquial", "수도요금이 너무 많이 나왔어요", {"ds120-284"}),
    ("colloquial", "이사 가는데 수도요금 정산", {"ds120-283"}),
    ("colloquial", "택시에 가방을 두고 내렸어요", {"ds120-279"}),
    ("colloquial", "변호사 무료 상담 받을 수 있나요", {"ds120-268"}),
    ("colloquial", "여권 연장 구청에서 되나요", {"ds120-262"}),
    ("colloquial", "자동차세 미리 내면 할인", {"ds120-261"}),
    ("colloquial", "전월세 사기 안 당하려면", {"ds120-263"}),
    ("colloquial", "밤에 민원서류 뗄 수 있나요", {"ds120-265"}),
    ("colloquial", "아이 장난감 빌리는 곳", {"ds120-272"}),
    ("colloquial", "아이 맡길 곳이 급해요", {"ds120-290", "ds120-274"}),
    ("colloquial", "자동차 명의이전 어떻게 해요", {"ds120-277"}),
    ("colloquial", "오토바이 등록하려면", {"ds120-278"}),
    ("colloquial", "유기견 입양하고 싶어요", {"ds120-282"}),
    ("colloquial", "길 잃은 강아지 신고", {"ds120-285"}),
    ("colloquial", "버스전용차로 단속 이의신청", {"ds120-286"}),
    ("colloquial", "하수구 냄새가 나요", {"ds120-289"}),
    ("colloquial", "중앙분리대가 부서졌어요", {"ds120-291"}),
    ("colloquial", "장애인 콜택시 이용 방법", {"ds120-292"}),
    ("colloquial", "택시 불친절 신고하면 어떻게 처리돼요", {"ds120-293"}),
    ("colloquial", "담배꽁초 버리는 사람 신고", {"ds120-294"}),
    ("colloquial", "금연클리닉 어디서 해요", {"ds120-296"}),
    ("colloquial", "노후 경유차 폐차 지원금", {"ds120-301"}),
    ("colloquial", "가로등이 고장났어요", {"ds120-302"}),
    ("colloquial", "공사장 소음 때문에 잠을 못 자요", {"ds120-304"}),
    ("colloquial", "치매 검사 무료로", {"ds120-305"}),
    ("colloquial", "냉장고 버리려면 어떻게 해요", {"ds120-306"}),
    ("colloquial", "거주자 우선 주차", {"ds120-307"}),
    ("colloquial", "미세먼지 심할 때 어떻게 해야 돼요", {"ds120-357"}),
    ("colloquial", "잠실야구장 예매", {"ds120-1999", "ds120-259"}),
    ("colloquial", "캠핑장 가고 싶은데", {"ds120-258"}),
    ("colloquial", "시티투어버스 타려면", {"ds120-264"}),
    ("colloquial", "한약 찌꺼기 버리는 법", {"ds120-298"}),
    ("colloquial", "주말부부 혼인신고", {"ds120-256"}),
    ("colloquial", "어린이집 종류 차이가 뭐예요", {"ds120-1323"}),
    # particles and endings
    ("particles", "수돗물이 수질검사를", {"ds120-281"}),
    ("particles", "승화원은 어떻게 이용하나요", {"ds120-300"}),
    ("particles", "따릉이를 타고 출퇴근", {"ds120-299"}),
    ("particles", "에코마일리지가 뭔가요", {"ds120-271"}),
    ("particles", "출생신고를 지방에서", {"ds120-270"}),
    ("particles", "예방접종은 어디서나", {"ds120-288"}),
    ("particles", "희망하우징에 대해", {"ds120-275"}),
    ("particles", "다둥이 가족에게는", {"ds120-287"}),
    # spacing variants
    ("spacing", "수돗물수질검사", {"ds120-281"}),
    ("spacing", "대형 폐 기물", {"ds120-306"}),
    ("spacing", "장애인콜택시", {"ds120-292"}),
    ("spacing", "버스 전용 차로", {"ds120-286"}),
    ("spacing", "노후경유차폐차", {"ds120-301"}),
    ("spacing", "수문장교대의식", {"ds120-266"}),
    # synonyms (the admin-edited list)
    ("synonym", "화장장 이용", {"ds120-300"}),
    ("synonym", "핸드폰 분실", {"ds120-1581"}),
    ("synonym", "휴대전화를 잃어버렸어요", {"ds120-1581"}),
    ("synonym", "수도세 정산", {"ds120-283"}),
    ("synonym", "공공자전거 출퇴근", {"ds120-299"}),
    ("synonym", "SH 분양 신청자격", {"ds120-1962"}),
    # small typos
    ("typo", "수돗물 수질검서", {"ds120-281"}),
    ("typo", "시립승하원", {"ds120-300"}),
    ("typo", "에코마일리쥐", {"ds120-271"}),
    ("typo", "담배꽁쵸 신고", {"ds120-294"}),
    ("typo", "중앙분리데 파손", {"ds120-291"}),
    ("typo", "금연크리닉", {"ds120-296"}),
    # Latin words inside Korean titles
    ("latin", "ESCO 장점", {"ds120-21"}),
    ("latin", "S-Taxi 앱", {"ds120-4"}),
    ("latin", "MICE week", {"ds120-99"}),
    ("latin", "LED 조명 장터", {"ds120-184"}),
    ("latin", "travel mart", {"ds120-102"}),
]


def rank_of(ranked: list[str], targets: set[str]) -> int | None:
    for position, external_id in enumerate(ranked, start=1):
        if external_id in targets:
            return position
    return None


def plain_substring(entries, query: str, limit: int) -> list[str]:
    needle = query.strip().lower()
    title = [e[0] for e in entries if needle in e[1]]
    body = [e[0] for e in entries if needle not in e[1] and needle in e[2]]
    return (title + body)[:limit]


def token_substring(entries, query: str, limit: int) -> list[str]:
    words = [word for word in query.lower().split() if word]
    scored = []
    for external_id, question, answer in entries:
        score = sum(2 if word in question else 1 if word in answer else 0 for word in words)
        if score:
            scored.append((-score, external_id))
    scored.sort()
    return [external_id for _score, external_id in scored[:limit]]


def ours(query: str, limit: int) -> list[str]:
    from knowledgebase.search import faq_search

    return [hit.entry.external_id for hit in faq_search(query=query, limit=limit).hits]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL of a bench-only database (dropped and re-created)")
    parser.add_argument("--misses", action="store_true", help="list the queries our search misses in the top 5")
    args = parser.parse_args()
    django_setup(args.database_url)
    from django.db import connection

    import_seconds = import_corpus()
    seed_synonyms()
    from knowledgebase.models import FAQEntry

    entries = [
        (external_id, question.lower(), answer.lower())
        for external_id, question, answer in FAQEntry.objects.filter(status="published")
        .order_by("id")
        .values_list("external_id", "question_ko", "answer_ko")
    ]
    systems = {"ours": lambda q, k: ours(q, k), "plain substring": None, "token substring": None}
    systems["plain substring"] = lambda q, k: plain_substring(entries, q, k)
    systems["token substring"] = lambda q, k: token_substring(entries, q, k)

    results: dict[str, list[int | None]] = {name: [] for name in systems}
    for _kind, query, targets in QUERIES:
        for name, search in systems.items():
            results[name].append(rank_of(search(query, 10), targets))

    def recall(ranks, k=5):
        return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)

    def mrr(ranks):
        return sum(1 / r for r in ranks if r is not None) / len(ranks)

    print(
        f"Search quality: {len(QUERIES)} labelled queries over {len(entries)} published entries ({connection.vendor})"
    )
    print(f"corpus import: {import_seconds:.1f} s")
    print()
    print(f"{'system':<18}{'recall@1':>10}{'recall@5':>10}{'MRR@10':>9}")
    for name, ranks in results.items():
        print(f"{name:<18}{recall(ranks, 1):>10.3f}{recall(ranks):>10.3f}{mrr(ranks):>9.3f}")
    print()
    kinds = sorted({kind for kind, _q, _t in QUERIES}, key=[k for k, _q, _t in QUERIES].index)
    print(f"{'recall@5 by kind':<18}" + "".join(f"{kind:>12}" for kind in kinds))
    for name, ranks in results.items():
        row = ""
        for kind in kinds:
            picked = [r for (k, _q, _t), r in zip(QUERIES, ranks, strict=True) if k == kind]
            row += f"{recall(picked):>12.2f}"
        print(f"{name:<18}{row}")
    ours_ranks = results["ours"]
    print()
    for name in ("plain substring", "token substring"):
        base = mrr(results[name])
        print(f"MRR ours / {name}: {mrr(ours_ranks) / base:.1f}x" if base else f"MRR ours / {name}: baseline 0")
    misses = [(q, r) for (_k, q, _t), r in zip(QUERIES, ours_ranks, strict=True) if r is None or r > 5]
    if args.misses or misses:
        print("\nour misses (rank):", ", ".join(f"{q} ({r})" for q, r in misses) or "none")


if __name__ == "__main__":
    main()
