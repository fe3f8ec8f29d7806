"""How the fusion constants of knowledgebase/search/hybrid.py were chosen: a grid over the tuning
questions only (the labelled 66, and the tuning halves of bench/search_questions.py), with the
nonsense inputs. The held-out halves are never read here.

Each question's two rankings (words, meaning) are computed once; the grid then re-fuses them
offline and prints the best settings by recall@5, then MRR, with no empty page for an answerable
question and no result for nonsense.

    .venv/bin/python bench/tune_fusion.py [--database-url postgres://.../bench_kb]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kb_setup import django_setup, import_corpus, seed_synonyms
from search_questions import NONSENSE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    django_setup(args.database_url)
    import numpy
    from django.utils import timezone
    from search_quality import mrr, question_sets, recall, semantic_setup

    from knowledgebase.models import FAQEntry
    from knowledgebase.search import _lexical, _synonyms, hybrid, typing_last_word
    from knowledgebase.search.backends import Filters
    from knowledgebase.search.text import parse_query, tokens
    from knowledgebase.search.vectors import vector_index

    import_corpus()
    seed_synonyms()
    model, _seconds, _embedded = semantic_setup()
    index = vector_index(model)
    background_base = hybrid._background(model)
    filters = Filters(visible_on=timezone.localdate(), category_id=None)
    external = dict(FAQEntry.objects.values_list("pk", "external_id"))
    visible = set(FAQEntry.objects.filter(status="published").values_list("pk", flat=True))

    tuning = question_sets(held_out=False)  # the held-out halves are never read while tuning
    groups = {
        "labelled": tuning["labelled 66"],
        "natural": tuning["natural ko: tuning"],
        "cross": tuning["cross-lingual: tuning"],
        "nonsense": [("ko", q, set()) for q in NONSENSE],
    }
    data = {}
    for name, items in groups.items():
        rows = []
        for _lang, query, targets in items:
            parsed = parse_query(query, _synonyms()[0])
            lexical = []
            if parsed:
                scored, _total = _lexical(parsed, filters, 10, prefix_last=typing_last_word(query))
                lexical = [(pk, relaxed) for _s, _u, _p, pk, relaxed in scored][:30]
            semantic = []
            if tokens(query):
                vector = model.embed_query(query)
                background = numpy.concatenate([background_base, index.sample(hybrid.BACKGROUND_SAMPLE)]) @ vector
                mean, spread = float(background.mean()), float(background.std())
                semantic = [(pk, sim, (sim - mean) / spread) for pk, sim in index.nearest(vector, 60) if pk in visible]
            rows.append((targets, lexical, semantic))
        data[name] = rows

    def evaluate(rrf_k, w_sem, w_relaxed, nonsense_z, window):
        result = {}
        for name, rows in data.items():
            ranks, empty = [], 0
            for targets, lexical, semantic in rows:
                fused: dict[int, float] = {}
                for rank, (pk, relaxed) in enumerate(lexical, start=1):
                    fused[pk] = (w_relaxed if relaxed else 1.0) / (rrf_k + rank)
                if semantic and semantic[0][2] >= nonsense_z:
                    best = semantic[0][1]
                    kept = [item for item in semantic[:30] if item[1] >= best - window]
                    for rank, (pk, _sim, _z) in enumerate(kept, start=1):
                        fused[pk] = fused.get(pk, 0.0) + w_sem / (rrf_k + rank)
                order = [external[pk] for pk in sorted(fused, key=fused.get, reverse=True)][:10]
                empty += not order
                ranks.append(next((i for i, e in enumerate(order, start=1) if e in targets), None))
            result[name] = (ranks, empty)
        return result

    grid = itertools.product(
        [5, 10, 30, 60],
        [0.6, 0.8, 1.0, 1.25, 1.5],
        [0.3, 0.5, 1.0],
        [0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
        [0.03, 0.05, 0.08, 1.0],
    )
    scored = []
    for params in grid:
        result = evaluate(*params)
        answerable_empty = sum(result[name][1] for name in ("labelled", "natural", "cross"))
        korean = result["labelled"][0] + result["natural"][0]
        key = (
            len(NONSENSE) - result["nonsense"][1],  # nonsense inputs with results (lower is better)
            answerable_empty,
            -(recall(korean) + recall(result["cross"][0])),
            -(mrr(korean) + mrr(result["cross"][0])),
        )
        scored.append((key, params, result))
    scored.sort(key=lambda item: item[0])
    print("rrf_k w_sem w_relaxed nonsense_z window | nonsense_with_results empty | ko R@5 MRR | cross R@5 MRR")
    for key, params, result in scored[:15]:
        korean = result["labelled"][0] + result["natural"][0]
        print(
            f"{params} | {key[0]} {key[1]} | {recall(korean):.3f} {mrr(korean):.3f} | "
            f"{recall(result['cross'][0]):.3f} {mrr(result['cross'][0]):.3f}"
        )
    print("\nnonsense: best z of each:", [round(s[0][2], 2) if s else None for _t, _l, s in data["nonsense"]])
    for name in ("labelled", "natural", "cross"):
        zs = sorted(round(s[0][2], 2) for _t, _l, s in data[name] if s)
        print(f"{name}: best z, lowest ten:", zs[:10])
        right = [round(z, 2) for t, _l, s in data[name] for pk, _sim, z in s[:5] if external[pk] in t]
        wrong = [round(z, 2) for t, _l, s in data[name] for pk, _sim, z in s[:5] if external[pk] not in t]
        print(f"  z of right entries in the top 5: {sorted(right)[:8]} ... median {numpy.median(right or [0]):.2f}")
        print(
            f"  z of wrong entries in the top 5: median {numpy.median(wrong or [0]):.2f}, max {max(wrong or [0]):.2f}"
        )


if __name__ == "__main__":
    main()
