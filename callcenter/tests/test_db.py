"""`rows_insert_at_once`: a row and the rows that refer to it, in one statement
(PostgreSQL), all or nothing. Other databases refuse it (services save row by row)."""

import pytest
from django.db import DataError, NotSupportedError
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from callcenter.db import first_row_id, first_row_reference, one_statement_inserts, rows_insert_at_once
from callcenter.models import AccessLog
from inquiries.models import Call, Caller, CallEvent

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: the statement's own atomicity


def rows(agent, category, *, event_kind=CallEvent.Kind.CREATED):
    call = Call(caller=Caller.objects.create(number="01012345678"), agent=agent, category=category, summary="누수")
    event = CallEvent(call_id=first_row_id(), actor=agent, at=timezone.now(), kind=event_kind, to_value="answered")
    entry = AccessLog(
        user=agent,
        action=AccessLog.Action.CREATE,
        subject="caller:01012345678",
        target=first_row_reference("call:"),
    )
    return call, event, entry


def test_the_rows_are_written_together_and_refer_to_the_first(agent, category):
    call, event, entry = rows(agent, category)

    if not one_statement_inserts():
        with pytest.raises(NotSupportedError):
            rows_insert_at_once(call, event, entry)
        assert not Call.objects.exists()
        return

    caller_id = call.caller_id
    call.caller_id = RawSQL("(SELECT id FROM the_caller)", (), output_field=BigIntegerField())
    rows_insert_at_once(
        call,
        event,
        entry,
        before=[("the_caller", "SELECT id FROM inquiries_caller WHERE number = %s::varchar", ["01012345678"])],
        read_back=["caller_id"],
    )

    assert call.caller_id == caller_id  # read back from what the statement wrote
    saved = Call.objects.get()
    assert call.pk == saved.pk and not call._state.adding
    assert saved.created_at is not None and saved.created_at == call.created_at  # auto_now_add, as save() does
    assert list(saved.events.values_list("kind", "to_value")) == [("created", "answered")]
    assert AccessLog.objects.get().target == f"call:{call.pk}"


def test_a_row_that_fails_takes_the_others_with_it(agent, category):
    call, event, entry = rows(agent, category, event_kind="k" * 40)  # longer than the column

    with pytest.raises(DataError if one_statement_inserts() else NotSupportedError):
        rows_insert_at_once(call, event, entry)

    assert not Call.objects.exists()
    assert not CallEvent.objects.exists()
    assert not AccessLog.objects.exists()


# --- the Django internals callcenter/db.py stands on ------------------------------------------
# It builds each row's INSERT with Django's own insert compiler (InsertQuery.insert_values,
# SQLInsertCompiler.returning_fields and as_sql) and marks the rows saved through Model._state.
# None of that is public API. These tests fail loudly on a Django upgrade that changes it; then
# read django/db/models/sql/subqueries.py and compiler.py of the new version, re-run
# `bench/calls.py --row-by-row` (docs/BENCHMARKS.md, "callcenter/db.py"), and either adapt
# db.py and the pin below, or go back to ordinary saves in a transaction.
CHECKED_ON = (5, 2)


def test_django_is_the_version_db_py_was_checked_on():
    import django

    assert django.VERSION[:2] == CHECKED_ON, (
        f"Django {django.get_version()}: callcenter/db.py uses its insert compiler's internals, checked on "
        f"{CHECKED_ON[0]}.{CHECKED_ON[1]} only. Check them (see the comment above), then move CHECKED_ON."
    )


def test_the_internals_db_py_uses_are_there():
    import inspect

    from django.db import connection
    from django.db.models.sql import InsertQuery
    from django.db.models.sql.compiler import SQLInsertCompiler

    assert list(inspect.signature(InsertQuery.insert_values).parameters)[:3] == ["self", "fields", "objs"]
    query = InsertQuery(AccessLog)
    compiler = query.get_compiler(connection=connection)
    assert isinstance(compiler, SQLInsertCompiler)
    assert hasattr(compiler, "returning_fields")  # set to read the new id back
    state = AccessLog()._state
    assert state.adding is True and hasattr(state, "db")


def test_a_rows_insert_is_the_one_save_would_send(agent):
    """db.py's INSERT of a row names the table and columns Model.save() writes, one value each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from callcenter.db import _insert_sql

    def row():
        return AccessLog(user=agent, action=AccessLog.Action.VIEW, subject="caller:01012345678", target="call:1")

    sql, params = _insert_sql(row(), connection)
    with CaptureQueriesContext(connection) as queries:
        row().save()
    (sent,) = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("INSERT")]
    assert sql.split(" VALUES ")[0] == sent.split(" VALUES ")[0]
    columns = sql.split(" VALUES ")[0].split("(", 1)[1].count(",") + 1
    assert len(params) == columns == len([f for f in AccessLog._meta.local_concrete_fields if not f.primary_key])
