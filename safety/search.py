"""Sighting search: which open case or registered person does a caller's description fit?

"There is a confused old man at the bus stop" rarely uses the words of the
report (치매 어르신, 회색 점퍼): the knowledge search's embedder
(`knowledgebase.search.embedder.get_embedder()`) compares meanings, in any
language it knows; the words catch exact marks (a scar, a name tag, a
brand). Without the embedder (KB_EMBEDDER=none, model missing) the words alone
rank. The candidates are few (open cases and active registrations, hundreds at
most), so they are scored in Python, each vector stored with its row when it was saved.
A description embedded by another model than the process's (or none) is embedded again
for the search, not stored (a read writes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledgebase.search.embedder import get_embedder
from knowledgebase.search.text import document_pieces
from safety.describe import describe
from safety.models import Case, Described, Registration

# multilingual-e5's cosines are compressed: any two Korean sentences score 0.7-0.86, an
# unrelated question ("오늘 날씨가 좋네요") 0.81-0.82 against a description, so no floor
# separates "fits" from "does not"; what the model gives is the order (the right person
# 0.02-0.05 above the others, measured on the test cases in safety/tests/test_search.py).
# With the model every open case and registration is listed, best first; the scale below
# only turns a cosine into a 0..1 share of the score. Without it, only word matches are.
SEMANTIC_FLOOR = 0.7
SEMANTIC_WEIGHT = 0.7
QUERY_MAX_LENGTH = 300


@dataclass
class Hit:
    type: str  # "case" | "registration"
    person: Described
    score: float


def search_text(person: Described) -> str:
    """What the words are matched against: the description in both languages, the name, the last place."""
    parts = [describe(person, language="ko"), describe(person, language="en"), person.name]
    if isinstance(person, Case):
        parts.append(person.last_seen_place)
    return " ".join(part for part in parts if part)


def passage_text(person: Described) -> str:
    """What the embedder reads: the Korean description and where the person was last seen."""
    text = describe(person, language="ko")
    if isinstance(person, Case) and person.last_seen_place:
        text += f" · {person.last_seen_place}"
    return text


def person_embedding(person: Described) -> tuple[bytes | None, str]:
    """The stored vector of a person's description (None and "" without an embedder)."""
    embedder = get_embedder()
    if embedder is None:
        return None, ""
    vector = embedder.embed_passages([passage_text(person)])[0]
    return vector.astype("float32").tobytes(), embedder.name


def _word_score(query_pieces: set[str], person: Described) -> float:
    if not query_pieces:
        return 0.0
    pieces = set(document_pieces(search_text(person)))
    return len(query_pieces & pieces) / len(query_pieces)


def sighting_search(*, query: str, cases: list[Case], registrations: list[Registration], limit: int = 20) -> list[Hit]:
    """Open cases and registered persons, best first; those that match neither way are left out."""
    query_pieces = set(document_pieces(query))
    candidates: list[tuple[str, Described]] = [("case", c) for c in cases] + [
        ("registration", r) for r in registrations
    ]
    semantic = _semantic_scores(query, [person for _, person in candidates])
    hits = []
    for (kind, person), similarity in zip(candidates, semantic, strict=True):
        words = _word_score(query_pieces, person)
        if similarity is None:
            score = words
        else:
            meaning = max(0.0, (similarity - SEMANTIC_FLOOR) / (1 - SEMANTIC_FLOOR))
            score = SEMANTIC_WEIGHT * meaning + (1 - SEMANTIC_WEIGHT) * words
        if score > 0:
            hits.append(Hit(type=kind, person=person, score=round(score, 4)))
    hits.sort(key=lambda hit: (-hit.score, hit.type != "case", -hit.person.pk))
    return hits[:limit]


def _semantic_scores(query: str, people: list[Described]) -> list[float | None]:
    embedder = get_embedder()
    if embedder is None or not people:
        return [None] * len(people)
    import numpy

    query_vector = embedder.embed_query(query)
    stale = [p for p in people if not p.embedding or p.embedding_model != embedder.name]
    fresh = dict(zip((id(p) for p in stale), embedder.embed_passages([passage_text(p) for p in stale]), strict=True))
    scores = []
    for person in people:
        vector = fresh.get(id(person))
        if vector is None:
            vector = numpy.frombuffer(bytes(person.embedding), dtype=numpy.float32)
        scores.append(float(numpy.dot(query_vector, vector)) if vector.shape == query_vector.shape else None)
    return scores
