"""Pages: who may open them, 404 for another service, access log on unmasked contact."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.permissions import Role
from referrals.models import FollowUp
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_partner_lands_on_the_desk(client, legal_partner):
    client.force_login(legal_partner)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/desk/"


def test_desk_lists_the_partners_open_referrals(client, legal_partner, legal_service, water_service, agent, category):
    mine = ReferralFactory(service=legal_service, reason="조합 사기 상담", call__agent=agent, call__category=category)
    ReferralFactory(service=water_service, reason="누수 신고", call__agent=agent, call__category=category)
    client.force_login(legal_partner)
    response = client.get("/desk/")
    assert response.status_code == 200
    text = response.content.decode()
    initial = json.loads(text.split('id="desk-initial" type="application/json">')[1].split("</script>")[0])
    assert [r["reason"] for r in initial["referrals"]] == ["조합 사기 상담"]  # the other service's is not there
    assert initial["referrals"][0]["id"] == mine.pk
    assert 'href="/desk/"' in text  # the nav link


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.PHONE_SYSTEM])
def test_desk_is_for_partners(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get("/desk/").status_code == 403


def test_desk_asks_anonymous_to_sign_in(client):
    assert client.get("/desk/")["Location"].startswith("/accounts/login/")


def test_another_services_referral_page_is_404(client, legal_partner, water_service, agent, category):
    theirs = ReferralFactory(service=water_service, call__agent=agent, call__category=category)
    client.force_login(legal_partner)
    assert client.get(f"/referrals/{theirs.pk}/").status_code == 404


def test_referral_page_with_consent_shows_and_logs_the_number(client, legal_partner, legal_service, agent, category):
    referral = ReferralFactory(service=legal_service, consent=True, call__agent=agent, call__category=category)
    client.force_login(legal_partner)
    response = client.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 200
    assert referral.contact_formatted in response.content.decode()
    assert AccessLog.objects.filter(user=legal_partner, action="view", target=f"referral:{referral.pk}").count() == 1


def test_referral_page_without_consent_masks_and_does_not_log(client, legal_partner, legal_service, agent, category):
    referral = ReferralFactory(service=legal_service, consent=False, call__agent=agent, call__category=category)
    client.force_login(legal_partner)
    text = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert referral.contact_formatted not in text and referral.contact_masked in text
    assert not AccessLog.objects.filter(user=legal_partner).exists()


def test_referral_page_offers_the_users_actions(client, legal_partner, agent, legal_service, category):
    referral = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    client.force_login(legal_partner)
    text = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'data-transition="accepted"' in text and 'data-transition="declined"' in text
    assert 'data-transition="cancelled"' not in text
    client.force_login(agent)
    text = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'data-transition="cancelled"' in text and 'data-transition="accepted"' not in text


def test_overview_shows_what_is_late_to_supervisors(client, supervisor, legal_service, agent, category):
    late = ReferralFactory(
        service=legal_service,
        reason="늦은 접수",
        accept_due_at=timezone.now() - timedelta(hours=2),
        call__agent=agent,
        call__category=category,
    )
    done = ReferralFactory(service=legal_service, status="completed", call__agent=agent, call__category=category)
    FollowUp.objects.create(referral=done, agent=agent, due_at=timezone.now() - timedelta(hours=1))
    client.force_login(supervisor)
    response = client.get("/referrals/")
    assert response.status_code == 200
    late_section = response.content.decode().split('id="acceptances-overdue"')[1].split("</section>")[0]
    assert f"#{late.pk}" in late_section
    followup_section = response.content.decode().split('id="followups-overdue"')[1].split("</section>")[0]
    assert f"#{done.pk}" in followup_section


def test_overview_is_for_supervisors(client, agent, legal_partner):
    client.force_login(agent)
    assert client.get("/referrals/").status_code == 403
    client.force_login(legal_partner)
    assert client.get("/referrals/").status_code == 403


def test_console_has_the_referral_panel(client, agent, legal_service):
    client.force_login(agent)
    text = client.get("/console/").content.decode()
    assert 'id="referral-form"' in text and "다산플라자 무료법률상담" in text
    assert "js/referrals_console.js" in text


def test_admin_manages_services_and_open311_keys(client, admin_user, legal_service):
    client.force_login(admin_user)
    for url in (
        "/admin/referrals/service/",
        f"/admin/referrals/service/{legal_service.pk}/change/",
        "/admin/referrals/open311apikey/add/",
        "/admin/referrals/referral/",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/referrals/open311apikey/add/", {"name": "서울 앱", "key": "k-123456", "is_active": "on"}
    )
    assert response.status_code == 302
    from referrals.models import Open311ApiKey

    assert Open311ApiKey.objects.filter(name="서울 앱", key="k-123456").exists()


def test_history_shows_status_names_in_the_ui_language(client, legal_partner, legal_service, agent, category):
    from referrals.services import referral_transition

    referral = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    referral_transition(referral=referral, actor=legal_partner, to="accepted")
    client.force_login(legal_partner)
    text = client.get(f"/referrals/{referral.pk}/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "신규 → 접수됨" in text
