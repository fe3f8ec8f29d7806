"""The floor's demo data: the demo agents' phone extensions (Zammad's
answeringNumber names them), and a centre that runs day and night: the day
shift (a migration makes it) and a night shift, both rostered."""

from datetime import time, timedelta

from django.contrib.auth import get_user_model

from callcenter.workdays import operating_day
from floor.models import PhoneExtension, ShiftAssignment
from floor.protection_services import agent_extension_set
from floor.roster_selectors import week_start
from floor.roster_services import roster_range_fill, shift_ensure

DEMO_EXTENSIONS = {"agent1": "2001", "agent2": "2002"}


def roster_seed() -> list[str]:
    """A night shift 19:00-08:00 beside the day shift (08:00-19:00), agent1 on days
    and agent2 on nights, this week and next (once: a roster edited since is left alone)."""
    day = shift_ensure(name_ko="주간", name_en="Day", starts=time(8, 0), ends=time(19, 0))
    night = shift_ensure(name_ko="야간", name_en="Night", starts=time(19, 0), ends=time(8, 0))
    first = week_start(day=operating_day())
    last = first + timedelta(days=13)
    if ShiftAssignment.objects.filter(day__gte=first, day__lte=last).exists():
        return ["roster: up to date"]
    users = get_user_model().objects
    days, nights = users.filter(username="agent1"), users.filter(username="agent2")
    written = 0
    if days.exists():
        written += roster_range_fill(agents=days, first=first, last=last, shift=day)
    if nights.exists():
        written += roster_range_fill(agents=nights, first=first, last=last, shift=night)
    return [f"roster: {written} shifts (day and night, two weeks)"]


def seed() -> list[str]:
    return _extensions_seed() + roster_seed()


def _extensions_seed() -> list[str]:
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
