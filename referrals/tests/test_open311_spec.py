"""Open311 GeoReport v2 as the spec (and its Extensions page) says, beyond the
shapes checked in test_open311.py: list filters, free-text phone, 404 for an
unknown service_code, id or token, changeset, api_key in the query string,
HEAD, 405, null for absent values, notes, the requested language, the default
window before end_date, CORS for reads, 413.
"""

import json
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.utils import timezone

from referrals.models import Referral
from referrals.services import referral_transition
from referrals.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


def post(client, query="", **data):
    body = {"api_key": "test-key-123", "service_code": "water-leak", "address_string": "서울 중구 세종대로 110"}
    body.update(data)
    return client.post(f"{BASE}/requests.json{query}", {k: v for k, v in body.items() if v is not None})


def created(response) -> Referral:
    assert response.status_code == 201, response.content
    return Referral.objects.get(pk=int(response.json()[0]["service_request_id"]))


def ids(client, query: str) -> set[str]:
    response = client.get(f"{BASE}/requests.json{query}")
    assert response.status_code == 200, response.content
    return {row["service_request_id"] for row in response.json()}


def spec_error(response, status):
    assert response.status_code == status
    body = response.json()
    assert body and all(set(e) == {"code", "description"} and e["code"] == status for e in body)
    return body


# --- GET requests: several service codes and statuses -------------------------------------------
def test_several_service_codes_comma_separated_or_repeated(client, water_service, transit_service, key):
    water = str(created(post(client)).pk)
    transit = str(created(post(client, service_code="transit-complaint")).pk)
    assert ids(client, "?service_code=water-leak") == {water}
    assert ids(client, "?service_code=water-leak,transit-complaint") == {water, transit}
    assert ids(client, "?service_code=water-leak&service_code=transit-complaint") == {water, transit}
    assert ids(client, "?service_code=transit-complaint&service_code=nothing") == {transit}


def test_status_repeated(client, water_service, key, water_partner):
    first = created(post(client))
    second = created(post(client))
    referral_transition(referral=second, actor=water_partner, to="declined", reason="사유지 배관")
    assert ids(client, "?status=open") == {str(first.pk)}
    assert ids(client, "?status=open&status=closed") == {str(first.pk), str(second.pk)}
    spec_error(client.get(f"{BASE}/requests.json?status=open&status=pending"), 400)


def test_service_request_ids_repeated(client, water_service, key):
    first, second = created(post(client)), created(post(client))
    assert ids(client, f"?service_request_id={first.pk}&service_request_id={second.pk}") == {
        str(first.pk),
        str(second.pk),
    }


def test_only_end_date_means_the_90_days_before_it(client, water_service, key):
    old, recent = created(post(client)), created(post(client))
    now = timezone.now()
    Referral.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=100))
    Referral.objects.filter(pk=recent.pk).update(created_at=now - timedelta(days=30))

    def query(moment):
        return "?end_date=" + moment.isoformat().replace("+", "%2B")

    assert ids(client, query(now)) == {str(recent.pk)}  # the old one is more than 90 days before
    assert ids(client, query(now - timedelta(days=95))) == {str(old.pk)}
    assert ids(client, query(now - timedelta(days=200))) == set()
    assert ids(client, "") == {str(recent.pk)}  # nothing given: the 90 days before now


# --- POST requests -----------------------------------------------------------------------------------
@pytest.mark.parametrize("phone", ["555-5555", "02 123 4567 (평일 저녁)", "+1 (415) 555-2671 ext. 12"])
def test_phone_is_free_text(client, water_service, key, phone, api_as, water_partner):
    referral = created(post(client, phone=phone))
    detail = api_as(water_partner).get(f"/api/referrals/{referral.pk}/").json()
    assert detail["contact_number_full"] == phone  # the desk can call back what the citizen wrote
    assert phone not in json.dumps(client.get(f"{BASE}/requests/{referral.pk}.json").json())  # never public


def test_a_free_text_phone_is_masked_in_lists(client, water_service, key, api_as, water_partner):
    created(post(client, phone="555-5555"))
    listed = api_as(water_partner).get("/api/referrals/").json()["results"][0]
    assert listed["contact_number"] == "***-5555"


def test_a_phone_number_we_know_is_normalized(client, water_service, key):
    referral = created(post(client, phone="+82 10 2222 3333"))
    assert referral.contact_number == "01022223333" and referral.contact_phone_text == ""


def test_the_answer_has_the_id_and_no_token(client, water_service, key):
    body = post(client).json()
    assert set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    assert body[0]["account_id"] is None


def test_api_key_in_the_query_string(client, water_service, key):
    response = post(client, query="?api_key=test-key-123", api_key=None)
    assert created(response).api_key == key
    spec_error(post(client, query="?api_key=wrong", api_key=None), 403)


def test_a_body_over_1_mb_is_413(client, water_service, key):
    response = post(client, description="가" * 400_000)  # 1.2 MB of UTF-8
    spec_error(response, 413)
    assert not Referral.objects.exists()


def test_a_body_over_1_mb_is_413_in_xml(client, water_service, key):
    body = {"api_key": "test-key-123", "service_code": "water-leak", "description": "x" * 1_100_000}
    response = client.post(f"{BASE}/requests.xml", body)
    assert response.status_code == 413
    root = ET.fromstring(response.content)  # noqa: S314
    assert root.tag == "errors" and root.findtext("error/code") == "413"


# --- discovery changeset ----------------------------------------------------------------------------
def test_changeset_changes_when_services_change(client, water_service):
    type(water_service).objects.filter(pk=water_service.pk).update(updated_at=timezone.now() - timedelta(days=1))
    before = client.get(f"{BASE}/discovery.json").json()
    water_service.name_en = "Waterworks"
    water_service.save()  # auto_now: now
    after = client.get(f"{BASE}/discovery.json").json()
    assert after["changeset"] > before["changeset"]  # sortable, as the spec asks
    assert after["endpoints"][0]["changeset"] == after["changeset"]
    water_service.open311_published = False  # withdrawn within the same second: still a new changeset
    water_service.save()
    assert client.get(f"{BASE}/discovery.json").json()["changeset"] > after["changeset"]


# --- methods -------------------------------------------------------------------------------------------
RESOURCES = [
    "discovery.{fmt}",
    "services.{fmt}",
    "services/water-leak.{fmt}",
    "requests.{fmt}",
    "requests/{id}.{fmt}",
    "tokens/{token}.{fmt}",
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("path", RESOURCES)
def test_head_is_answered_like_get(client, water_service, key, path, fmt):
    referral = created(post(client))
    url = f"{BASE}/" + path.format(fmt=fmt, id=referral.pk, token=referral.token)
    got, head = client.get(url), client.head(url)
    assert got.status_code == head.status_code == 200
    assert head["Content-Type"] == got["Content-Type"]
    assert head["Content-Length"] == str(len(got.content)) and head.content == b""


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("put", "requests.json", "GET, HEAD, POST"),
        ("delete", "requests/1.json", "GET, HEAD"),
        ("post", "services.json", "GET, HEAD"),
        ("patch", "discovery.xml", "GET, HEAD"),
        ("delete", "tokens/abc.xml", "GET, HEAD"),
    ],
)
def test_another_method_is_405_in_the_spec_format(client, water_service, method, path, allowed):
    response = getattr(client, method)(f"{BASE}/{path}")
    assert response.status_code == 405
    assert response["Allow"] == allowed
    if path.endswith(".xml"):
        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == "errors" and root.findtext("error/code") == "405"
    else:
        spec_error(response, 405)


# --- bodies --------------------------------------------------------------------------------------------
def test_absent_values_are_null_in_json(client, water_service, key):
    referral = created(post(client))
    row = client.get(f"{BASE}/requests/{referral.pk}.json").json()[0]
    for field in ("status_notes", "service_notice", "expected_datetime", "address_id", "zipcode", "media_url"):
        assert row[field] is None, field
    assert row["lat"] is None and row["long"] is None  # given an address, not coordinates
    assert row["address"] == "서울 중구 세종대로 110"
    service = client.get(f"{BASE}/services.json").json()[0]
    assert service["keywords"] is not None  # given
    ServiceFactory(slug="bare", name_ko="이름만", open311_published=True, service_code="bare")
    bare = next(s for s in client.get(f"{BASE}/services.json").json() if s["service_code"] == "bare")
    assert bare["keywords"] is None and bare["group"] is None


def test_absent_values_are_empty_elements_in_xml(client, water_service, key):
    referral = created(post(client))
    request = ET.fromstring(client.get(f"{BASE}/requests/{referral.pk}.xml").content).find("request")  # noqa: S314
    assert request.find("zipcode") is not None and request.findtext("zipcode") == ""


def test_notes_as_the_extensions_page_has_them(client, water_service, key, water_partner):
    referral = created(post(client))
    referral_transition(referral=referral, actor=water_partner, to="accepted", note="현장 확인 예정")
    referral_transition(referral=referral, actor=water_partner, to="declined", reason="사유지 배관")
    notes = client.get(f"{BASE}/requests/{referral.pk}.json").json()[0]["notes"]
    assert [set(note) for note in notes] == [{"type", "description", "datetime"}] * 3
    assert [note["type"] for note in notes] == ["submitted", "accepted", "declined"]
    assert "현장 확인 예정" in notes[1]["description"] and "사유지 배관" in notes[2]["description"]
    assert notes[0]["datetime"].endswith("+09:00")
    xml_notes = ET.fromstring(client.get(f"{BASE}/requests/{referral.pk}.xml").content).findall(  # noqa: S314
        "request/notes/note"
    )
    assert [note.findtext("type") for note in xml_notes] == ["submitted", "accepted", "declined"]


@pytest.mark.parametrize(
    "headers, query, name",
    [
        ({}, "", "수도사업소"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.8"}, "", "Waterworks regional offices"),
        ({}, "?locale=en", "Waterworks regional offices"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "?locale=ko", "수도사업소"),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN"}, "", "수도사업소"),  # no Chinese name: Korean
    ],
)
def test_service_name_in_the_requested_language(client, water_service, key, headers, query, name):
    referral = created(post(client))
    services = client.get(f"{BASE}/services.json{query}", **headers).json()
    assert services[0]["service_name"] == name
    row = client.get(f"{BASE}/requests/{referral.pk}.json{query}", **headers).json()[0]
    assert row["service_name"] == name and row["agency_responsible"] == name


# --- CORS -------------------------------------------------------------------------------------------------
def test_cors_lets_any_site_read_open311(client, water_service):
    response = client.get(f"{BASE}/services.json", HTTP_ORIGIN="https://map.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        f"{BASE}/requests.json",
        HTTP_ORIGIN="https://map.example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_cors_is_for_open311_only(client, agent):
    client.force_login(agent)
    response = client.get("/api/services/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response
    page = client.get("/console/", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in page
