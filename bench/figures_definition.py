"""One definition per figure (issue 12, item 2): the ORM definition beside the raw SQL it replaced.

    .venv/bin/python bench/figures_definition.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/figures_definition.py --databases sqlite --repeats 400

The wallboard's push reads the queue's figures for the day and the shift and the calls of
the last 30 minutes (one aggregate), and per category and hour (one grouped count). Since
issue 12 both come from the one ORM definition (floor.stats.queue_figure_aggregates,
_category_hour_counts); before, from hand-written SQL that repeated the definitions
(bench/_figures_sql.py keeps that SQL for this comparison). Timed here in one process,
alternating the two, on a day of `--today` calls over `--calls` in all (the wallboard's
history generator, bench/_history.py), and checked to give the same figures. Each
database in a child process of its own (var/bench_figures.sqlite3, dasan_bench_figures).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    DEFAULT_DATABASE_HOST,
    PYTHON,
    ROOT,
    bench_env,
    django_setup,
    ensure_database,
    manage,
    percentile,
    print_table,
    ratio,
)

DATABASE_URLS = {
    "sqlite": f"sqlite:///{ROOT / 'var' / 'bench_figures.sqlite3'}",
    "postgresql": f"{DEFAULT_DATABASE_HOST}/dasan_bench_figures",
}


def child(database: str, calls: int, today: int, repeats: int) -> None:
    url = DATABASE_URLS[database]
    if database == "postgresql":
        ensure_database(url)
    env = bench_env(database_url=url)
    manage("migrate", "--noinput", env=env)
    django_setup(env)
    import _figures_sql
    from _history import queue_history_fill
    from django.db import connection
    from django.utils import timezone

    from floor import stats

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inquiries_queuecall")
        if cursor.fetchone()[0] != calls:
            cursor.execute("DELETE FROM inquiries_queuecall")
            queue_history_fill(cursor, total=calls, today=today, vendor=connection.vendor)

    now = timezone.now()
    day = stats.day_window(stats.operating_day(now))
    shift = (now - timedelta(hours=5), now + timedelta(seconds=1))

    def orm() -> tuple:
        return stats._floor_figures(day, shift, now), stats._category_hour_counts(now, *day)

    def sql() -> tuple:
        return _figures_sql.floor_figures(day, shift, now), _figures_sql.category_hour_counts(now, *day)

    assert orm() == sql(), "the ORM definition and the SQL disagree"
    timings: dict[str, list[float]] = {"ORM definition": [], "raw SQL (before)": []}
    for _ in range(5):  # warm-up
        orm(), sql()
    for _ in range(repeats):
        for name, run in (("ORM definition", orm), ("raw SQL (before)", sql)):
            started = time.perf_counter()
            run()
            timings[name].append((time.perf_counter() - started) * 1000)
    for name, values in timings.items():
        print(f"ROW\t{database}\t{name}\t{statistics.median(values):.3f}\t{percentile(values, 95):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--today", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.calls, args.today, args.repeats)
        return 0
    rows, verdicts = [], []
    for database in args.databases.split(","):
        out = subprocess.run(
            [PYTHON, __file__, "--child", database, "--calls", str(args.calls), "--today", str(args.today),
             "--repeats", str(args.repeats)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        ).stdout  # fmt: skip
        found = {}
        for line in out.splitlines():
            if line.startswith("ROW\t"):
                _, db, name, p50, p95 = line.split("\t")
                found[name] = (float(p50), float(p95))
                rows.append([db, name, f"{float(p50):.2f}", f"{float(p95):.2f}"])
        orm, raw = found["ORM definition"], found["raw SQL (before)"]
        verdicts.append([database, f"{ratio(orm[0], raw[0]):.2f}", f"{ratio(orm[1], raw[1]):.2f}"])
    print(f"\nThe queue's per-push figures, {args.today:,} calls today of {args.calls:,}, {args.repeats} repeats each")
    print_table(["database", "way", "p50 ms", "p95 ms"], rows)
    print("\nORM definition ÷ raw SQL (same run, same process; equal figures checked)")
    print_table(["database", "p50 ratio", "p95 ratio"], verdicts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
