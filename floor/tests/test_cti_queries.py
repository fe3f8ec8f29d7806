"""Queries per phone event: a regression here slows the phone system's stream, which is what
falls behind first on a busy day (docs/BENCHMARKS.md, the peak hour at x20).

Counts, not timings (speed lives in bench/). The budgets are today's counts for a whole call
(offer, answer, end) posted to the event API by the phone system, its agent already known. If a
change needs another query, raise the budget on purpose and say why in the commit.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from floor.models import AgentStatus, QueueCall
from floor.tests.fixtures import event, offered

pytestmark = pytest.mark.django_db

# The event row; the applying's savepoint, the event's key, the block look-up, the queued
# call, the release.
BUDGET_OFFERED = 6
# Also the agent (by username), the call locked and updated, the agent's state row locked
# (one query: it exists), the open interval closed and the new one opened, the state saved.
BUDGET_ANSWERED = 11
# The same without the agent's look-up (the call names them).
BUDGET_ENDED = 10


def test_a_whole_call_stays_within_its_query_budgets(post_event, clock, floor_agent, reference_data):
    post_event({"event": "agent.state", "agent": "floor_a", "state": "available", "at": clock(0).isoformat()})
    post_event(offered("warm", clock(1)))  # caches warm, as on a running server
    counts = {}
    for body in (
        offered("c1", clock(2)),
        event("call.answered", "c1", clock(5), agent="floor_a"),
        event("call.ended", "c1", clock(60)),
    ):
        with CaptureQueriesContext(connection) as queries:
            response = post_event(body)
        assert response.status_code == 201, response.content
        counts[body["event"]] = len(queries.captured_queries)

    assert counts == {"call.offered": BUDGET_OFFERED, "call.answered": BUDGET_ANSWERED, "call.ended": BUDGET_ENDED}
    call = QueueCall.objects.get(call_id="c1")
    assert (call.status, call.talk_seconds) == (QueueCall.Status.ENDED, 55.0)
    status = AgentStatus.objects.get(agent=floor_agent)
    assert (status.state, status.wrap_call_id, status.current_call_id) == ("after_call_work", call.pk, None)


def test_an_agent_first_named_by_a_call_gets_a_state_row(post_event, clock, make_user, reference_data):
    """The state row is made on first sight, inside the event's transaction."""
    from callcenter.permissions import Role

    newcomer = make_user(Role.AGENT, username="floor_new")
    assert not AgentStatus.objects.filter(agent=newcomer).exists()
    post_event({"event": "agent.state", "agent": "floor_new", "state": "available", "at": clock(0).isoformat()})
    assert AgentStatus.objects.get(agent=newcomer).state == "available"
