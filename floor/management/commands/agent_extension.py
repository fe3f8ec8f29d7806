"""Give an agent their phone extension (Zammad's `answeringNumber` names it).

python manage.py agent_extension agent1 2041
python manage.py agent_extension agent1 --clear
python manage.py agent_extension --list
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from callcenter.errors import ApplicationError
from floor import protection_services
from floor.models import PhoneExtension


class Command(BaseCommand):
    help = "Set (or clear, or list) agents' phone extensions."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="the agent's username")
        parser.add_argument("extension", nargs="?", help="the extension, e.g. 2041")
        parser.add_argument("--clear", action="store_true", help="remove the agent's extension")
        parser.add_argument("--list", action="store_true", help="list every agent's extension")

    def handle(self, *args, username=None, extension=None, clear=False, list=False, **options):
        if list:
            for record in PhoneExtension.objects.select_related("agent"):
                self.stdout.write(f"{record.extension}\t{record.agent.get_username()}")
            return
        if not username:
            raise CommandError("Give the agent's username and the extension: agent_extension USER EXT")
        if bool(extension) == clear:
            raise CommandError("Give the extension, or --clear to remove it (not both).")
        agent = get_user_model().objects.filter(username=username).first()
        if agent is None:
            raise CommandError(f"No user named {username!r}.")
        if not agent.is_active:
            raise CommandError(f"{username!r} is deactivated.")
        try:
            record = protection_services.agent_extension_set(agent=agent, extension="" if clear else extension)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if record is None:
            self.stdout.write(self.style.SUCCESS(f"{username} has no extension now."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{username} has extension {record.extension}."))
