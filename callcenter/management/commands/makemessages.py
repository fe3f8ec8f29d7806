"""makemessages that finds `t("...")` in our JavaScript and never loses a translation.

The pages' scripts translate through `window.Dasan.t`, a thin alias of the
/jsi18n/ catalog's gettext(); xgettext must know that keyword.

Django's makemessages files a string under the catalog of the app whose
directory holds the source, and the strings of the root `templates/` and
`static/` under `LOCALE_PATHS`; with `--no-obsolete` a string that moves from
one catalog to another loses its translation (the old catalog drops it, the new
one gets it empty, or worse a "fuzzy" guess that gettext then ignores). So:
before extracting, every translation of every catalog of the domain is
gathered into a compendium; msgmerge does no fuzzy guessing; after extracting,
every catalog's untranslated strings are filled from the compendium (GNU
gettext's `msgmerge --compendium`). `make messages` can be run at any time.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import makemessages

SKIPPED_DIRS = {".venv", "var", "node_modules", ".git"}


def catalogs(domain: str, locale: str) -> list[Path]:
    """The catalogs makemessages writes: every `locale/<locale>/LC_MESSAGES/<domain>.po`
    under the working directory (as makemessages walks it) and in LOCALE_PATHS."""
    root = Path.cwd()
    found = {
        path.resolve()
        for path in root.rglob(f"locale/{locale}/LC_MESSAGES/{domain}.po")
        if not SKIPPED_DIRS & set(path.relative_to(root).parts)
    }
    for directory in settings.LOCALE_PATHS:
        path = Path(directory) / locale / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            found.add(path.resolve())
    return sorted(found)


def _gettext(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise CommandError(f"{command[0]} failed: {done.stderr.strip()}")


class Command(makemessages.Command):
    # a guessed ("fuzzy") translation is worse than none: gettext ignores it, and it
    # would stop the compendium from filling in the real one
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        if options.get("domain") == "djangojs":
            self.xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=t"]
        domain = options.get("domain") or "django"
        locales = options.get("locale") or []
        with tempfile.TemporaryDirectory() as scratch:
            compendiums = {}
            for locale in locales:
                found = catalogs(domain, locale)
                if not found:
                    continue
                joined = Path(scratch) / f"{locale}-all.po"
                compendium = Path(scratch) / f"{locale}.po"
                _gettext("msgcat", "--use-first", "-o", str(joined), *map(str, found))
                # translated entries only, obsolete ones included (a string that moved)
                _gettext(
                    "msgattrib", "--translated", "--no-fuzzy", "--clear-obsolete", "-o", str(compendium), str(joined)
                )
                compendiums[locale] = compendium
            result = super().handle(*args, **options)
            for locale, compendium in compendiums.items():
                for catalog in catalogs(domain, locale):
                    filled = Path(scratch) / "filled.po"
                    _gettext(
                        "msgmerge", "--quiet", "--no-fuzzy-matching", "--previous",
                        f"--compendium={compendium}", "-o", str(filled), str(catalog), str(catalog),
                    )  # fmt: skip
                    catalog.write_text(filled.read_text())
        return result
