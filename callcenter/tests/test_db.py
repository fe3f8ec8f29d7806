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
