"""`make messages` (the documented way to re-extract strings) keeps every translation.

Runs the Makefile's own `messages` commands on a copy of the project (the real
catalogs are never touched) and compares: every string that had Korean before
and is still extracted still has the same Korean, and no guessed ("fuzzy")
translation appears. Before the fix, 169 strings of the root templates/ and
static/ lost their Korean (they moved to another catalog and --no-obsolete
dropped them from the one that had the translation).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COPY_IGNORED = shutil.ignore_patterns(
    ".venv", ".git", "var", "test-artifacts", "__pycache__", ".pytest_cache", "node_modules", "*.mo", "*.woff2"
)

pytestmark = pytest.mark.skipif(shutil.which("msgmerge") is None, reason="GNU gettext is not installed")


def translations(root: Path) -> dict[tuple[str, str, str], str]:
    """(domain, msgctxt, msgid) -> msgstr of every translated, non-fuzzy, current entry of every ko catalog."""
    found = {}
    for catalog in sorted(root.rglob("locale/ko/LC_MESSAGES/*.po")):
        if {".venv", "var"} & set(catalog.relative_to(root).parts):
            continue
        for entry in re.split(r"\n\s*\n", catalog.read_text(encoding="utf-8")):
            lines = [line for line in entry.splitlines() if not line.startswith("#~")]
            if any(line.startswith("#,") and "fuzzy" in line for line in lines):
                continue
            fields, key = {}, None
            for line in lines:
                match = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(\".*\")$", line)
                if match:
                    key = match.group(1)
                    fields[key] = ast.literal_eval(match.group(2))
                elif line.startswith('"') and key:
                    fields[key] += ast.literal_eval(line)
            text = fields.get("msgstr", fields.get("msgstr[0]", ""))
            if fields.get("msgid") and text:
                found[(catalog.stem, fields.get("msgctxt", ""), fields["msgid"])] = text
    return found


def fuzzy_entries(root: Path) -> list[str]:
    return [
        f"{catalog.relative_to(root)}: {entry.splitlines()[-2] if len(entry.splitlines()) > 1 else entry}"
        for catalog in root.rglob("locale/ko/LC_MESSAGES/*.po")
        for entry in re.split(r"\n\s*\n", catalog.read_text(encoding="utf-8"))[1:]  # the header may be fuzzy
        if re.search(r"^#,.*fuzzy", entry, re.M) and not entry.lstrip().startswith("#~")
    ]


def extracted(root: Path) -> set[tuple[str, str, str]]:
    """(domain, msgctxt, msgid) of every current entry after extraction, translated or not."""
    keys = set()
    for catalog in root.rglob("locale/ko/LC_MESSAGES/*.po"):
        text = catalog.read_text(encoding="utf-8")
        for entry in re.split(r"\n\s*\n", text):
            if entry.lstrip().startswith("#~"):
                continue
            context = re.search(r'^msgctxt (".*")$', entry, re.M)
            msgid = re.search(r'^msgid (".*")((?:\n".*")*)', entry, re.M)
            if msgid:
                value = ast.literal_eval(msgid.group(1)) + "".join(
                    ast.literal_eval(part) for part in msgid.group(2).split("\n") if part
                )
                if value:
                    keys.add((catalog.stem, ast.literal_eval(context.group(1)) if context else "", value))
    return keys


def make_messages_commands() -> list[list[str]]:
    """The Makefile's `messages` recipe: its `$(PY) manage.py ...` lines."""
    recipe = re.search(r"^messages:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "the Makefile has no messages target"
    commands = [line.strip().split() for line in recipe.group(1).splitlines() if "manage.py" in line]
    assert commands and all(command[0] == "$(PY)" for command in commands)
    return [[sys.executable, *command[1:]] for command in commands]


def test_make_messages_loses_no_translation(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORED)
    before = translations(copy)
    assert len(before) > 500

    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_"))}
    env["DASAN_VAR_DIR"] = str(tmp_path / "var")
    for command in make_messages_commands():
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
        assert done.returncode == 0, done.stderr

    after = translations(copy)
    still_used = extracted(copy)
    lost = sorted(f"{key[0]}: {key[2]}" for key in before if key in still_used and not after.get(key))
    assert lost == []
    assert fuzzy_entries(copy) == []
    # and the real catalogs were not touched
    assert translations(ROOT) == before
