import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from knowledgebase.importing import ImportFormatError, faq_import_file
from knowledgebase.management.commands.kb_embed import progress_bar
from knowledgebase.search.embedder import get_embedder
from knowledgebase.search.vectors import entries_embed_all


class Command(BaseCommand):
    help = (
        "Import FAQ entries from CSV (UTF-8, header row) or JSON Lines (.jsonl), upserting by external_id. "
        "All or nothing unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--skip-invalid", action="store_true", help="Import the valid rows, report the others.")
        parser.add_argument(
            "--no-embed", action="store_true", help="Leave the new vectors to a later `kb_embed` (words find them now)."
        )

    def handle(self, *args, file: Path, skip_invalid: bool = False, no_embed: bool = False, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        progress = None
        if sys.stderr.isatty():
            with open(file, encoding="utf-8-sig") as stream:
                total = max(1, sum(1 for _ in stream))

            def progress(count: int) -> None:
                if count % 25 == 0:
                    width = 30
                    share = min(1.0, count / total)
                    bar = "#" * int(width * share)
                    sys.stderr.write(f"\r  [{bar:<{width}}] {count} records")
                    sys.stderr.flush()

        try:
            report = faq_import_file(path=file, skip_invalid=skip_invalid, progress=progress)
        except ImportFormatError as exc:
            raise CommandError(f"{file}: {exc.message}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        if progress:
            sys.stderr.write("\n")
        self.stdout.write(report.summary())
        for category in report.categories_created:
            self.stdout.write(f"  new category: {category}")
        for warning in report.warnings:
            self.stdout.write(f"  line {warning.line}: {warning.reason}")
        for rejected in report.rejected:
            self.stdout.write(self.style.ERROR(f"  line {rejected.line}: rejected: {rejected.reason}"))
        if not report.applied:
            raise CommandError(
                f"Nothing imported: {len(report.rejected)} rows are not valid. "
                "Fix them, or run with --skip-invalid to import the valid rows."
            )
        self.stdout.write(self.style.SUCCESS("Imported."))
        if no_embed or not report.changed_ids:
            return
        if get_embedder() is None:
            self.stdout.write("Semantic search is off: no vectors computed (words find the entries).")
            return
        embedded = entries_embed_all(ids=report.changed_ids, progress=progress_bar("embedding"))
        self.stdout.write(f"Vectors: {embedded.summary()}")
