"""Reads of the search log: the questions without an answer, grouped by meaning."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy
from django.db.models import Count, Max
from django.utils import timezone

from knowledgebase.models import SearchLog, SearchQueryVector
from knowledgebase.models.faq import LANGUAGE_NAMES
from knowledgebase.search.embedder import get_embedder

# Two questions are one when their meanings are at least this close. Measured with
# multilingual-e5-small: rewordings of one question 0.98-0.99 (냉장고 버리는 방법 / 법 / 어떻게 버려요),
# one need in other words 0.93-0.94 (치매 아버지 실종 걱정 / 치매 노인 실종 신고), different questions
# 0.74-0.89 (폐가전 수거 신청 / 수도요금 문의: 0.89).
SAME_MEANING = 0.92
# At most this many distinct queries are grouped per page view (the most frequent). Their vectors are
# stored when they are logged (SearchQueryVector); one logged while the model was off is embedded here
# (7-13 ms each) until `kb_embed` stores it.
MAX_QUERIES = 300


@dataclass
class UnansweredQuestion:
    """Searches that ended without a link, one question however it was typed."""

    query: str  # the most frequent phrasing
    count: int  # searches in all
    last_at: datetime
    languages: list[str]
    phrasings: list[tuple[str, int]] = field(default_factory=list)  # (query, searches), most frequent first

    @property
    def language_names(self) -> list[str]:
        """The callers' languages as the page shows them (한국어, 영어), not their codes."""
        return [str(LANGUAGE_NAMES.get(code, code)) for code in self.languages]


def _query_vectors(rows: list[dict], embedder) -> numpy.ndarray:
    """The rows' query vectors: stored ones (SearchQueryVector) read at once, the others embedded now."""
    stored = {
        normalized: numpy.frombuffer(bytes(blob), dtype="<f4")
        for normalized, blob in SearchQueryVector.objects.filter(
            model=embedder.name, normalized__in=[row["normalized"] for row in rows]
        ).values_list("normalized", "vector")
    }
    vectors = numpy.zeros((len(rows), embedder.dimension), dtype=numpy.float32)
    for index, row in enumerate(rows):
        vector = stored.get(row["normalized"])
        if vector is None or vector.shape != (embedder.dimension,):
            vector = embedder.embed_query(row["query"])  # logged while the model was off
        vectors[index] = vector
    return vectors


def _groups_by_meaning(rows: list[dict], threshold: float) -> list[list[int]] | None:
    """Indexes of `rows` grouped greedily by the cosine similarity of their queries (rows in order of
    frequency: the most frequent opens a group, each next joins the group whose first query is nearest,
    when close enough). None when there is no model."""
    embedder = get_embedder()
    if embedder is None or not rows:
        return None
    try:
        vectors = _query_vectors(rows, embedder)
    except Exception:  # a broken model: group by text instead (the page still works)
        return None
    leaders: list[int] = []
    groups: list[list[int]] = []
    for index in range(len(rows)):
        if leaders:
            similarity = vectors[leaders] @ vectors[index]
            best = int(numpy.argmax(similarity))
            if similarity[best] >= threshold:
                groups[best].append(index)
                continue
        leaders.append(index)
        groups.append([index])
    return groups


def unanswered_question_list(
    *, days: int = 30, min_count: int = 1, limit: int = 50, now: datetime | None = None, threshold: float = SAME_MEANING
) -> tuple[list[UnansweredQuestion], bool]:
    """The questions agents searched for in the last `days` that ended without an entry linked to a call,
    the most frequent first, grouped by meaning (the embedder) or, without a model, by normalised text.
    Returns (questions, grouped_by_meaning). Only typed searches count, not suggestions."""
    languages: dict[str, set[str]] = {}
    since = (now or timezone.now()) - timedelta(days=days)
    unanswered = SearchLog.objects.filter(
        created_at__gte=since, linked_entry__isnull=True, source=SearchLog.Source.SEARCH
    )
    # One row per normalised query, named by its most frequent spelling.
    by_text: dict[str, dict] = {}
    spellings = (
        unanswered.values("normalized", "query", "language")
        .annotate(count=Count("id"), last_at=Max("created_at"))
        .order_by("-count", "-last_at")
    )
    for spelling in spellings:
        row = by_text.setdefault(
            spelling["normalized"],
            {
                "normalized": spelling["normalized"],
                "query": spelling["query"],
                "count": 0,
                "last_at": spelling["last_at"],
            },
        )
        row["count"] += spelling["count"]
        row["last_at"] = max(row["last_at"], spelling["last_at"])
        languages.setdefault(spelling["normalized"], set()).add(spelling["language"])
    rows = sorted(by_text.values(), key=lambda row: (-row["count"], -row["last_at"].timestamp()))[:MAX_QUERIES]
    groups = _groups_by_meaning(rows, threshold)
    by_meaning = groups is not None
    if groups is None:
        groups = [[index] for index in range(len(rows))]
    questions = []
    for group in groups:
        members = [rows[index] for index in group]
        questions.append(
            UnansweredQuestion(
                query=members[0]["query"],
                count=sum(member["count"] for member in members),
                last_at=max(member["last_at"] for member in members),
                languages=sorted(set().union(*(languages.get(member["normalized"], set()) for member in members))),
                phrasings=[(member["query"], member["count"]) for member in members],
            )
        )
    questions = [question for question in questions if question.count >= min_count]
    questions.sort(key=lambda question: (-question.count, -question.last_at.timestamp()))
    return questions[:limit], by_meaning
