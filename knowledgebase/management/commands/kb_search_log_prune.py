from django.core.management.base import BaseCommand, CommandError

from knowledgebase.search_log_services import retention_days, search_log_prune


class Command(BaseCommand):
    help = "Delete searches older than KB_SEARCH_LOG_DAYS (90) from the search log. Run it daily (cron)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Keep this many days instead (at least 1).")

    def handle(self, *args, days=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        deleted = search_log_prune(days=days)
        kept = retention_days() if days is None else days
        self.stdout.write(f"Deleted {deleted} searches older than {kept} days.")
