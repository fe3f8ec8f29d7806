"""The team's glossary: a caller's English, Chinese and Japanese words for the corpus's Korean ones.

`knowledgebase/data/glossary.tsv`, one Korean term a line with its English, Chinese and
Japanese renderings (tab-separated columns `ko en zh ja`, several terms in a column separated
by ";"). The Korean terms are the FAQ titles' most frequent nouns; generic ones (경우, 방법)
are left out. Each line becomes a synonym group, so it is edited in admin like any other and
search carries a foreign query's words into Korean through it (knowledgebase.search.text.Bridge).
Loaded by the demo data and by `manage.py import_glossary`.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from knowledgebase.importing import ImportFormatError
from knowledgebase.search.text import has_hangul

GLOSSARY_FILE = Path(__file__).resolve().parent / "data" / "glossary.tsv"
COLUMNS = ["ko", "en", "zh", "ja"]
# Synonym.terms holds at most this many characters.
MAX_GROUP_LENGTH = 300


def read_glossary(stream: IO[str]) -> list[str]:
    """The synonym groups ("여권, passport, 护照, 護照, パスポート") of a glossary file, in its order.
    Raises ImportFormatError naming every bad line; nothing is returned from a file with one."""
    reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header != COLUMNS:
        raise ImportFormatError(
            _("Line 1: the header must be the columns %(columns)s.") % {"columns": " ".join(COLUMNS)}
        )
    groups: list[str] = []
    problems: list[str] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            problems.append(_("Line %(line)d: %(n)d columns, not 4.") % {"line": number, "n": len(row)})
            continue
        korean = row[0].strip()
        foreign = [term.strip() for cell in row[1:] for term in cell.split(";") if term.strip()]
        if not has_hangul(korean) or "," in korean or ";" in korean:
            problems.append(_("Line %(line)d: the first column must be one Korean term.") % {"line": number})
            continue
        if not foreign:
            problems.append(_("Line %(line)d: no English, Chinese or Japanese term.") % {"line": number})
            continue
        if any("," in term or "=" in term for term in foreign):
            problems.append(_("Line %(line)d: a term holds “,” or “=”; separate terms with “;”.") % {"line": number})
            continue
        group = ", ".join([korean, *foreign])
        if len(group) > MAX_GROUP_LENGTH:
            problems.append(
                _("Line %(line)d: longer than %(max)d characters.") % {"line": number, "max": MAX_GROUP_LENGTH}
            )
            continue
        groups.append(group)
    if problems:
        raise ImportFormatError(" ".join(problems[:20]))
    return groups


def shipped_glossary() -> list[str]:
    with open(GLOSSARY_FILE, encoding="utf-8-sig", newline="") as stream:
        return read_glossary(stream)
