"""The floor hears of a case: /ws/agent/ and /ws/wallboard/ get safety.case_*; partners never do."""

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from callcenter.permissions import Role
from callcenter.routing import websocket_urlpatterns
from referrals.tests.loops import in_own_loop
from safety import services

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)


async def connect(path, user):
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def next_of(communicator, event: str) -> dict:
    for _ in range(20):
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == event:
            return message
    raise AssertionError(f"no {event}")


def open_case(call, agent):
    return services.case_open(
        call=call,
        actor=agent,
        kind="child",
        name="이영희",
        age=6,
        sex="female",
        clothing="노란 우비",
        last_seen_place="서울숲 놀이터",
        last_seen_at=timezone.now(),
        guardian_number="010-7777-1234",
        consent=True,
    )


@pytest.mark.parametrize("path", ["/ws/agent/", "/ws/wallboard/"])
@pytest.mark.parametrize("role", [Role.PARTNER, Role.PHONE_SYSTEM, None])
@in_own_loop
async def test_roles_that_may_not_hear_the_floor_are_refused(make_user, path, role):
    user = AnonymousUser() if role is None else await database_sync_to_async(make_user)(role)
    communicator = await connect(path, user)
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()


@in_own_loop
async def test_opening_updating_and_closing_reach_every_agent_and_wallboard(
    agent, other_agent, supervisor, report_call
):
    agent_b = await connect("/ws/agent/", other_agent)
    board = await connect("/ws/wallboard/", supervisor)
    assert (await agent_b.receive_json_from(timeout=5))["data"]["safety_cases"] == []
    assert (await board.receive_json_from(timeout=5))["stats"]["safety_cases"] == []

    case = await database_sync_to_async(open_case)(report_call, agent)
    for socket in (agent_b, board):
        opened = await next_of(socket, "safety.case_opened")
        payload = opened["data"]["case"]
        assert payload["id"] == case.pk and payload["status"] == "open"
        assert "실종 아동" in payload["description_ko"] and "Missing child" in payload["description_en"]
        assert payload["last_seen_place"] == "서울숲 놀이터"
        assert "이영희" not in str(payload) and "7777" not in str(payload)  # no name, no number in a broadcast

    await database_sync_to_async(services.case_transition)(case=case, actor=agent, to="found")
    for socket in (agent_b, board):
        assert (await next_of(socket, "safety.case_updated"))["data"]["case"]["status"] == "found"
    await database_sync_to_async(services.case_transition)(case=case, actor=agent, to="closed")
    for socket in (agent_b, board):
        assert (await next_of(socket, "safety.case_closed"))["data"]["case"]["status"] == "closed"
    await agent_b.disconnect()
    await board.disconnect()


@in_own_loop
async def test_a_new_socket_gets_the_open_cases_and_what_this_agent_acknowledged(
    agent, other_agent, supervisor, report_call
):
    first = await database_sync_to_async(open_case)(report_call, agent)
    second = await database_sync_to_async(open_case)(report_call, agent)
    await database_sync_to_async(services.case_acknowledge)(case=first, user=other_agent)
    closed = await database_sync_to_async(open_case)(report_call, agent)
    await database_sync_to_async(services.case_transition)(case=closed, actor=agent, to="cancelled")

    agent_b = await connect("/ws/agent/", other_agent)
    snapshot = (await agent_b.receive_json_from(timeout=5))["data"]
    assert [c["id"] for c in snapshot["safety_cases"]] == [second.pk, first.pk]
    assert snapshot["safety_acknowledged"] == [first.pk]
    assert "queue" in snapshot and "me" in snapshot
    board = await connect("/ws/wallboard/", supervisor)
    stats = (await board.receive_json_from(timeout=5))["stats"]
    assert [c["id"] for c in stats["safety_cases"]] == [second.pk, first.pk] and "calls_waiting" in stats
    await agent_b.disconnect()
    await board.disconnect()


@in_own_loop
async def test_a_sighting_updates_the_last_seen_place(agent, other_agent, supervisor, report_call, sighting_call):
    case = await database_sync_to_async(open_case)(report_call, agent)
    board = await connect("/ws/wallboard/", supervisor)
    await board.receive_json_from(timeout=5)
    await database_sync_to_async(services.sighting_link)(
        case=case, call=sighting_call, actor=other_agent, place="성수역 2번 출구", seen_at=timezone.now()
    )
    payload = (await next_of(board, "safety.case_updated"))["data"]["case"]
    assert payload["last_seen_place"] == "성수역 2번 출구" and payload["sightings"] == 1
    assert payload["reported_place"] == "서울숲 놀이터"
    await board.disconnect()


@in_own_loop
async def test_partner_desks_never_hear_of_a_case(make_user, agent, report_call):
    from referrals.tests.factories import ServiceFactory

    partner = await database_sync_to_async(make_user)(Role.PARTNER)
    service = await database_sync_to_async(ServiceFactory)(slug="dementia-support")
    await database_sync_to_async(service.members.add)(partner)
    desk = await connect("/ws/referrals/", partner)
    snapshot = await desk.receive_json_from(timeout=5)
    assert snapshot["type"] == "referrals.snapshot" and "safety_cases" not in snapshot["data"]
    case = await database_sync_to_async(open_case)(report_call, agent)
    await database_sync_to_async(services.case_transition)(case=case, actor=agent, to="closed")
    assert await desk.receive_nothing(timeout=0.5)
    await desk.disconnect()
