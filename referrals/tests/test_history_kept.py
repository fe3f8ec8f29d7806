"""History is never deleted: not in Django admin, not through the API, not by a cascade.

History models: call events, referral events, follow-ups, the personal-data
access log, phone events, FAQ revisions, agent state changes, the safety cases'
and registrations' events (and the referral itself, whose events and follow-up they are).
"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.utils import timezone

from callcenter.models import AccessLog
from floor.models import AgentStateChange, PhoneEvent
from inquiries.models import CallEvent
from knowledgebase.models import FAQRevision
from referrals import services
from referrals.models import FollowUp, Referral, ReferralEvent
from safety.models import CaseEvent, RegistrationEvent

pytestmark = pytest.mark.django_db

HISTORY = [
    CallEvent,
    ReferralEvent,
    FollowUp,
    AccessLog,
    PhoneEvent,
    FAQRevision,
    AgentStateChange,
    Referral,
    CaseEvent,
    RegistrationEvent,
]


@pytest.fixture
def completed(call, agent, legal_service, legal_partner):
    """A referral taken through its whole life: events, a follow-up, access-log rows."""
    referral = services.referral_create(call=call, service=legal_service, reason="전세 사기", consent=True, actor=agent)
    services.referral_transition(referral=referral, actor=legal_partner, to="accepted")
    services.referral_transition(
        referral=referral, actor=legal_partner, to="scheduled", scheduled_for=timezone.now() + timedelta(days=2)
    )
    services.referral_transition(referral=referral, actor=legal_partner, to="completed", outcome="상담 완료")
    return Referral.objects.get(pk=referral.pk)


def kept(referral):
    return (
        Referral.objects.filter(pk=referral.pk).exists(),
        ReferralEvent.objects.filter(referral_id=referral.pk).count(),
        FollowUp.objects.filter(referral_id=referral.pk).exists(),
    )


@pytest.mark.parametrize("model", HISTORY, ids=lambda m: m.__name__)
def test_no_admin_may_delete_history(model, admin_user):
    admin_user.is_superuser = True  # even a superuser, who has every permission
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return  # not in admin at all: nothing there to delete it with
    assert model_admin.has_delete_permission(request) is False
    assert model_admin.has_delete_permission(request, model()) is False
    assert "delete_selected" not in model_admin.get_actions(request)


def test_admin_delete_page_of_a_referral_is_refused(client, admin_user, completed):
    client.force_login(admin_user)
    before = kept(completed)
    assert before == (True, 5, True)  # new, accepted, scheduled, completed, follow-up due
    assert client.get(f"/admin/referrals/referral/{completed.pk}/delete/").status_code == 403
    assert client.post(f"/admin/referrals/referral/{completed.pk}/delete/", {"post": "yes"}).status_code == 403
    followup = completed.followup
    assert client.post(f"/admin/referrals/followup/{followup.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/referrals/referral/", {"action": "delete_selected", "_selected_action": [completed.pk], "post": "yes"}
    )
    assert bulk.status_code in (200, 302)  # "no action selected": the action does not exist
    assert kept(completed) == before
    page = client.get(f"/admin/referrals/referral/{completed.pk}/change/")
    assert page.status_code == 200 and f"/admin/referrals/referral/{completed.pk}/delete/" not in page.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/referrals/{referral}/",
        "/api/referrals/{referral}/transition/",
        "/api/followups/{followup}/complete/",
        "/api/calls/{call}/",
    ],
)
def test_the_api_deletes_nothing(api_as, admin_user, completed, path):
    before = kept(completed)
    url = path.format(referral=completed.pk, followup=completed.followup.pk, call=completed.call_id)
    response = api_as(admin_user).delete(url)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert kept(completed) == before
    assert type(completed.call).objects.filter(pk=completed.call_id).exists()


def test_deleting_a_referral_or_its_call_in_code_is_refused(completed):
    before = kept(completed)
    with pytest.raises(ProtectedError):
        Referral.objects.get(pk=completed.pk).delete()
    with pytest.raises(ProtectedError):
        completed.call.delete()
    assert kept(completed) == before


def test_a_call_keeps_its_events(call):
    CallEvent.objects.create(call=call, kind=CallEvent.Kind.CREATED)
    with pytest.raises(ProtectedError):
        call.delete()
    assert CallEvent.objects.filter(call=call).exists()


def test_an_agent_with_state_history_cannot_be_deleted(agent):
    AgentStateChange.objects.create(
        agent=agent, from_state="offline", to_state="available", at=timezone.now(), source="console"
    )
    with pytest.raises(ProtectedError):
        agent.delete()


def test_the_directory_and_open311_keys_are_written_in_admin_through_the_services(
    client, admin_user, legal_partner, monkeypatch
):
    from referrals.models import Open311ApiKey, Service

    calls = []

    def recorded(name):
        original = getattr(services, name)

        def service(**kwargs):
            calls.append(name)
            return original(**kwargs)

        return service

    for name in ("service_save", "service_members_set", "open311_api_key_save", "open311_api_key_delete"):
        monkeypatch.setattr(services, name, recorded(name))
    client.force_login(admin_user)
    added = client.post(
        "/admin/referrals/service/add/",
        {
            "slug": "parking-office",
            "name_ko": "주차관리과",
            "name_en": "Parking office",
            "kind": "partner",
            "sort_order": 100,
            "accept_within": "1 00:00:00",
            "urgent_accept_within": "04:00:00",
            "is_active": "on",
            "members": [legal_partner.pk],
            "languages": "ko",
        },
    )
    assert added.status_code == 302, added.content[:2000]
    service = Service.objects.get(slug="parking-office")
    assert list(service.members.all()) == [legal_partner]
    key = client.post("/admin/referrals/open311apikey/add/", {"name": "서울 앱", "key": "k" * 40, "is_active": "on"})
    assert key.status_code == 302
    api_key = Open311ApiKey.objects.get(name="서울 앱")
    gone = client.post(f"/admin/referrals/open311apikey/{api_key.pk}/delete/", {"post": "yes"})
    assert gone.status_code == 302 and not Open311ApiKey.objects.filter(pk=api_key.pk).exists()
    assert calls == ["service_save", "service_members_set", "open311_api_key_save", "open311_api_key_delete"]
