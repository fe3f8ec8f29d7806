"""The floor's demo data: the demo agents' phone extensions (Zammad's
answeringNumber names them). The shifts come from the migrations."""

from django.contrib.auth import get_user_model

from floor.models import PhoneExtension
from floor.protection_services import agent_extension_set

DEMO_EXTENSIONS = {"agent1": "2001", "agent2": "2002"}


def seed() -> list[str]:
    made = 0
    for username, extension in DEMO_EXTENSIONS.items():
        agent = get_user_model().objects.filter(username=username).first()
        taken = (
            PhoneExtension.objects.filter(agent=agent).exists()
            or PhoneExtension.objects.filter(extension=extension).exists()
        )
        if agent is not None and not taken:
            agent_extension_set(agent=agent, extension=extension)
            made += 1
    return [f"phone extensions: {made} set" if made else "phone extensions: up to date"]
