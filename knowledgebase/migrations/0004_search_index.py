"""The search index, per database: an FTS5 table on SQLite, a tsvector column with a GIN index on PostgreSQL.

Each database gets only its own structure; knowledgebase/search/backends.py
keeps it in sync on every write (through the services).
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledgebase_faq_fts USING fts5("
    "title, body, tokenize='unicode61 remove_diacritics 0')",
    "INSERT INTO knowledgebase_faq_fts(rowid, title, body) SELECT id, search_title, search_body FROM knowledgebase_faqentry",
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS knowledgebase_faq_fts"]
POSTGRES_FORWARD = [
    "ALTER TABLE knowledgebase_faqentry ADD COLUMN IF NOT EXISTS search_vector tsvector",
    "UPDATE knowledgebase_faqentry SET search_vector = setweight(to_tsvector('simple', search_title), 'A') || "
    "setweight(to_tsvector('simple', search_body), 'B')",
    "CREATE INDEX IF NOT EXISTS faq_search_vector_gin ON knowledgebase_faqentry USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS faq_search_vector_gin",
    "ALTER TABLE knowledgebase_faqentry DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0003_faq_entries_revisions_synonyms_prices")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
