"""Database helpers shared by the apps' services.

`rows_insert_at_once` writes a row and the rows that refer to it in one SQL
statement on PostgreSQL: a logged call, its `created` event and its access-log
row, with the caller's get-or-create ahead of them (inquiries/services.py). One
statement is atomic by itself, so it needs no BEGIN and COMMIT either: a logged
call went from six database round trips to one, which under daphne's one process
is about a quarter of the API's throughput (docs/BENCHMARKS.md, "Logging a call:
round 3"). The SQL of each row is Django's
own (its insert compiler: every field, default, auto_now and conversion); this
module only chains them as data-modifying CTEs. Other databases (SQLite) have no
data-modifying CTEs: callers save row by row in a transaction there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import NotSupportedError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BigIntegerField, CharField, Field, Model
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery

_FIRST = "first_row"


def one_statement_inserts() -> bool:
    """Whether `rows_insert_at_once` works on this database."""
    return transaction.get_connection().vendor == "postgresql"


def first_row_id() -> RawSQL:
    """The new id of the first row of `rows_insert_at_once`, as a value for the rows after it."""
    # A constant name, no value from outside: nothing to inject.
    return RawSQL(f"(SELECT id FROM {_FIRST})", (), output_field=BigIntegerField())  # noqa: S608, S611


def first_row_reference(prefix: str) -> RawSQL:
    """`prefix` followed by the first row's new id, as text (e.g. "call:42")."""
    # Concat() would do, at a quarter of a millisecond per row to compile.
    return RawSQL(f"(%s::text || (SELECT id FROM {_FIRST}))", (prefix,), output_field=CharField())  # noqa: S608, S611


def rows_insert_at_once(
    first: Model,
    *others: Model,
    before: Sequence[tuple[str, str, Sequence[Any]]] = (),
    read_back: Sequence[str] = (),
) -> None:
    """Insert `first`, then `others`, in one statement: all rows or none.

    `others` may hold `first_row_id()` or `first_row_reference()` in any
    field, e.g. a foreign key to `first`. `before`: (name, sql, params) parts
    run ahead of the rows, which `first` may refer to by name in a RawSQL value
    (e.g. the get-or-create of a row it points to). Sets `first.pk` and the
    `read_back` fields of `first` as written; the ids of `others` are not read
    back. As with `QuerySet.update()`, no pre_save/post_save signal is sent and
    nothing is validated: call `full_clean()` first.
    Raises NotSupportedError on databases without data-modifying CTEs.
    """
    connection = transaction.get_connection()  # the connection itself: the proxy costs a lookup per use
    if connection.vendor != "postgresql":
        raise NotSupportedError("rows_insert_at_once needs PostgreSQL")
    returning = [first._meta.pk, *(first._meta.get_field(name) for name in read_back)]
    parts, params = [], []
    for name, sql, part_params in before:
        parts.append(f"{name} AS ({sql})")
        params.extend(part_params)
    first_sql, first_params = _insert_sql(first, connection, returning=returning)
    parts.append(f"{_FIRST} AS ({first_sql})")
    params.extend(first_params)
    for n, row in enumerate(others):
        sql, row_params = _insert_sql(row, connection)
        parts.append(f"row_{n} AS ({sql})")
        params.extend(row_params)
    with connection.cursor() as cursor:
        # Django's own INSERTs, the caller's parts and constant names; every value is a parameter.
        cursor.execute(f"WITH {', '.join(parts)} SELECT * FROM {_FIRST}", params)  # noqa: S608
        written = cursor.fetchone()
    for field, value in zip(returning, written, strict=True):
        setattr(first, field.attname, value)
    for row in (first, *others):
        row._state.adding = False
        row._state.db = connection.alias


def _insert_sql(row: Model, connection: BaseDatabaseWrapper, *, returning: Sequence[Field] = ()) -> tuple[str, list]:
    """Django's INSERT for one unsaved row, as `Model.save()` would send it."""
    meta = row._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    query = InsertQuery(type(row))
    query.insert_values(fields, [row])
    compiler = query.get_compiler(connection=connection)
    if returning:
        compiler.returning_fields = list(returning)
    ((sql, params),) = compiler.as_sql()
    return sql, list(params)
