"""Each database gets its own search structure from the migrations, and only its own."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_search_index_exists_for_this_database():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'knowledgebase_faq_fts'")
            (sql,) = cursor.fetchone()
            assert "fts5" in sql.lower() and "unicode61" in sql
            columns = [c.name for c in connection.introspection.get_table_description(cursor, "knowledgebase_faqentry")]
            assert "search_vector" not in columns and "search_title_vector" not in columns
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'faq_search_vector_gin'")
            (definition,) = cursor.fetchone()
            assert "gin (search_vector)" in definition.lower()
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'faq_search_title_vector_gin'")
            (definition,) = cursor.fetchone()
            assert "gin (search_title_vector)" in definition.lower()
            # No pending list for searches to scan (migration 0006).
            cursor.execute(
                "SELECT relname, reloptions FROM pg_class "
                "WHERE relname IN ('faq_search_vector_gin', 'faq_search_title_vector_gin')"
            )
            assert dict(cursor.fetchall()) == {
                "faq_search_vector_gin": ["fastupdate=off"],
                "faq_search_title_vector_gin": ["fastupdate=off"],
            }
            cursor.execute("SELECT to_regclass('knowledgebase_faq_fts')")
            assert cursor.fetchone()[0] is None
        else:
            pytest.skip(f"no search backend for {connection.vendor}")
