"""Open311 GeoReport v2, checked against the shapes of the spec's examples (JSON and XML).

Spec: http://wiki.open311.org/GeoReport_v2 (services, service definition,
POST/GET requests, tokens, discovery, errors).
"""

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from referrals.models import Referral
from referrals.services import referral_transition
from referrals.tests.factories import Open311ApiKeyFactory, ReferralFactory

pytestmark = pytest.mark.django_db

# Field sets of the spec's example responses.
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
CREATED_FIELDS = {"service_request_id", "service_notice", "account_id"}
BASE = "/open311/v2"


def post(client, fmt="json", **data):
    body = {"api_key": "test-key-123", "service_code": "water-leak", "address_string": "서울 중구 세종대로 110"}
    body.update(data)
    body = {k: v for k, v in body.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", body)


def xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314


def assert_json_errors(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, list) and body
    for error in body:
        assert set(error) == {"code", "description"} and error["code"] == status and error["description"]


def assert_xml_errors(response, status):
    assert response.status_code == status
    root = xml(response)
    assert root.tag == "errors"
    for error in root.findall("error"):
        assert error.findtext("code") == str(status) and error.findtext("description")
    assert root.findall("error")


# --- discovery and services ----------------------------------------------------------------
def test_discovery_json_and_xml(client):
    body = client.get(f"{BASE}/discovery.json").json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/") and set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats").findall("format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_json(client, water_service, legal_service):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    assert [s["service_code"] for s in services] == ["water-leak"]  # only published services
    assert set(services[0]) == SERVICE_FIELDS
    assert services[0]["service_name"] == "수도사업소" and services[0]["type"] == "realtime"
    assert services[0]["metadata"] is False and services[0]["group"] == "수도 Water"


def test_services_xml(client, water_service):
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    service = root.find("service")
    assert {child.tag for child in service} == SERVICE_FIELDS
    assert service.findtext("service_code") == "water-leak" and service.findtext("metadata") == "false"
    assert service.findtext("service_name") == "수도사업소"  # UTF-8 Hangul survives


def test_service_definition(client, water_service):
    body = client.get(f"{BASE}/services/water-leak.json").json()
    assert body == {"service_code": "water-leak", "attributes": []}
    root = xml(client.get(f"{BASE}/services/water-leak.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "water-leak"
    assert_json_errors(client.get(f"{BASE}/services/nope.json"), 404)
    assert_xml_errors(client.get(f"{BASE}/services/nope.xml"), 404)


def test_unknown_resource_is_a_spec_404(client):
    assert_json_errors(client.get(f"{BASE}/whatever.json"), 404)
    assert_xml_errors(client.get(f"{BASE}/services.xml/extra.xml"), 404)
    assert_json_errors(client.get(f"{BASE}/services.html"), 404)


# --- POST requests -----------------------------------------------------------------------------
def test_post_request_json_creates_a_referral_without_a_call(client, water_service, key):
    response = post(
        client,
        description="도로에 물이 샙니다",
        lat="37.5663",
        long="126.9779",
        first_name="길동",
        last_name="홍",
        phone="010-2222-3333",
        email="hong@example.com",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert set(body[0]) >= CREATED_FIELDS
    referral = Referral.objects.get(pk=int(body[0]["service_request_id"]))
    assert referral.source == "open311" and referral.call is None and referral.service == water_service
    assert referral.consent is True and referral.contact_number == "01022223333" and referral.contact_name == "홍 길동"
    assert referral.api_key == key and referral.reason == "도로에 물이 샙니다"
    assert referral.events.get().to_status == "new"
    assert "token" not in body[0]  # a realtime service returns the id, so never a token as well


def test_post_request_xml(client, water_service, key):
    root = xml(post(client, fmt="xml", description="누수"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert {child.tag for child in request} >= CREATED_FIELDS
    assert Referral.objects.filter(pk=int(request.findtext("service_request_id"))).exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("api_key", [None, "", "wrong", "inactive-key"])
def test_post_without_a_valid_key_is_403_in_the_spec_format(client, water_service, key, fmt, api_key):
    Open311ApiKeyFactory(key="inactive-key", is_active=False)
    response = post(client, fmt=fmt, api_key=api_key)
    (assert_json_errors if fmt == "json" else assert_xml_errors)(response, 403)
    assert not Referral.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "data",
    [
        {"service_code": None},
        {"service_code": ""},
        {"address_string": None},  # neither lat/long nor an address
        {"address_string": None, "lat": "37.5"},  # long missing
        {"lat": "north", "long": "east"},
        {"lat": "137.5", "long": "126.9"},
        {"description": "가" * 4001},
        {"email": "not-an-email"},
        {"phone": "1" * 61},
    ],
)
def test_post_bad_input_is_400_in_the_spec_format(client, water_service, key, fmt, data):
    response = post(client, fmt=fmt, **data)
    (assert_json_errors if fmt == "json" else assert_xml_errors)(response, 400)
    assert not Referral.objects.exists()


def test_description_of_4000_characters_is_fine(client, water_service, key):
    assert post(client, description="가" * 4000).status_code == 201


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_404(client, water_service, key, fmt):
    response = post(client, fmt=fmt, service_code="unknown")
    (assert_json_errors if fmt == "json" else assert_xml_errors)(response, 404)
    assert not Referral.objects.exists()


def test_an_unpublished_service_takes_no_requests(client, legal_service, key):
    legal_service.service_code = "legal"
    legal_service.save()
    assert_json_errors(post(client, service_code="legal"), 404)


# --- GET requests, requests/{id}, tokens ---------------------------------------------------------
@pytest.fixture
def requests_made(client, water_service, key, legal_partner, legal_service, agent, category, water_partner):
    first = Referral.objects.get(pk=int(post(client, description="첫 번째 누수").json()[0]["service_request_id"]))
    second = Referral.objects.get(pk=int(post(client, description="두 번째 누수").json()[0]["service_request_id"]))
    referral_transition(referral=second, actor=water_partner, to="declined", reason="사유지 배관: 소유자 수리")
    private = ReferralFactory(service=legal_service, call__agent=agent, call__category=category)
    return {"first": first, "second": second, "private": private}


def test_get_requests_json(client, requests_made):
    body = client.get(f"{BASE}/requests.json").json()
    by_id = {row["service_request_id"]: row for row in body}
    # a referral from a call is a caller's private case: never public
    assert set(by_id) == {str(requests_made["first"].pk), str(requests_made["second"].pk)}
    first, second = by_id[str(requests_made["first"].pk)], by_id[str(requests_made["second"].pk)]
    assert set(first) >= REQUEST_FIELDS and "notes" in first
    assert first["status"] == "open" and second["status"] == "closed"
    assert second["status_notes"] == "사유지 배관: 소유자 수리"
    assert first["agency_responsible"] == "수도사업소" and first["service_code"] == "water-leak"
    stamp = parse_datetime(first["requested_datetime"])
    assert stamp.utcoffset() == timedelta(hours=9)  # ISO 8601 with the zone
    assert [note["type"] for note in second["notes"]] == ["submitted", "declined"]
    assert first["address"] == "서울 중구 세종대로 110"


def test_get_requests_filters(client, requests_made):
    def ids(query):
        response = client.get(f"{BASE}/requests.json{query}")
        assert response.status_code == 200, response.content
        return {row["service_request_id"] for row in response.json()}

    first, second = str(requests_made["first"].pk), str(requests_made["second"].pk)
    assert ids("?status=open") == {first}
    assert ids("?status=closed") == {second}
    assert ids("?status=open,closed") == {first, second}
    assert ids(f"?service_request_id={first}") == {first}
    assert ids(f"?service_request_id={first},{second}") == {first, second}
    assert ids("?service_code=water-leak") == {first, second}
    assert ids("?service_code=other") == set()
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert ids("?start_date=" + future.replace("+", "%2B")) == set()
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids("?start_date=" + past.replace("+", "%2B")) == {first, second}
    assert ids("?end_date=" + past.replace("+", "%2B")) == set()
    assert_json_errors(client.get(f"{BASE}/requests.json?status=pending"), 400)
    assert_json_errors(client.get(f"{BASE}/requests.json?start_date=yesterday"), 400)
    assert_xml_errors(client.get(f"{BASE}/requests.xml?service_request_id=abc"), 400)


def test_get_requests_xml(client, requests_made):
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    requests = root.findall("request")
    assert len(requests) == 2
    assert {child.tag for child in requests[0]} >= REQUEST_FIELDS
    notes = requests[0].find("notes").findall("note")
    assert notes and notes[0].findtext("datetime")


def test_get_one_request(client, requests_made):
    first = requests_made["first"]
    body = client.get(f"{BASE}/requests/{first.pk}.json").json()
    assert len(body) == 1 and body[0]["service_request_id"] == str(first.pk)
    root = xml(client.get(f"{BASE}/requests/{first.pk}.xml"))
    assert root.find("request").findtext("description") == "첫 번째 누수"
    assert_json_errors(client.get(f"{BASE}/requests/{requests_made['private'].pk}.json"), 404)
    assert_xml_errors(client.get(f"{BASE}/requests/999999.xml"), 404)


def test_tokens(client, requests_made):
    first = requests_made["first"]
    body = client.get(f"{BASE}/tokens/{first.token}.json").json()
    assert body == [{"service_request_id": str(first.pk), "token": str(first.token)}]
    root = xml(client.get(f"{BASE}/tokens/{first.token}.xml"))
    assert root.find("request").findtext("service_request_id") == str(first.pk)
    assert_json_errors(client.get(f"{BASE}/tokens/not-a-token.json"), 404)
    assert_xml_errors(client.get(f"{BASE}/tokens/{requests_made['private'].token}.xml"), 404)


def test_open311_request_reaches_the_desk(client, water_service, key, water_partner, api_as):
    service_request_id = post(client, description="맨홀 누수", phone="010-1111-2222").json()[0]["service_request_id"]
    body = api_as(water_partner).get(f"/api/referrals/{service_request_id}/").json()
    assert body["source"] == "open311" and body["contact_number_full"] == "010-1111-2222"
