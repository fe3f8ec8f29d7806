"""Ten phone-system senders at once on PostgreSQL, their calls transferred
back and forth between pairs of agents (each transfer locks both agents'
rows): no deadlock reaches anyone, every event is stored once and applied,
none is left "received"."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter.permissions import Role
from floor.models import PhoneEvent, QueueCall
from floor.tests.fixtures import event, offered

pytestmark = [pytest.mark.realservices, pytest.mark.django_db(transaction=True)]

SENDERS = 10
BATCHES = 2
CALLS_PER_BATCH = 2
TRANSFERS = 4  # per call, back and forth between the pair's two agents
EVENTS_PER_CALL = 3 + TRANSFERS


def sender_batches(sender: int, agents: list[str]) -> list[list[dict]]:
    """Senders 2k and 2k+1 share a pair of agents and pass their calls between
    them in opposite directions at the same moments: the old lock order (the
    call's agent, then the other) deadlocked exactly there."""
    base = timezone.now() - timedelta(minutes=10)
    pair = agents[2 * (sender // 2) : 2 * (sender // 2) + 2]
    first, other = pair if sender % 2 == 0 else pair[::-1]
    batches, second = [], 0
    for batch in range(BATCHES):
        events = []
        for number in range(CALLS_PER_BATCH):
            call_id = f"s{sender}-b{batch}-c{number}"

            def at(offset, start=second):
                return base + timedelta(seconds=start + offset, milliseconds=sender)

            events += [offered(call_id, at(0)), event("call.answered", call_id, at(1), agent=first)]
            events += [
                event("call.transferred", call_id, at(2 + hop), agent=other if hop % 2 == 0 else first)
                for hop in range(TRANSFERS)
            ]
            events.append(event("call.ended", call_id, at(2 + TRANSFERS)))
            second += EVENTS_PER_CALL
        batches.append(events)
    return batches


def test_ten_concurrent_senders_with_transfers(make_user, reference_data):
    phone_system = make_user(Role.PHONE_SYSTEM, username="pbx_ring")
    agents = [make_user(Role.AGENT, username=f"ring{n}").username for n in range(SENDERS)]
    barrier = threading.Barrier(SENDERS)

    def send(sender: int) -> list[int]:
        client = APIClient()
        client.force_authenticate(phone_system)
        barrier.wait()  # all senders start together
        try:
            return [
                client.post("/api/cti/events/", batch, format="json").status_code
                for batch in sender_batches(sender, agents)
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        answers = [status for statuses in pool.map(send, range(SENDERS)) for status in statuses]

    sent = SENDERS * BATCHES * CALLS_PER_BATCH * EVENTS_PER_CALL
    assert answers == [200] * (SENDERS * BATCHES)  # every event applied, in every batch
    assert PhoneEvent.objects.count() == sent  # each stored once
    assert not PhoneEvent.objects.exclude(status=PhoneEvent.Status.APPLIED).exists()  # none left "received"
    calls = SENDERS * BATCHES * CALLS_PER_BATCH
    assert QueueCall.objects.filter(status=QueueCall.Status.ENDED, transfers=TRANSFERS).count() == calls
