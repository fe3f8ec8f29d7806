"""Writes of the search log (knowledgebase.models.SearchLog): record a search, its outcome, prune.

The console records a search once the agent has looked at its results (not every keystroke);
when the call is logged its searches get their outcome: the entry linked to the call and its
rank among the results shown, or nothing. A linked query becomes a caller phrasing of its
entry (`faq_phrasing_add`), which search uses afterwards.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.error_codes import ErrorCode
from callcenter.errors import ApplicationError
from knowledgebase.models import LANGUAGES, FAQEntry, SearchLog, SearchQueryVector
from knowledgebase.privacy import scrub_query
from knowledgebase.search.embedder import get_embedder
from knowledgebase.search.text import has_hangul
from knowledgebase.search.vectors import to_bytes
from knowledgebase.services import faq_phrasing_add

logger = logging.getLogger(__name__)

MAX_RESULTS = 50
# A search gets its outcome from a call logged within this time; older open searches stay unanswered.
OUTCOME_WINDOW = timedelta(hours=12)
_SPACES = re.compile(r"\s+")


def normalized_query(*, text: str) -> str:
    """Lower case, spaces collapsed, edge punctuation dropped: "the same question" without a model."""
    return _SPACES.sub(" ", text).strip(" ?!.,~").lower()


def retention_days() -> int:
    return int(getattr(settings, "KB_SEARCH_LOG_DAYS", 90))


def search_log_record(
    *,
    query: str,
    language: str = "ko",
    results: Iterable[int] = (),
    result_count: int = 0,
    source: str = SearchLog.Source.SEARCH,
) -> SearchLog | None:
    """Keep one search an agent looked at. The query is scrubbed of phone numbers, resident numbers,
    e-mail addresses, car plates and long numbers first; when nothing is left, nothing is stored
    (returns None). Side effects: one SearchLog row; for a typed query not seen before, with the model
    on, its SearchQueryVector (embedded before the transaction, once per normalised text)."""
    if language not in LANGUAGES:
        raise ApplicationError(_("Unknown language."), code=ErrorCode.INVALID, fields={"language": [str(language)]})
    if source not in SearchLog.Source.values:
        raise ApplicationError(_("Unknown source."), code=ErrorCode.INVALID, fields={"source": [str(source)]})
    scrubbed = scrub_query(query)[:200].strip()
    if len(normalized_query(text=scrubbed)) < 2:
        return None
    shown = list(dict.fromkeys(int(pk) for pk in results))[:MAX_RESULTS]
    log = SearchLog(
        query=scrubbed,
        normalized=normalized_query(text=scrubbed),
        language=language,
        source=source,
        results=shown,
        result_count=max(int(result_count), len(shown)),
    )
    log.full_clean()
    vector = _query_vector_new(log) if source == SearchLog.Source.SEARCH else None
    with transaction.atomic():
        log.save()
        if vector is not None:
            SearchQueryVector.objects.bulk_create([vector], ignore_conflicts=True)  # another process may have won
    return log


def _query_vector_new(log: SearchLog) -> SearchQueryVector | None:
    """The vector of a typed query whose normalised text has none yet (None when it has one, the model
    is off, or it failed: the log never depends on it; the page embeds what is missing, kb_embed stores it)."""
    embedder = get_embedder()
    if embedder is None or SearchQueryVector.objects.filter(normalized=log.normalized, model=embedder.name).exists():
        return None
    try:
        vector = embedder.embed_query(log.query)
    except Exception:
        logger.warning("Could not embed a logged query; `manage.py kb_embed` catches up.", exc_info=True)
        return None
    return SearchQueryVector(normalized=log.normalized, model=embedder.name, vector=to_bytes(vector))


def search_query_vectors_fill(*, batch: int = 256) -> int:
    """Embed the typed queries of the log that have no vector for the current model (logged while the model
    was off, or before vectors were kept). Returns how many. Side effects: SearchQueryVector rows."""
    from django.db.models import Min

    embedder = get_embedder()
    if embedder is None:
        return 0
    done = 0
    while True:
        missing = list(
            SearchLog.objects.filter(source=SearchLog.Source.SEARCH)
            .exclude(normalized__in=SearchQueryVector.objects.filter(model=embedder.name).values("normalized"))
            .values("normalized")
            .annotate(query=Min("query"))
            .order_by("normalized")[:batch]
        )
        if not missing:
            return done
        vectors = [embedder.embed_query(row["query"]) for row in missing]
        SearchQueryVector.objects.bulk_create(
            [
                SearchQueryVector(normalized=row["normalized"], model=embedder.name, vector=to_bytes(vector))
                for row, vector in zip(missing, vectors, strict=True)
            ],
            ignore_conflicts=True,
        )
        done += len(missing)


def _script_language(text: str, fallback: str) -> str:
    """The language a phrasing is written in, from its script: Hangul, kana, Han, Latin."""
    if has_hangul(text):
        return "ko"
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    if re.search(r"[A-Za-z]", text):
        return "en"
    return fallback


@transaction.atomic
def search_log_outcome_record(
    *, search_ids: Iterable[int], linked_entries: Iterable[FAQEntry], now: datetime | None = None
) -> list[SearchLog]:
    """Close the searches made for a call with their outcome: the linked entry among the results shown
    (the best ranked, if several), or nothing. A search whose results did not show the entry stays
    without one, even when another search of the call found it: the call may have had two questions,
    and a wrong phrasing would teach search a wrong answer; it is listed among the questions without
    an answer instead. Searches already closed, unknown or older than OUTCOME_WINDOW are left as they
    are. Each linked query becomes a caller phrasing of its entry.
    Side effects: the SearchLog rows; FAQPhrasing rows through `faq_phrasing_add`."""
    now = now or timezone.now()
    ids = [int(pk) for pk in search_ids][:MAX_RESULTS]
    linked = list(dict.fromkeys(linked_entries))
    by_id = {entry.pk: entry for entry in linked}
    searches = list(
        SearchLog.objects.select_for_update()
        .filter(pk__in=ids, closed_at__isnull=True, created_at__gte=now - OUTCOME_WINDOW)
        .order_by("created_at", "id")
    )
    for search in searches:
        ranks = [(search.results.index(pk) + 1, pk) for pk in by_id if pk in search.results]
        if ranks:
            rank, pk = min(ranks)
            search.linked_entry, search.linked_rank = by_id[pk], rank
        search.closed_at = now
        search.save(update_fields=["linked_entry", "linked_rank", "closed_at"])
        if search.linked_entry is not None:
            try:
                faq_phrasing_add(
                    entry=search.linked_entry,
                    text=search.query,
                    language=_script_language(search.query, search.language),
                    source="search",
                )
            except ApplicationError as exc:  # a phrasing too short to keep is no reason to lose the call's outcome
                logger.info("search %s: phrasing not kept: %s", search.pk, exc.message)
    return searches


def search_log_prune(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete searches older than `days` (KB_SEARCH_LOG_DAYS, 90). Returns how many.
    Side effects: deletes SearchLog rows, in batches, then the query vectors no search refers to any more."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days() if days is None else days)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(SearchLog.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:5000])
            if not batch:
                break
            deleted += SearchLog.objects.filter(pk__in=batch).delete()[0]
    SearchQueryVector.objects.exclude(normalized__in=SearchLog.objects.values("normalized")).delete()
    return deleted
