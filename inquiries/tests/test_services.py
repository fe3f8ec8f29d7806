from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callcenter.models import AccessLog
from inquiries.models import Call, Caller, CallEvent
from inquiries.services import RequestIdReused, call_correct, call_log

pytestmark = pytest.mark.django_db


def log(agent, category, **overrides):
    fields = {"caller_number": "010-1234-5678", "category": category, "summary": "누수 신고"}
    fields.update(overrides)
    return call_log(agent=agent, **fields)


def test_call_log_creates_caller_call_event_and_access_row(agent, category):
    call, created = log(agent, category)

    assert created
    assert call.caller.number == "01012345678"
    assert call.agent == agent
    assert [(e.kind, e.to_value) for e in call.events.all()] == [("created", "answered")]
    assert AccessLog.objects.filter(user=agent, action="create", subject="caller:01012345678").count() == 1


def test_same_number_in_other_formats_is_the_same_caller(agent, category):
    log(agent, category, caller_number="010-1234-5678")
    log(agent, category, caller_number="+82 10 1234 5678")

    assert Caller.objects.count() == 1
    assert Caller.objects.get().calls.count() == 2


def test_repeat_client_request_id_returns_the_first_call(agent, category):
    first, created_first = log(agent, category, client_request_id="req-1")
    again, created_again = log(agent, category, client_request_id="req-1")

    assert (created_first, created_again) == (True, False)
    assert again.pk == first.pk
    assert Call.objects.count() == 1
    assert again.summary == "누수 신고"


def test_a_client_request_id_reused_for_another_call_is_refused(agent, category):
    log(agent, category, client_request_id="req-1")

    with pytest.raises(RequestIdReused):
        log(agent, category, client_request_id="req-1", summary="다른 내용")

    assert Call.objects.get().summary == "누수 신고"


def test_call_ending_before_it_started_is_refused_and_nothing_saved(agent, category):
    now = timezone.now()
    with pytest.raises(ValidationError) as info:
        log(agent, category, started_at=now, ended_at=now - timedelta(minutes=1))

    assert "ended_at" in info.value.message_dict
    assert Call.objects.count() == 0
    assert Caller.objects.count() == 0


def test_blank_summary_is_refused(agent, category):
    with pytest.raises(ValidationError):
        log(agent, category, summary="   ")
    assert Call.objects.count() == 0


def test_duration_is_derived(agent, category):
    start = timezone.now() - timedelta(minutes=5)
    call, _ = log(agent, category, started_at=start, ended_at=start + timedelta(seconds=185))
    assert call.duration.total_seconds() == 185


def test_a_correction_writes_one_event_per_changed_field(agent, category):
    call, _ = log(agent, category)

    call_correct(call=call, actor=agent, changes={"resolution": "callback_needed", "notes": "저녁에 다시 전화"})

    call.refresh_from_db()
    assert call.resolution == "callback_needed"
    events = list(call.events.values_list("kind", "from_value", "to_value"))
    assert events == [("created", "", "answered"), ("changed", "", ""), ("resolution", "answered", "callback_needed")]
    changed = call.events.get(kind="changed")
    assert changed.changes == {"notes": ["", "저녁에 다시 전화"]}
    assert changed.actor == agent and changed.at is not None


def test_update_without_change_writes_nothing(agent, category):
    call, _ = log(agent, category)
    call_correct(call=call, actor=agent, changes={"resolution": "answered"})
    assert call.events.count() == 1
    assert AccessLog.objects.filter(action="change").count() == 0


def test_invalid_update_changes_nothing(agent, category):
    call, _ = log(agent, category)
    with pytest.raises(ValidationError):
        call_correct(call=call, actor=agent, changes={"satisfaction": 6})
    call.refresh_from_db()
    assert call.satisfaction is None
    assert CallEvent.objects.filter(call=call).count() == 1


def test_call_logged_from_a_screen_pop_names_the_queued_calls_category(agent, category):
    from floor.models import QueueCall

    # given a call the phone menu did not categorize
    queued = QueueCall.objects.create(call_id="pbx-77", caller_number="01012345678", offered_at=timezone.now())

    # when the agent logs it with the phone system's call id
    log(agent, category, phone_call_id="pbx-77")

    # then the wallboard counts it under the agent's category
    queued.refresh_from_db()
    assert queued.category == category
