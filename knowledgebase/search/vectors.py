"""Vectors of semantic search: what is embedded, kept in the database, and searched per process.

- **What**: per entry and language, the question and the first lines of the answer
  (`passage_text`); per caller phrasing, its text. A sha256 of that text sits beside the
  vector, so only what changed is embedded again (on save, by `kb_embed`, after imports).
- **Where**: `FAQVector` rows (float32 bytes). pgvector is not in this machine's Debian.
- **Searched**: each process keeps one float32 matrix of every vector (`VectorIndex`):
  100,000 rows × 384 = 154 MB, one matrix-vector product per query (docs/BENCHMARKS.md
  for the measured choice against ANN indexes). Before each search the process reads one
  row, `VectorVersion`, bumped by every writing transaction (its row lock orders the
  writers, so versions follow commit order) and loads only the rows written since.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy
from django.db import transaction
from django.db.models import F

from knowledgebase.models import LANGUAGES, FAQEntry, FAQPhrasing, FAQVector, VectorVersion
from knowledgebase.search.embedder import Embedder, get_embedder

logger = logging.getLogger(__name__)

# The answer's first characters carry its meaning; the rest costs embedding time (~linear).
ANSWER_CHARS = 300
# The corpus's titles start with a series tag and a number ("[핵심생활정보 FAQ] 27."): no meaning.
_TITLE_TAG = re.compile(r"^\s*(\[[^\]]{1,40}\]\s*)?(\d{1,4}\s*[.)]\s*)?")
_SPACES = re.compile(r"\s+")


def passage_text(entry: FAQEntry, lang: str) -> str:
    """The text embedded for an entry in one language ("" when the entry lacks that language)."""
    if lang != "ko" and not entry.has_language(lang):
        return ""
    question = _TITLE_TAG.sub("", getattr(entry, f"question_{lang}") or "").strip()
    answer = _SPACES.sub(" ", getattr(entry, f"answer_{lang}") or "").strip()[:ANSWER_CHARS]
    if not question:
        return ""
    return f"{question}\n{answer}".strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: numpy.ndarray) -> bytes:
    return numpy.asarray(vector, dtype="<f4").tobytes()


def _bump_version() -> int:
    """The next version, taken under the row's lock until this transaction commits."""
    updated = VectorVersion.objects.filter(pk=1).update(value=F("value") + 1)
    if not updated:
        VectorVersion.objects.get_or_create(pk=1, defaults={"value": 1})
    return VectorVersion.objects.values_list("value", flat=True).get(pk=1)


# --- state -------------------------------------------------------------------------------
def entry_vector_state(entry: FAQEntry, embedder: Embedder | None = None) -> dict[str, str]:
    """Per language of the entry: "ok" (its vector is of the current text), "outdated" or "missing";
    {} when semantic search is off in this process."""
    embedder = embedder or get_embedder()
    if embedder is None or entry.pk is None:
        return {}
    stored = dict(
        FAQVector.objects.filter(entry=entry, phrasing=None, model=embedder.name).values_list("language", "text_hash")
    )
    state = {}
    for lang in LANGUAGES:
        text = passage_text(entry, lang)
        if not text:
            continue
        if lang not in stored or not stored[lang]:
            state[lang] = "missing"
        else:
            state[lang] = "ok" if stored[lang] == text_hash(text) else "outdated"
    return state


# --- writing -----------------------------------------------------------------------------
_deferred: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("kb_embedding_deferred", default=None)


@contextlib.contextmanager
def deferred_embedding() -> Iterator[set[int]]:
    """Saves inside collect their entry ids instead of embedding (an import embeds in bulk after)."""
    collected: set[int] = set()
    token = _deferred.set(collected)
    try:
        yield collected
    finally:
        _deferred.reset(token)


@dataclass
class EmbedReport:
    embedded: int = 0
    unchanged: int = 0
    removed: int = 0
    phrasings: int = 0

    def summary(self) -> str:
        return (
            f"embedded {self.embedded}, unchanged {self.unchanged}, withdrawn {self.removed}, "
            f"phrasings embedded {self.phrasings}"
        )


def entries_embed(entries: Iterable[FAQEntry], *, embedder: Embedder | None = None) -> EmbedReport:
    """Embed the entries' texts whose vector is missing or of older text; withdraw the vectors of
    languages an entry no longer has. One transaction, one version bump. No model: nothing."""
    report = EmbedReport()
    embedder = embedder or get_embedder()
    entries = [entry for entry in entries if entry.pk is not None]
    if embedder is None or not entries:
        return report
    stored = {
        (entry_id, lang): (pk, digest)
        for pk, entry_id, lang, digest in FAQVector.objects.filter(
            entry__in=[entry.pk for entry in entries], phrasing=None, model=embedder.name
        ).values_list("pk", "entry_id", "language", "text_hash")
    }
    wanted: list[tuple[FAQEntry, str, str, str]] = []
    withdrawn: list[int] = []
    for entry in entries:
        for lang in LANGUAGES:
            text = passage_text(entry, lang)
            current = stored.get((entry.pk, lang))
            if not text:
                if current and current[1]:
                    withdrawn.append(current[0])
                continue
            digest = text_hash(text)
            if current and current[1] == digest:
                report.unchanged += 1
            else:
                wanted.append((entry, lang, text, digest))
    if not wanted and not withdrawn:
        return report
    # Embedding before the transaction: no write lock is held while the model works.
    vectors = embedder.embed_passages([text for _entry, _lang, text, _digest in wanted])
    with transaction.atomic():
        version = _bump_version()
        for (entry, lang, _text, digest), vector in zip(wanted, vectors, strict=True):
            FAQVector.objects.update_or_create(
                entry_id=entry.pk,
                language=lang,
                model=embedder.name,
                phrasing=None,
                defaults={"text_hash": digest, "vector": to_bytes(vector), "version": version},
            )
        if withdrawn:
            FAQVector.objects.filter(pk__in=withdrawn).update(text_hash="", vector=b"", version=version)
    report.embedded, report.removed = len(wanted), len(withdrawn)
    return report


def entries_embed_all(
    *, ids: Iterable[int] | None = None, batch: int = 16, progress: Callable[[int, int], None] | None = None
) -> EmbedReport:
    """Embed what changed of the given entries (all when None), `batch` at a time, each batch its
    own transaction: stopped half way, a second run starts where the first stopped (what is done
    is unchanged by its hash). Then the phrasings still without a vector. No model: nothing."""
    report = EmbedReport()
    embedder = get_embedder()
    if embedder is None:
        return report
    pks = sorted(set(ids)) if ids is not None else list(FAQEntry.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch):
        chunk = list(FAQEntry.objects.filter(pk__in=pks[start : start + batch]).order_by("pk"))
        done = entries_embed(chunk, embedder=embedder)
        report.embedded += done.embedded
        report.unchanged += done.unchanged
        report.removed += done.removed
        if progress:
            progress(min(start + batch, len(pks)), len(pks))
    phrasings = FAQPhrasing.objects.exclude(vectors__model=embedder.name)
    if ids is not None:
        phrasings = phrasings.filter(entry_id__in=pks)
    for _round in range(0, phrasings.count(), 256):
        report.phrasings += phrasings_embed(list(phrasings[:256]), embedder=embedder)
    return report


def entry_embed_on_save(entry: FAQEntry) -> None:
    """After a service saved an entry: embed what changed now (an admin edit is searchable by
    meaning at once), or later in bulk inside `deferred_embedding()`."""
    collected = _deferred.get()
    if collected is not None:
        collected.add(entry.pk)
        return
    try:
        entries_embed([entry])
    except Exception:  # a broken model must not lose the edit: words still find it, kb_embed catches up
        logger.warning("Could not embed FAQ entry %s; run `manage.py kb_embed` to catch up.", entry.pk, exc_info=True)


def phrasings_embed(phrasings: Iterable[FAQPhrasing], *, embedder: Embedder | None = None) -> int:
    """Embed caller phrasings whose vector is missing. Returns how many were embedded."""
    embedder = embedder or get_embedder()
    phrasings = list(phrasings)
    if embedder is None or not phrasings:
        return 0
    done = set(
        FAQVector.objects.filter(phrasing__in=phrasings, model=embedder.name).values_list("phrasing_id", flat=True)
    )
    todo = [phrasing for phrasing in phrasings if phrasing.pk not in done]
    if not todo:
        return 0
    vectors = embedder.embed_passages([phrasing.text for phrasing in todo])
    with transaction.atomic():
        version = _bump_version()
        FAQVector.objects.bulk_create(
            [
                FAQVector(
                    entry_id=phrasing.entry_id,
                    phrasing=phrasing,
                    language=phrasing.language,
                    model=embedder.name,
                    text_hash=text_hash(phrasing.text),
                    vector=to_bytes(vector),
                    version=version,
                )
                for phrasing, vector in zip(todo, vectors, strict=True)
            ]
        )
    return len(todo)


# --- searching ---------------------------------------------------------------------------
class VectorIndex:
    """Every vector of one model in one float32 matrix, kept in step with the database by version."""

    def __init__(self, model: str, dimension: int) -> None:
        self.model, self.dimension = model, dimension
        self.version = -1
        self.matrix = numpy.zeros((0, dimension), dtype=numpy.float32)
        self.entry_ids = numpy.zeros(0, dtype=numpy.int64)
        self.size = 0
        self.row_of: dict[int, int] = {}  # FAQVector id -> row
        self._lock = threading.Lock()

    def _reserve(self, rows: int) -> None:
        if self.size + rows <= len(self.matrix):
            return
        capacity = max(1024, self.size + rows, int(len(self.matrix) * 1.5))
        matrix = numpy.zeros((capacity, self.dimension), dtype=numpy.float32)
        matrix[: self.size] = self.matrix[: self.size]
        entry_ids = numpy.zeros(capacity, dtype=numpy.int64)
        entry_ids[: self.size] = self.entry_ids[: self.size]
        self.matrix, self.entry_ids = matrix, entry_ids

    def refresh(self) -> None:
        """Load the rows written since this process last looked (all of them the first time)."""
        current = VectorVersion.objects.values_list("value", flat=True).filter(pk=1).first() or 0
        if current == self.version:
            return
        with self._lock:
            if current == self.version:
                return
            rows = FAQVector.objects.filter(model=self.model)
            if self.version >= 0:
                rows = rows.filter(version__gt=self.version)
            batch = list(rows.values_list("pk", "entry_id", "vector").iterator(chunk_size=2000))
            self._reserve(len(batch))
            for pk, entry_id, blob in batch:
                vector = (
                    numpy.frombuffer(bytes(blob), dtype="<f4")
                    if blob
                    else numpy.zeros(self.dimension, dtype=numpy.float32)
                )
                if vector.shape != (self.dimension,):
                    continue  # another model's size: not comparable
                row = self.row_of.get(pk)
                if row is None:
                    row = self.size
                    self.row_of[pk] = row
                    self.size += 1
                self.matrix[row] = vector
                self.entry_ids[row] = entry_id if blob else 0
            self.version = current

    def nearest(self, query: numpy.ndarray, k: int) -> list[tuple[int, float]]:
        """The k entries nearest the query, (id, cosine) best first; an entry counts once, by its
        best row (its text in any language or a caller's phrasing)."""
        size = self.size
        if size == 0:
            return []
        scores = self.matrix[:size] @ query
        scores = numpy.where(self.entry_ids[:size] != 0, scores, -1.0)
        take = min(size, k * 4)
        top = numpy.argpartition(-scores, take - 1)[:take]
        top = top[numpy.argsort(-scores[top])]
        best: dict[int, float] = {}
        for row in top:
            entry_id = int(self.entry_ids[row])
            if entry_id and entry_id not in best:
                best[entry_id] = float(scores[row])
                if len(best) == k:
                    break
        return list(best.items())

    def sample(self, n: int) -> numpy.ndarray:
        """About n live rows, evenly spread over the matrix: what "any entry" looks like to a query."""
        size = self.size
        if size == 0:
            return numpy.zeros((0, self.dimension), dtype=numpy.float32)
        rows = numpy.arange(0, size, max(1, size // n))
        rows = rows[self.entry_ids[rows] != 0]
        return self.matrix[rows]

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes + self.entry_ids.nbytes)


_index: VectorIndex | None = None
_index_lock = threading.Lock()


def vector_index(embedder: Embedder) -> VectorIndex:
    """The process's index for this embedder's model, up to date with the database."""
    global _index
    with _index_lock:
        if _index is None or _index.model != embedder.name or _index.dimension != embedder.dimension:
            _index = VectorIndex(embedder.name, embedder.dimension)
        index = _index
    index.refresh()
    return index


def forget_vector_index() -> None:
    """Drop the process's matrix (tests: a rolled-back test's vectors must not survive in it)."""
    global _index
    with _index_lock:
        _index = None
