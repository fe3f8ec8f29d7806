"""/ws/referrals/: role refused (4403), snapshot on connect, live updates per service."""

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from referrals import services
from referrals.routing import websocket_urlpatterns
from referrals.tests.factories import ReferralFactory
from referrals.tests.loops import in_own_loop

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)


async def connect(user):
    communicator = WebsocketCommunicator(application, "/ws/referrals/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.mark.parametrize("who", ["phone_system", "anonymous"])
@in_own_loop
async def test_role_refused_with_4403(who, phone_system):
    user = AnonymousUser() if who == "anonymous" else phone_system
    communicator = await connect(user)
    message = await communicator.receive_output()
    assert message == {"type": "websocket.close", "code": 4403}
    await communicator.disconnect()


@in_own_loop
async def test_partner_snapshot_has_only_their_open_referrals(
    legal_partner, legal_service, water_service, agent, category
):
    mine = await database_sync_to_async(ReferralFactory)(
        service=legal_service, call__agent=agent, call__category=category
    )
    await database_sync_to_async(ReferralFactory)(service=water_service, call__agent=agent, call__category=category)
    await database_sync_to_async(ReferralFactory)(
        service=legal_service, status="completed", call__agent=agent, call__category=category
    )
    communicator = await connect(legal_partner)
    snapshot = await communicator.receive_json_from()
    assert snapshot["type"] == "referrals.snapshot"
    assert [r["id"] for r in snapshot["data"]["referrals"]] == [mine.pk]
    assert "followups" not in snapshot["data"]  # follow-ups are the centre's
    assert "*" in snapshot["data"]["referrals"][0]["contact_number"]
    await communicator.disconnect()


@in_own_loop
async def test_a_new_referral_appears_live_for_its_service_only(
    legal_partner, water_partner, legal_service, agent, plain_call
):
    legal = await connect(legal_partner)
    water = await connect(water_partner)
    staff = await connect(agent)
    for communicator in (legal, water, staff):
        assert (await communicator.receive_json_from())["type"] == "referrals.snapshot"

    referral = await database_sync_to_async(services.referral_create)(
        call=plain_call, service=legal_service, reason="전세 사기 상담", consent=True, actor=agent
    )
    message = await legal.receive_json_from(timeout=5)
    assert message["type"] == "referral.created"
    assert message["data"]["referral"]["id"] == referral.pk
    assert message["data"]["referral"]["reason"] == "전세 사기 상담"
    assert (await staff.receive_json_from(timeout=5))["type"] == "referral.created"
    assert await water.receive_nothing(timeout=0.3)

    await database_sync_to_async(services.referral_transition)(referral=referral, actor=legal_partner, to="accepted")
    message = await legal.receive_json_from(timeout=5)
    assert message["type"] == "referral.updated"
    assert message["data"]["from"] == "new" and message["data"]["referral"]["status"] == "accepted"
    for communicator in (legal, water, staff):
        await communicator.disconnect()


@in_own_loop
async def test_staff_hear_followups_due(agent, legal_partner, legal_service, category):
    referral = await database_sync_to_async(ReferralFactory)(
        service=legal_service, status="scheduled", created_by=agent, call__agent=agent, call__category=category
    )
    staff = await connect(agent)
    snapshot = await staff.receive_json_from()
    assert snapshot["data"]["followups"] == []
    await database_sync_to_async(services.referral_transition)(
        referral=referral, actor=legal_partner, to="completed", outcome="상담 완료"
    )
    assert (await staff.receive_json_from(timeout=5))["type"] == "referral.updated"
    message = await staff.receive_json_from(timeout=5)
    assert message["type"] == "followup.due"
    assert message["data"]["followup"]["referral"] == referral.pk
    assert message["data"]["followup"]["agent"] == agent.username
    await staff.disconnect()


@in_own_loop
async def test_urgent_referral_reaches_the_wallboard_group(agent, call, legal_service):
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("wallboard", channel)
    try:
        referral = await database_sync_to_async(services.referral_create)(
            call=call, service=legal_service, reason="치매 어르신 실종", consent=True, actor=agent, priority="urgent"
        )
        message = await layer.receive(channel)
        assert message["event"] == "referral.urgent"
        assert f'"id":{referral.pk}' in message["json"]
    finally:
        await layer.group_discard("wallboard", channel)


def test_full_asgi_stack_routes_the_socket():
    from callcenter.routing import websocket_urlpatterns as all_routes

    assert any(str(route.pattern) == "ws/referrals/" for route in all_routes)
