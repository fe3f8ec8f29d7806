from django.db import migrations

from knowledgebase.categories import category_seed


def forwards(apps, schema_editor):
    category_seed(apps.get_model("knowledgebase", "Category"))


class Migration(migrations.Migration):
    dependencies = [("knowledgebase", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
