"""The read-replica router (callcenter/replica.py), with and without a replica configured.

"With a replica" points a second alias, `replica`, at the test database through a
connection of its own (on PostgreSQL read-only, as a hot standby is): what a query
ran on shows in that connection's captured queries, and a write sent there by
mistake would fail. The tests are transactional, so the replica's connection sees
the rows the test wrote.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

from callcenter.replica import REPLICA, replica_reads
from callcenter.testing.servers import BASE_DIR
from inquiries.models import Call
from inquiries.services import call_log
from inquiries.tests.factories import CallFactory

pytestmark = pytest.mark.django_db(transaction=True)
WITH_REPLICA = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


@pytest.fixture(scope="class")
def _replica_alias(django_db_setup, django_db_blocker):
    """The alias `replica` on the test database, as settings make it from DATABASE_REPLICA_URL,
    for one class of tests. Class-scoped so that it exists before each test's database set-up,
    which lets the tests name it in `databases`; a mirror, so only `default` is flushed."""
    settings_dict = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        settings_dict["OPTIONS"]["options"] = "-c default_transaction_read_only=on"
    connections.settings[REPLICA] = settings_dict
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            wrapper = connections[REPLICA]
            wrapper.close()
            if REPLICA in getattr(type(wrapper), "_connection_pools", {}):
                wrapper.close_pool()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica(_replica_alias):
    return connections[REPLICA]


def tables_read(captured: CaptureQueriesContext) -> set[str]:
    return {word.strip('"') for query in captured.captured_queries for word in query["sql"].split() if "_" in word}


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


# --- without a replica ---------------------------------------------------------------
def test_without_a_replica_reads_in_the_block_stay_on_default(agent, category):
    CallFactory(agent=agent, category=category)

    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default, replica_reads() as alias:
        count = Call.objects.count()

    assert alias == DEFAULT_DB_ALIAS
    assert count == 1
    assert "inquiries_call" in tables_read(on_default)


def test_without_a_replica_the_export_reads_default(client, supervisor, agent, category):
    call = CallFactory(agent=agent, category=category, summary="수돗물")
    client.force_login(supervisor)

    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_default:
        rows = read_csv(client.get("/calls/export.csv"))

    assert [int(row[0]) for row in rows[1:]] == [call.pk]
    assert "inquiries_call" in tables_read(on_default)


# --- with a replica ------------------------------------------------------------------
@WITH_REPLICA
class TestWithAReplica:
    def test_with_a_replica_reads_in_the_block_go_to_it_and_writes_to_default(self, replica, agent, category):
        CallFactory(agent=agent, category=category)
        default = connections[DEFAULT_DB_ALIAS]

        with CaptureQueriesContext(default) as on_default, CaptureQueriesContext(replica) as on_replica:
            with replica_reads() as alias:
                count_inside = Call.objects.count()
                logged, _ = call_log(agent=agent, number_status="none", channel="visit", category=category, summary="x")
            count_after = Call.objects.count()

        assert alias == REPLICA
        assert count_inside == 1 and count_after == 2
        # the read inside the block was the replica's; the write and the read after it default's
        assert [q["sql"] for q in on_replica.captured_queries if "inquiries_call" in q["sql"]]
        assert not any(q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in on_replica)
        assert any(q["sql"].startswith("INSERT") and "inquiries_call" in q["sql"] for q in on_default.captured_queries)
        assert any(q["sql"].startswith("SELECT COUNT") for q in on_default.captured_queries)
        assert Call.objects.get(pk=logged.pk)._state.db == DEFAULT_DB_ALIAS

    def test_with_a_replica_reads_outside_the_block_stay_on_default(self, replica, agent, category):
        CallFactory(agent=agent, category=category)

        with CaptureQueriesContext(replica) as on_replica:
            with replica_reads():
                pass
            Call.objects.count()

        assert on_replica.captured_queries == []

    def test_nested_blocks_leave_the_outer_block_on_the_replica(self, replica, agent, category):
        CallFactory(agent=agent, category=category)

        with CaptureQueriesContext(replica) as on_replica, replica_reads():
            with replica_reads():
                pass
            Call.objects.count()

        assert "inquiries_call" in tables_read(on_replica)

    def test_with_a_replica_the_export_reads_the_calls_from_it(self, client, replica, supervisor, agent, category):
        call = CallFactory(agent=agent, category=category, summary="수돗물")
        client.force_login(supervisor)
        default = connections[DEFAULT_DB_ALIAS]

        with CaptureQueriesContext(default) as on_default, CaptureQueriesContext(replica) as on_replica:
            rows = read_csv(client.get("/calls/export.csv"))

        assert [int(row[0]) for row in rows[1:]] == [call.pk]
        assert "inquiries_call" in tables_read(on_replica)
        # the export's access-log row is a write: default's
        assert any(q["sql"].startswith("INSERT") and "callcenter_accesslog" in q["sql"] for q in on_default)
        assert not any('FROM "inquiries_call"' in q["sql"] for q in on_default.captured_queries)


# --- settings --------------------------------------------------------------------------
def settings_of(env: dict[str, str]) -> subprocess.CompletedProcess:
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({alias: {'engine': d['ENGINE'], 'name': d['NAME'], 'test': d.get('TEST', {}), "
        "'options': d.get('OPTIONS', {}).get('options', '')} for alias, d in settings.DATABASES.items()}))"
    )
    clean = {key: value for key, value in __import__("os").environ.items() if not key.startswith("DATABASE")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "callcenter.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_database_replica_url_adds_a_read_only_replica_alias_mirrored_in_tests():
    done = settings_of(
        {
            "DATABASE_URL": "postgres://dasan@db-primary:5432/dasan",
            "DATABASE_REPLICA_URL": "postgres://dasan_ro@db-standby:5432/dasan",
        }
    )

    assert done.returncode == 0, done.stderr
    databases = json.loads(done.stdout.splitlines()[-1])
    assert databases["replica"]["engine"] == databases["default"]["engine"] == "django.db.backends.postgresql"
    assert databases["replica"]["test"]["MIRROR"] == "default"
    assert "default_transaction_read_only=on" in databases["replica"]["options"]
    assert databases["default"]["options"] == ""


def test_without_database_replica_url_there_is_no_replica_alias():
    done = settings_of({"DATABASE_URL": "postgres://dasan@db-primary:5432/dasan"})

    assert done.returncode == 0, done.stderr
    assert list(json.loads(done.stdout.splitlines()[-1])) == ["default"]


def test_a_replica_of_another_kind_of_database_is_refused_with_a_message():
    done = settings_of(
        {"DATABASE_URL": "postgres://dasan@db-primary:5432/dasan", "DATABASE_REPLICA_URL": "sqlite:///tmp/x.sqlite3"}
    )

    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL must be the same kind of database as DATABASE_URL" in done.stderr
