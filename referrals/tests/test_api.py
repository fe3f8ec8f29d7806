"""The referrals API: good and bad input, roles (403), other services' referrals (404)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.permissions import Role
from inquiries.tests.factories import CallFactory
from referrals.models import FollowUp, Referral, ReferralEvent
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def refer(client, the_call, **overrides):
    body = {
        "call": the_call.pk,
        "service": "dasan-plaza-legal",
        "reason": "아파트 조합 사기 피해, 무료법률상담 연결",
        "priority": "normal",
        "consent": True,
        "callback_preference": "평일 오후 2시 이후",
    }
    body.update(overrides)
    body = {key: value for key, value in body.items() if value is not ...}
    return client.post("/api/referrals/", body, format="json")


def assert_error_shape(response, status, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error", "message", "fields"}
    if field:
        assert field in body["fields"], body


# --- services ---------------------------------------------------------------------
def test_services_list(api_as, agent, legal_service, water_service):
    response = api_as(agent).get("/api/services/")
    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()}
    assert rows["waterworks"]["service_code"] == "water-leak" and rows["waterworks"]["open311_published"]
    assert rows["dasan-plaza-legal"]["accept_within_minutes"] == 24 * 60
    assert rows["dasan-plaza-legal"]["urgent_accept_within_minutes"] == 30


def test_services_refused_to_the_phone_system(api_as, phone_system):
    assert_error_shape(api_as(phone_system).get("/api/services/"), 403)


def test_services_need_sign_in(api):
    assert api.get("/api/services/").status_code in {401, 403}


# --- create -------------------------------------------------------------------------
def test_agent_refers_a_call(api_as, agent, call, legal_service):
    response = refer(api_as(agent), call)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "new" and body["service"] == "dasan-plaza-legal"
    assert body["consent"] is True and body["consent_by"] == agent.username
    assert body["contact_number"] == "010-****-0100"
    assert body["vulnerable"] is True and body["pressing"] is True
    assert [e["to_status"] for e in body["history"]] == ["new"]
    assert Referral.objects.get().created_by == agent


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"call": 999999}, "call"),
        ({"call": "abc"}, "call"),
        ({"service": "nowhere"}, "service"),
        ({"consent": ...}, "consent"),
        ({"consent": None}, "consent"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 4001}, "reason"),
        ({"priority": "whenever"}, "priority"),
    ],
)
def test_bad_referral_input_is_400_and_saves_nothing(api_as, agent, call, legal_service, overrides, field):
    assert_error_shape(refer(api_as(agent), call, **overrides), 400, field)
    assert not Referral.objects.exists()
    assert not AccessLog.objects.filter(target__startswith="referral:").exists()


def test_referral_of_another_agents_call_is_400(api_as, other_agent, call, legal_service):
    assert_error_shape(refer(api_as(other_agent), call), 400, "call")
    assert not Referral.objects.exists()


def test_supervisor_may_refer_any_call(api_as, supervisor, call, legal_service):
    assert refer(api_as(supervisor), call).status_code == 201


def test_partner_may_not_refer(api_as, legal_partner, call):
    assert_error_shape(refer(api_as(legal_partner), call), 403)


def test_malformed_json_is_400(api_as, agent):
    response = api_as(agent).post("/api/referrals/", "{not json", content_type="application/json")
    assert_error_shape(response, 400)


# --- list and detail ------------------------------------------------------------------
def test_partner_sees_only_their_services_referrals(
    api_as, legal_partner, water_service, legal_service, agent, category
):
    mine = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    theirs = ReferralFactory(service=water_service, call__agent=agent, call__category=category)
    client = api_as(legal_partner)
    listed = [row["id"] for row in client.get("/api/referrals/").json()["results"]]
    assert listed == [mine.pk]
    assert client.get(f"/api/referrals/{mine.pk}/").status_code == 200
    assert_error_shape(client.get(f"/api/referrals/{theirs.pk}/"), 404)
    assert_error_shape(client.post(f"/api/referrals/{theirs.pk}/transition/", {"to": "accepted"}, format="json"), 404)


def test_pressing_cases_top_every_list(api_as, supervisor, legal_service, agent, category):
    old_urgent = ReferralFactory(
        service=legal_service,
        priority="urgent",
        created_at=timezone.now() - timedelta(days=2),
        call__agent=agent,
        call__category=category,
    )
    newest = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    vulnerable = ReferralFactory(
        service=legal_service,
        vulnerable=True,
        created_at=timezone.now() - timedelta(days=1),
        call__agent=agent,
        call__category=category,
    )
    ids = [row["id"] for row in api_as(supervisor).get("/api/referrals/").json()["results"]]
    assert ids == [vulnerable.pk, old_urgent.pk, newest.pk]


def test_list_filters(api_as, supervisor, legal_service, water_service, agent, category):
    late = ReferralFactory(
        service=legal_service,
        accept_due_at=timezone.now() - timedelta(hours=1),
        call__agent=agent,
        call__category=category,
    )
    accepted = ReferralFactory(service=legal_service, status="accepted", call__agent=agent, call__category=category)
    urgent_water = ReferralFactory(service=water_service, priority="urgent", call__agent=agent, call__category=category)
    client = api_as(supervisor)

    def ids(query):
        response = client.get("/api/referrals/" + query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("?overdue=true") == {late.pk}
    assert ids("?overdue=false") == {accepted.pk, urgent_water.pk}
    assert ids("?service=waterworks") == {urgent_water.pk}
    assert ids("?status=accepted") == {accepted.pk}
    assert ids("?priority=urgent") == {urgent_water.pk}
    assert ids("") == {late.pk, accepted.pk, urgent_water.pk}
    assert_error_shape(client.get("/api/referrals/?status=lost"), 400, "status")
    assert_error_shape(client.get("/api/referrals/?overdue=perhaps"), 400, "overdue")


def test_partner_sees_the_number_only_with_consent_and_it_is_logged(
    api_as, legal_partner, legal_service, agent, category
):
    consented = ReferralFactory(service=legal_service, consent=True, call__agent=agent, call__category=category)
    refused = ReferralFactory(service=legal_service, consent=False, call__agent=agent, call__category=category)
    client = api_as(legal_partner)

    body = client.get(f"/api/referrals/{consented.pk}/").json()
    assert body["contact_number_full"] and "*" not in body["contact_number_full"]
    log = AccessLog.objects.get(user=legal_partner)
    assert log.action == "view" and log.target == f"referral:{consented.pk}"
    assert log.subject == f"caller:{consented.contact_number}"

    body = client.get(f"/api/referrals/{refused.pk}/").json()
    assert body["contact_number_full"] is None and "*" in body["contact_number"]
    assert AccessLog.objects.filter(user=legal_partner).count() == 1
    # lists never unmask (and so never log)
    client.get("/api/referrals/")
    assert AccessLog.objects.filter(user=legal_partner).count() == 1


def test_staff_unmask_is_logged(api_as, supervisor, legal_service, agent, category):
    referral = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    client = api_as(supervisor)
    assert client.get(f"/api/referrals/{referral.pk}/").json()["contact_number_full"] is None
    assert not AccessLog.objects.filter(user=supervisor).exists()
    assert client.get(f"/api/referrals/{referral.pk}/?unmask=1").json()["contact_number_full"]
    assert AccessLog.objects.filter(user=supervisor, target=f"referral:{referral.pk}").count() == 1


def test_missing_referral_is_404(api_as, agent):
    assert_error_shape(api_as(agent).get("/api/referrals/424242/"), 404)


# --- transitions ----------------------------------------------------------------------
def test_partner_works_the_case_to_the_end(api_as, legal_partner, legal_service, agent, category):
    referral = ReferralFactory(service=legal_service, created_by=agent, call__agent=agent, call__category=category)
    client = api_as(legal_partner)
    url = f"/api/referrals/{referral.pk}/transition/"
    assert client.post(url, {"to": "accepted", "note": "담당 변호사 배정"}, format="json").status_code == 200
    when = (timezone.now() + timedelta(days=2)).isoformat()
    body = client.post(url, {"to": "scheduled", "scheduled_for": when}, format="json").json()
    assert body["status"] == "scheduled" and body["scheduled_for"]
    body = client.post(url, {"to": "completed", "outcome": "상담 완료: 민사소송 안내"}, format="json").json()
    assert body["status"] == "completed" and body["followup"]["status"] == "due"
    assert [e["to_status"] for e in body["history"] if e["kind"] == "status"] == [
        "accepted",
        "scheduled",
        "completed",
    ]
    assert {e["actor"] for e in body["history"]} == {legal_partner.username}


@pytest.mark.parametrize(
    ("status", "body", "field"),
    [
        ("accepted", {"to": "scheduled"}, "scheduled_for"),
        ("accepted", {"to": "scheduled", "scheduled_for": "next tuesday"}, "scheduled_for"),
        ("scheduled", {"to": "completed"}, "outcome"),
        ("new", {"to": "declined", "reason": ""}, "reason"),
        ("new", {"to": "bogus"}, "to"),
        ("new", {}, "to"),
    ],
)
def test_transition_bad_input_is_400(api_as, legal_partner, legal_service, agent, category, status, body, field):
    referral = ReferralFactory(service=legal_service, status=status, call__agent=agent, call__category=category)
    response = api_as(legal_partner).post(f"/api/referrals/{referral.pk}/transition/", body, format="json")
    assert_error_shape(response, 400, field)
    referral.refresh_from_db()
    assert referral.status == status


def test_illegal_transition_is_409_with_a_message(api_as, legal_partner, legal_service, agent, category):
    referral = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    response = api_as(legal_partner).post(
        f"/api/referrals/{referral.pk}/transition/", {"to": "completed", "outcome": "x"}, format="json"
    )
    assert_error_shape(response, 409)
    assert response.json()["error"] == "illegal_transition" and response.json()["message"]


def test_roles_per_transition(api_as, legal_partner, legal_service, agent, category):
    referral = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    url = f"/api/referrals/{referral.pk}/transition/"
    # the centre does not accept on the service's behalf; the service does not cancel
    assert_error_shape(api_as(agent).post(url, {"to": "accepted"}, format="json"), 403)
    assert_error_shape(api_as(legal_partner).post(url, {"to": "cancelled"}, format="json"), 403)
    assert api_as(agent).post(url, {"to": "cancelled", "note": "시민이 취소"}, format="json").status_code == 200
    assert ReferralEvent.objects.filter(referral=referral, to_status="cancelled", actor=agent).exists()


def test_admin_may_do_both(api_as, admin_user, legal_service, agent, category):
    referral = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    assert (
        api_as(admin_user)
        .post(f"/api/referrals/{referral.pk}/transition/", {"to": "accepted"}, format="json")
        .status_code
        == 200
    )


def test_partner_without_a_service_sees_nothing(api_as, make_user, legal_service, agent, category):
    lonely = make_user(Role.PARTNER, username="nobody_p")
    referral = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    assert api_as(lonely).get("/api/referrals/").json()["results"] == []
    assert_error_shape(api_as(lonely).get(f"/api/referrals/{referral.pk}/"), 404)


# --- follow-ups -------------------------------------------------------------------------
@pytest.fixture
def followups(legal_service, agent, other_agent, category):
    def make(created_by, due_at, status="due"):
        referral = ReferralFactory(
            service=legal_service, status="completed", created_by=created_by, call__agent=agent, call__category=category
        )
        return FollowUp.objects.create(referral=referral, agent=created_by, due_at=due_at, status=status)

    now = timezone.now()
    return {
        "mine_due": make(agent, now + timedelta(hours=3)),
        "mine_late": make(agent, now - timedelta(hours=3)),
        "other_due": make(other_agent, now + timedelta(hours=5)),
        "closed": make(agent, now - timedelta(days=2), status="closed"),
    }


def test_followup_filters(api_as, agent, followups):
    client = api_as(agent)

    def ids(query):
        response = client.get("/api/followups/" + query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("?due=true") == {followups[k].pk for k in ("mine_due", "mine_late", "other_due")}
    assert ids("?due=false") == {followups["closed"].pk}
    assert ids("?overdue=true") == {followups["mine_late"].pk}
    assert ids(f"?due=true&agent={agent.username}") == {followups[k].pk for k in ("mine_due", "mine_late")}
    assert_error_shape(client.get("/api/followups/?due=maybe"), 400, "due")


def test_close_followup(api_as, other_agent, followups):
    followup = followups["mine_due"]
    response = api_as(other_agent).post(
        f"/api/followups/{followup.pk}/complete/", {"outcome": "more_help", "note": "추가 상담 원함"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed" and response.json()["closed_by"] == other_agent.username
    assert_error_shape(
        api_as(other_agent).post(f"/api/followups/{followup.pk}/complete/", {"outcome": "solved"}, format="json"), 409
    )


@pytest.mark.parametrize("body", [{}, {"outcome": "happy"}, {"outcome": "solved", "note": "x" * 4001}])
def test_close_followup_bad_input(api_as, agent, followups, body):
    followup = followups["mine_due"]
    assert_error_shape(api_as(agent).post(f"/api/followups/{followup.pk}/complete/", body, format="json"), 400)
    followup.refresh_from_db()
    assert followup.status == "due"


def test_followups_are_the_centres(api_as, legal_partner, followups):
    assert_error_shape(api_as(legal_partner).get("/api/followups/"), 403)
    assert_error_shape(
        api_as(legal_partner).post(
            f"/api/followups/{followups['mine_due'].pk}/complete/", {"outcome": "solved"}, format="json"
        ),
        403,
    )


def test_missing_followup_is_404(api_as, agent):
    assert_error_shape(api_as(agent).post("/api/followups/98765/complete/", {"outcome": "solved"}, format="json"), 404)


def test_a_call_referral_keeps_the_call(api_as, agent, legal_service, category):
    call = CallFactory(agent=agent, category=category)
    response = refer(api_as(agent), call)
    assert response.json()["call"] == call.pk and response.json()["source"] == "call"


def test_list_queries_do_not_grow_with_the_page(
    api_as, legal_partner, legal_service, agent, category, django_assert_max_num_queries
):
    for _ in range(3):
        ReferralFactory(
            service=legal_service, consent_by=agent, created_by=agent, call__agent=agent, call__category=category
        )
    client = api_as(legal_partner)
    client.get("/api/referrals/")  # warm the per-user caches alike
    with django_assert_max_num_queries(6) as captured:
        client.get("/api/referrals/")
    few = len(captured.captured_queries)
    for _ in range(10):
        ReferralFactory(
            service=legal_service, consent_by=agent, created_by=agent, call__agent=agent, call__category=category
        )
    with django_assert_max_num_queries(few):
        assert len(client.get("/api/referrals/").json()["results"]) == 13
