"""Idempotency under real concurrency: 50 requests at once, each on its own
thread and database connection (SQLite file or PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from inquiries.models import Call

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 50


def post_all(agent, keys):
    barrier = threading.Barrier(len(keys))

    def post(key):
        client = APIClient()
        client.force_authenticate(agent)
        barrier.wait()  # release all requests together so they race
        try:
            body = {
                "caller_number": "010-1234-5678",
                "category": "water",
                "summary": "동시 요청",
                "client_request_id": key,
            }
            response = client.post("/api/calls/", body, format="json")
            return response.status_code, response.json().get("id")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(post, keys))


def test_fifty_concurrent_posts_with_distinct_keys_make_fifty_rows(agent, reference_data):
    results = post_all(agent, [f"distinct-{n}" for n in range(CLIENTS)])

    assert sorted({status for status, _ in results}) == [201]
    assert Call.objects.count() == CLIENTS
    assert len({call_id for _, call_id in results}) == CLIENTS


def test_fifty_concurrent_posts_with_one_key_make_one_row(agent, reference_data):
    results = post_all(agent, ["same-key"] * CLIENTS)

    statuses = [status for status, _ in results]
    assert statuses.count(201) == 1
    assert statuses.count(200) == CLIENTS - 1
    assert Call.objects.count() == 1
    assert {call_id for _, call_id in results} == {Call.objects.get().pk}


def test_a_first_contact_made_meanwhile_by_another_connection_is_found(agent, category):
    """Another request makes the caller while this one is logging its call: on
    PostgreSQL this statement began before that row was committed, so it cannot see
    it and must try once more; elsewhere it waits for the other's write lock."""
    from django.utils import timezone

    from inquiries.models import Caller
    from inquiries.services import call_log

    made, release = threading.Event(), threading.Event()

    def other_request():
        try:
            with transaction.atomic():
                Caller.objects.create(number="01055550100", first_contact_at=timezone.now())
                made.set()
                release.wait(timeout=10)  # commit only once this test's call is on its way
        finally:
            connection.close()

    other = threading.Thread(target=other_request)
    other.start()
    assert made.wait(timeout=10)
    threading.Timer(0.5, release.set).start()  # lets the other commit while our statement waits on it

    call, created = call_log(agent=agent, caller_number="010-5555-0100", category=category, summary="동시 첫 통화")
    other.join(timeout=10)

    assert created
    assert Caller.objects.filter(number="01055550100").count() == 1
    assert Call.objects.get(pk=call.pk).caller == Caller.objects.get(number="01055550100")
