"""The phone system reports a withheld number: call.offered with "withheld": true and no
caller_number; the screen pop then says so and the console logs the call as withheld."""

from __future__ import annotations

import pytest

from floor import services as floor_services
from floor.models import PhoneEvent, QueueCall
from floor.tests.fixtures import event, offered

pytestmark = pytest.mark.django_db


def withheld_offer(call_id, at, **extra):
    body = offered(call_id, at, withheld=True, **extra)
    body.pop("caller_number")
    return body


def test_a_withheld_number_is_offered_without_a_number(post_event, clock):
    response = post_event(withheld_offer("w-1", clock(0)))

    assert response.status_code == 201, response.json()
    assert QueueCall.objects.get(call_id="w-1").caller_number == ""


def test_the_screen_pop_of_a_withheld_number_says_so(post_event, clock, floor_agent, monkeypatch):
    sent = []
    monkeypatch.setattr(floor_services.realtime, "publish", lambda name, payload, **kw: sent.append((name, payload)))
    post_event(withheld_offer("w-2", clock(0)))
    post_event(event("call.answered", "w-2", clock(5), agent=floor_agent.username))

    pop = next(payload for name, payload in sent if name == "call.screen_pop")
    assert (pop["caller_number"], pop["number_withheld"]) == (None, True)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"withheld": True}, "caller_number"),  # a number with withheld
        ({"withheld": False, "caller_number": None}, "caller_number"),  # not withheld: the number is required
        ({"withheld": "yes please"}, "withheld"),
        ({"withheld": [True]}, "withheld"),
    ],
)
def test_what_does_not_fit_is_a_400_and_kept_for_inspection(post_event, clock, body, field):
    offer = offered("w-3", clock(0))
    offer.update(body)
    if offer.get("caller_number") is None:
        offer.pop("caller_number", None)

    response = post_event(offer)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not QueueCall.objects.filter(call_id="w-3").exists()
    assert PhoneEvent.objects.filter(call_id="w-3", status="rejected").exists()
