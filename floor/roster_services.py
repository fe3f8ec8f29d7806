"""Writes to the roster (ShiftAssignment): one cell, a copied week, a filled range.

The grid holds one shift per agent per day; setting a cell replaces what the
agent had that day. Every write is checked before anything is saved, and a
batch (a copied week, a filled range) is all or nothing:

- the person is an active agent, the shift an active one;
- the day lies within ROSTER_WINDOW of today (no roster for year 1 or 9999);
- an agent is never on two shifts that overlap (a night shift 19:00-08:00 on
  Monday and an early shift from 07:00 on Tuesday); shifts that only touch
  (night until 08:00, day from 08:00) are fine.

A problem is an ApplicationError with code `roster_invalid` (HTTP 400, nothing
changed) whose `fields` say which cell and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from callcenter import permissions
from callcenter.errors import ApplicationError
from callcenter.permissions import Role
from callcenter.workdays import is_working_day, operating_day
from floor.error_codes import ErrorCode
from floor.models import Shift, ShiftAssignment
from floor.roster_selectors import rostered_agents

# How far from today a roster may be written, either way.
ROSTER_WINDOW = timedelta(days=400)
# The longest range one fill may cover.
FILL_MAX_DAYS = 93


class RosterInvalid(ApplicationError):
    code = ErrorCode.ROSTER_INVALID


def _cell_name(agent: AbstractBaseUser, day: date) -> str:
    return f"{agent.get_username()} {day.isoformat()}"


def _check_agent(agent: AbstractBaseUser) -> None:
    if not agent.is_active or not permissions.has_role(agent, Role.AGENT):
        raise RosterInvalid(
            _("Only active agents are rostered."),
            fields={"agent": [_("%(name)s is not an active agent.") % {"name": agent.get_username()}]},
        )


def _check_day(day: date, *, field: str = "date") -> None:
    today = operating_day()
    if not today - ROSTER_WINDOW <= day <= today + ROSTER_WINDOW:
        raise RosterInvalid(
            _("The roster covers about a year before and after today."),
            fields={
                field: [
                    _("Choose a day between %(first)s and %(last)s.")
                    % {"first": (today - ROSTER_WINDOW).isoformat(), "last": (today + ROSTER_WINDOW).isoformat()}
                ]
            },
        )


def _check_shift(shift: Shift | None) -> None:
    if shift is not None and not shift.is_active:
        raise RosterInvalid(_("This shift is no longer used."), fields={"shift": [_("Choose an active shift.")]})


def _overlap(agent: AbstractBaseUser, day: date, shift: Shift) -> ShiftAssignment | None:
    """The agent's entry on the day before or after that overlaps `shift` on `day`, if any."""
    start, end = shift.window(day)
    neighbours = ShiftAssignment.objects.filter(
        agent=agent, day__in=[day - timedelta(days=1), day + timedelta(days=1)]
    ).select_related("shift")
    for other in neighbours:
        other_start, other_end = other.shift.window(other.day)
        if start < other_end and other_start < end:
            return other
    return None


def _overlap_error(agent: AbstractBaseUser, day: date, shift: Shift, other: ShiftAssignment) -> RosterInvalid:
    message = _("%(agent)s cannot work %(shift)s on %(day)s: it overlaps %(other)s on %(other_day)s.") % {
        "agent": agent.get_full_name() or agent.get_username(),
        "shift": shift.name,
        "day": day.isoformat(),
        "other": other.shift.name,
        "other_day": other.day.isoformat(),
    }
    return RosterInvalid(message, code=ErrorCode.ROSTER_OVERLAP, fields={_cell_name(agent, day): [message]})


def _set(agent: AbstractBaseUser, day: date, shift: Shift | None) -> ShiftAssignment | None:
    ShiftAssignment.objects.filter(agent=agent, day=day).delete()
    if shift is None:
        return None
    other = _overlap(agent, day, shift)
    if other is not None:
        raise _overlap_error(agent, day, shift, other)
    entry = ShiftAssignment(agent=agent, day=day, shift=shift)
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def roster_cell_set(*, agent: AbstractBaseUser, day: date, shift: Shift | None) -> ShiftAssignment | None:
    """Put `agent` on `shift` on `day` (None: off that day), replacing what the
    cell held. Side effects: the agent's ShiftAssignment rows of that day."""
    _check_agent(agent)
    _check_day(day)
    _check_shift(shift)
    return _set(agent, day, shift)


def _apply(changes: dict[tuple[AbstractBaseUser, date], Shift | None]) -> int:
    """Clear every changed cell first, then fill them in day order: each new entry
    is checked against its neighbours as they will be (old ones replaced are gone)."""
    for agent, day in changes:
        ShiftAssignment.objects.filter(agent=agent, day=day).delete()
    written = 0
    for (agent, day), shift in sorted(changes.items(), key=lambda item: (item[0][1], item[0][0].pk)):
        if shift is not None:
            _set(agent, day, shift)
            written += 1
    return written


@transaction.atomic
def roster_week_copy(*, source: date, target: date) -> int:
    """Copy the week from Monday `source` onto the week from Monday `target`
    (every agent's seven cells, days off included: the target week becomes the
    source week). Returns the entries written. Side effects: ShiftAssignment rows
    of the target week; all or nothing."""
    if source.weekday() != 0 or target.weekday() != 0:
        raise RosterInvalid(_("A week starts on a Monday."), fields={"to": [_("Give the Monday of each week.")]})
    if source == target:
        raise RosterInvalid(_("Copy a week onto another one."), fields={"to": [_("Choose another week.")]})
    _check_day(source, field="from")
    _check_day(target, field="to")
    agents = list(rostered_agents())
    entries = {
        (entry.agent_id, entry.day): entry.shift
        for entry in ShiftAssignment.objects.filter(
            agent__in=agents, day__gte=source, day__lt=source + timedelta(days=7)
        ).select_related("shift")
    }
    changes = {}
    for agent in agents:
        for offset in range(7):
            shift = entries.get((agent.pk, source + timedelta(days=offset)))
            if shift is not None and not shift.is_active:
                shift = None  # a shift no longer used is not copied forward
            changes[(agent, target + timedelta(days=offset))] = shift
    return _apply(changes)


@transaction.atomic
def roster_range_fill(
    *,
    agents: Iterable[AbstractBaseUser],
    first: date,
    last: date,
    shift: Shift | None,
    working_days_only: bool = False,
) -> int:
    """Put every agent given on `shift` (None: off) each day from `first` to
    `last`; with `working_days_only`, weekends and Korean public holidays
    (callcenter.workdays.is_working_day) are left as they are. Returns the cells
    changed. Side effects: ShiftAssignment rows; all or nothing."""
    agents = list(agents)
    if not agents:
        raise RosterInvalid(_("Choose at least one agent."), fields={"agents": [_("Choose at least one agent.")]})
    for agent in agents:
        _check_agent(agent)
    _check_day(first, field="from")
    _check_day(last, field="to")
    if last < first:
        raise RosterInvalid(_("The range ends before it starts."), fields={"to": [_("End on or after the start.")]})
    if (last - first).days + 1 > FILL_MAX_DAYS:
        raise RosterInvalid(
            _("Fill at most %(days)s days at once.") % {"days": FILL_MAX_DAYS},
            fields={"to": [_("Choose a shorter range.")]},
        )
    _check_shift(shift)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if working_days_only:
        days = [day for day in days if is_working_day(day)]
    _apply({(agent, day): shift for agent in agents for day in days})
    return len(agents) * len(days)


@transaction.atomic
def shift_ensure(*, name_ko: str, name_en: str, starts, ends) -> Shift:
    """The active shift from `starts` to `ends`, made if there is none (demo data,
    set-up scripts). Side effect: a Shift row."""
    shift = Shift.objects.filter(starts=starts, ends=ends, is_active=True).first()
    if shift is None:
        shift = Shift(name_ko=name_ko, name_en=name_en, starts=starts, ends=ends)
        shift.full_clean()
        shift.save()
    return shift
