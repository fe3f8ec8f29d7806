"""The shift every installation starts with: the day shift, 08:00–19:00."""

import datetime

from django.db import migrations


def create_day_shift(apps, schema_editor):
    Shift = apps.get_model("inquiries", "Shift")
    if not Shift.objects.exists():
        Shift.objects.create(
            name_ko="주간", name_en="Day", starts=datetime.time(8, 0), ends=datetime.time(19, 0), is_active=True
        )


class Migration(migrations.Migration):
    dependencies = [("inquiries", "0002_queue_agents_shifts")]

    operations = [migrations.RunPython(create_day_shift, migrations.RunPython.noop)]
