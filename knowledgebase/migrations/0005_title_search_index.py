"""PostgreSQL: a title-only tsvector with its own GIN index, so title matches are found and ranked
without reading (and de-TOASTing) the answers' vector. SQLite needs nothing: the FTS5 table already
has a title column, and a column filter (`title : ...`) ranks only rows matching there.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE knowledgebase_faqentry ADD COLUMN IF NOT EXISTS search_title_vector tsvector",
    "UPDATE knowledgebase_faqentry SET search_title_vector = to_tsvector('simple', search_title)",
    "CREATE INDEX IF NOT EXISTS faq_search_title_vector_gin ON knowledgebase_faqentry USING gin (search_title_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS faq_search_title_vector_gin",
    "ALTER TABLE knowledgebase_faqentry DROP COLUMN IF EXISTS search_title_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0004_search_index")]
    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_BACKWARD))]
