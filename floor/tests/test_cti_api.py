"""POST /api/cti/events/: every event type, good and bad; batches; duplicates; who may send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from callcenter.permissions import Role
from floor.models import AgentState, AgentStateChange, AgentStatus, PhoneEvent, QueueCall
from floor.tests.fixtures import event, offered

pytestmark = pytest.mark.django_db

URL = "/api/cti/events/"


# --- who may send ------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.PARTNER])
def test_only_the_phone_system_may_post_events(api_as, make_user, clock, role):
    response = api_as(make_user(role)).post(URL, offered("c1", clock()), format="json")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert not PhoneEvent.objects.exists()


def test_anonymous_is_refused(api, clock):
    response = api.post(URL, offered("c1", clock()), format="json")
    assert response.status_code == 401
    assert not PhoneEvent.objects.exists()


def test_the_phone_system_token_works(api, phone_system, clock):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=phone_system)
    response = api.post(URL, offered("c1", clock()), format="json", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 201


# --- call.offered ---------------------------------------------------------------
def test_offered_puts_the_call_in_the_queue(post_event, clock, category):
    response = post_event(offered("c1", clock(), queue="english", language="en", category="water"))
    assert response.status_code == 201
    assert response.json()["status"] == "applied"
    call = QueueCall.objects.get(call_id="c1")
    assert (call.status, call.queue, call.language, call.category, call.caller_number) == (
        "waiting",
        "english",
        "en",
        category,
        "01023456789",
    )
    assert call.offered_at == clock()
    stored = PhoneEvent.objects.get()
    assert stored.status == "applied" and stored.body["call_id"] == "c1"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"caller_number": "12"}, "caller_number"),
        ({"caller_number": None}, "caller_number"),
        ({"language": "xx"}, "language"),
        ({"queue": "no spaces allowed"}, "queue"),
        ({"category": "nope"}, "category"),
        ({"at": "2026-05-04T09:30:00"}, "at"),  # no zone
        ({"at": "yesterday"}, "at"),
        ({"call_id": "x" * 65}, "call_id"),
    ],
)
def test_offered_with_bad_fields_is_400_and_kept_for_inspection(post_event, clock, reference_data, change, field):
    body = {**offered("c1", clock()), **change}
    if change.get("caller_number") is None and "caller_number" in change:
        del body["caller_number"]
    response = post_event(body)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not QueueCall.objects.exists()
    kept = PhoneEvent.objects.get()
    assert (kept.status, kept.http_status) == ("rejected", 400)


def test_an_event_from_the_future_is_refused(post_event):
    response = post_event(offered("c1", timezone.now() + timedelta(hours=1)))
    assert response.status_code == 400
    assert "at" in response.json()["fields"]


def test_unknown_event_type_and_non_object_are_400(post_event, clock):
    assert post_event({"event": "call.exploded", "call_id": "c1", "at": clock().isoformat()}).status_code == 400
    assert post_event("hello").status_code == 400
    assert PhoneEvent.objects.filter(status="rejected").count() == 2


def test_a_second_offer_of_the_same_call_is_409(post_event, clock):
    assert post_event(offered("c1", clock())).status_code == 201
    response = post_event(offered("c1", clock(5)))
    assert response.status_code == 409
    assert response.json()["error"] == "already_offered"


def test_a_repeated_event_is_accepted_once(post_event, clock):
    first = post_event(offered("c1", clock()))
    again = post_event(offered("c1", clock()))
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert QueueCall.objects.count() == 1
    assert list(PhoneEvent.objects.order_by("id").values_list("status", flat=True)) == ["applied", "duplicate"]


# --- call.answered --------------------------------------------------------------
def test_answered_gives_the_call_to_the_agent(post_event, clock, floor_agent):
    post_event(offered("c1", clock()))
    response = post_event(event("call.answered", "c1", clock(12), agent="floor_a"))
    assert response.status_code == 201
    call = QueueCall.objects.get()
    assert (call.status, call.agent, call.wait_seconds) == ("talking", floor_agent, 12)
    status = AgentStatus.objects.get(agent=floor_agent)
    assert (status.state, status.current_call) == (AgentState.ON_CALL, call)


def test_answered_for_an_unknown_call_is_409_and_kept(post_event, clock, floor_agent):
    response = post_event(event("call.answered", "ghost", clock(), agent="floor_a"))
    assert response.status_code == 409
    assert response.json()["error"] == "unknown_call"
    kept = PhoneEvent.objects.get()
    assert (kept.status, kept.error_code) == ("rejected", "unknown_call")


def test_answered_by_an_unknown_agent_is_400(post_event, clock):
    post_event(offered("c1", clock()))
    response = post_event(event("call.answered", "c1", clock(5), agent="nobody"))
    assert response.status_code == 400
    assert "agent" in response.json()["fields"]
    assert QueueCall.objects.get().status == "waiting"


def test_answered_by_someone_who_is_not_an_agent_is_400(post_event, clock, make_user):
    make_user(Role.PARTNER, username="partner_p")
    post_event(offered("c1", clock()))
    response = post_event(event("call.answered", "c1", clock(5), agent="partner_p"))
    assert response.status_code == 400


def test_answered_without_agent_is_400(post_event, clock):
    post_event(offered("c1", clock()))
    assert post_event(event("call.answered", "c1", clock(5))).status_code == 400


def test_answered_after_ended_is_409(post_event, clock, floor_agent):
    post_event(offered("c1", clock()))
    post_event(event("call.answered", "c1", clock(5), agent="floor_a"))
    post_event(event("call.ended", "c1", clock(100)))
    response = post_event(event("call.answered", "c1", clock(101), agent="floor_a"))
    assert response.status_code == 409
    assert response.json()["error"] == "illegal_transition"
    assert QueueCall.objects.get().status == "ended"


def test_answered_before_it_was_offered_is_409_out_of_order(post_event, clock, floor_agent):
    post_event(offered("c1", clock(10)))
    response = post_event(event("call.answered", "c1", clock(5), agent="floor_a"))
    assert response.status_code == 409
    assert response.json()["error"] == "out_of_order"


def test_a_rejected_event_may_be_sent_again_once_it_fits(post_event, clock, floor_agent):
    """Nothing valid is dropped: an answer that arrived before its offer is applied on retry."""
    early = event("call.answered", "c1", clock(5), agent="floor_a")
    assert post_event(early).status_code == 409
    assert post_event(offered("c1", clock())).status_code == 201
    assert post_event(early).status_code == 201
    assert QueueCall.objects.get().status == "talking"


# --- call.abandoned -------------------------------------------------------------
def test_abandoned_records_the_wait(post_event, clock):
    post_event(offered("c1", clock()))
    assert post_event(event("call.abandoned", "c1", clock(31))).status_code == 201
    call = QueueCall.objects.get()
    assert (call.status, call.wait_seconds) == ("abandoned", 31)


def test_abandoned_after_answer_is_409(post_event, clock, floor_agent):
    post_event(offered("c1", clock()))
    post_event(event("call.answered", "c1", clock(5), agent="floor_a"))
    assert post_event(event("call.abandoned", "c1", clock(9))).status_code == 409


def test_abandoned_unknown_call_and_missing_call_id(post_event, clock):
    assert post_event(event("call.abandoned", "ghost", clock())).status_code == 409
    assert post_event({"event": "call.abandoned", "at": clock().isoformat()}).status_code == 400


# --- call.ended -----------------------------------------------------------------
def test_ended_puts_the_agent_in_after_call_work_and_wrap_up_adds_to_handle_time(post_event, clock, floor_agent):
    post_event(offered("c1", clock()))
    post_event(event("call.answered", "c1", clock(10), agent="floor_a"))
    assert post_event(event("call.ended", "c1", clock(190))).status_code == 201
    call = QueueCall.objects.get()
    assert (call.status, call.talk_seconds, call.handle_seconds) == ("ended", 180, 180)
    assert AgentStatus.objects.get(agent=floor_agent).state == AgentState.AFTER_CALL_WORK
    # the phone system ends the wrap-up after 30 s
    assert (
        post_event(
            {"event": "agent.state", "agent": "floor_a", "state": "available", "at": clock(220).isoformat()}
        ).status_code
        == 201
    )
    call.refresh_from_db()
    assert (call.wrap_seconds, call.handle_seconds) == (30, 210)


def test_ended_while_waiting_is_409(post_event, clock):
    post_event(offered("c1", clock()))
    response = post_event(event("call.ended", "c1", clock(5)))
    assert response.status_code == 409


def test_ended_before_answer_time_is_409(post_event, clock, floor_agent):
    post_event(offered("c1", clock()))
    post_event(event("call.answered", "c1", clock(10), agent="floor_a"))
    assert post_event(event("call.ended", "c1", clock(9))).json()["error"] == "out_of_order"


# --- call.transferred -----------------------------------------------------------
def test_transferred_moves_the_call_to_the_other_agent(post_event, clock, floor_agent, make_user):
    second = make_user(Role.AGENT, username="floor_b")
    post_event(offered("c1", clock()))
    post_event(event("call.answered", "c1", clock(5), agent="floor_a"))
    assert post_event(event("call.transferred", "c1", clock(60), agent="floor_b")).status_code == 201
    call = QueueCall.objects.get()
    assert (call.agent, call.transfers) == (second, 1)
    assert AgentStatus.objects.get(agent=floor_agent).state == AgentState.AFTER_CALL_WORK
    assert AgentStatus.objects.get(agent=second).state == AgentState.ON_CALL


def test_transferred_bad_cases(post_event, clock, floor_agent):
    post_event(offered("c1", clock()))
    # not answered yet
    assert post_event(event("call.transferred", "c1", clock(3), agent="floor_a")).status_code == 409
    post_event(event("call.answered", "c1", clock(5), agent="floor_a"))
    # to the agent who has it
    assert post_event(event("call.transferred", "c1", clock(6), agent="floor_a")).status_code == 409
    # unknown agent, missing agent
    assert post_event(event("call.transferred", "c1", clock(7), agent="nobody")).status_code == 400
    assert post_event(event("call.transferred", "c1", clock(8))).status_code == 400


# --- agent.state ----------------------------------------------------------------
def _state(agent: str, state: str, at) -> dict:
    return {"event": "agent.state", "agent": agent, "state": state, "at": at.isoformat()}


def test_agent_state_changes_are_recorded(post_event, clock, floor_agent):
    assert post_event(_state("floor_a", "available", clock())).status_code == 201
    assert post_event(_state("floor_a", "break", clock(60))).status_code == 201
    status = AgentStatus.objects.get(agent=floor_agent)
    assert (status.state, status.since) == ("break", clock(60))
    changes = list(AgentStateChange.objects.values_list("from_state", "to_state", "ended_at"))
    assert changes == [("offline", "available", clock(60)), ("available", "break", None)]


def test_agent_state_illegal_transition_is_409(post_event, clock, floor_agent):
    post_event(_state("floor_a", "available", clock()))
    post_event(_state("floor_a", "break", clock(5)))
    response = post_event(_state("floor_a", "on_call", clock(6)))
    assert response.status_code == 409
    assert response.json()["error"] == "illegal_transition"


def test_agent_state_older_than_the_current_is_409(post_event, clock, floor_agent):
    post_event(_state("floor_a", "available", clock(10)))
    assert post_event(_state("floor_a", "break", clock(5))).json()["error"] == "out_of_order"


@pytest.mark.parametrize(
    "body",
    [
        {"event": "agent.state", "agent": "floor_a", "state": "dancing"},
        {"event": "agent.state", "agent": "floor_a"},
        {"event": "agent.state", "state": "available"},
        {"event": "agent.state", "agent": "nobody", "state": "available"},
    ],
)
def test_agent_state_bad_input_is_400(post_event, clock, floor_agent, body):
    assert post_event({**body, "at": clock().isoformat()}).status_code == 400


def test_same_state_again_is_accepted_without_a_change(post_event, clock, floor_agent):
    post_event(_state("floor_a", "available", clock()))
    assert post_event(_state("floor_a", "available", clock(3))).status_code == 201
    assert AgentStateChange.objects.count() == 1


# --- batches --------------------------------------------------------------------
def test_a_batch_is_applied_in_order(post_event, clock, floor_agent):
    batch = [
        offered("c1", clock()),
        event("call.answered", "c1", clock(4), agent="floor_a"),
        offered("c2", clock(5)),
        event("call.abandoned", "c2", clock(9)),
    ]
    response = post_event(batch)
    assert response.status_code == 200
    body = response.json()
    assert (body["applied"], body["duplicates"], body["rejected"]) == (4, 0, 0)
    assert dict(QueueCall.objects.values_list("call_id", "status")) == {"c1": "talking", "c2": "abandoned"}


def test_a_batch_with_bad_events_is_207_and_keeps_the_good_ones(post_event, clock):
    batch = [
        offered("c1", clock()),
        {"event": "call.offered"},
        offered("c1", clock()),
        event("call.ended", "c1", clock(2)),
    ]
    response = post_event(batch)
    assert response.status_code == 207
    statuses = [(r["status"], r["http_status"]) for r in response.json()["results"]]
    assert statuses == [("applied", 201), ("rejected", 400), ("duplicate", 200), ("rejected", 409)]
    assert QueueCall.objects.count() == 1
    assert PhoneEvent.objects.count() == 4


def test_a_batch_over_500_is_refused_whole(post_event, clock):
    response = post_event([offered(f"c{i}", clock()) for i in range(501)])
    assert response.status_code == 400
    assert response.json()["error"] == "batch_too_large"
    assert not PhoneEvent.objects.exists()


def test_a_batch_of_500_is_accepted(post_event, clock):
    response = post_event([offered(f"c{i}", clock(i / 100)) for i in range(500)])
    assert response.status_code == 200
    assert QueueCall.objects.count() == 500


def test_an_empty_batch_and_broken_json_are_400(pbx):
    assert pbx.post(URL, [], format="json").status_code == 400
    response = pbx.post(URL, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed"


def test_a_model_check_failure_is_400_not_500(post_event, clock, monkeypatch):
    """Whatever the shape check missed, the model's own validation refuses cleanly and keeps the event."""
    from django.core.exceptions import ValidationError

    def refuse(self, *args, **kwargs):
        raise ValidationError({"queue": ["not served"]})

    monkeypatch.setattr(QueueCall, "full_clean", refuse)
    response = post_event(offered("c1", clock()))
    assert response.status_code == 400
    assert response.json()["fields"] == {"queue": ["not served"]}
    assert PhoneEvent.objects.get().status == "rejected"
    assert not QueueCall.objects.exists()
