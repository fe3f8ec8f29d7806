"""The access log's source address: the peer, or behind a proxy the right-most
X-Forwarded-For hop that is not a proxy of ours."""

import pytest
from django.test import RequestFactory, override_settings

from callcenter.services import client_address

PROXY = "10.0.0.5"


def request(forwarded: str | None = None, peer: str = PROXY):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_a_proxy_the_header_is_ignored():
    assert client_address(request=request("203.0.113.7")) == PROXY  # anyone can send the header


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=[])
@pytest.mark.parametrize(
    "forwarded, expected",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left one was written by the client
        (" 198.51.100.1 ,203.0.113.7 ", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        (None, PROXY),  # no header: the peer
        ("", PROXY),
        ("not-an-address", PROXY),  # nothing to trust beyond the proxy
        ("203.0.113.7, garbage", PROXY),
    ],
)
def test_behind_a_proxy_the_right_most_hop(forwarded, expected):
    assert client_address(request=request(forwarded)) == expected


@override_settings(BEHIND_PROXY=True, TRUSTED_PROXIES=["10.1.0.0/16", "192.0.2.9"])
@pytest.mark.parametrize(
    "forwarded, expected",
    [
        ("203.0.113.7, 10.1.4.4", "203.0.113.7"),  # through a second proxy of ours
        ("198.51.100.1, 203.0.113.7, 192.0.2.9, 10.1.4.4", "203.0.113.7"),
        ("10.1.2.2, 10.1.4.4", "10.1.2.2"),  # only our proxies: the left-most of them
        ("garbage, 10.1.4.4", "10.1.4.4"),
    ],
)
def test_trusted_proxies_in_front(forwarded, expected):
    assert client_address(request=request(forwarded)) == expected


@pytest.mark.django_db
@override_settings(BEHIND_PROXY=True)
def test_a_logged_call_records_the_client_behind_the_proxy(client, agent, category):
    from callcenter.models import AccessLog

    client.force_login(agent)
    response = client.post(
        "/api/calls/",
        {"caller_number": "010-1234-5678", "category": "water", "summary": "녹물"},
        content_type="application/json",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
        REMOTE_ADDR=PROXY,
    )
    assert response.status_code == 201, response.content
    assert AccessLog.objects.get().source_address == "203.0.113.7"
