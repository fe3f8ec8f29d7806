"""client_request_id is its sender's: another agent's same key logs their own
call (never answers with someone else's), and the same key asking for another
call is a 409."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from inquiries.models import Call

pytestmark = pytest.mark.django_db


def body(**overrides):
    return {
        "caller_number": "010-1234-5678",
        "category": "water",
        "summary": "수돗물 녹물 문의",
        "notes": "",
        "client_request_id": "key-1",
        **overrides,
    }


def test_another_agent_reusing_a_key_logs_their_own_call(api, agent, other_agent, category):
    api.force_authenticate(agent)
    first = api.post("/api/calls/", body(notes="agent_a's private notes"), format="json")
    api.force_authenticate(other_agent)

    second = api.post("/api/calls/", body(summary="단수 문의", caller_number="010-9999-0000"), format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    answer = second.json()
    assert answer["agent"] == "agent_b" and answer["summary"] == "단수 문의" and answer["notes"] == ""
    assert answer["id"] != first.json()["id"]
    assert sorted(Call.objects.values_list("agent__username", flat=True)) == ["agent_a", "agent_b"]


def test_the_same_key_with_another_body_is_a_409_and_logs_nothing(api_as, agent, category):
    client = api_as(agent)
    client.post("/api/calls/", body(), format="json")

    response = client.post("/api/calls/", body(summary="전혀 다른 통화"), format="json")

    assert response.status_code == 409
    assert response.json()["error"] == "request_id_reused"
    assert set(response.json()) == {"error", "message", "fields"}
    assert Call.objects.get().summary == "수돗물 녹물 문의"


@pytest.mark.parametrize(
    "change",
    [{"caller_number": "010-1234-0000"}, {"category": "transit"}, {"resolution": "unresolved"}, {"urgent": True}],
)
def test_any_changed_field_makes_it_another_call(api_as, agent, category, change):
    client = api_as(agent)
    client.post("/api/calls/", body(), format="json")
    assert client.post("/api/calls/", body(**change), format="json").status_code == 409


def test_a_retry_is_the_same_call_also_as_typed_differently(api_as, agent, category):
    client = api_as(agent)
    first = client.post("/api/calls/", body(), format="json")

    retry = client.post("/api/calls/", body(caller_number="01012345678", summary=" 수돗물 녹물 문의 "), format="json")

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]


def test_a_supervisor_logging_for_an_agent_uses_the_agents_keys(api_as, agent, supervisor, category):
    api_as(agent).post("/api/calls/", body(), format="json")
    client = api_as(supervisor)

    assert client.post("/api/calls/", body(agent="agent_a"), format="json").status_code == 200
    assert client.post("/api/calls/", body(agent="agent_a", summary="다른 내용"), format="json").status_code == 409
    assert client.post("/api/calls/", body(), format="json").status_code == 201  # the supervisor's own key
    assert Call.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_agents_racing_with_one_key_get_one_call_each(agent, other_agent, reference_data):
    clients = 20
    barrier = threading.Barrier(clients)

    def post(n):
        user = agent if n % 2 else other_agent
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            response = client.post("/api/calls/", body(summary=f"{user.username}의 통화"), format="json")
            return user.username, response.status_code, response.json()["agent"]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(post, range(clients)))

    assert all(sender == shown for sender, _status, shown in results)  # nobody sees another's call
    statuses = sorted(status for _sender, status, _shown in results)
    assert statuses == [200] * (clients - 2) + [201, 201]
    assert sorted(Call.objects.values_list("agent__username", "summary")) == [
        ("agent_a", "agent_a의 통화"),
        ("agent_b", "agent_b의 통화"),
    ]
