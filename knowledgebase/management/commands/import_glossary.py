from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from knowledgebase.glossary import GLOSSARY_FILE, read_glossary
from knowledgebase.importing import ImportFormatError
from knowledgebase.models import Synonym
from knowledgebase.services import synonyms_add


class Command(BaseCommand):
    help = (
        "Add the glossary's groups (Korean term, then its English, Chinese and Japanese ones: a TSV with the "
        "columns ko en zh ja) as synonym groups; groups already there are left as they are. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?", default=GLOSSARY_FILE, help="default: the team's glossary")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            with open(file, encoding="utf-8-sig", newline="") as stream:
                groups = read_glossary(stream)
            added = synonyms_add(groups=groups, kind=Synonym.Kind.GLOSSARY)
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{file}: not UTF-8 text ({error.reason} at byte {error.start}). Nothing was added."
            ) from error
        except ImportFormatError as error:
            raise CommandError(f"{file}: {error.message} Nothing was added.") from error
        except ValidationError as error:
            raise CommandError(f"{file}: {' '.join(error.messages)} Nothing was added.") from error
        self.stdout.write(f"Added {added} synonym groups; {len(groups) - added} were there already.")
