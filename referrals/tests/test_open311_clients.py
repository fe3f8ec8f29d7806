"""Open311 against a live server (daphne) with the client libraries cities' apps use.

- `georeport` 0.3.1 (PyPI, Python 3) is used as is, in JSON and XML: services,
  a service definition, requests with several service codes and statuses, one request.
  It has no POST.
- `three` 0.8.0 and `open311` 1.1 (PyPI, Code for America) do not import on
  Python 3 (`from itertools import ifilter`; `from api import API`, an implicit
  relative import): their requests are made here with plain `requests` exactly
  as their code builds them (`three.Three.post` / `.get`, `open311.Open311.post_service_request`
  / `.service_list` / `.request_id_from_token`).
"""

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
import requests
from django.utils import timezone
from georeport import GeoReport

from referrals.models import Referral
from referrals.services import referral_transition
from referrals.tests.conftest import OPEN311_KEY

pytestmark = pytest.mark.django_db(transaction=True)

API_KEY = OPEN311_KEY


@pytest.fixture
def city(fresh_sync_executor, live_server_url, water_service, transit_service, water_partner, key):
    return {"endpoint": f"{live_server_url}/open311/v2", "partner": water_partner}


def three_post(endpoint: str, service_code: str, **kwargs) -> requests.Response:
    """three.Three(endpoint, api_key=...).post(service_code, address=..., name=..., phone=..., description=...)."""
    kwargs["service_code"] = service_code
    kwargs["address_string"] = kwargs.pop("address")
    kwargs["first_name"], kwargs["last_name"] = kwargs.pop("name").split(" ")
    kwargs["api_key"] = API_KEY
    return requests.Session().post(f"{endpoint}/requests.json", data=kwargs, timeout=10)


def open311_post(endpoint: str, fmt: str = "xml", **kwargs) -> requests.Response:
    """open311.Open311(endpoint=..., api_key=...).post_service_request(**kwargs): the key in the query string."""
    return requests.post(
        f"{endpoint}/requests.{fmt}",
        params={"jurisdiction_id": "", "api_key": API_KEY},
        data=kwargs,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )


def test_three_posts_and_reads_back(city):
    endpoint = city["endpoint"]
    # three's own docstring example: a seven-digit phone, a two-word name
    response = three_post(
        endpoint,
        "water-leak",
        address="서울 중구 세종대로 110",
        name="길동 홍",
        phone="555-5555",
        description="맨홀 뚜껑 아래로 물이 샙니다",
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert set(answer[0]) == {"service_request_id", "service_notice", "account_id"}
    referral = Referral.objects.get(pk=int(answer[0]["service_request_id"]))
    assert referral.contact_phone_text == "555-5555" and referral.contact_name == "홍 길동"
    # three.requests('water-leak', start='11-01-2026', end=...): dates as %Y-%m-%dT%H:%M:%SZ
    today = timezone.now()
    listed = requests.get(
        f"{endpoint}/requests.json",
        params={
            "service_code": "water-leak",
            "start_date": (today - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": (today + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        timeout=10,
    ).json()
    assert [row["service_request_id"] for row in listed] == [str(referral.pk)]
    # three.request(id) and three.token(token)
    one = requests.get(f"{endpoint}/requests/{referral.pk}.json", timeout=10).json()
    assert one[0]["description"] == "맨홀 뚜껑 아래로 물이 샙니다" and one[0]["zipcode"] is None
    token = requests.get(f"{endpoint}/tokens/{referral.token}.json", timeout=10).json()
    assert token[0]["service_request_id"] == str(referral.pk)


def test_open311_library_sends_the_key_in_the_query_string(city):
    endpoint = city["endpoint"]
    response = open311_post(
        endpoint,
        service_code="water-leak",
        address_string="123 Any Street",
        first_name="John",
        last_name="Smith",
        phone="111-111-1111",
        email="me@example.com",
        description="A large sinkhole is destroying the street",
        media_url="http://example.com/sinkhole.png",
    )
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314
    request_id = root.findtext("request/service_request_id")
    assert request_id and root.find("request/token") is None
    # open311.service_list(): services.xml -> ['services']['service']
    services = ET.fromstring(requests.get(f"{endpoint}/services.xml", timeout=10).content)  # noqa: S314
    assert {s.findtext("service_code") for s in services.findall("service")} == {"water-leak", "transit-complaint"}
    # an unknown service code is 404, in the spec's error format
    refused = open311_post(endpoint, service_code="no-such-service", address_string="x")
    assert refused.status_code == 404
    assert ET.fromstring(refused.content).findtext("error/code") == "404"  # noqa: S314


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_everything(city, fmt):
    endpoint = city["endpoint"]
    water = Referral.objects.get(
        pk=int(
            open311_post(endpoint, fmt="json", service_code="water-leak", address_string="가").json()[0][
                "service_request_id"
            ]
        )
    )
    transit_id = open311_post(endpoint, fmt="json", service_code="transit-complaint", address_string="나").json()[0][
        "service_request_id"
    ]
    referral_transition(referral=water, actor=city["partner"], to="declined", reason="사유지 배관")
    client = GeoReport(endpoint, output_format=fmt)

    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert codes == {"water-leak", "transit-complaint"}
    assert client.get_service_definition("water-leak")["service_code"] == "water-leak"

    both = client.get_service_requests(service_code="water-leak,transit-complaint", status="open,closed")
    assert {row["service_request_id"] for row in both} == {str(water.pk), transit_id}
    closed = client.get_service_requests(status="closed")
    closed = [closed] if isinstance(closed, dict) else closed  # xmltodict: one element is not a list
    assert [row["service_request_id"] for row in closed] == [str(water.pk)]
    assert closed[0]["status_notes"] == "사유지 배관"

    one = client.get_service_request(str(water.pk))
    one = one[0] if isinstance(one, list) else one
    assert one["status"] == "closed" and one["service_code"] == "water-leak"


def test_head_405_and_cors_on_the_live_server(city):
    endpoint = city["endpoint"]
    got = requests.get(f"{endpoint}/services.json", headers={"Origin": "https://map.example.org"}, timeout=10)
    assert got.headers["Access-Control-Allow-Origin"] == "*"
    head = requests.head(f"{endpoint}/services.json", timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(got.content))
    put = requests.put(f"{endpoint}/requests.json", timeout=10)
    assert put.status_code == 405 and put.json()[0]["code"] == 405
    assert put.headers["Allow"] == "GET, HEAD, POST"
    english = requests.get(f"{endpoint}/services.json", headers={"Accept-Language": "en"}, timeout=10).json()
    assert "Waterworks regional offices" in {s["service_name"] for s in english}
    too_big = requests.post(
        f"{endpoint}/requests.json", data={"api_key": API_KEY, "description": "x" * 1_100_000}, timeout=30
    )
    assert too_big.status_code == 413 and too_big.json()[0]["code"] == 413
