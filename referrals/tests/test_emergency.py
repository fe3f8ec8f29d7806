"""Emergency hand-offs (112, 119): a warm transfer, done at once; and follow-ups made by other apps."""

from datetime import timedelta
from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from callcenter.errors import IllegalTransition
from floor.routing import websocket_urlpatterns as inquiries_ws
from referrals import selectors, services
from referrals.models import OPEN_STATUSES, FollowUp, Referral, ReferralEvent, Service
from referrals.tests.factories import ReferralFactory, ServiceFactory
from referrals.tests.loops import in_own_loop


@pytest.fixture
def police(reference_data):
    return ServiceFactory(
        slug="police-112", name_ko="경찰 112 (실종아동 등)", name_en="Police 112", kind="emergency", contact="112"
    )


def test_a_referral_to_112_is_a_warm_transfer_done_at_once(police, call, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        referral = services.referral_create(
            call=call,
            service=police,
            reason="치매 어르신 배회 신고",
            consent=True,
            actor=agent,
            incident_number="2026-1201-0042",
        )
    referral.refresh_from_db()
    assert referral.status == "transferred"
    assert referral.transferred_by == agent and referral.transferred_to == "112"
    assert referral.incident_number == "2026-1201-0042"
    assert referral.transferred_at == referral.closed_at is not None
    assert referral.accept_due_at is None and referral.status not in OPEN_STATUSES and not referral.acceptance_overdue
    event = referral.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "transferred", agent)
    assert "112" in event.note and "2026-1201-0042" in event.note
    assert callbacks  # referral.created (and referral.urgent: the call is a senior's) after commit


def test_a_warm_transfer_never_waits_as_new_nor_counts_as_overdue(police, call, agent):
    referral = services.referral_create(call=call, service=police, reason="실종 신고", consent=True, actor=agent)
    Referral.objects.filter(pk=referral.pk).update(created_at=timezone.now() - timedelta(days=3))
    assert referral not in selectors.acceptances_overdue()
    assert referral not in selectors.referral_list(user=agent, overdue=True)
    assert referral not in selectors.referral_list(user=agent, open_only=True)
    assert referral not in selectors.referral_list(user=agent, status="new")


def test_a_warm_transfer_cannot_be_moved(police, call, agent, admin_user):
    referral = services.referral_create(call=call, service=police, reason="실종 신고", consent=True, actor=agent)
    for to in ("accepted", "cancelled", "completed"):
        with pytest.raises(IllegalTransition):
            services.referral_transition(referral=referral, actor=admin_user, to=to, outcome="x")


def test_an_emergency_service_without_a_number_needs_the_number_given(reference_data, call, agent):
    line = ServiceFactory(slug="emergency-desk", kind="emergency", contact="시청 상황실")
    with pytest.raises(ValidationError) as error:
        services.referral_create(call=call, service=line, reason="긴급", consent=True, actor=agent)
    assert "transferred_to" in error.value.message_dict
    assert not Referral.objects.exists()
    referral = services.referral_create(
        call=call, service=line, reason="긴급", consent=True, actor=agent, transferred_to="02-2133-0000"
    )
    assert referral.transferred_to == "02-2133-0000"


def test_an_ordinary_service_takes_no_transfer(legal_service, call, agent):
    with pytest.raises(ValidationError):
        services.referral_create(
            call=call, service=legal_service, reason="상담", consent=True, actor=agent, incident_number="123"
        )
    assert not Referral.objects.exists()


def test_a_guardian_number_can_be_the_contact(police, call, agent):
    referral = services.referral_create(
        call=call, service=police, reason="실종", consent=True, actor=agent, contact_number="010-7777-1234"
    )
    assert referral.contact_number == "01077771234"


# --- the API -------------------------------------------------------------------------


def test_api_transfers_to_112_with_the_incident_number(api_as, police, call, agent):
    response = api_as(agent).post(
        "/api/referrals/",
        {"call": call.pk, "service": "police-112", "reason": "아동 실종", "consent": True, "incident_number": "A-77"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "transferred" and body["accept_due_at"] is None
    assert (body["transferred_by"], body["transferred_to"], body["incident_number"]) == (agent.username, "112", "A-77")
    assert body["history"][0]["to_status"] == "transferred"


def test_api_refuses_a_transfer_to_a_desk_and_an_oversized_incident_number(api_as, police, legal_service, call, agent):
    client = api_as(agent)
    desk = client.post(
        "/api/referrals/",
        {"call": call.pk, "service": legal_service.slug, "reason": "x", "consent": True, "transferred_to": "112"},
        format="json",
    )
    assert desk.status_code == 400 and "transferred_to" in desk.json()["fields"]
    hostile = client.post(
        "/api/referrals/",
        {"call": call.pk, "service": "police-112", "reason": "x", "consent": True, "incident_number": "9" * 500},
        format="json",
    )
    assert hostile.status_code == 400 and "incident_number" in hostile.json()["fields"]
    assert not Referral.objects.exists()


def test_api_a_partner_cannot_transfer(api_as, police, call, legal_partner):
    response = api_as(legal_partner).post(
        "/api/referrals/", {"call": call.pk, "service": "police-112", "reason": "x", "consent": True}, format="json"
    )
    assert response.status_code == 403
    assert not Referral.objects.exists()


# --- follow-ups made by other apps (a missing person's sightings) --------------------


def test_followup_create_makes_a_call_back_due_with_its_reason(police, call, agent, django_capture_on_commit_callbacks):
    referral = services.referral_create(call=call, service=police, reason="실종", consent=True, actor=agent)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = services.followup_create(
            referral=referral, actor=agent, agent=agent, due_at=now, reason="목격: 종로3가역 버스정류장"
        )
    assert callbacks  # followup.due after commit
    services.followup_complete(followup=first, actor=agent, outcome="solved")
    second = services.followup_create(referral=referral, actor=agent, agent=agent, due_at=now, reason="목격: 탑골공원")
    assert referral.followups.count() == 2
    assert referral.followup == second  # the one still due
    event = referral.events.filter(kind=ReferralEvent.Kind.FOLLOWUP_DUE).last()
    assert "탑골공원" in event.note
    assert list(selectors.followup_list(due=True)) == [second]


def test_completion_still_makes_the_follow_up(legal_service, legal_partner, call, agent):
    referral = ReferralFactory(service=legal_service, call=call, status="scheduled", created_by=agent)
    services.referral_transition(referral=referral, actor=legal_partner, to="completed", outcome="상담 완료")
    followup = FollowUp.objects.get(referral=referral)
    assert followup.agent == agent and followup.reason == "" and followup.status == "due"


def test_the_data_migration_marks_112_and_119_as_emergency(reference_data):
    ServiceFactory(slug="police", kind="department", contact="112")
    ServiceFactory(slug="fire-119", kind="partner", contact="소방")
    ServiceFactory(slug="legal", kind="partner", contact="02-2133-7878")
    migration = import_module("referrals.migrations.0003_mark_emergency_services")
    migration.mark_emergency(django_apps, None)
    kinds = dict(Service.objects.values_list("slug", "kind"))
    assert kinds == {"police": "emergency", "fire-119": "emergency", "legal": "partner"}


# --- the wallboard: urgent referrals in the snapshot, referral.urgent as data ----------


@pytest.mark.django_db(transaction=True)
@in_own_loop
async def test_the_wallboard_snapshot_lists_urgent_open_referrals_and_pushes_changes(
    supervisor, legal_service, agent, call
):
    open_one = await database_sync_to_async(ReferralFactory)(service=legal_service, call=call, priority="urgent")
    await database_sync_to_async(ReferralFactory)(
        service=legal_service, call=call, status="completed", priority="urgent"
    )
    communicator = WebsocketCommunicator(URLRouter(inquiries_ws), "/ws/wallboard/")
    communicator.scope["user"] = supervisor
    assert (await communicator.connect())[0]
    snapshot = await communicator.receive_json_from(timeout=5)
    assert [entry["id"] for entry in snapshot["stats"]["urgent_referrals"]] == [open_one.pk]
    assert "calls_waiting" in snapshot["stats"]
    await database_sync_to_async(services.referral_transition)(referral=open_one, actor=agent, to="cancelled")
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "referral.urgent":
            break
    assert message["data"]["id"] == open_one.pk and message["data"]["status"] == "cancelled"
    await communicator.disconnect()
