"""Caller blocks: /api/caller-blocks/ (supervisors), and what a block does to the
phone system's offers (Zammad's reject, our call.offered's "blocked")."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from callcenter.models import AccessLog
from callcenter.permissions import Role
from floor import protection_selectors, protection_services
from floor.models import CallerBlock, PhoneEvent, QueueCall
from floor.tests.fixtures import offered

pytestmark = pytest.mark.django_db

URL = "/api/caller-blocks/"


def in_hours(hours: float) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


@pytest.fixture
def boss(api_as, supervisor):
    return api_as(supervisor)


@pytest.fixture
def zammad_url(phone_system):
    return f"/api/cti/zammad/{Token.objects.create(user=phone_system).key}/"


def new_call(call_id, number="010-2345-6789"):
    return {"event": "newCall", "from": number, "to": "120", "direction": "in", "callId": call_id}


# --- create, list, show, end -----------------------------------------------------------
def test_a_supervisor_blocks_a_number_and_it_is_audited(boss, supervisor):
    response = boss.post(URL, {"number": "010-2345-6789", "reason": "반복 폭언", "until": in_hours(24)}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == "010-****-6789" and body["active"] is True and body["created_by"] == "super_s"
    block = CallerBlock.objects.get()
    assert block.number == "01023456789"
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.subject, log.target) == (
        supervisor,
        "create",
        "caller:01023456789",
        f"caller_block:{block.pk}",
    )


def test_the_list_masks_numbers_and_filters_active(boss, supervisor):
    protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    past = timezone.now() - timedelta(days=2)
    protection_services.caller_block_create(
        number="0212345678", reason="old", until=past + timedelta(hours=1), actor=supervisor, at=past
    )
    everything = boss.get(URL).json()["results"]
    assert [b["number"] for b in everything] == ["010-****-6789", "02-****-5678"]
    assert "01023456789" not in str(everything)
    assert [b["reason"] for b in boss.get(URL, {"active": "true"}).json()["results"]] == ["threat"]
    assert [b["reason"] for b in boss.get(URL, {"active": "false"}).json()["results"]] == ["old"]


def test_unmasking_a_block_writes_the_access_log(boss, supervisor):
    block = protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    AccessLog.objects.all().delete()
    assert "number_full" not in boss.get(f"{URL}{block.pk}/").json()
    assert not AccessLog.objects.exists()
    body = boss.get(f"{URL}{block.pk}/", {"unmask": "1"}).json()
    assert body["number_full"] == "010-2345-6789"
    assert AccessLog.objects.get().action == "view"


def test_delete_ends_the_block_and_keeps_it(boss, supervisor):
    block = protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    response = boss.delete(f"{URL}{block.pk}/")
    assert response.status_code == 200
    assert response.json()["active"] is False and response.json()["ended_by"] == "super_s"
    block.refresh_from_db()
    assert block.ended_at is not None
    assert protection_selectors.caller_block_find(number="01023456789") is None
    assert list(AccessLog.objects.order_by("id").values_list("action", flat=True)) == ["create", "change"]
    again = boss.delete(f"{URL}{block.pk}/")
    assert (again.status_code, again.json()["error"]) == (409, "block_not_active")


def test_a_second_block_while_one_is_in_force_is_409(boss):
    body = {"number": "010-2345-6789", "reason": "x", "until": in_hours(2)}
    assert boss.post(URL, body, format="json").status_code == 201
    again = boss.post(URL, {**body, "number": "+82 10 2345 6789"}, format="json")
    assert (again.status_code, again.json()["error"]) == (409, "already_blocked")


def test_a_block_from_a_flag_needs_no_number(boss, agent, clock):
    from floor.tests.test_abuse_flags_api import answered_call

    answered_call("c1", agent, clock)
    flag = protection_services.abuse_flag_create(agent=agent, call_id="c1", kind="threat", note="위협")
    response = boss.post(URL, {"flag": flag.pk, "reason": "위협 전화", "until": in_hours(24)}, format="json")
    assert response.status_code == 201
    assert CallerBlock.objects.get().number == "01023456789" and CallerBlock.objects.get().flag == flag


# --- bad and hostile input ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"number": "12", "reason": "x", "until": "+1"}, "number"),
        ({"reason": "x", "until": "+1"}, "number"),
        ({"number": "010-2345-6789", "flag": 1, "reason": "x", "until": "+1"}, "number"),
        ({"flag": 999999, "reason": "x", "until": "+1"}, "flag"),
        ({"flag": "x", "reason": "x", "until": "+1"}, "flag"),
        ({"number": "010-2345-6789", "until": "+1"}, "reason"),
        ({"number": "010-2345-6789", "reason": "x" * 501, "until": "+1"}, "reason"),
        ({"number": "010-2345-6789", "reason": "x", "until": "-1"}, "until"),
        ({"number": "010-2345-6789", "reason": "x", "until": "+10000"}, "until"),
        ({"number": "010-2345-6789", "reason": "x", "until": "tomorrow"}, "until"),
        ({"number": "010-2345-6789", "reason": "x"}, "until"),
        ({"number": "010-2345-6789", "reason": "폭언\x00", "until": "+1"}, "reason"),
        ({"number": "010-2345-6789", "reason": "폭언\ud800", "until": "+1"}, "reason"),
        ({"number": "010-2345-\x006789", "reason": "x", "until": "+1"}, "number"),
        ({"number": ["010-2345-6789"], "reason": "x", "until": "+1"}, "number"),
    ],
)
def test_bad_input_is_400_and_blocks_nothing(boss, body, field):
    body = dict(body)
    if body.get("until", "").startswith(("+", "-")):
        body["until"] = in_hours(float(body["until"]))
    # json.dumps writes a lone surrogate as its \\ud800 escape, as a hostile client would
    response = boss.post(URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not CallerBlock.objects.exists() and not AccessLog.objects.exists()


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_hostile_ids_are_404(boss, pk):
    assert boss.get(f"{URL}{pk}/").status_code == 404
    assert boss.delete(f"{URL}{pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.AGENT, Role.PARTNER, Role.PHONE_SYSTEM])
def test_only_supervisors_and_admins_may_block(api_as, make_user, supervisor, role):
    block = protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    client = api_as(make_user(role))
    assert client.get(URL).status_code == 403
    body = {"number": "0212345678", "reason": "x", "until": in_hours(1)}
    assert client.post(URL, body, format="json").status_code == 403
    assert client.delete(f"{URL}{block.pk}/").status_code == 403
    assert CallerBlock.objects.get().ended_at is None


def test_an_admin_may_block(api_as, admin_user):
    body = {"number": "0212345678", "reason": "x", "until": in_hours(1)}
    response = api_as(admin_user).post(URL, body, format="json")
    assert response.status_code == 201


def test_anonymous_is_401(api):
    assert api.get(URL).status_code == 401


# --- what a block does to the phone system's offers -----------------------------------------
def test_zammad_new_call_from_a_blocked_number_is_rejected(supervisor, zammad_url):
    protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    client = APIClient()
    response = client.post(zammad_url, new_call("b1"))
    assert (response.status_code, response.json()) == (200, {"action": "reject", "reason": "busy"})
    assert not QueueCall.objects.exists()
    # the PBX retries: refused again, kept once
    assert client.post(zammad_url, new_call("b1")).json() == {"action": "reject", "reason": "busy"}
    # it then ends the refused call: nothing to apply, nothing rejected
    hangup = {**new_call("b1"), "event": "hangup", "cause": "busy"}
    assert client.post(zammad_url, hangup).json() == {}
    statuses = list(PhoneEvent.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["blocked", "duplicate", "blocked"]
    assert protection_selectors.blocked_attempts() == 1
    # another number still gets through
    assert client.post(zammad_url, new_call("ok1", number="0212345678")).json() == {}
    assert QueueCall.objects.filter(call_id="ok1").exists()


def test_our_call_offered_from_a_blocked_number_answers_blocked(pbx, supervisor):
    protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    response = pbx.post("/api/cti/events/", offered("c1", timezone.now()), format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "blocked" and response.json()["action"] == "reject"
    assert not QueueCall.objects.exists()
    assert PhoneEvent.objects.get().status == "blocked"


def test_a_block_ends_by_itself_at_until(supervisor, zammad_url):
    past = timezone.now() - timedelta(hours=3)
    protection_services.caller_block_create(
        number="01023456789", reason="old", until=past + timedelta(hours=2), actor=supervisor, at=past
    )
    assert APIClient().post(zammad_url, new_call("z1")).json() == {}
    assert QueueCall.objects.filter(call_id="z1").exists()


def test_a_block_never_hides_the_callers_history(api_as, supervisor, agent, category):
    from inquiries import services

    services.call_log(agent=agent, caller_number="010-2345-6789", category=category, summary="녹물 문의")
    protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    history = api_as(agent).get("/api/callers/010-2345-6789/history/").json()
    assert [entry["summary"] for entry in history["results"]] == ["녹물 문의"]


def test_the_wallboard_counts_blocked_attempts_today(api_as, supervisor, zammad_url):
    protection_services.caller_block_create(
        number="01023456789", reason="threat", until=timezone.now() + timedelta(hours=1), actor=supervisor
    )
    client = APIClient()
    for call_id in ("b1", "b2", "b2"):
        client.post(zammad_url, new_call(call_id))
    stats = api_as(supervisor).get("/api/wallboard/stats/").json()
    assert stats["blocked_today"] == 2
