"""Korean and English on every screen: every translatable string has Korean.

Extracts the msgids with makemessages from a copy of the project (so the
real catalogs are never rewritten), then asks Django's own translation
machinery for each one in Korean: the project's catalogs, Django's and DRF's.
"""

import ast
import contextlib
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils.translation import trans_real

ROOT = Path(settings.BASE_DIR)
SOURCES = ["callcenter", "floor", "inquiries", "knowledgebase", "referrals", "reports", "safety", "templates", "static"]
IGNORED = shutil.ignore_patterns(
    "locale", "vendor", "__pycache__", "tests", "testing", "migrations", "*.png", "*.woff2"
)

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def parse_po(text: str) -> list[tuple[str, str]]:
    """(msgctxt, msgid) of every entry, multi-line strings joined."""
    entries, current, key, parts = [], {}, None, []

    def flush_key():
        if key:
            current[key] = _unquote(parts)

    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        match = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
        if match:
            flush_key()
            key, parts = match.group(1), [match.group(2)]
        elif line.startswith('"'):
            parts.append(line)
        elif not line:
            flush_key()
            key, parts = None, []
            if current.get("msgid"):
                entries.append((current.get("msgctxt", ""), current["msgid"]))
            current = {}
    return entries


def extract(tmp_path: Path, domain: str) -> list[tuple[str, str]]:
    for name in SOURCES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=IGNORED)
    (tmp_path / "locale").mkdir(exist_ok=True)
    # The project's makemessages (it knows JS's t() keyword), writing only
    # into the copy's ./locale: no LOCALE_PATHS pointing at the real catalogs.
    with override_settings(LOCALE_PATHS=[]), contextlib.chdir(tmp_path):
        call_command("makemessages", locale=["ko"], domain=domain, no_location=True, no_wrap=True, verbosity=0)
    po = tmp_path / "locale" / "ko" / "LC_MESSAGES" / f"{domain}.po"
    return parse_po(po.read_text(encoding="utf-8")) if po.exists() else []


def untranslated(entries, domain):
    catalog = trans_real.DjangoTranslation("ko", domain=domain)
    missing = []
    for context, msgid in entries:
        key = f"{context}\x04{msgid}" if context else msgid
        if catalog._catalog.get(key) in (None, "") and catalog._catalog.get((key, 0)) in (None, ""):
            missing.append(msgid)
    return missing


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_has_korean(tmp_path, domain):
    entries = extract(tmp_path, domain)
    assert entries, "makemessages found no strings at all: the extraction is broken"
    missing = untranslated(entries, domain)
    assert not missing, f"{len(missing)} {domain} strings without Korean:\n" + "\n".join(sorted(missing))
