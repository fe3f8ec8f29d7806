import json
from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter.models import AccessLog
from callcenter.workdays import operating_day
from inquiries.models import Call
from inquiries.services import call_log

pytestmark = pytest.mark.django_db

VALID = {"caller_number": "010-1234-5678", "category": "water", "summary": "수돗물에서 녹물이 나와요"}


def body(**overrides):
    data = dict(VALID)
    data.update(overrides)
    return data


def test_agent_logs_a_call_and_sees_it_masked(api_as, agent):
    client = api_as(agent)

    response = client.post("/api/calls/", body(language="ko", channel="phone", satisfaction=5), format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["caller_number"] == "010-****-5678"
    assert data["category"] == "water"
    assert data["agent"] == agent.username
    assert Call.objects.get(pk=data["id"]).caller.number == "01012345678"


def test_all_fields_are_stored(api_as, agent):
    start = timezone.now() - timedelta(minutes=6)
    payload = body(
        caller_number="+82 2 123 4567",
        language="en",
        channel="visit",
        notes="방문 민원",
        resolution="referred",
        started_at=start.isoformat(),
        ended_at=(start + timedelta(minutes=4)).isoformat(),
        satisfaction=4,
        urgent=True,
        vulnerable="senior",
        client_request_id="abc-1",
    )
    data = api_as(agent).post("/api/calls/", payload, format="json").json()

    assert data["duration_seconds"] == 240
    assert (data["language"], data["channel"], data["resolution"], data["vulnerable"]) == (
        "en",
        "visit",
        "referred",
        "senior",
    )
    assert data["urgent"] is True
    assert data["caller_number"] == "02-***-4567"


# an hour before the tests run: calls are accepted only so many days back (CALL_BACKDATE_DAYS)
HOUR_AGO = timezone.now() - timedelta(hours=1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"caller_number": "12345"}, "caller_number"),
        ({"category": "spaceships"}, "category"),
        ({"language": "fr"}, "language"),
        ({"summary": "가" * 2001}, "summary"),
        ({"summary": ""}, "summary"),
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 6}, "satisfaction"),
        ({"channel": "fax"}, "channel"),
        ({"resolution": "maybe"}, "resolution"),
        ({"started_at": HOUR_AGO.isoformat(), "ended_at": (HOUR_AGO - timedelta(minutes=1)).isoformat()}, "ended_at"),
    ],
)
def test_bad_input_is_a_400_with_the_shared_shape_and_saves_nothing(api_as, agent, overrides, field):
    response = api_as(agent).post("/api/calls/", body(**overrides), format="json")

    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "invalid"
    assert data["message"]
    assert field in data["fields"]
    assert Call.objects.count() == 0


def test_body_that_is_not_json_is_a_400(api_as, agent):
    response = api_as(agent).post("/api/calls/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed"
    assert Call.objects.count() == 0


def test_body_over_one_megabyte_is_refused(api_as, agent):
    big = json.dumps(body(notes="x" * (1024 * 1024 + 10)))
    response = api_as(agent).post("/api/calls/", big, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert Call.objects.count() == 0


def test_errors_come_in_the_users_language(api_as, agent):
    response = api_as(agent).post("/api/calls/", body(caller_number="12"), format="json", HTTP_ACCEPT_LANGUAGE="ko")
    assert "전화번호" in response.json()["fields"]["caller_number"][0]


def test_repeat_with_same_client_request_id_returns_original_with_200(api_as, agent):
    client = api_as(agent)
    first = client.post("/api/calls/", body(client_request_id="k-1"), format="json")
    again = client.post("/api/calls/", body(client_request_id="k-1"), format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Call.objects.count() == 1


def test_sign_in_is_required(api):
    assert api.post("/api/calls/", body(), format="json").status_code == 401
    assert api.get("/api/calls/").status_code == 401


@pytest.mark.parametrize("role", ["partner", "phone_system", None])
def test_roles_that_do_not_log_calls_are_refused(api_as, make_user, role):
    from callcenter.permissions import Role

    user = make_user(Role(role) if role else None)
    response = api_as(user).post("/api/calls/", body(), format="json")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_token_auth_works_for_api_clients(api, agent):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=agent)
    response = api.post("/api/calls/", body(), format="json", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 201


def test_agent_lists_only_own_calls_supervisor_lists_all(api_as, agent, other_agent, supervisor, category):
    call_log(agent=agent, caller_number="010-1111-2222", category=category, summary="a")
    call_log(agent=other_agent, caller_number="010-3333-4444", category=category, summary="b")

    mine = api_as(agent).get("/api/calls/").json()
    assert [c["summary"] for c in mine["results"]] == ["a"]
    everyone = api_as(supervisor).get("/api/calls/").json()
    assert everyone["count"] == 2


def test_list_filters(api_as, supervisor, agent, other_agent, category):
    from knowledgebase.models import Category

    transit = Category.objects.get(slug="transit")
    yesterday = timezone.now() - timedelta(days=1)
    call_log(agent=agent, caller_number="010-1111-2222", category=category, summary="water today")
    call_log(agent=other_agent, caller_number="010-3333-4444", category=transit, summary="bus", started_at=yesterday)
    client = api_as(supervisor)

    def summaries(query):
        return sorted(c["summary"] for c in client.get("/api/calls/", query).json()["results"])

    assert summaries({"caller_number": "+82 10 1111 2222"}) == ["water today"]
    assert summaries({"agent": other_agent.username}) == ["bus"]
    assert summaries({"category": "transit"}) == ["bus"]
    today = operating_day()  # the filters mean operating days (08:00 to 08:00), not calendar dates
    assert summaries({"date_from": today.isoformat()}) == ["water today"]
    assert summaries({"date_to": (today - timedelta(days=1)).isoformat()}) == ["bus"]
    bad = client.get("/api/calls/", {"date_from": "yesterday"})
    assert bad.status_code == 400 and "date_from" in bad.json()["fields"]


def test_list_is_paginated(api_as, agent, category):
    for n in range(55):
        call_log(agent=agent, caller_number="010-1111-2222", category=category, summary=f"call {n}")
    page = api_as(agent).get("/api/calls/").json()
    assert page["count"] == 55
    assert len(page["results"]) == 50
    assert page["next"]


def test_detail_of_someone_elses_call_is_404_for_an_agent(api_as, agent, other_agent, supervisor, category):
    call, _ = call_log(agent=other_agent, caller_number="010-1111-2222", category=category, summary="x")
    assert api_as(agent).get(f"/api/calls/{call.pk}/").status_code == 404
    assert api_as(supervisor).get(f"/api/calls/{call.pk}/").status_code == 200


def test_unmasked_detail_shows_the_number_and_is_logged(api_as, agent, category):
    call, _ = call_log(agent=agent, caller_number="010-1111-2222", category=category, summary="x")
    client = api_as(agent)

    masked = client.get(f"/api/calls/{call.pk}/").json()
    assert "caller_number_full" not in masked
    assert AccessLog.objects.filter(action="view").count() == 0

    full = client.get(f"/api/calls/{call.pk}/", {"unmask": "1"}, REMOTE_ADDR="10.1.2.3").json()
    assert full["caller_number_full"] == "010-1111-2222"
    entry = AccessLog.objects.get(action="view")
    assert (entry.user, entry.subject, entry.target, entry.source_address) == (
        agent,
        "caller:01011112222",
        f"call:{call.pk}",
        "10.1.2.3",
    )


def test_patch_by_own_agent_and_supervisor_but_not_another_agent(api_as, agent, other_agent, supervisor, category):
    call, _ = call_log(agent=agent, caller_number="010-1111-2222", category=category, summary="x")
    url = f"/api/calls/{call.pk}/"

    assert api_as(agent).patch(url, {"resolution": "callback_needed"}, format="json").status_code == 200
    assert api_as(other_agent).patch(url, {"resolution": "unresolved"}, format="json").status_code == 404
    response = api_as(supervisor).patch(url, {"satisfaction": 4, "category": "transit"}, format="json")
    assert response.status_code == 200
    assert (response.json()["satisfaction"], response.json()["category"]) == (4, "transit")
    call.refresh_from_db()
    assert call.resolution == "callback_needed"
    assert list(call.events.values_list("kind", flat=True)) == ["created", "resolution", "changed", "changed"]
    changes = [event.changes for event in call.events.filter(kind="changed")]
    assert changes == [{"category": ["water", "transit"]}, {"satisfaction": [None, 4]}]


def test_patch_bad_input_changes_nothing(api_as, agent, category):
    call, _ = call_log(agent=agent, caller_number="010-1111-2222", category=category, summary="x")
    response = api_as(agent).patch(f"/api/calls/{call.pk}/", {"satisfaction": 9, "summary": "y"}, format="json")
    assert response.status_code == 400
    call.refresh_from_db()
    assert (call.summary, call.satisfaction) == ("x", None)


def test_supervisor_may_log_for_an_agent_but_an_agent_may_not_log_as_another(api_as, agent, other_agent, supervisor):
    ok = api_as(supervisor).post("/api/calls/", body(agent=agent.username), format="json")
    assert ok.status_code == 201 and ok.json()["agent"] == agent.username
    refused = api_as(other_agent).post("/api/calls/", body(agent=agent.username), format="json")
    assert refused.status_code == 403


def test_unknown_api_path_is_json_404(api_as, agent):
    response = api_as(agent).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_schema_and_docs_are_served(client, agent):
    client.force_login(agent)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/calls/" in schema.content
    assert client.get("/api/docs/").status_code == 200
