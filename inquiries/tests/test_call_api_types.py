"""POST /api/calls/ reads only what has the field's type, and times a call can
have: no year 9999 or 88, no call longer than a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inquiries.models import Call

pytestmark = pytest.mark.django_db


def log(client, **overrides):
    body = {"caller_number": "010-1234-5678", "category": "water", "summary": "수돗물 녹물", **overrides}
    return client.post("/api/calls/", body, format="json")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": 12345}, "summary"),
        ({"summary": True}, "summary"),
        ({"notes": {"a": 1}}, "notes"),
        ({"caller_number": 1012345678}, "caller_number"),
        ({"category": 1}, "category"),
        ({"language": ["ko"]}, "language"),
        ({"client_request_id": 42}, "client_request_id"),
        ({"satisfaction": 4.5}, "satisfaction"),
        ({"satisfaction": 4.0}, "satisfaction"),
        ({"satisfaction": True}, "satisfaction"),
        ({"faq_entries": [1.0]}, "faq_entries"),
        ({"faq_entries": [True]}, "faq_entries"),
        ({"summary": "escape\x1b[31m"}, "summary"),
        ({"started_at": "9999-12-31T23:59:59+09:00"}, "started_at"),
        ({"started_at": "0088-05-04T09:00:00+09:00"}, "started_at"),
        ({"started_at": "0000-01-01T00:00:00+09:00"}, "started_at"),
        ({"started_at": "2026-13-01T09:00:00+09:00"}, "started_at"),
        ({"started_at": "2026-05-04T09:00:00+99:00"}, "started_at"),
        ({"ended_at": "9999-12-31T23:59:59+09:00"}, "ended_at"),
        ({"started_at": 1700000000}, "started_at"),
    ],
)
def test_a_value_of_the_wrong_type_or_time_is_a_400_and_logs_nothing(api_as, agent, category, overrides, field):
    response = log(api_as(agent), **overrides)

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Call.objects.exists()


def test_a_call_longer_than_a_day_is_refused(api_as, agent, category):
    start = timezone.now() - timedelta(hours=30)
    response = log(api_as(agent), started_at=start.isoformat(), ended_at=(start + timedelta(hours=25)).isoformat())

    assert response.status_code == 400
    assert "ended_at" in response.json()["fields"]


def test_a_call_logged_late_within_the_window_is_accepted(api_as, agent, category, settings):
    start = timezone.now() - timedelta(days=settings.CALL_BACKDATE_DAYS - 1)
    response = log(api_as(agent), started_at=start.isoformat(), ended_at=(start + timedelta(minutes=4)).isoformat())

    assert response.status_code == 201
    assert response.json()["duration_seconds"] == 240


def test_a_call_older_than_the_window_is_refused(api_as, agent, category, settings):
    start = timezone.now() - timedelta(days=settings.CALL_BACKDATE_DAYS + 1)
    response = log(api_as(agent), started_at=start.isoformat())

    assert response.status_code == 400
    assert "started_at" in response.json()["fields"]


def test_text_with_tabs_and_line_breaks_is_text(api_as, agent, category):
    response = log(api_as(agent), notes="첫 줄\r\n\t둘째 줄 😀 مرحبا")

    assert response.status_code == 201
    assert Call.objects.get().notes == "첫 줄\r\n\t둘째 줄 😀 مرحبا"
