"""Reads for phone extensions, abusive-call flags and caller blocks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from callcenter import permissions
from callcenter.workdays import operating_day, operating_day_window
from floor.models import AbuseFlag, CallerBlock, PhoneEvent, PhoneExtension


def caller_block_find(*, number: str, at: datetime | None = None) -> CallerBlock | None:
    """The block in force on this normalized number at `at` (now), if any."""
    return CallerBlock.objects.filter(number=number).active(at=at).order_by("-until").first()


def caller_blocks_in_force(*, numbers: set[str]) -> dict[str, datetime]:
    """For each of these numbers that is blocked now, the block's end."""
    rows = CallerBlock.objects.active().filter(number__in=numbers).values_list("number", "until")
    return dict(rows)


def caller_block_list(*, active: bool | None = None) -> QuerySet[CallerBlock]:
    """Blocks, newest first; `active`: only those in force now (True) or not (False)."""
    blocks = CallerBlock.objects.select_related("created_by", "ended_by", "flag")
    if active is True:
        blocks = blocks.active()
    elif active is False:
        blocks = blocks.exclude(pk__in=CallerBlock.objects.active().values("pk"))
    return blocks


def caller_block_get(*, pk: int) -> CallerBlock:
    return CallerBlock.objects.select_related("created_by", "ended_by", "flag").get(pk=pk)


def blocked_attempts(*, day: date | None = None) -> int:
    """Offers refused because their number was blocked, on operating day `day` (today)."""
    start, end = operating_day_window(day or operating_day())
    return PhoneEvent.objects.filter(
        status=PhoneEvent.Status.BLOCKED,
        event="call.offered",
        received_at__gte=start,
        received_at__lt=end,
    ).count()


def abuse_flag_list(*, kind: str | None = None, day: date | None = None) -> QuerySet[AbuseFlag]:
    """Flags, newest first, with their agent, call and any block that answered them."""
    flags = AbuseFlag.objects.select_related("agent", "call").prefetch_related("blocks")
    if kind:
        flags = flags.filter(kind=kind)
    if day:
        start = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
        flags = flags.filter(flagged_at__gte=start, flagged_at__lt=start + timedelta(days=1))
    return flags


def abuse_flag_get(*, pk: int) -> AbuseFlag | None:
    return AbuseFlag.objects.select_related("agent", "call").filter(pk=pk).first()


def abuse_flag_for_call(*, call_id: str, agent: AbstractBaseUser) -> AbuseFlag | None:
    return AbuseFlag.objects.filter(call__call_id=call_id, agent=agent).first()


# --- agents as the phone system names them ------------------------------------------
def agent_by_phone_name(*, value: str) -> AbstractBaseUser | None:
    """The agent the phone system means by `value`: their extension, else their
    username, else their id (Zammad's order: phone, login, id)."""
    value = (value or "").strip()
    if not value:
        return None
    found = PhoneExtension.objects.filter(extension=value, agent__is_active=True).select_related("agent").first()
    candidates = [found.agent] if found else []
    users = get_user_model().objects.filter(is_active=True)
    if not candidates:
        candidates = list(users.filter(username=value)[:1])
    if not candidates and value.isascii() and value.isdigit() and len(value) < 18:
        candidates = list(users.filter(pk=int(value))[:1])
    agent = candidates[0] if candidates else None
    return agent if agent is not None and permissions.can_use_console(agent) else None


def agent_by_full_name(*, names: list[str]) -> AbstractBaseUser | None:
    """The one agent whose full name is one of `names` ("Given Family",
    "FamilyGiven" or "Family Given", as Korean names are written); None when
    no name, or more than one agent, matches."""
    wanted = [" ".join(name.split()) for name in names if name and name.strip()]
    if not wanted:
        return None
    text = CharField()
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(
            western=Concat("first_name", Value(" "), "last_name", output_field=text),
            korean=Concat("last_name", "first_name", output_field=text),
            korean_spaced=Concat("last_name", Value(" "), "first_name", output_field=text),
        )
    )
    for name in wanted:
        matches = [
            user
            for user in users.filter(Q(western=name) | Q(korean=name) | Q(korean_spaced=name))[:2]
            if permissions.can_use_console(user)
        ]
        if len(matches) == 1:
            return matches[0]
    return None
