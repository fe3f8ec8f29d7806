"""One citizen cannot break the public Open311 feed.

Control characters are refused on input (400 in the spec's error format, nothing
stored); whatever is stored anyway, every XML answer is well-formed (parsed here
with expat, a real XML parser) and every JSON answer valid UTF-8 JSON; error
bodies never quote what was sent.
"""

import json
from xml.etree import ElementTree as ET

import pytest

from referrals.models import Referral, Service

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
HOSTILE = "누수\x01\x02\x08\x0b\x0c\x1b[31m\x1f\x7f\ufffe\uffff<b>&amp;</b>]]><!--"
CONTROLS = ["\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\ufffe"]


def body(**data):
    form = {"api_key": "test-key-123", "service_code": "water-leak", "address_string": "서울 중구 세종대로 110"}
    form.update(data)
    return form


def assert_spec_error(response, fmt, status):
    assert response.status_code == status
    if fmt == "xml":
        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == "errors" and root.findtext("error/code") == str(status)
        return " ".join(e.findtext("description") for e in root.findall("error"))
    errors = json.loads(response.content.decode("utf-8"))
    assert all(e["code"] == status for e in errors)
    return " ".join(e["description"] for e in errors)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "field", ["description", "first_name", "last_name", "address_string", "email", "phone", "address_id"]
)
@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_control_characters_are_refused(client, water_service, key, fmt, field, char):
    response = client.post(f"{BASE}/requests.{fmt}", body(**{field: f"물이 샙니다{char}"}))
    description = assert_spec_error(response, fmt, 400)
    assert field in description and char not in description
    assert not Referral.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_line_breaks_and_tabs_are_text(client, water_service, key, fmt):
    response = client.post(f"{BASE}/requests.{fmt}", body(description="첫째 줄\r\n둘째 줄\t끝"))
    assert response.status_code == 201
    assert Referral.objects.get().reason == "첫째 줄\r\n둘째 줄\t끝"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "query", ["?service_code=water\x01leak", "?status=open\x1b", "?start_date=2026\x0c", "?x\x01y=1"]
)
def test_control_characters_in_filters_are_refused(client, water_service, fmt, query):
    response = client.get(f"{BASE}/requests.{fmt}{query}")
    description = assert_spec_error(response, fmt, 400)
    assert not any(char in description for char in "\x01\x1b\x0c")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "path",
    [
        "services/<script>alert(1)</script>.{fmt}",
        "requests/<b>1</b>.{fmt}",
        "tokens/\"'><img src=x>.{fmt}",
        "services/%E2%80%AEevil.{fmt}",
    ],
)
def test_error_bodies_never_quote_the_input(client, water_service, fmt, path):
    response = client.get(f"{BASE}/" + path.format(fmt=fmt))
    description = assert_spec_error(response, fmt, 404)
    for fragment in ("<script>", "<b>", "<img", "\u202e", "alert"):
        assert fragment not in description


def test_refused_service_code_is_not_quoted(client, water_service, key):
    response = client.post(f"{BASE}/requests.json", body(service_code="<i>nope</i>"))
    description = assert_spec_error(response, "json", 404)
    assert "<i>" not in description and "nope" not in description


@pytest.fixture
def stored_hostile(client, water_service, key):
    """Hostile text straight in the database, as an older version or another door could have left it."""
    created = client.post(f"{BASE}/requests.json", body(description="정상"))
    referral = Referral.objects.get(pk=int(created.json()[0]["service_request_id"]))
    Referral.objects.filter(pk=referral.pk).update(reason=HOSTILE, address_string=HOSTILE)
    referral.events.update(note=HOSTILE)
    Service.objects.filter(pk=water_service.pk).update(name_ko=HOSTILE, keywords=HOSTILE, group=HOSTILE)
    return referral


def every_resource(referral):
    for fmt in ("xml", "json"):
        yield from (
            f"{BASE}/discovery.{fmt}",
            f"{BASE}/services.{fmt}",
            f"{BASE}/services/water-leak.{fmt}",
            f"{BASE}/requests.{fmt}",
            f"{BASE}/requests.{fmt}?service_code=water-leak&status=open",
            f"{BASE}/requests/{referral.pk}.{fmt}",
            f"{BASE}/tokens/{referral.token}.{fmt}",
        )


def test_every_answer_is_well_formed_whatever_is_stored(client, stored_hostile):
    for url in every_resource(stored_hostile):
        response = client.get(url)
        assert response.status_code == 200, url
        if ".xml" in url:
            root = ET.fromstring(response.content)  # noqa: S314 - raises ParseError on an ill-formed document
            assert root is not None
        else:
            json.loads(response.content.decode("utf-8"))
    request = ET.fromstring(client.get(f"{BASE}/requests/{stored_hostile.pk}.xml").content).find("request")  # noqa: S314
    description = request.findtext("description")
    # the text survives, markup as text, the characters XML cannot carry as U+FFFD
    assert description.startswith("누수\ufffd") and "<b>&amp;</b>]]><!--" in description
    assert not any(char in description for char in "\x01\x1b\x7f\ufffe\uffff")
    assert "\x7f" not in ET.tostring(request, encoding="unicode")
    service = ET.fromstring(client.get(f"{BASE}/services.xml").content).find("service")  # noqa: S314
    assert service.findtext("service_name").startswith("누수\ufffd")


def test_json_keeps_the_stored_text_escaped(client, stored_hostile):
    row = client.get(f"{BASE}/requests/{stored_hostile.pk}.json").json()[0]
    assert row["description"] == HOSTILE  # JSON can carry every character, escaped


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "how",
    ["query", "form", "path"],
)
def test_nul_and_broken_characters_are_refused_in_the_spec_format(client, water_service, key, fmt, how):
    # the edge's sanitiser (callcenter.inputs) answers Open311 in Open311's own format
    if how == "query":
        response = client.get(f"{BASE}/requests.{fmt}?service_code=water%00leak")
    elif how == "form":
        response = client.post(f"{BASE}/requests.{fmt}", body(description="누수\x00"))
    else:
        response = client.get(f"{BASE}/services/water%00leak.{fmt}")
    description = assert_spec_error(response, fmt, 400)
    assert "\x00" not in description
    assert not Referral.objects.exists()
