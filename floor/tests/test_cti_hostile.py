"""Phone events with bytes no JSON column takes, and times that cannot exist:
each such event is stored, refused alone with 400, and its batch goes on
(on SQLite and on PostgreSQL, whose jsonb refuses NUL and lone surrogates)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from callcenter.inputs import STORED_AS_TEXT
from floor.models import PhoneEvent, QueueCall
from floor.tests.fixtures import event, offered

pytestmark = pytest.mark.django_db

URL = "/api/cti/events/"


def post_raw(pbx, body):
    """The body as the phone system may send it: JSON text with \\u escapes
    (DRF's test encoder cannot write a lone surrogate itself)."""
    return pbx.post(URL, json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def stored_body(record: PhoneEvent):
    body = record.body
    if isinstance(body, dict) and set(body) == {STORED_AS_TEXT}:
        return json.loads(body[STORED_AS_TEXT])
    return body


@pytest.mark.parametrize(
    "bad",
    [
        {"x-trace": "a\u0000b"},  # NUL in a key the API does not know
        {"x-\ud800": 1},  # a lone surrogate in a key
        {"caller_name": "\udfff"},  # a lone low surrogate in a value
        {"call_id": "c\u00002"},  # NUL in a field the row keeps in a column
        {"queue": ["ok", {"deep": "\u0000"}]},  # deep in nested data
    ],
    ids=["nul-unknown-key-value", "surrogate-key", "surrogate-value", "nul-call-id", "nul-nested"],
)
def test_a_bad_event_is_stored_refused_alone_and_the_batch_goes_on(pbx, clock, bad):
    # given a batch whose second event holds text no database column takes
    batch = [offered("c1", clock()), {**offered("c2", clock(1)), **bad}, offered("c3", clock(2))]

    # when the phone system sends it
    response = post_raw(pbx, batch)

    # then the bad one is refused alone, the others are applied
    assert response.status_code == 207
    body = response.json()
    assert [result["http_status"] for result in body["results"]] == [201, 400, 201]
    assert (body["applied"], body["rejected"]) == (2, 1)
    refused = body["results"][1]
    assert refused["error"] == "invalid" and refused["fields"]
    assert "\x00" not in response.content.decode("utf-8")  # the answer can be read (and quotes nothing raw)
    assert set(QueueCall.objects.values_list("call_id", flat=True)) == {"c1", "c3"}
    # and every event is stored, the bad one exactly as it was sent
    assert PhoneEvent.objects.count() == 3
    assert not PhoneEvent.objects.filter(status=PhoneEvent.Status.RECEIVED).exists()
    record = PhoneEvent.objects.get(pk=refused["event_id"])
    assert record.status == PhoneEvent.Status.REJECTED and record.http_status == 400
    assert stored_body(record) == batch[1]


def test_the_refused_event_names_the_field_without_quoting_it(pbx, clock):
    response = post_raw(pbx, {**offered("c1", clock()), "note\u0000": "x", "call_id": "c\ud8001"})

    assert response.status_code == 400
    fields = response.json()["fields"]
    assert fields["call_id"] == ["Remove the invalid character U+D800 (half of a UTF-16 pair)."]
    assert fields["note\\u0000"] == ["Remove the NUL character (U+0000)."]
    record = PhoneEvent.objects.get()
    assert record.call_id == "c\ufffd1"  # the column holds what it can; the body holds all
    assert stored_body(record)["call_id"] == "c\ud8001"


def test_a_retry_of_the_same_bad_batch_answers_the_same(pbx, clock):
    batch = [offered("c1", clock()), {**offered("c2", clock(1)), "x": "\u0000"}]

    first, second = post_raw(pbx, batch), post_raw(pbx, batch)

    assert first.status_code == second.status_code == 207
    assert [r["status"] for r in second.json()["results"]] == ["duplicate", "rejected"]
    assert PhoneEvent.objects.count() == 4


def test_a_single_bad_event_is_a_400_and_kept(pbx, clock):
    response = post_raw(pbx, {**offered("c1", clock()), "x": "\u0000"})

    assert response.status_code == 400
    assert PhoneEvent.objects.get().status == PhoneEvent.Status.REJECTED
    assert not QueueCall.objects.exists()


@pytest.mark.parametrize(
    "at",
    [
        "0000-01-01T00:00:00+09:00",  # year 0
        "0001-01-01T00:00:00+09:00",  # year 0 once in UTC
        "2026-13-01T09:00:00+09:00",  # month 13
        "2026-02-30T09:00:00+09:00",  # 30 February
        "2026-05-04T09:00:00+99:00",  # an offset no zone has
        "2026-05-04T25:00:00+09:00",
        "9999-12-31T23:59:59-23:59",
        12345,
        None,
    ],
)
def test_an_impossible_time_is_a_400_for_that_event(pbx, clock, at):
    response = post_raw(pbx, [offered("c1", clock()), {**offered("c2", clock()), "at": at}])

    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["http_status"] for r in results] == [201, 400]
    assert "at" in results[1]["fields"]
    assert PhoneEvent.objects.filter(status=PhoneEvent.Status.REJECTED).count() == 1


def test_an_event_older_than_the_window_is_refused(pbx, clock, settings):
    old = clock() - timedelta(days=settings.PHONE_EVENT_MAX_AGE_DAYS, minutes=1)

    response = post_raw(pbx, offered("c1", old))

    assert response.status_code == 400
    assert response.json()["fields"]["at"] == ["This time is too far in the past."]
    assert not QueueCall.objects.exists()


@pytest.mark.parametrize("call_id", [123, True, ["c1"], {"id": "c1"}])
def test_a_call_id_that_is_not_text_is_refused(pbx, clock, call_id):
    response = post_raw(pbx, {**offered("c1", clock()), "call_id": call_id})

    assert response.status_code == 400
    assert response.json()["fields"]["call_id"] == ["Give text (a JSON string)."]
    assert not QueueCall.objects.exists()


# --- never left "received" -------------------------------------------------------------
class _Deadlock(Exception):
    sqlstate = "40P01"


def _fail_first(monkeypatch, times: int):
    """call.offered raises a deadlock `times` times, then applies as usual."""
    from django.db import OperationalError

    from floor import services as floor_services

    real = floor_services._HANDLERS["call.offered"]
    calls = {"n": 0}

    def flaky(data, at):
        calls["n"] += 1
        if calls["n"] <= times:
            raise OperationalError("deadlock detected") from _Deadlock()
        return real(data, at)

    monkeypatch.setitem(floor_services._HANDLERS, "call.offered", flaky)
    return calls


def test_a_deadlocked_event_is_applied_again(pbx, clock, monkeypatch):
    attempts = _fail_first(monkeypatch, times=2)

    response = post_raw(pbx, offered("c1", clock()))

    assert response.status_code == 201
    assert attempts["n"] == 3
    assert PhoneEvent.objects.get().status == PhoneEvent.Status.APPLIED
    assert QueueCall.objects.get().call_id == "c1"


def test_an_event_the_database_never_takes_is_a_503_not_left_received(pbx, clock, monkeypatch):
    from floor import services as floor_services

    _fail_first(monkeypatch, times=floor_services.APPLY_ATTEMPTS)

    response = post_raw(pbx, [offered("c1", clock()), {**offered("c1", clock()), "event": "call.abandoned"}])

    results = response.json()["results"]
    assert [r["http_status"] for r in results] == [503, 409]  # the batch went on
    assert results[0]["error"] == "busy"
    assert not PhoneEvent.objects.filter(status=PhoneEvent.Status.RECEIVED).exists()
    assert not QueueCall.objects.exists()


def test_a_bug_in_one_event_does_not_sink_its_batch(pbx, clock, monkeypatch):
    from floor import services as floor_services

    def broken(data, at):
        raise RuntimeError("a bug")

    monkeypatch.setitem(floor_services._HANDLERS, "call.abandoned", broken)

    response = post_raw(pbx, [offered("c1", clock()), event("call.abandoned", "c1", clock(1)), offered("c2", clock(2))])

    assert [r["http_status"] for r in response.json()["results"]] == [201, 500, 201]
    assert PhoneEvent.objects.get(event="call.abandoned").status == PhoneEvent.Status.REJECTED
    assert QueueCall.objects.get(call_id="c1").status == QueueCall.Status.WAITING  # the failed one changed nothing
