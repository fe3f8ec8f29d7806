"""Callers are remembered per process once their row is committed (bench/calls.py).
A call must always land on the caller row that exists, whatever the cache holds."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inquiries import services
from inquiries.models import Call, Caller
from inquiries.services import call_log

NUMBER = "010-1234-5678"
NORMALIZED = "01012345678"


def log(agent, category, **overrides):
    fields = {"caller_number": NUMBER, "category": category, "summary": "누수 신고"}
    fields.update(overrides)
    return call_log(agent=agent, **fields)[0]


def caller_queries(captured) -> int:
    return sum('FROM "inquiries_caller"' in q["sql"] for q in captured.captured_queries)


@pytest.mark.django_db
def test_a_committed_caller_is_not_looked_up_again(agent, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = log(agent, category)

    with CaptureQueriesContext(connection) as captured:
        second = log(agent, category, caller_number="+82 10 1234 5678")

    assert caller_queries(captured) == 0
    assert second.caller_id == first.caller_id
    assert second.caller.first_contact_at == first.caller.first_contact_at
    assert Caller.objects.get().calls.count() == 2


@pytest.mark.django_db
def test_a_rolled_back_caller_is_not_remembered(agent, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        log(agent, category)
        transaction.set_rollback(True)  # e.g. the request failed after logging

    assert not Caller.objects.exists()

    call = log(agent, category)

    assert Caller.objects.get().pk == call.caller_id


@pytest.mark.django_db
def test_deleting_a_caller_forgets_it(agent, category, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = log(agent, category)
    Call.objects.all().delete()
    first.caller.delete()

    call = log(agent, category)

    assert Caller.objects.get().pk == call.caller_id != first.caller_id


@pytest.mark.django_db(transaction=True)
def test_a_caller_deleted_by_another_process_is_looked_up_again(agent, category):
    first = log(agent, category)  # commits: this process now knows the caller
    # Another process erases the caller's calls and the caller; no signal reaches this one.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM inquiries_callevent")
        cursor.execute("DELETE FROM inquiries_call")
        cursor.execute("DELETE FROM inquiries_caller")

    call = log(agent, category, client_request_id="after-erasure")

    caller = Caller.objects.get(number=NORMALIZED)
    assert caller.pk != first.caller_id
    assert list(caller.calls.values_list("client_request_id", flat=True)) == ["after-erasure"]
    assert call.caller_id == caller.pk


@pytest.mark.django_db
def test_the_cache_is_bounded(agent, category, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(services, "MAX_CACHED_CALLERS", 2)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            log(agent, category, caller_number=f"010-1234-000{n}")

    assert len(services._callers) <= 2
