"""Hostile input is a 400 (or 404), never a 500: found by probing every API."""

import pytest

from callcenter.inputs import MAX_DB_ID, parse_id

pytestmark = pytest.mark.django_db

NESTED = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    ("path", "who"),
    [("/api/calls/", "agent"), ("/api/referrals/", "agent"), ("/api/cti/events/", "phone_system")],
)
def test_json_nested_too_deeply_is_a_400(api_as, request, path, who):
    response = api_as(request.getfixturevalue(who)).post(path, NESTED, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed"


def test_faq_entry_id_beyond_the_database_is_a_400(api_as, agent):
    body = {"caller_number": "010-1234-5678", "category": "water", "summary": "s", "faq_entries": [10**20]}
    response = api_as(agent).post("/api/calls/", body, format="json")
    assert response.status_code == 400
    assert "faq_entries" in response.json()["fields"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_ids_beyond_the_database(client, fmt):
    huge = "9" * 20
    assert client.get(f"/open311/v2/requests/{huge}.{fmt}").status_code == 404
    assert client.get(f"/open311/v2/requests.{fmt}", {"service_request_id": huge}).status_code == 400


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(MAX_DB_ID), MAX_DB_ID),
        (str(MAX_DB_ID + 1), None),
        ("0", None),
        ("-3", None),
        ("1e3", None),
        ("", None),
        ("١٢", None),
    ],
)
def test_parse_id(text, value):
    assert parse_id(text) == value
