"""112 and 119 are emergency lines: a referral to them is a warm transfer (issue 16).

The demo data makes them so; a directory where an admin entered them as a
department or partner is corrected here. Nothing to undo: going back leaves the kind.
"""

from django.db import migrations
from django.db.models import Q

EMERGENCY_NUMBERS = ("112", "119")


def mark_emergency(apps, schema_editor):
    Service = apps.get_model("referrals", "Service")
    lines = Q(contact__in=EMERGENCY_NUMBERS) | Q(slug__in=("police-112", "fire-119"))
    Service.objects.filter(lines).exclude(kind="emergency").update(kind="emergency")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_emergency_transfer_followups")]

    operations = [migrations.RunPython(mark_emergency, migrations.RunPython.noop)]
