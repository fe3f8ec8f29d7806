from pathlib import Path

from django.core.management.base import BaseCommand

from knowledgebase.importing import faq_export, format_of
from knowledgebase.models import FAQEntry


class Command(BaseCommand):
    help = "Export every FAQ entry in the import format (CSV, or JSON Lines for a .jsonl file)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        entries = FAQEntry.objects.select_related("category").order_by("id")
        with open(file, "w", encoding="utf-8", newline="") as stream:
            count = faq_export(stream=stream, fmt=format_of(file.name), entries=entries.iterator(chunk_size=500))
        self.stdout.write(self.style.SUCCESS(f"Exported {count} entries to {file}."))
