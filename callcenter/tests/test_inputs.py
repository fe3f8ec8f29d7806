"""Hostile input is a 400 (or 404), never a 500: found by probing every API."""

import json

import pytest
from django.utils import translation

from callcenter.errors import escape_text
from callcenter.inputs import (
    MAX_DB_ID,
    STORED_AS_TEXT,
    json_storable,
    parse_datetime,
    parse_id,
    text_problem,
)

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


# --- text no database or renderer takes, at the edge ------------------------------------
def _shared_400(response):
    assert response.status_code == 400
    body = json.loads(response.content.decode("utf-8"))
    assert body["error"] == "invalid" and body["fields"]
    assert "\x00" not in response.content.decode("utf-8")
    return body


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("agent", "/api/calls/?agent=%00"),
        ("agent", "/api/calls/?category=a%00b"),
        ("agent", "/api/referrals/?service=%00"),
        ("agent", "/api/kb/search?q=%EC%88%98%00&category=water"),
        ("agent", "/api/kb/search?q=water&category=%00"),
        ("agent", "/api/kb/prices?item=%00"),
        ("agent", "/api/callers/010%001234/history/"),
        ("supervisor", "/api/wallboard/daily/?date=%00"),
        ("agent", "/api/calls/?%00=1"),
    ],
)
def test_nul_in_a_path_or_query_is_a_400_before_any_lookup(client, request, who, url):
    if who:
        client.force_login(request.getfixturevalue(who))
    body = _shared_400(client.get(url))
    assert all("U+0000" in " ".join(messages) for messages in body["fields"].values())


def _open311_400(response):
    """Open311 answers in the spec's own error format: [{"code", "description"}] or <errors>."""
    assert response.status_code == 400
    text = response.content.decode("utf-8")
    assert "\x00" not in text
    if response["Content-Type"].startswith("text/xml"):
        from xml.etree import ElementTree as ET

        root = ET.fromstring(response.content)  # noqa: S314
        assert root.tag == "errors" and root.findtext("error/code") == "400"
        return " ".join(error.findtext("description") for error in root.findall("error"))
    errors = json.loads(text)
    assert all(error["code"] == 400 for error in errors)
    return " ".join(error["description"] for error in errors)


@pytest.mark.parametrize(
    "url",
    ["/open311/v2/services/%00.json", "/open311/v2/requests.json?service_code=%00", "/open311/v2/tokens/%00.xml"],
)
def test_nul_in_an_open311_path_or_query_is_a_400_before_any_lookup(client, reference_data, url):
    assert "U+0000" in _open311_400(client.get(url))


def test_nul_in_open311_form_fields_is_a_400_and_saves_nothing(client, reference_data):
    from referrals.models import Referral

    for field in ("api_key", "service_code", "description", "address_string", "first_name"):
        form = {"api_key": "k", "service_code": "x", "description": "d", "address_string": "a", field: "a\x00b"}
        _open311_400(client.post("/open311/v2/requests.json", form))
    assert not Referral.objects.exists()


def test_nul_in_a_page_query_is_the_bad_request_page(client, agent):
    client.force_login(agent)
    response = client.get("/console/?q=%00", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "That request could not be understood" in response.content.decode()


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "녹물\u0000"},
        {"notes": "\ud800"},
        {"language": "\ud800"},  # a choice field: DRF would quote it in its error
        {"channel": "\udfff\u0000"},
        {"category": "wa\u0000ter"},
        {"agent": "agent_a\u0000"},
        {"client_request_id": "\ud83d"},
        {"x\u0000": "an unknown key"},
    ],
)
def test_unstorable_text_in_a_json_body_is_a_400_and_saves_nothing(api_as, agent, category, change):
    from inquiries.models import Call

    body = {"caller_number": "010-1234-5678", "category": "water", "summary": "s", **change}
    response = api_as(agent).post("/api/calls/", json.dumps(body), content_type="application/json")
    fields = _shared_400(response)["fields"]
    assert list(fields) == [escape_text(next(iter(change)))]
    assert not Call.objects.exists()


@pytest.mark.parametrize("value", ["\u202eevil", "a\x01b", "x" * 10_000, "<script>alert(1)</script>"])
def test_an_error_never_quotes_input_raw(api_as, agent, category, value):
    body = {"caller_number": "010-1234-5678", "category": "water", "summary": "s", "language": value}
    response = api_as(agent).post("/api/calls/", body, format="json")
    assert response.status_code == 400
    message = response.json()["fields"]["language"][0]
    assert "\u202e" not in message and "\x01" not in message
    assert len(message) < 500


def test_escape_text():
    assert escape_text("a\x00b\u202ec\ud800") == "a\\u0000b\\u202ec\\ud800"
    assert escape_text("가" * 100, limit=3) == "가가가…"
    assert escape_text("tab\tok") == "tab\\u0009ok"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("plain 한국어 😀 عربي", None),
        ("a\x00", "Remove the NUL character (U+0000)."),
        ("\ud800", "Remove the invalid character U+D800 (half of a UTF-16 pair)."),
        ("\x07", None),
    ],
)
def test_text_problem(text, problem):
    with translation.override("en"):
        assert text_problem(text) == problem


def test_json_storable_keeps_what_a_column_cannot_hold_faithfully():
    value = {"a": "\x00", "\ud800": ["😀", "\udc00"]}
    stored = json_storable(value)
    assert list(stored) == [STORED_AS_TEXT] and stored[STORED_AS_TEXT].isascii()
    assert json.loads(stored[STORED_AS_TEXT]) == value
    assert json_storable({"plain": "값"}) == {"plain": "값"}


@pytest.mark.parametrize(
    "text",
    [
        "0000-01-01T00:00:00+09:00",
        "0001-01-01T00:00:00+09:00",
        "9999-12-31T23:59:59-09:00",
        "2026-13-01T00:00:00",
        "2026-05-04T09:00:00+99:00",
        "2026-02-30",
        "now",
        "",
    ],
)
def test_parse_datetime_of_impossible_times_is_none(text):
    assert parse_datetime(text) is None


@pytest.mark.parametrize(
    "when",
    ["0000-01-01T00:00:00+09:00", "0001-01-01T00:00:00+09:00", "2026-13-01T00:00:00", "2026-05-04T09:00:00+99:00"],
)
@pytest.mark.parametrize("name", ["start_date", "end_date"])
def test_open311_filters_with_impossible_dates_are_400(client, reference_data, name, when):
    response = client.get("/open311/v2/requests.json", {name: when})
    assert response.status_code == 400


# --- under daphne: the same middleware on the ASGI path ----------------------------------
@pytest.mark.django_db(transaction=True)
async def test_nul_under_asgi_is_the_same_400(async_client):
    body = _shared_400(await async_client.get("/api/kb/search?q=%00"))
    assert "U+0000" in " ".join(body["fields"]["q"])
    page = await async_client.get("/accounts/login/?next=%00", headers={"Accept-Language": "en"})
    assert page.status_code == 400
    assert "That request could not be understood" in page.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_a_request_under_asgi_leaves_the_event_loop_once_for_the_middleware(async_client, monkeypatch):
    """Each time a request goes from daphne's event loop to a worker thread it waits for that loop,
    which also writes every socket's pushes. With the one sync-only middleware innermost but
    for axes, the whole chain runs in one thread; before, Django's own middleware ran on the
    loop and hopped out for each process_request and process_response (docs/BENCHMARKS.md,
    "The peak hour at x20, round 4")."""
    from asgiref.sync import SyncToAsync

    hops: list[str] = []
    original = SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        hops.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    response = await async_client.get("/accounts/login/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Sign in" in response.content.decode()
    middleware_hops = [name for name in hops if "Middleware" in name]
    assert len(middleware_hops) <= 1, hops
