from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from callcenter.demo import demo_logins, seed_all


class Command(BaseCommand):
    help = "Load the demo data and demo users (idempotent: a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, quiet_logins=False, **options):
        for line in seed_all():
            self.stdout.write(f"  {line}")
        if quiet_logins:
            return
        self.stdout.write(self.style.SUCCESS("\nDemo logins (demo only):"))
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<12} {password:<20} {role}")
        token = Token.objects.filter(user__username="pbx").first()
        if token:
            self.stdout.write(f"\n  Phone-system API token (pbx): {token.key}")
