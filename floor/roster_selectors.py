"""Reads for the roster (supervisors' week grid at /roster/)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from callcenter.permissions import Role
from callcenter.workdays import is_working_day, operating_day, public_holiday_label
from floor.models import AgentState, AgentStatus, Shift, ShiftAssignment, ShiftSession


def week_start(*, day: date) -> date:
    """The Monday of `day`'s week (the grid's first column)."""
    return day - timedelta(days=day.weekday())


def rostered_agents() -> QuerySet:
    """The grid's rows: active users in the agent role, by username."""
    return get_user_model().objects.filter(is_active=True, groups__name=Role.AGENT).distinct().order_by("username")


def shift_list() -> list[Shift]:
    return list(Shift.objects.filter(is_active=True).order_by("starts", "id"))


def roster_week(*, start: date, now=None) -> dict[str, Any]:
    """A week of the roster from Monday `start`: its days (public holidays named,
    working days marked, the operating day today), the shifts, the agents with
    who is signed in now and their state, and every cell (agent, day) -> shift."""
    start = week_start(day=start)
    today = operating_day(now)
    days = []
    for offset in range(7):
        day = start + timedelta(days=offset)
        days.append(
            {
                "date": day,
                "holiday": public_holiday_label(day),
                "working_day": is_working_day(day),
                "today": day == today,
            }
        )
    agents = list(rostered_agents())
    sessions = {
        session.agent_id: session
        for session in ShiftSession.objects.filter(signed_out_at__isnull=True, agent__in=agents).select_related("shift")
    }
    states = {status.agent_id: status for status in AgentStatus.objects.filter(agent__in=agents)}
    cells: dict[tuple[int, date], int] = {}
    for agent_id, day, shift_id in ShiftAssignment.objects.filter(
        day__gte=start, day__lt=start + timedelta(days=7), agent__in=agents
    ).values_list("agent_id", "day", "shift_id"):
        cells[(agent_id, day)] = shift_id
    rows = []
    for agent in agents:
        session = sessions.get(agent.pk)
        status = states.get(agent.pk)
        state = status.state if status else AgentState.OFFLINE
        rows.append(
            {
                "agent": agent,
                "username": agent.get_username(),
                "name": agent.get_full_name() or agent.get_username(),
                "signed_in": session is not None,
                "signed_in_at": session.signed_in_at if session else None,
                "shift_now": session.shift if session else None,
                "state": state,
                "state_label": str(AgentState(state).label),
                "cells": [{"date": day["date"], "shift": cells.get((agent.pk, day["date"]))} for day in days],
            }
        )
    return {
        "start": start,
        "end": start + timedelta(days=6),
        "previous": start - timedelta(days=7),
        "next": start + timedelta(days=7),
        "this_week": week_start(day=today),
        "days": days,
        "shifts": shift_list(),
        "rows": rows,
        "signed_in": sum(1 for row in rows if row["signed_in"]),
        "generated_at": now or timezone.now(),
    }


def agent_shifts(*, agent: AbstractBaseUser, start: date, end: date) -> QuerySet[ShiftAssignment]:
    """The agent's roster entries from `start` to `end` (inclusive)."""
    return ShiftAssignment.objects.filter(agent=agent, day__gte=start, day__lte=end).select_related("shift")
