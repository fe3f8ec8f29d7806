"""Reads for reports and exports from a read replica, when there is one.

With `DATABASE_REPLICA_URL` set, settings add a database alias `replica` (a
PostgreSQL hot standby, or any copy the city keeps in step). Every read inside
a `replica_reads()` block goes there; every write, and every read outside such
a block, goes to `default`:

    with replica_reads():
        rows = list(calls)        # SELECT on the replica

Without a replica the block changes nothing: the reads stay on `default`.

A replica lags its primary a little (usually well under a second): use the
block for what tolerates that (a day's report, a CSV export), never for a read
that must see a write just made. The block follows the code that runs inside it
(a context variable): a streaming response's generator enters it itself, since
it runs after the view has returned.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads() -> Iterator[str]:
    """Send every read inside the block to the replica, when one is configured.
    Yields the alias the reads go to (`replica` or `default`)."""
    # set back, not reset with a token: a generator's block may be resumed in another context
    previous = _reading_replica.get()
    _reading_replica.set(True)
    try:
        yield REPLICA if replica_configured() else DEFAULT_DB_ALIAS
    finally:
        _reading_replica.set(previous)


class ReplicaRouter:
    """`settings.DATABASE_ROUTERS`: reads in a `replica_reads()` block to the replica,
    everything else to `default`. The replica holds the same tables, so rows read
    from it may be related to rows of `default`; it is never migrated (it is a copy)."""

    def db_for_read(self, model, **hints) -> str:
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return db != REPLICA
