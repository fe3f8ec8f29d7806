"""PostgreSQL: the search GIN indexes without a pending list (fastupdate off).

With fastupdate on, new entries wait in an unsorted pending list that every search
scans in full until a vacuum merges it: after an import or a bulk re-index that was
hundreds of pages read on each keystroke. Entries are written rarely (an admin save,
an import) and searched constantly, so each write updates the index at once instead.
"""

from django.db import migrations

INDEXES = ["faq_search_vector_gin", "faq_search_title_vector_gin"]


def _fastupdate(value: str, clean: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for index in INDEXES:
            schema_editor.execute(f"ALTER INDEX {index} SET (fastupdate = {value})")
            if clean:  # merge what is already pending: turning fastupdate off does not
                schema_editor.execute(f"SELECT gin_clean_pending_list('{index}'::regclass)")

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0005_title_search_index")]
    operations = [migrations.RunPython(_fastupdate("off", clean=True), _fastupdate("on", clean=False))]
