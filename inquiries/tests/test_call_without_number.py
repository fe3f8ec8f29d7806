"""Contacts without a number: withheld, a walk-in, an internet contact (POST /api/calls/ number_status)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from callcenter.models import AccessLog
from inquiries.models import Call, Caller, CallEvent
from inquiries.services import call_log

pytestmark = pytest.mark.django_db

WALK_IN = {"number_status": "none", "channel": "visit", "category": "water", "summary": "방문 민원: 수도 요금 감면"}


def test_a_walk_in_is_logged_without_a_number(api_as, agent):
    response = api_as(agent).post("/api/calls/", WALK_IN, format="json")

    assert response.status_code == 201
    data = response.json()
    assert (data["caller_number"], data["number_status"], data["channel"]) == (None, "none", "visit")
    call = Call.objects.get(pk=data["id"])
    assert call.caller is None and Caller.objects.count() == 0
    with translation.override("ko"):
        assert call.masked_number == "번호 없음"
    # nothing else is lost: the event and the access-log row are written as for any call
    assert CallEvent.objects.filter(call=call, kind="created").count() == 1
    assert AccessLog.objects.get(target=f"call:{call.pk}").subject == f"call:{call.pk}"


def test_a_withheld_number_may_be_null_or_blank(api_as, agent):
    client = api_as(agent)
    for number in (None, ""):
        body = {**WALK_IN, "number_status": "withheld", "channel": "phone", "caller_number": number}
        response = client.post("/api/calls/", body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["number_status"] == "withheld"
    assert Call.objects.filter(number_status="withheld", caller__isnull=True).count() == 2


def test_known_is_the_default_and_still_needs_the_number(api_as, agent):
    response = api_as(agent).post("/api/calls/", {"category": "water", "summary": "문의"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"]["caller_number"] == ["민원인 전화번호를 입력해 주세요."]
    assert Call.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"number_status": "withheld", "caller_number": "010-1234-5678"}, "caller_number"),
        ({"number_status": "none", "caller_number": "02-123-4567"}, "caller_number"),
        ({"number_status": "unknown"}, "number_status"),
        ({"number_status": ["none"]}, "number_status"),
        ({"number_status": "known", "caller_number": None}, "caller_number"),
        ({"number_status": "known", "caller_number": ""}, "caller_number"),
        ({"number_status": "none", "caller_number": "12"}, "caller_number"),
    ],
)
def test_a_number_status_that_does_not_fit_is_a_400_and_saves_nothing(api_as, agent, overrides, field):
    response = api_as(agent).post("/api/calls/", {**WALK_IN, **overrides}, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid"
    assert field in response.json()["fields"]
    assert Call.objects.count() == 0 and Caller.objects.count() == 0


@pytest.mark.parametrize(
    "hostile",
    [
        "none'; DROP TABLE inquiries_call; --",
        "<script>alert(1)</script>",
        "none\x00",
        "x" * 10_000,
        {"$ne": "known"},
    ],
)
def test_hostile_number_status_is_refused(api_as, agent, hostile):
    response = api_as(agent).post("/api/calls/", {**WALK_IN, "number_status": hostile}, format="json")

    assert response.status_code == 400
    assert "number_status" in response.json()["fields"]
    assert Call.objects.count() == 0


def test_the_detail_and_unmasked_view_of_a_call_without_number(api_as, agent):
    client = api_as(agent)
    call_id = client.post("/api/calls/", WALK_IN, format="json").json()["id"]

    data = client.get(f"/api/calls/{call_id}/?unmask=1").json()

    assert (data["caller_number"], data["caller_number_full"]) == (None, None)
    assert AccessLog.objects.filter(action="view", subject=f"call:{call_id}").count() == 1


def test_the_service_refuses_what_does_not_fit(agent, category):
    with pytest.raises(ValidationError) as known:
        call_log(agent=agent, number_status="known", category=category, summary="문의")
    with pytest.raises(ValidationError) as withheld:
        call_log(agent=agent, caller_number="010-1234-5678", number_status="withheld", category=category, summary="x")

    assert "caller_number" in known.value.message_dict and "caller_number" in withheld.value.message_dict
    assert Call.objects.count() == 0


def test_the_database_keeps_caller_and_number_status_together(agent, category):
    call, _ = call_log(agent=agent, number_status="none", category=category, summary="방문")
    caller = Caller.objects.create(number="01099998888")

    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(caller=caller)  # a caller on a call without number
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=call.pk).update(number_status="known")  # known without a caller


def test_the_openapi_schema_documents_number_status_and_the_optional_number(client, agent):
    client.force_login(agent)

    schema = client.get("/api/schema/", {"format": "json"}).json()

    call_input = schema["components"]["schemas"]["CallInput"]
    assert "number_status" in call_input["properties"]
    assert "caller_number" not in call_input.get("required", [])
    assert call_input["properties"]["caller_number"]["nullable"] is True
