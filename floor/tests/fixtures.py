"""Fixtures of the inquiries tests (the wallboard's: phone events, agents, the clock)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter.permissions import Role


@pytest.fixture
def pbx(phone_system):
    """An API client of its own, signed in as the phone system (the shared `api`
    client may be signed in as someone else in the same test)."""
    client = APIClient()
    client.force_authenticate(phone_system)
    return client


@pytest.fixture
def clock():
    """Event times: clock(seconds) is `seconds` after a fixed moment a minute ago."""
    base = timezone.now().replace(microsecond=0) - timedelta(minutes=10)

    def at(seconds: float = 0) -> datetime:
        return base + timedelta(seconds=seconds)

    at.base = base
    return at


@pytest.fixture
def post_event(pbx):
    """POST one event (or a list) to the event API; returns the response."""

    def post(body):
        return pbx.post("/api/cti/events/", body, format="json")

    return post


@pytest.fixture
def floor_agent(make_user):
    return make_user(Role.AGENT, username="floor_a")


def offered(call_id: str, at: datetime, **extra) -> dict:
    return {
        "event": "call.offered",
        "call_id": call_id,
        "at": at.isoformat(),
        "caller_number": "010-2345-6789",
        "language": "ko",
        "queue": "general",
        **extra,
    }


def event(name: str, call_id: str, at: datetime, **extra) -> dict:
    return {"event": name, "call_id": call_id, "at": at.isoformat(), **extra}


def shift_running_now(
    name_ko: str = "시험", *, began: timedelta = timedelta(minutes=30), left: timedelta = timedelta(hours=1)
):
    """The only active shift: one that began `began` ago and ends `left` from now (local time)."""
    from floor.models import Shift

    local = timezone.localtime()
    Shift.objects.update(is_active=False)
    return Shift.objects.create(
        name_ko=name_ko,
        starts=(local - began).time().replace(second=0, microsecond=0),
        ends=(local + left).time().replace(second=0, microsecond=0),
        is_active=True,
    )
