"""Would a Kiwi + BM25 word ranking, fused with meaning, do better than our words on natural Korean?

Natural Korean questions are found by meaning alone (hybrid = meaning there; our words alone
0.29 on the tuning half, Kiwi + BM25 0.71). This re-fuses, offline, meaning's ranking with the
BM25 baseline's (weighted RRF, meaning 1.5 as in hybrid.py), over the tuning questions only
(the labelled 66 and the tuning halves of bench/search_questions.py): the held-out halves are
never read here.

    .venv/bin/python bench/fuse_bm25.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kb_setup import django_setup, import_corpus, seed_synonyms


def fuse(rankings: list[list[str]], weights: list[float], rrf_k: int) -> list[str]:
    score: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, external_id in enumerate(ranking, start=1):
            score[external_id] = score.get(external_id, 0.0) + weight / (rrf_k + rank)
    return sorted(score, key=score.get, reverse=True)


def main() -> None:
    django_setup(None)
    from search_quality import KiwiBM25, mrr, published_entries, question_sets, rank_of, recall, semantic_setup

    from knowledgebase.search import faq_search

    import_corpus()
    seed_synonyms()
    semantic_setup()
    entries = published_entries()
    kiwi = KiwiBM25(entries)
    sets = question_sets(held_out=False)

    def ranked(query: str, language: str, mode: str, limit: int = 30) -> list[str]:
        return [
            hit.entry.external_id for hit in faq_search(query=query, language=language, limit=limit, mode=mode).hits
        ]

    # (targets, hybrid as built, meaning, our words, Kiwi + BM25) per question
    data = {
        name: [
            (targets, ranked(q, lang, "hybrid", 10), ranked(q, lang, "semantic"), ranked(q, lang, "lexical"),
             kiwi.search(q, 30))
            for lang, q, targets in items
        ]
        for name, items in sets.items()
    }  # fmt: skip
    print(f"recall@5 / MRR@10, tuning questions only ({len(entries)} published entries)")
    print(f"{'ranking':<40}" + "".join(f"{name:>24}" for name in sets))

    def report(label, order) -> None:
        cells = []
        for rows in data.values():
            ranks = [rank_of(order(row)[:10], row[0]) for row in rows]
            cells.append(f"{recall(ranks):.3f} / {mrr(ranks):.3f}")
        print(f"{label:<40}" + "".join(f"{cell:>24}" for cell in cells))

    report("hybrid as built (meaning + our words)", lambda row: row[1])
    report("meaning only", lambda row: row[2])
    report("Kiwi + BM25 only", lambda row: row[4])
    for weight in (0.3, 0.5, 0.75, 1.0):
        for rrf_k in (5, 20, 60):
            report(
                f"meaning + BM25 x{weight}, RRF k {rrf_k}",
                lambda row, w=weight, k=rrf_k: fuse([row[2], row[4]], [1.5, w], k),
            )
    for weight in (0.3, 0.5, 1.0):
        report(
            f"meaning + our words + BM25 x{weight}",
            lambda row, w=weight: fuse([row[2], row[3], row[4]], [1.5, 1.0, w], 5),
        )


if __name__ == "__main__":
    main()
