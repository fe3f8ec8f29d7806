"""Shared set-up of the knowledge-base benches: a throwaway database with the shared corpus imported.

SQLite in a temporary folder by default; `--database-url postgres://...` uses
PostgreSQL (the database is dropped and re-created: give it a bench-only name).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_setup(database_url: str | None) -> None:
    var_dir = tempfile.mkdtemp(prefix="kb-bench-")
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)  # the SQLite copy of 100k entries is large
    os.environ["DASAN_VAR_DIR"] = var_dir
    if database_url:
        os.environ["DATABASE_URL"] = database_url
        _recreate_postgres(database_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    # Production-like: DEBUG off (no query log kept in memory), plain HTTP for the test client.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-used-anywhere-else-0123456789")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _recreate_postgres(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1].split("?")[0]
    if not name.startswith(("bench", "dasan_kb_bench")):
        raise SystemExit(f"refusing to drop {name!r}: use a database whose name starts with 'bench'")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def corpus_path() -> Path:
    from django.conf import settings

    path = Path(settings.SHARED_DIR) / "data" / "ds120_faq.csv"
    if not path.exists():
        raise SystemExit(f"shared corpus not found at {path}: the benches need ../shared/data")
    return path


def import_corpus() -> float:
    """Import the shared corpus; returns the seconds it took."""
    from knowledgebase.importing import faq_import_file

    started = time.perf_counter()
    report = faq_import_file(path=corpus_path())
    took = time.perf_counter() - started
    if not report.applied:
        raise SystemExit(f"corpus import failed: {report.summary()}")
    return took


def seed_synonyms() -> None:
    from knowledgebase.demo import DEMO_SYNONYMS
    from knowledgebase.glossary import shipped_glossary
    from knowledgebase.models import Synonym
    from knowledgebase.services import synonyms_add

    synonyms_add(groups=DEMO_SYNONYMS)
    if os.environ.get("BENCH_GLOSSARY", "1") == "1":  # 0: measure without the team's glossary
        synonyms_add(groups=shipped_glossary(), kind=Synonym.Kind.GLOSSARY)
