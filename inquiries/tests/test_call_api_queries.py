"""Queries per logged call: a regression here slows every call on the floor.

Counts, not timings (speed lives in bench/calls.py). The budgets are today's
counts: POST /api/calls/ with token auth, as the phone system and API clients
send it. If a change needs another query, raise the budget on purpose and say
why in the commit.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from inquiries.models import Call, Caller
from knowledgebase.models import FAQEntry

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"

# On PostgreSQL one statement (the caller's get-or-create, call, event, access
# log); elsewhere the caller, then three inserts. Plus the savepoint and its release
# that a call logged inside a transaction (here: the test's) needs. The token and its user, roles and
# categories come from the process's caches (warm, as on a running server: see
# `token_client`); a new call without FAQ entries answers without a query; no
# idempotency look-up first (the unique key decides).
BUDGET_REPEAT_CALLER = 3 if ON_POSTGRESQL else 6
# a first contact: the same statement on PostgreSQL; elsewhere the caller look-up
# misses, then a savepoint'ed insert
BUDGET_NEW_CALLER = 3 if ON_POSTGRESQL else BUDGET_REPEAT_CALLER + 3
# linked FAQ entries (then three inserts in a transaction, on every database): their
# look-up, the links (look-up + insert), the use count in its own savepoint (3), the
# answer's FAQ links
BUDGET_WITH_FAQ = 6 + 7
# a repeat of a client_request_id: the savepoint, the insert the unique key refuses
# (with the caller's look-up: before it elsewhere), the rollback to the savepoint and
# its release, the existing call (with caller, category and agent), its FAQ links.
BUDGET_REPEAT_REQUEST = 6 if ON_POSTGRESQL else 7


@pytest.fixture
def token_client(agent, category):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}")
    # One call first, from another number: a running server's caches (roles,
    # categories) are warm; the budgets count a call in that steady state.
    warm = client.post("/api/calls/", {**body(0), "caller_number": "02-120-0000"}, format="json")
    assert warm.status_code == 201
    return client


def body(n: int, **extra):
    return {
        "caller_number": "010-2345-6789",
        "category": "water",
        "summary": "수돗물에서 녹물이 나와요",
        "client_request_id": f"queries-{n}",
        **extra,
    }


def faq_entries(category, count: int) -> list[int]:
    return [
        FAQEntry.objects.create(category=category, question_ko=f"질문 {i}", status=FAQEntry.Status.PUBLISHED).pk
        for i in range(count)
    ]


def test_logging_a_call_from_a_known_caller_stays_within_its_query_budget(
    token_client, category, django_assert_max_num_queries
):
    Caller.objects.create(number="01023456789")

    with django_assert_max_num_queries(BUDGET_REPEAT_CALLER):
        response = token_client.post("/api/calls/", body(1), format="json")

    assert response.status_code == 201


def test_a_first_contact_adds_only_the_caller_row(token_client, category, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGET_NEW_CALLER):
        response = token_client.post("/api/calls/", body(1), format="json")

    assert response.status_code == 201
    assert Caller.objects.filter(number="01023456789").exists()


def test_a_linked_faq_entry_stays_within_its_query_budget(token_client, category, django_assert_max_num_queries):
    Caller.objects.create(number="01023456789")
    ids = faq_entries(category, 1)

    with django_assert_max_num_queries(BUDGET_WITH_FAQ):
        response = token_client.post("/api/calls/", body(1, faq_entries=ids), format="json")

    assert response.status_code == 201
    assert response.json()["faq_entries"] == ids


def test_five_linked_faq_entries_cost_no_more_queries_than_one(token_client, category, django_assert_max_num_queries):
    Caller.objects.create(number="01023456789")
    ids = faq_entries(category, 5)

    with django_assert_max_num_queries(BUDGET_WITH_FAQ):
        response = token_client.post("/api/calls/", body(1, faq_entries=ids), format="json")

    assert response.status_code == 201
    assert sorted(response.json()["faq_entries"]) == sorted(ids)


def test_a_repeated_request_is_answered_from_the_first_call_cheaply(
    token_client, category, django_assert_max_num_queries
):
    first = token_client.post("/api/calls/", body(1), format="json")

    with django_assert_max_num_queries(BUDGET_REPEAT_REQUEST):
        again = token_client.post("/api/calls/", body(1), format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Call.objects.filter(client_request_id="queries-1").count() == 1


@pytest.mark.django_db(transaction=True)  # outside a transaction, as a request on the server
@pytest.mark.parametrize("known", [True, False], ids=["known caller", "first contact"])
def test_a_logged_call_is_one_statement_on_postgresql_and_four_elsewhere(token_client, known):
    if known:
        Caller.objects.create(number="01023456789")

    with CaptureQueriesContext(connection) as captured:
        response = token_client.post("/api/calls/", body(1), format="json")

    assert response.status_code == 201
    statements = [q["sql"] for q in captured.captured_queries]
    writes = [sql for sql in statements if "INSERT INTO" in sql]
    if ON_POSTGRESQL:
        # the caller's get-or-create and the three rows: no BEGIN/COMMIT, no savepoint
        assert len(statements) == 1
        assert statements[0].startswith("WITH") and statements[0].count("INSERT INTO") == 4
    elif not known:
        tables = [sql.split('"')[1] for sql in writes]
        assert tables == ["inquiries_caller", "inquiries_call", "inquiries_callevent", "callcenter_accesslog"]
    else:
        assert [sql.split('"')[1] for sql in writes] == [
            "inquiries_call",
            "inquiries_callevent",
            "callcenter_accesslog",
        ]
    call = Call.objects.get(pk=response.json()["id"])
    assert list(call.events.values_list("kind", flat=True)) == ["created"]
    assert call.caller == Caller.objects.get(number="01023456789")
    assert response.json()["caller_number"] == "010-****-6789"
