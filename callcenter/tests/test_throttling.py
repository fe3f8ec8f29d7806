"""Request rates: API tokens, Open311 keys and Open311 POST are throttled, with
429, Retry-After and each API's own error shape; signed-in pages are not."""

from __future__ import annotations

import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning, memcache_key_warnings
from django.test import RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from callcenter.permissions import Role
from callcenter.throttling import Open311KeyThrottle, Open311PostThrottle
from referrals.tests.factories import Open311ApiKeyFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**rates):
        every = {"token": "off", "open311_key": "off", "open311_post": "off"}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {**every, **rates})

    return set_rates


def test_an_api_token_over_its_rate_gets_429_with_retry_after(rates, make_user):
    rates(token="3/min")
    agent = make_user(Role.AGENT, username="scripted")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}")
    answers = [client.get("/api/calls/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["error"] == "throttled" and body["fields"] == {}
    assert "seconds" in body["message"] or "초" in body["message"]


def test_each_token_has_its_own_count_and_sessions_are_not_throttled(rates, make_user):
    rates(token="2/min")
    first, second = make_user(Role.AGENT, username="one"), make_user(Role.AGENT, username="two")
    tokens = [APIClient(), APIClient()]
    for client, user in zip(tokens, (first, second), strict=True):
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    assert [tokens[0].get("/api/calls/").status_code for _ in range(3)] == [200, 200, 429]
    assert tokens[1].get("/api/calls/").status_code == 200
    page_user = APIClient()
    page_user.force_login(first)
    assert {page_user.get("/api/calls/").status_code for _ in range(5)} == {200}


def test_the_phone_system_is_throttled_per_token(rates, phone_system):
    rates(token="1/min")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=phone_system).key}")
    event = {"event": "agent.state", "at": "2026-11-30T10:00:00+09:00", "agent": "nobody", "state": "available"}
    client.post("/api/cti/events/", event, format="json")
    refused = client.post("/api/cti/events/", event, format="json")
    assert refused.status_code == 429 and refused.json()["error"] == "throttled"


def test_open311_post_is_throttled_per_address_in_the_open311_format(rates, client, reference_data):
    rates(open311_post="2/min")
    ServiceFactory(slug="water-leak", service_code="water-leak", open311_published=True)
    Open311ApiKeyFactory(key="k-1")
    body = {"api_key": "k-1", "service_code": "water-leak", "address_string": "세종대로 110", "description": "누수"}
    answers = [client.post("/open311/v2/requests.json", body, REMOTE_ADDR="10.3.3.3") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[-1].json() == [{"code": 429, "description": answers[-1].json()[0]["description"]}]
    assert int(answers[-1]["Retry-After"]) >= 1
    # another address is not held up; a guessed key counts against the address all the same
    assert client.post("/open311/v2/requests.json", body, REMOTE_ADDR="10.4.4.4").status_code == 201
    guessed = dict(body, api_key="guess")
    assert client.post("/open311/v2/requests.xml", guessed, REMOTE_ADDR="10.3.3.3").status_code == 429


def test_an_open311_key_is_throttled_across_addresses(rates, client, reference_data):
    rates(open311_key="2/min")
    ServiceFactory(slug="water-leak", service_code="water-leak", open311_published=True)
    Open311ApiKeyFactory(key="k-2")
    body = {"api_key": "k-2", "service_code": "water-leak", "address_string": "세종대로 110", "description": "누수"}
    statuses = [client.post("/open311/v2/requests.json", body, REMOTE_ADDR=f"10.5.5.{n}").status_code for n in range(3)]
    assert statuses == [201, 201, 429]
    refused = client.post("/open311/v2/requests.xml", body)
    assert refused.status_code == 429 and b"<errors>" in refused.content


HOSTILE_KEYS = ["k 1\tspace", "k\x00\x01\x7fnul", "x" * 300, "키\u202e뒤집기", "k:1:2:throttle"]


@pytest.mark.parametrize("api_key", HOSTILE_KEYS)
def test_any_open311_key_makes_a_safe_cache_key_and_is_counted_on_its_own(rates, api_key):
    rates(open311_key="2/min")
    factory = RequestFactory()
    key = Open311KeyThrottle().get_cache_key(factory.get("/open311/v2/services.json", {"api_key": api_key}), None)
    assert list(memcache_key_warnings(key)) == []  # no control character, space, or over 250 characters
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        allowed = [
            Open311KeyThrottle().allow_request(factory.get("/open311/v2/services.json", {"api_key": name}), None)
            for name in (api_key, api_key, api_key, api_key + "-other")
        ]
    assert allowed == [True, True, False, True]


def test_any_client_address_makes_a_safe_cache_key(rates):
    rates(open311_post="1/min")
    request = RequestFactory().post("/open311/v2/requests.json", REMOTE_ADDR="10.0.0.1\n" + " " * 300)
    assert list(memcache_key_warnings(Open311PostThrottle().get_cache_key(request, None))) == []
