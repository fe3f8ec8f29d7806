"""The call record's abusive-call flag filter (`flagged`): one filter set for
GET /api/calls/, the /calls/ page and /calls/export.csv; and the flag's badge."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from floor.models import AbuseFlag, QueueCall
from inquiries.tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def flagged_call(agent, category, call_id, kind, summary):
    """A call logged from a queue call that its agent flagged as `kind`."""
    queue_call = QueueCall.objects.create(
        call_id=call_id, caller_number="01023456789", offered_at=timezone.now() - timedelta(minutes=5)
    )
    AbuseFlag.objects.create(call=queue_call, caller_number="01023456789", agent=agent, kind=kind, note="욕설")
    return CallFactory(agent=agent, category=category, summary=summary, phone_call_id=call_id)


@pytest.fixture
def calls(agent, other_agent, category):
    return {
        "abuse": flagged_call(agent, category, "q-abuse", AbuseFlag.Kind.VERBAL_ABUSE, "폭언 통화"),
        "threat": flagged_call(other_agent, category, "q-threat", AbuseFlag.Kind.THREAT, "협박 통화"),
        # through the queue but never flagged, and one without a queue call
        "queued": CallFactory(agent=agent, category=category, summary="보통 통화", phone_call_id="q-plain"),
        "plain": CallFactory(agent=agent, category=category, summary="방문 문의"),
    }


@pytest.mark.parametrize(
    ("flagged", "expected"),
    [
        ("any", ["abuse", "threat"]),
        ("verbal_abuse", ["abuse"]),
        ("threat", ["threat"]),
        ("nuisance", []),
        ("", ["abuse", "threat", "queued", "plain"]),  # empty: no filter
    ],
)
def test_the_api_filters_by_flag(api_as, supervisor, calls, flagged, expected):
    response = api_as(supervisor).get("/api/calls/", {"flagged": flagged})

    assert response.status_code == 200
    assert sorted(c["id"] for c in response.json()["results"]) == sorted(calls[name].pk for name in expected)


def test_an_agent_filtering_by_flag_sees_only_their_own_calls(api_as, agent, calls):
    response = api_as(agent).get("/api/calls/", {"flagged": "any"})

    assert [c["id"] for c in response.json()["results"]] == [calls["abuse"].pk]


@pytest.mark.parametrize("bad", ["yes", "true", "ANY", "abuse", "' OR 1=1 --", "<script>", "x" * 500])
def test_a_bad_flag_filter_is_a_400_in_the_shared_shape(api_as, supervisor, calls, bad):
    response = api_as(supervisor).get("/api/calls/", {"flagged": bad})

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and body["message"]
    assert list(body["fields"]) == ["flagged"]


def test_the_page_filters_by_flag_and_badges_the_flagged_rows(client, supervisor, calls):
    client.force_login(supervisor)

    everything = client.get("/calls/").content.decode()
    response = client.get("/calls/", {"flagged": "threat"})

    assert response.status_code == 200
    assert [call.pk for call in response.context["calls"]] == [calls["threat"].pk]
    page = response.content.decode()
    assert 'id="c-flagged"' in page and '<option value="threat" selected>' in page
    assert "악성 민원 신고됨(모든 유형)" in page  # the "any" choice, in Korean
    assert everything.count("badge-flagged") == 2  # the two flagged rows, not the others


def test_a_bad_flag_filter_is_a_400_page_that_says_which(client, supervisor, calls):
    client.force_login(supervisor)

    response = client.get("/calls/", {"flagged": "maybe"})

    assert response.status_code == 400
    assert 'data-field="flagged"' in response.content.decode()
    assert list(response.context["calls"]) == []


def test_the_calls_page_shows_its_flag(client, agent, calls):
    client.force_login(agent)

    flagged = client.get(f"/calls/{calls['abuse'].pk}/").content.decode()
    plain = client.get(f"/calls/{calls['queued'].pk}/").content.decode()

    assert "악성 민원 신고됨: 폭언" in flagged
    assert "badge-flagged" not in plain


def test_the_csv_export_filters_by_flag(client, supervisor, calls):
    client.force_login(supervisor)

    response = client.get("/calls/export.csv", {"flagged": "any"})
    bad = client.get("/calls/export.csv", {"flagged": "nope"})

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")[1:]
    rows = list(csv.reader(io.StringIO(text)))
    assert sorted(int(row[0]) for row in rows[1:]) == sorted([calls["abuse"].pk, calls["threat"].pk])
    assert bad.status_code == 400 and "flagged" in bad.content.decode()
