"""Apply the personal-data retention rules of the safety app (PIPA); run it daily (cron).

- Closed and cancelled missing-person cases older than SAFETY_RETENTION_DAYS (default
  365) after closing are pseudonymized: name, guardian's number, photo, clothing, marks
  and free-text notes removed; kind, age, sex, height, build, places and times kept.
- Pre-registrations not renewed for two years are deleted with their photos.

It prints what it did (ids), or with --dry-run what it would do.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from safety.services import retention_run


class Command(BaseCommand):
    help = (
        "Pseudonymize closed missing-person cases past the retention period; "
        "delete registrations not renewed in 2 years."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would change, change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        done = retention_run(dry_run=dry_run)
        cases, registrations = done["pseudonymized_cases"], done["deleted_registrations"]
        verb = "would be" if dry_run else "were"
        days = settings.SAFETY_RETENTION_DAYS
        self.stdout.write(
            f"{len(cases)} closed case(s) {verb} pseudonymized (closed more than {days} days ago)"
            + (f": {', '.join(f'#{pk}' for pk in cases)}" if cases else "")
        )
        self.stdout.write(
            f"{len(registrations)} registration(s) {verb} deleted (not renewed for 2 years)"
            + (f": {', '.join(f'#{pk}' for pk in registrations)}" if registrations else "")
        )
