"""The referrals API reads only what has the field's type: an id is a whole
number ("call": 1.9 is not call 1), text is a JSON string, an appointment a
time that can exist within a year."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Referral
from referrals.tests.factories import ReferralFactory
from referrals.tests.test_api import assert_error_shape, refer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"call": "1.9"}, "call"),
        ({"call": True}, "call"),
        ({"call": [1]}, "call"),
        ({"service": 7}, "service"),
        ({"reason": 12345}, "reason"),
        ({"reason": ["a"]}, "reason"),
        ({"reason": "bell\x07"}, "reason"),
        ({"priority": 1}, "priority"),
        ({"callback_preference": False}, "callback_preference"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_400_and_refers_nothing(api_as, agent, call, legal_service, overrides, field):
    assert_error_shape(refer(api_as(agent), call, **overrides), 400, field)
    assert not Referral.objects.exists()


def test_a_fractional_call_id_never_refers_the_call_below_it(api_as, agent, call, legal_service):
    response = refer(api_as(agent), call, call=call.pk + 0.9)

    assert_error_shape(response, 400, "call")
    assert not Referral.objects.exists()


def test_the_call_id_as_digits_still_works(api_as, agent, call, legal_service):
    assert refer(api_as(agent), call, call=str(call.pk)).status_code == 201


@pytest.mark.parametrize(
    "when",
    [
        "9999-12-31T23:59:00+09:00",
        "0088-01-01T10:00:00+09:00",
        "0000-01-01T00:00:00+09:00",
        "2026-13-01T10:00:00+09:00",
        "2026-05-04T10:00:00+99:00",
        20260504,
    ],
)
def test_an_impossible_or_far_appointment_is_a_400(api_as, legal_partner, legal_service, agent, category, when):
    referral = ReferralFactory(service=legal_service, created_by=agent, call__agent=agent, call__category=category)
    client = api_as(legal_partner)
    url = f"/api/referrals/{referral.pk}/transition/"
    assert client.post(url, {"to": "accepted"}, format="json").status_code == 200

    response = client.post(url, {"to": "scheduled", "scheduled_for": when}, format="json")

    assert_error_shape(response, 400, "scheduled_for")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.scheduled_for is None


def test_an_appointment_within_the_window_is_accepted(api_as, legal_partner, legal_service, agent, category, settings):
    referral = ReferralFactory(service=legal_service, created_by=agent, call__agent=agent, call__category=category)
    client = api_as(legal_partner)
    url = f"/api/referrals/{referral.pk}/transition/"
    client.post(url, {"to": "accepted"}, format="json")
    late = timezone.now() + timedelta(days=settings.REFERRAL_SCHEDULE_MAX_DAYS, hours=1)
    assert_error_shape(client.post(url, {"to": "scheduled", "scheduled_for": late.isoformat()}, format="json"), 400)

    inside = timezone.now() + timedelta(days=settings.REFERRAL_SCHEDULE_MAX_DAYS - 1)
    assert client.post(url, {"to": "scheduled", "scheduled_for": inside.isoformat()}, format="json").status_code == 200
