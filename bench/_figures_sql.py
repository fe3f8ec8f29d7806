"""The wallboard's per-push queue figures as raw SQL, as floor/stats.py computed them
before issue 12 gave every figure one definition (git show 0582ff6:floor/stats.py):
kept here only so bench/figures_definition.py can time the ORM definition beside it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from floor import stats
from floor.models import QueueCall


def floor_figures(
    day: tuple[datetime, datetime], shift: tuple[datetime, datetime] | None, now: datetime
) -> tuple[dict[str, Any], dict[str, Any] | None, int]:
    adapt = connection.ops.adapt_datetimefield_value
    abandoned, t = QueueCall.Status.ABANDONED.value, stats.threshold_seconds()
    windows = [day, *([shift] if shift else [])]
    recent_start = now - stats.ARRIVAL_WINDOW
    columns = ["COUNT(CASE WHEN offered_at >= %s AND offered_at <= %s THEN 1 END)"]
    params: list[Any] = [adapt(recent_start), adapt(now)]
    for start, end in windows:
        within = "offered_at >= %s AND offered_at < %s"
        bounds = [adapt(start), adapt(end)]
        columns += [
            f"COUNT(CASE WHEN {within} THEN 1 END)",
            f"COUNT(CASE WHEN {within} AND answered_at IS NOT NULL THEN 1 END)",
            f"COUNT(CASE WHEN {within} AND status = %s THEN 1 END)",
            f"COUNT(CASE WHEN {within} AND answered_at IS NOT NULL AND wait_seconds <= %s THEN 1 END)",
            f"COUNT(CASE WHEN {within} AND status = %s AND wait_seconds > %s THEN 1 END)",
            f"AVG(CASE WHEN {within} AND answered_at IS NOT NULL THEN wait_seconds END)",
            f"AVG(CASE WHEN {within} AND handle_seconds IS NOT NULL THEN handle_seconds END)",
        ]
        params += [*bounds, *bounds, *bounds, abandoned, *bounds, t, *bounds, abandoned, t, *bounds, *bounds]
    lower = min([recent_start, *(start for start, _ in windows)])
    upper = max([now, *(end for _, end in windows)])
    sql = (
        f"SELECT {', '.join(columns)} FROM {QueueCall._meta.db_table} "  # noqa: S608 (no user input)
        "WHERE offered_at >= %s AND offered_at <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, adapt(lower), adapt(upper)])
        row = cursor.fetchone()
    names = ["offered", "answered", "abandoned", "answered_within", "abandoned_after", "asa", "aht"]
    results = []
    for i in range(len(windows)):
        values = dict(zip(names, row[1 + 7 * i : 8 + 7 * i], strict=True))
        results.append(stats.queue_figures_result(values))
    return results[0], (results[1] if shift else None), row[0]


def category_hour_counts(
    now: datetime, day_start: datetime, day_end: datetime
) -> tuple[dict[int | None, dict[str, int]], list[int]]:
    adapt = connection.ops.adapt_datetimefield_value
    recent_start, soon = now - stats.SURGE_WINDOW, now + timedelta(1)
    hour_sql, hour_params = connection.ops.datetime_extract_sql(
        "hour", "offered_at", (), timezone.get_current_timezone_name()
    )
    sql = (
        f"SELECT category_id, {hour_sql}, "  # noqa: S608 (no user input)
        "COUNT(CASE WHEN offered_at >= %s AND offered_at < %s THEN 1 END), "
        "COUNT(CASE WHEN offered_at >= %s AND offered_at < %s THEN 1 END), "
        "COUNT(CASE WHEN offered_at >= %s AND offered_at < %s THEN 1 END) "
        f"FROM {QueueCall._meta.db_table} WHERE offered_at >= %s AND offered_at < %s GROUP BY 1, 2"
    )
    params = [
        *hour_params,
        *(adapt(day_start), adapt(day_end)),
        *(adapt(day_start), adapt(soon)),
        *(adapt(recent_start), adapt(soon)),
        *(adapt(min(day_start, recent_start)), adapt(max(day_end, soon))),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts: dict[int | None, dict[str, int]] = {}
    hours = [0] * 24
    for category_id, hour, in_day, today, recent in rows:
        hours[int(hour)] += in_day
        entry = counts.setdefault(category_id, {"today": 0, "recent": 0})
        entry["today"] += today
        entry["recent"] += recent
    return counts, hours
