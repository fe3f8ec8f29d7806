"""API tokens are remembered per process (bench/calls.py); revoking one, or
deactivating its user, must still refuse the very next request in this process."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from callcenter import authentication, caches

pytestmark = pytest.mark.django_db

URL = "/api/calls/"


@pytest.fixture
def token(agent):
    return Token.objects.create(user=agent)


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def token_queries(client: APIClient) -> tuple[int, int]:
    """(status, how many queries read the token table) for one request."""
    with CaptureQueriesContext(connection) as captured:
        status = client.get(URL).status_code
    return status, sum('"authtoken_token"' in q["sql"] for q in captured.captured_queries)


def test_a_token_is_read_once_then_remembered(token):
    client = client_for(token.key)

    assert token_queries(client) == (200, 1)
    assert token_queries(client) == (200, 0)


def test_a_deleted_token_is_refused_at_once(token):
    client = client_for(token.key)
    assert client.get(URL).status_code == 200

    token.delete()

    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_a_deactivated_user_is_refused_at_once(token, agent):
    client = client_for(token.key)
    assert client.get(URL).status_code == 200

    agent.is_active = False
    agent.save()

    assert client.get(URL).status_code == 401


def test_a_replaced_token_stops_working_and_the_new_one_works(token, agent):
    old = client_for(token.key)
    assert old.get(URL).status_code == 200

    token.delete()
    new_token = Token.objects.create(user=agent)

    assert old.get(URL).status_code == 401
    assert client_for(new_token.key).get(URL).status_code == 200


def test_an_unknown_token_is_never_remembered(token):
    client = client_for("0" * 40)

    assert token_queries(client) == (401, 1)
    assert token_queries(client) == (401, 1)


def test_the_cache_lifetime_ends(token, monkeypatch):
    client = client_for(token.key)
    clock = [1000.0]
    monkeypatch.setattr(caches.declared()["tokens"], "clock", lambda: clock[0])
    assert token_queries(client) == (200, 1)

    clock[0] += authentication.cache_seconds() + 0.1

    assert token_queries(client) == (200, 1)


@override_settings(TOKEN_CACHE_SECONDS=0)
def test_zero_seconds_turns_the_cache_off(token):
    client = client_for(token.key)

    assert token_queries(client) == (200, 1)
    assert token_queries(client) == (200, 1)


def test_each_request_gets_its_own_user_object(token, agent):
    request_user = authentication.CachedTokenAuthentication().authenticate_credentials(token.key)[0]
    request_user.some_request_attribute = "from the first request"

    next_user = authentication.CachedTokenAuthentication().authenticate_credentials(token.key)[0]

    assert next_user == agent
    assert next_user is not request_user
    assert not hasattr(next_user, "some_request_attribute")
