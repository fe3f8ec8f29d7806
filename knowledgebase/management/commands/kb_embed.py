import sys
import time

from django.core.management.base import BaseCommand, CommandError

from knowledgebase.search.embedder import get_embedder
from knowledgebase.search.vectors import entries_embed_all
from knowledgebase.search_log_services import search_query_vectors_fill


def progress_bar(label: str):
    """A progress callback drawing a bar on a terminal (stderr); None elsewhere (logs stay clean)."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def draw(done: int, total: int) -> None:
        width = 30
        share = done / max(total, 1)
        elapsed = time.monotonic() - started
        left = elapsed / share - elapsed if share else 0
        sys.stderr.write(f"\r  {label} [{'#' * int(width * share):<{width}}] {done}/{total}  ~{left:.0f} s left ")
        sys.stderr.flush()
        if done >= total:
            sys.stderr.write("\n")

    return draw


class Command(BaseCommand):
    help = (
        "Embed the FAQ entries (each language they have) and callers' phrasings for semantic search: only what "
        "changed since the last run (a hash of each text), a batch per transaction, so an interrupted run resumes; "
        "then the logged searches' queries that have no vector yet (the unanswered-questions page groups by them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=16, help="entries per batch and transaction (default 16)")

    def handle(self, *args, batch: int = 16, **options):
        embedder = get_embedder()
        if embedder is None:
            raise CommandError(
                "Semantic search is off in this process (KB_EMBEDDER=none, or the model did not load: see the "
                "warning above). Nothing embedded; search keeps working by words."
            )
        started = time.perf_counter()
        report = entries_embed_all(batch=max(1, batch), progress=progress_bar("embedding"))
        queries = search_query_vectors_fill()
        seconds = time.perf_counter() - started
        self.stdout.write(f"{embedder.name}: {report.summary()}, logged queries embedded {queries} in {seconds:.1f} s")
        self.stdout.write(self.style.SUCCESS("Vectors up to date."))
