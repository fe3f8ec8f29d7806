"""Urgent calls on the wallboard's "urgent open" tile (inquiries/urgent_calls.py): what "open"
means, the snapshot, and `call.urgent` from the services, live on the wallboard socket only."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from callcenter.routing import websocket_urlpatterns
from inquiries import selectors, services, urgent_calls
from inquiries.models import Call
from inquiries.tests.factories import CallFactory
from referrals.tests.loops import in_own_loop

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def published(monkeypatch):
    sent = []
    monkeypatch.setattr(
        services.realtime,
        "publish",
        lambda event, payload, *, groups, coalesce=0.0: sent.append((event, payload, groups)),
    )
    return sent


def urgent_pushes(published):
    return [(payload, groups) for event, payload, groups in published if event == "call.urgent"]


def log(agent, category, **fields):
    call, _created = services.call_log(
        agent=agent, caller_number="010-2345-6789", category=category, summary="아이가 없어졌다는 전화", **fields
    )
    return call


# --- what "open" means ---------------------------------------------------------------


def test_the_operating_day_runs_from_eight_to_eight(settings):
    settings.OPERATING_DAY_STARTS = "08:00"
    start, end = urgent_calls.operating_day(datetime(2026, 12, 2, 7, 59, tzinfo=SEOUL))
    assert (start, end) == (datetime(2026, 12, 1, 8, 0, tzinfo=SEOUL), datetime(2026, 12, 2, 8, 0, tzinfo=SEOUL))
    start, _end = urgent_calls.operating_day(datetime(2026, 12, 2, 8, 0, tzinfo=SEOUL))
    assert start == datetime(2026, 12, 2, 8, 0, tzinfo=SEOUL)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("urgent", "resolution", "hours_ago", "is_open"),
    [
        (True, "unresolved", 0, True),
        (True, "callback_needed", 0, True),
        (True, "answered", 0, False),  # settled on the phone
        (True, "transferred", 0, False),  # handed on
        (True, "referred", 0, False),  # the tile shows its referral
        (False, "unresolved", 0, False),
        (True, "unresolved", 25, False),  # an earlier operating day: the call record keeps it
    ],
)
def test_an_urgent_call_is_open_while_unsettled_in_its_operating_day(
    agent, category, urgent, resolution, hours_ago, is_open
):
    now = datetime(2026, 12, 2, 15, 0, tzinfo=SEOUL)
    call = CallFactory(
        agent=agent,
        category=category,
        urgent=urgent,
        resolution=resolution,
        started_at=now - timedelta(hours=hours_ago),
    )
    assert urgent_calls.is_open(call, now=now) is is_open
    assert (call in selectors.urgent_calls_open(now=now)) is is_open


@pytest.mark.django_db
def test_the_open_ones_newest_first(agent, category):
    now = timezone.now()
    older = CallFactory(agent=agent, category=category, urgent=True, resolution="unresolved", started_at=now)
    newer = CallFactory(
        agent=agent, category=category, urgent=True, resolution="callback_needed", started_at=now + timedelta(seconds=5)
    )
    CallFactory(agent=agent, category=category, urgent=True, resolution="answered", started_at=now)
    assert selectors.urgent_calls_open(now=now + timedelta(seconds=5)) == [newer, older]


# --- pushed by the services ----------------------------------------------------------


@pytest.mark.django_db
def test_logging_an_urgent_call_pushes_it_without_the_caller(agent, category, published):
    call = log(agent, category, urgent=True, resolution="unresolved", vulnerable="child")
    [(payload, groups)] = urgent_pushes(published)
    assert groups == ["wallboard"]
    assert payload["id"] == call.pk and payload["open"] is True and payload["vulnerable"] == "child"
    assert payload["category_name_ko"] == "수도" and payload["agent"] == agent.username
    assert payload["open_until"] == urgent_calls.operating_day(call.started_at)[1]
    assert "6789" not in str(payload) and "아이가" not in str(payload)  # no number, no summary on the wall


@pytest.mark.django_db
def test_an_urgent_call_answered_at_once_is_pushed_as_settled(agent, category, published):
    log(agent, category, urgent=True)  # the form's default resolution: answered
    [(payload, _groups)] = urgent_pushes(published)
    assert payload["open"] is False


@pytest.mark.django_db
def test_an_ordinary_call_pushes_nothing(agent, category, published):
    log(agent, category)
    log(agent, category, resolution="unresolved")
    assert urgent_pushes(published) == []


@pytest.mark.django_db
def test_corrections_that_change_the_tile_are_pushed_and_others_not(agent, category, published):
    call = log(agent, category, urgent=True, resolution="unresolved")
    published.clear()
    services.call_correct(call=call, actor=agent, changes={"notes": "보호자 재통화 예정"})
    assert urgent_pushes(published) == []
    services.call_correct(call=call, actor=agent, changes={"resolution": "answered"})
    [(payload, _groups)] = urgent_pushes(published)
    assert payload["open"] is False and payload["resolution"] == "answered"

    published.clear()
    plain = log(agent, category, resolution="callback_needed")
    services.call_correct(call=plain, actor=agent, changes={"urgent": True})  # marked urgent afterwards
    [(payload, _groups)] = urgent_pushes(published)
    assert payload["id"] == plain.pk and payload["open"] is True
    published.clear()
    services.call_correct(call=plain, actor=agent, changes={"urgent": False})
    [(payload, _groups)] = urgent_pushes(published)
    assert payload["open"] is False


@pytest.mark.django_db
def test_a_referral_from_the_call_takes_it_off_as_a_call(agent, category, published):
    call = log(agent, category, urgent=True, resolution="unresolved")
    published.clear()
    services.call_mark_referred(call=call, actor=agent)
    [(payload, _groups)] = urgent_pushes(published)
    assert payload["open"] is False and Call.objects.get(pk=call.pk).resolution == "referred"


# --- the wallboard socket ------------------------------------------------------------

application = URLRouter(websocket_urlpatterns)


async def connect(path, user):
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    return communicator


@pytest.mark.django_db(transaction=True)
@in_own_loop
async def test_the_wallboard_starts_from_the_open_ones_and_hears_each_change(supervisor, agent, category):
    open_call = await database_sync_to_async(CallFactory)(
        agent=agent, category=category, urgent=True, resolution="unresolved"
    )
    await database_sync_to_async(CallFactory)(agent=agent, category=category, urgent=True, resolution="answered")
    board = await connect("/ws/wallboard/", supervisor)
    console = await connect("/ws/agent/", agent)
    stats = (await board.receive_json_from(timeout=5))["stats"]
    assert [entry["id"] for entry in stats["urgent_calls"]] == [open_call.pk] and "calls_waiting" in stats
    assert "urgent_calls" not in (await console.receive_json_from(timeout=5))["data"]

    new_call = await database_sync_to_async(log)(agent, category, urgent=True, resolution="callback_needed")
    while (message := await board.receive_json_from(timeout=5))["type"] != "call.urgent":
        pass
    assert message["data"]["id"] == new_call.pk and message["data"]["open"] is True
    await database_sync_to_async(services.call_correct)(call=open_call, actor=agent, changes={"resolution": "answered"})
    while (message := await board.receive_json_from(timeout=5))["type"] != "call.urgent":
        pass
    assert message["data"]["id"] == open_call.pk and message["data"]["open"] is False
    # an agent's console never hears of it (the wallboard's group only)
    while not await console.receive_nothing(timeout=0.3):
        assert (await console.receive_json_from(timeout=1))["type"] != "call.urgent"
    await board.disconnect()
    await console.disconnect()


@pytest.mark.django_db(transaction=True)
@in_own_loop
async def test_partner_desks_never_hear_of_an_urgent_call(make_user, agent, category):
    from callcenter.permissions import Role
    from referrals.tests.factories import ServiceFactory

    partner = await database_sync_to_async(make_user)(Role.PARTNER)
    service = await database_sync_to_async(ServiceFactory)(slug="legal-aid")
    await database_sync_to_async(service.members.add)(partner)
    desk = await connect("/ws/referrals/", partner)
    assert "urgent_calls" not in (await desk.receive_json_from(timeout=5))["data"]
    await database_sync_to_async(log)(agent, category, urgent=True, resolution="unresolved")
    assert await desk.receive_nothing(timeout=0.5)
    await desk.disconnect()
