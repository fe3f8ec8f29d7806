from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from callcenter.errors import ApplicationError
from knowledgebase.kamis import read_prices
from knowledgebase.services import produce_prices_save


class Command(BaseCommand):
    help = (
        "Import daily produce prices from a KAMIS API CSV file (e.g. ../shared/data/kamis/napa_cabbage_2020-2023.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", type=Path, nargs="+")

    def handle(self, *args, files: list[Path], **options):
        for file in files:
            if not file.exists():
                raise CommandError(f"{file}: no such file")
            try:
                with open(file, encoding="utf-8-sig", newline="") as stream:
                    report = read_prices(stream)
            except ApplicationError as exc:
                raise CommandError(f"{file}: {exc.message}") from exc
            saved = produce_prices_save(prices=report.rows)
            self.stdout.write(f"{file.name}: {saved} prices stored, {len(report.skipped)} rows without a price skipped")
