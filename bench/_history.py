"""Synthetic queue history: the wallboard's history bench's generator, shared.

bench/wallboard.py (its part 2) and bench/reports.py fill the queue table with
it: `today` calls over the last ten hours (5% abandoned, 2% still waiting),
the rest ended, over the two years before today, one a minute-offset apart
(`now - 1 day - (g % 730) days - (g % 660) minutes`), waiting 20 s, handled in
210 s, in the ten starting categories in turn. PostgreSQL through
generate_series; SQLite (bench/reports.py) through a recursive CTE with the
same formulas.
"""

from __future__ import annotations

TODAY_PG = """
    INSERT INTO inquiries_queuecall (call_id, caller_number, language, queue, status, offered_at,
        answered_at, ended_at, wait_seconds, talk_seconds, handle_seconds, transfers, category_id)
    SELECT 'today-' || g, '01012345678', 'ko', 'general',
           CASE WHEN g %% 20 = 0 THEN 'abandoned' WHEN g %% 50 = 1 THEN 'waiting' ELSE 'ended' END,
           t,
           CASE WHEN g %% 20 = 0 OR g %% 50 = 1 THEN NULL ELSE t + interval '15 s' END,
           CASE WHEN g %% 50 = 1 THEN NULL ELSE t + interval '200 s' END,
           15 + g %% 30, 180, 210, 0, 1 + g %% 10
    FROM (SELECT g, now() - (g %% 600) * interval '1 minute' AS t FROM generate_series(1, %s::int) g) s
"""
OLD_PG = """
    INSERT INTO inquiries_queuecall (call_id, caller_number, language, queue, status, offered_at,
        answered_at, ended_at, wait_seconds, talk_seconds, handle_seconds, transfers, category_id)
    SELECT 'old-' || g, '01012345678', 'ko', 'general', 'ended',
           t, t + interval '20 s', t + interval '200 s', 20, 180, 210, 0, 1 + g %% 10
    FROM (
        SELECT g,
            now() - interval '1 day' - (g %% 730) * interval '1 day' - (g %% 660) * interval '1 minute' AS t
        FROM generate_series(%s::integer, %s::integer) g
    ) s
"""
TODAY_SQLITE = """
    WITH RECURSIVE series(g) AS (SELECT ? UNION ALL SELECT g + 1 FROM series WHERE g < ?)
    INSERT INTO inquiries_queuecall (call_id, caller_number, language, queue, status, offered_at,
        answered_at, ended_at, wait_seconds, talk_seconds, handle_seconds, transfers, category_id)
    SELECT 'today-' || g, '01012345678', 'ko', 'general',
           CASE WHEN g % 20 = 0 THEN 'abandoned' WHEN g % 50 = 1 THEN 'waiting' ELSE 'ended' END,
           t,
           CASE WHEN g % 20 = 0 OR g % 50 = 1 THEN NULL ELSE datetime(t, '+15 seconds') END,
           CASE WHEN g % 50 = 1 THEN NULL ELSE datetime(t, '+200 seconds') END,
           15 + g % 30, 180, 210, 0, 1 + g % 10
    FROM (SELECT g, datetime('now', '-' || (g % 600) || ' minutes') AS t FROM series) s
"""
OLD_SQLITE = """
    WITH RECURSIVE series(g) AS (SELECT ? UNION ALL SELECT g + 1 FROM series WHERE g < ?)
    INSERT INTO inquiries_queuecall (call_id, caller_number, language, queue, status, offered_at,
        answered_at, ended_at, wait_seconds, talk_seconds, handle_seconds, transfers, category_id)
    SELECT 'old-' || g, '01012345678', 'ko', 'general', 'ended',
           t, datetime(t, '+20 seconds'), datetime(t, '+200 seconds'), 20, 180, 210, 0, 1 + g % 10
    FROM (
        SELECT g, datetime('now', '-1 days', '-' || (g % 730) || ' days', '-' || (g % 660) || ' minutes') AS t
        FROM series
    ) s
"""


def queue_history_fill(cursor, *, total: int, today: int, vendor: str = "postgresql") -> None:
    """Queue calls up to `total`: `today` of them today (when the table is empty),
    the rest spread over the two years before."""
    cursor.execute("SELECT count(*) FROM inquiries_queuecall")
    have = cursor.fetchone()[0]
    sqlite = vendor == "sqlite"
    if not have:
        if sqlite:
            cursor.execute(TODAY_SQLITE, [1, today])
        else:
            cursor.execute(TODAY_PG, [today])
    old_have = max(0, have - today)  # old calls already there
    start, old = old_have, total - today - old_have
    if old > 0:
        if sqlite:
            cursor.execute(OLD_SQLITE, [start + 1, start + old])
        else:
            cursor.execute(OLD_PG, [start + 1, start + old])
    cursor.execute("ANALYZE" if sqlite else "ANALYZE inquiries_queuecall")
