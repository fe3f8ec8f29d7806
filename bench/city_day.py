"""A city-scale day behind nginx: 1, 2 and the core count of daphne processes (`make prod`).

    .venv/bin/python bench/city_day.py                    # capacity, the peak hour at x20, day sizes, faults
    .venv/bin/python bench/city_day.py --parts capacity   # only the closed-loop call-logging comparison
    .venv/bin/python bench/city_day.py --parts day --processes 1,2 --window 60 --speed 20
    .venv/bin/python bench/city_day.py --parts faults

Everything runs on services of the bench's own (a PostgreSQL cluster made with initdb, fsync
on, and a redis-server with maxmemory, on free ports of 9100-9199; never the machine's
5432/6379) behind the real topology: deploy/prodctl.py (what `make prod` runs) with TLS off
(plain HTTP on 127.0.0.1, so the load generator's TLS does not take the machine's cores).

capacity  POST /api/calls/ closed loop (16 clients and 1), through nginx with 1 and N processes,
          and straight to a daphne port with 1. Goals: N=2 >= 1.6x N=1's req/s; nginx adds < 15%
          to p95 against daphne direct.
day       the centre's peak hour (10:00) as floor/simulator.py draws it, compressed `--speed`
          times: the phone system posts every event (batched per 0.1 s), each
          answered call's agent searches the FAQ and logs the call after it ends (32 agent
          connections), while 500 agents' consoles (/ws/agent/, a session each) and 50
          wallboards stay connected (bench/_swarm.py, its own process). The phone system posts on
          --phone-connections connections (4), each call's events on one. Every request is
          retried with the same ids until accepted. Per case: throughput, p50/p95/p99 per
          request kind, errors (failed attempts), lost (never accepted, or not in the database),
          wallboard staleness (a call's acceptance until every board shows it), CPU per process,
          PostgreSQL connections. The day's size (10k, 30k, 100k calls) is the number of today's
          calls in the queue table when the hour runs (the hour at the end of a day of that size:
          the wallboard's figures read them all); the hour's arrivals are scaled to the issue's
          peak (4,000 an hour for 30,000 a day).
faults    the same hour with N processes and, one after another: kill -9 a daphne; restart Redis;
          restart PostgreSQL; fill Redis to its memory limit. Per fault: client errors, time to
          recover after the service is back, calls and events lost, boards back in sync with the
          database, pg_stat_activity before and after.

The machine is shared: compare the ratios within one run, not the figures across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOAD_HEADERS, bench_env, http_load, json_request, merge, percentile, print_table, ratio, verdict
from _topology import BenchPostgres, BenchRedis, Load, Swarm, Topology, cpu_seconds, floor_setup, staleness

PEAK_SHARE = 11.5 / 101.2  # floor/simulator.py's 10:00 hour: 11.4% of the day
ISSUE_PEAK = 4000 / 30000  # the issue's: 4,000 of 30,000 in the peak hour
SUMMARY = "아파트 단지 수돗물에서 녹물이 나온다는 문의. 수질검사 신청 방법 안내."


def call_body(i: int, key: str) -> dict:
    return {
        "caller_number": f"010-7{i % 500:03d}-{(i * 37) % 10000:04d}",
        "category": "water",
        "summary": SUMMARY,
        "language": "ko",
        "channel": "phone",
        "resolution": "answered",
        "client_request_id": f"cap-{key}-{i}",
    }


class Services:
    def __init__(self) -> None:
        self.postgres = BenchPostgres().init().start()
        self.postgres.create_database()
        self.redis = BenchRedis().start()
        # world-readable: nginx's workers (www-data) serve the collected static files from here
        self.var_dir = Path(tempfile.mkdtemp(prefix="dasan-bench-var-"))
        self.var_dir.chmod(0o755)
        self.env = bench_env(
            database_url=self.postgres.url,
            redis_url=self.redis.url,
            channel_prefix="city_setup",
            DASAN_VAR_DIR=str(self.var_dir),
            KB_EMBEDDER="none",
        )

    def topology(self, processes: int) -> Topology:
        return Topology(processes=processes, postgres=self.postgres, redis=self.redis, var_dir=self.var_dir)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.redis.stop()
        self.postgres.remove()
        shutil.rmtree(self.var_dir, ignore_errors=True)


def sql(services: Services, statement: str, params: list | None = None) -> list:
    import psycopg

    with psycopg.connect(services.postgres.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        cursor = conn.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# --- capacity --------------------------------------------------------------------------
def capacity(services: Services, floor: dict, processes: list[int], rounds: int) -> None:
    token = floor["tokens"][floor["agents"][0]]
    runs: dict[tuple[str, int], list] = {}
    for n in processes:
        topology = services.topology(n).start()
        try:
            direct = f"http://127.0.0.1:{topology.daphne_ports()[0]}"
            for round_no in range(rounds):
                for clients, requests in ((1, 150), (16, 400)):
                    targets = [("nginx", topology.url)] + ([("direct", direct)] if n == 1 else [])
                    if round_no % 2:
                        targets.reverse()
                    for name, url in targets:
                        key = uuid.uuid4().hex[:8]
                        result = http_load(
                            url,
                            lambda i, key=key: json_request("POST", "/api/calls/", call_body(i, key), token=token),
                            clients=clients,
                            requests=requests,
                            warmup=clients * 4,
                            expect=(201,),
                        )
                        runs.setdefault((f"{n} process{'es' if n > 1 else ''} via {name}", clients), []).append(result)
        finally:
            topology.stop()
        print(f"  capacity, {n} process(es): done", flush=True)
    rows = [
        [*merge(results).row(name), ""] for (name, clients), results in sorted(runs.items(), key=lambda kv: kv[0][1])
    ]
    print_table([*LOAD_HEADERS, ""], rows, title=f"POST /api/calls/, closed loop, {rounds} rounds pooled (same run)")
    goals = []
    if 1 in processes and len(processes) > 1:
        top = max(processes)
        one = [r.rps for r in runs[("1 process via nginx", 16)]]
        many = [r.rps for r in runs[(f"{top} processes via nginx", 16)]]
        value = ratio(sum(many), sum(one))
        goals.append(
            [
                f"{top} processes / 1 process, req/s at 16 clients via nginx",
                f"{value:.2f}",
                ">= 1.60",
                verdict(value >= 1.6),
            ]
        )
    if ("1 process via direct", 1) in runs:
        for clients in (1, 16):
            via = merge(runs[("1 process via nginx", clients)]).p95_ms
            direct = merge(runs[("1 process via direct", clients)]).p95_ms
            value = ratio(via, direct)
            goals.append(
                [f"p95 via nginx / daphne direct, {clients} client(s)", f"{value:.2f}", "< 1.15", verdict(value < 1.15)]
            )
    print_table(["goal", "ratio", "target", "verdict"], goals, title="capacity goals")


# --- the day -------------------------------------------------------------------------
# The operating day running now (OPERATING_DAY_STARTS, 08:00, Asia/Seoul: the settings' defaults,
# which the bench keeps): what the wallboard's "today" counts.
OPERATING_DAY_START_SQL = (
    "((date_trunc('day', now() AT TIME ZONE 'Asia/Seoul' - interval '8 hours') + interval '8 hours')"
    " AT TIME ZONE 'Asia/Seoul')"
)


def reset_day(services: Services, today_calls: int, floor: dict) -> None:
    sql(services, "TRUNCATE inquiries_phoneevent, inquiries_queuecall, inquiries_call CASCADE")
    # the day so far: today's calls already in the queue table, within the operating day
    sql(
        services,
        """
        INSERT INTO inquiries_queuecall (call_id, caller_number, language, queue, status, offered_at,
            answered_at, ended_at, wait_seconds, talk_seconds, handle_seconds, transfers, category_id)
        SELECT 'prefill-' || g, '01012345678', 'ko', 'general',
               CASE WHEN g %% 20 = 0 THEN 'abandoned' ELSE 'ended' END, t,
               CASE WHEN g %% 20 = 0 THEN NULL ELSE t + interval '15 s' END, t + interval '200 s',
               15 + g %% 30, 180, 210, 0, (SELECT min(id) FROM knowledgebase_category)
        FROM (SELECT g, greatest(OPERATING_DAY_START,
                                 now() - interval '10 minutes' - (g %% 480) * interval '1 minute') AS t
              FROM generate_series(1, %s::int) g) s
    """.replace("OPERATING_DAY_START", OPERATING_DAY_START_SQL),
        [int(today_calls)],
    )
    sql(services, "ANALYZE inquiries_queuecall")


class Sampler(threading.Thread):
    """PostgreSQL connections, once a second."""

    def __init__(self, services: Services) -> None:
        super().__init__(daemon=True)
        self.services, self.samples, self.stop = services, [], threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            with contextlib.suppress(Exception):
                self.samples.append(self.services.postgres.connections())
            self.stop.wait(1.0)


def run_hour(
    services: Services,
    floor: dict,
    *,
    processes: int,
    day_size: int,
    window: float,
    speed: float,
    boards: int,
    faults=None,
    phone_connections: int = 4,
) -> dict:
    hour_calls = day_size * ISSUE_PEAK
    in_window = int(hour_calls * window / 60)
    reset_day(services, max(0, day_size - in_window), floor)
    topology = services.topology(processes).start()
    swarm = None
    try:
        connections_before = services.postgres.connections()
        swarm = Swarm(topology.port, floor, boards)
        connected = swarm.wait_ready()
        load = Load(topology.url, floor, phone_connections=phone_connections)
        counts = load.build(
            calls_per_day=int(hour_calls / PEAK_SHARE),
            start_seconds=10 * 3600,
            simulated_seconds=window * 60,
            speed=speed,
        )
        sampler = Sampler(services)
        sampler.start()
        daphnes, nginx = topology.daphne_pids(), topology.nginx_pids()
        others = {
            "nginx": nginx,
            "PostgreSQL": services.postgres.pids(),
            "Redis": [services.redis.process.pid],
            "sockets (client)": [swarm.process.pid],
            "load (client)": [os.getpid()],
        }
        cpu_before = {pid: cpu_seconds([pid]) for pid in daphnes} | {k: cpu_seconds(v) for k, v in others.items()}
        wall_before = time.monotonic()
        fault_log: list = []
        fault_thread = None
        if faults is not None:
            fault_thread = threading.Thread(target=faults, args=(load, topology, fault_log), daemon=True)
            fault_thread.start()
        load.run()
        wall = time.monotonic() - wall_before
        cpu = {f"daphne {n + 1}": (cpu_seconds([pid]) - cpu_before[pid]) / wall for n, pid in enumerate(daphnes)}
        cpu |= {k: (cpu_seconds(v) - cpu_before[k]) / wall for k, v in others.items()}
        if fault_thread is not None:
            fault_thread.join(120)
        time.sleep(3.0)  # the last coalescing windows close
        sampler.stop.set()
        result = swarm.finish()
        swarm = None
        connections_after = services.postgres.connections()
    finally:
        if swarm is not None:
            with contextlib.suppress(Exception):
                swarm.finish()
        topology.stop()
    # lost: accepted but not in the database, or never accepted
    stored_calls = {row[0] for row in sql(services, "SELECT client_request_id FROM inquiries_call")}
    logged = [item for item in load.items if item.kind == "log call"]
    lost_calls = sum(1 for item in logged if not item.accepted or item.key not in stored_calls)
    doubled = sql(services, "SELECT count(*) - count(DISTINCT client_request_id) FROM inquiries_call")[0][0]
    offered_sent = counts.get("call.offered", 0)
    stored_offered = sql(services, "SELECT count(*) FROM inquiries_queuecall WHERE call_id NOT LIKE 'prefill-%'")[0][0]
    lost_events = sum(len(item.body) for item in load.items if item.kind == "phone events" and not item.accepted)
    # what each board's "offered today" must end at: the operating day's calls in the database
    in_day = "SELECT count(*) FROM inquiries_queuecall WHERE offered_at >= " + OPERATING_DAY_START_SQL  # noqa: S608 (constants only)
    today = sql(services, in_day)[0][0]
    delays, missing = staleness(result["boards"], load.offered_acks)
    last_shown = [seen[-1][1] for seen in result["boards"] if seen]
    in_sync = sum(1 for value in last_shown if value == today)
    return {
        "processes": processes,
        "day_size": day_size,
        "window": window,
        "counts": counts,
        "load": load,
        "wall": wall,
        "cpu": cpu,
        "connections": (connections_before, max(sampler.samples or [0]), connections_after),
        "lost_calls": lost_calls,
        "doubled": doubled,
        "lost_events": lost_events,
        "offered_sent": offered_sent,
        "stored_offered": stored_offered,
        "delays": delays,
        "missing": missing,
        "boards_in_sync": f"{in_sync} of {len(result['boards'])}",
        "sockets": connected,
        "swarm": result,
        "faults": fault_log,
    }


def print_hour(results: list[dict], speed: float) -> None:
    rows, kinds, cpu_rows = [], [], []
    for r in results:
        load = r["load"]
        items = load.items
        accepted = [i for i in items if i.accepted]
        errors = sum(len(i.failures) for i in items)
        name = f"{r['processes']} proc, day {r['day_size']:,}"
        delays = r["delays"]
        rows.append(
            [
                name,
                sum(r["counts"].get(k, 0) for k in ("call.offered",)),
                len(items),
                len(accepted) / r["wall"],
                errors,
                r["lost_calls"] + r["lost_events"],
                r["doubled"],
                load.rule_refused,
                f"{load.lateness() * 1000:.0f}",
                f"{percentile(delays, 50) * 1000:.0f} / {percentile(delays, 95) * 1000:.0f} / "
                f"{percentile(delays, 99) * 1000:.0f}"
                if delays
                else "-",
                r["missing"],
                r["boards_in_sync"],
                "{} / {} / {}".format(*r["connections"]),
            ]
        )
        for kind, group in sorted(load.by_kind().items()):
            latencies = [i.latency * 1000 for i in group if i.accepted]
            kinds.append(
                [
                    name,
                    kind,
                    len(group),
                    f"{percentile(latencies, 50):.0f}",
                    f"{percentile(latencies, 95):.0f}",
                    f"{percentile(latencies, 99):.0f}",
                    f"{load.lateness(kind) * 1000:.0f}",
                    sum(len(i.failures) for i in group),
                    sum(1 for i in group if not i.accepted),
                ]
            )
        cpu_rows.append([name])
        if os.environ.get("BENCH_DEBUG"):
            print(
                "  acks",
                len(load.offered_acks),
                "boards seen",
                [len(b) for b in r["swarm"]["boards"]][:5],
                [b[:3] for b in r["swarm"]["boards"]][:2],
                "statuses",
                dict(load.statuses),
            )
        failures = Counter(f[:90] for i in items for f in i.failures)
        for text, count in failures.most_common(4):
            print(f"  {name}: {count} x {text}")
    # the most processes' columns (daphne 1..N); a case with fewer leaves its others empty
    cpu_headers = max((list(r["cpu"]) for r in results), key=len)
    cpu_rows = [[row[0], *(r["cpu"].get(h) for h in cpu_headers)] for row, r in zip(cpu_rows, results, strict=True)]
    cpu_rows = [[row[0], *("" if v is None else f"{v:.2f}" for v in row[1:])] for row in cpu_rows]
    print_table(
        [
            "case",
            "calls",
            "requests",
            "req/s",
            "errors",
            "lost",
            "doubled",
            "events refused by rules",
            "late p99 ms",
            "staleness p50/p95/p99 ms",
            "board-calls not shown",
            "boards = database",
            "PG conns before/peak/after",
        ],
        rows,
        title=f"The peak hour at x{speed:g} behind nginx (500 consoles, 50 wallboards connected)",
    )
    print_table(
        ["case", "request kind", "requests", "p50 ms", "p95 ms", "p99 ms", "late p99 ms", "errors", "lost"],
        kinds,
        title="Per request kind (the accepted attempt's latency; late: when it went out after its due time)",
    )
    print_table(["case", *cpu_headers], cpu_rows, title="CPU, cores (1.00 = one core) over the load")


# --- faults ----------------------------------------------------------------------------
def fault_script(services: Services, gap: float):
    """Each fault `gap` seconds after the last; the log says when the service was back."""

    def faults(load: Load, topology: Topology, log: list) -> None:
        def mark(name: str, started: float, back: float) -> None:
            log.append({"fault": name, "start": started, "back": back})

        time.sleep(gap)
        started = time.monotonic()
        conns = services.postgres.connections()
        os.kill(topology.daphne_pids()[0], 9)
        while topology.state().get("restarts", 0) < 1 and time.monotonic() - started < 60:
            time.sleep(0.1)  # the supervisor has started it again and nginx points at it
        mark("kill -9 one daphne", started, time.monotonic())
        log[-1]["pg_before"] = conns
        time.sleep(gap)
        started = time.monotonic()
        conns = services.postgres.connections()
        services.redis.stop()
        time.sleep(1.0)
        services.redis.start()
        mark("restart Redis", started, time.monotonic())
        log[-1]["pg_before"] = conns
        time.sleep(gap)
        started = time.monotonic()
        conns = services.postgres.connections()
        services.postgres.restart()
        mark("restart PostgreSQL", started, time.monotonic())
        log[-1]["pg_before"] = conns
        time.sleep(gap)
        started = time.monotonic()
        conns = services.postgres.connections()
        # another database of the same server, up to maxmemory (noeviction: writes then fail); one
        # SET at a time from here, each checked against the limit (a Lua loop runs past it)
        import redis as redis_py

        filler = redis_py.Redis(port=services.redis.port, db=9)
        with contextlib.suppress(redis_py.exceptions.ResponseError):
            for n in range(10_000):  # 10,000 x 100 KB = 1 GB: four times the 256 MB limit
                filler.set(f"fill:{n}", b"x" * 100_000)
        log.append(
            {
                "fault": "fill Redis to maxmemory",
                "start": started,
                "full": time.monotonic(),
                "used": filler.info("memory").get("used_memory_human"),
            }
        )
        time.sleep(gap / 2)
        filler.flushdb()
        filler.close()
        log[-1]["back"] = time.monotonic()
        log[-1]["pg_before"] = conns
        for entry in log:
            entry["pg_after"] = None
        log.append({"pg_end": services.postgres.connections()})

    return faults


def print_faults(result: dict) -> None:
    load: Load = result["load"]
    rows = []
    entries = [e for e in result["faults"] if "fault" in e]
    # each fault's window: from a second before it to a second before the next (no overlap)
    ends = [e["start"] - 1 for e in entries[1:]] + [load.t_end + 30]
    losses = result["swarm"].get("losses", [])
    for entry, window_end in zip(entries, ends, strict=True):
        failures = [i for i in load.items if i.failures and entry["start"] - 1 <= i.first_sent < window_end]
        lost = [loss for loss in losses if entry["start"] - 1 <= loss[0] < window_end]
        back = [loss[1] for loss in lost]
        lost_at = [loss[0] - entry["start"] for loss in lost]  # when, after the fault began
        why = Counter(loss[3] for loss in lost).most_common(1)
        attempts = sum(len(i.failures) for i in failures)
        last_failure = max((i.accepted or i.first_sent for i in failures), default=None)
        recover = max(0.0, last_failure - entry["back"]) if last_failure else 0.0
        reasons = Counter(f[:80] for i in failures for f in i.failures)
        for text, count in reasons.most_common(3):
            print(f"  {entry['fault']}: {count} x {text}")
        rows.append(
            [
                entry["fault"],
                attempts,
                len(failures),
                f"{recover:.1f}",
                f"{entry['back'] - entry['start']:.1f}",
                entry.get("pg_before", "-"),
                len(lost),
                f"{min(lost_at):.1f} / {percentile(lost_at, 50):.1f} / {max(lost_at):.1f}" if lost else "-",
                f"{percentile(back, 50):.1f} / {percentile(back, 99):.1f}" if back else "-",
                max((loss[2] for loss in lost), default=0),
                f"{why[0][0]} ({why[0][1]})" if why else "-",
            ]
        )
    print_table(
        [
            "fault",
            "failed attempts",
            "requests that needed a retry",
            "recovered s after back",
            "service down s",
            "PG conns before",
            "sockets lost",
            "lost at s after the fault: first / p50 / last",
            "back to a snapshot p50 / p99 s",
            "most failed attempts",
            "how most were lost",
        ],
        rows,
        title="Faults during the hour (every request retried until accepted, as the clients do)",
    )
    end = next((e["pg_end"] for e in result["faults"] if "pg_end" in e), "-")
    outages = result["swarm"]["outages"]
    print(
        f"calls lost: {result['lost_calls']}, phone events lost: {result['lost_events']}, "
        f"doubled: {result['doubled']}; "
        f"boards = database at the end: {result['boards_in_sync']}; PostgreSQL connections at the end of the faults: "
        f"{end}, after the load: {result['connections'][2]}; socket reconnects {len(outages)}, "
        f"p50/p99/max {percentile(outages, 50):.1f}/{percentile(outages, 99):.1f}/{max(outages, default=0):.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cores = os.cpu_count() or 1
    parser.add_argument("--parts", default="capacity,day,faults")
    parser.add_argument("--processes", default=",".join(str(n) for n in sorted({1, 2, cores})))
    parser.add_argument("--day-size", type=int, default=30_000, help="calls in the day (default 30,000)")
    parser.add_argument("--sizes", default="10000,100000", help="further day sizes, at the most processes")
    parser.add_argument("--window", type=float, default=60.0, help="simulated minutes of the peak hour (default 60)")
    parser.add_argument("--size-window", type=float, default=30.0, help="simulated minutes for the further sizes")
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--boards", type=int, default=50)
    parser.add_argument(
        "--phone-connections", type=int, default=4, help="the phone system's connections (a call's events on one)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fault-gap", type=float, default=25.0, help="seconds between faults")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    processes = [int(n) for n in args.processes.split(",")]
    started = time.monotonic()
    print(
        f"city day bench: {cores} cores, processes {processes}, parts {sorted(parts)}; the machine is shared",
        flush=True,
    )
    services = Services()
    try:
        floor = floor_setup(services.env, agents=args.agents, today_calls=0)
        print(
            f"  floor: {args.agents} agents, PostgreSQL :{services.postgres.port}, Redis :{services.redis.port}",
            flush=True,
        )
        if "capacity" in parts:
            capacity(services, floor, processes, args.rounds)
        if "day" in parts:
            results = []
            for n in processes:
                results.append(
                    run_hour(
                        services,
                        floor,
                        processes=n,
                        day_size=args.day_size,
                        window=args.window,
                        speed=args.speed,
                        boards=args.boards,
                        phone_connections=args.phone_connections,
                    )
                )
                print(f"  day {args.day_size:,}, {n} process(es): done", flush=True)
            for size in [int(s) for s in args.sizes.split(",") if s]:
                results.append(
                    run_hour(
                        services,
                        floor,
                        processes=max(processes),
                        day_size=size,
                        window=args.size_window,
                        speed=args.speed,
                        boards=args.boards,
                        phone_connections=args.phone_connections,
                    )
                )
                print(f"  day {size:,}, {max(processes)} process(es): done", flush=True)
            print_hour(results, args.speed)
            main_case = next(r for r in results if r["processes"] == max(processes) and r["day_size"] == args.day_size)
            delays = main_case["delays"]
            errors = sum(len(i.failures) for i in main_case["load"].items)
            lost = main_case["lost_calls"] + main_case["lost_events"]
            p99 = percentile(delays, 99) if delays else float("nan")
            print_table(
                ["goal", "value", "target", "verdict"],
                [
                    [
                        f"{args.day_size:,}-call day's peak at x{args.speed:g}: errors",
                        errors,
                        "0",
                        verdict(errors == 0),
                    ],
                    ["lost", lost, "0", verdict(lost == 0)],
                    ["wallboard staleness p99 s", f"{p99:.2f}", "< 1", verdict(p99 < 1.0)],
                ],
                title=f"day goals ({max(processes)} processes)",
            )
        if "faults" in parts:
            result = run_hour(
                services,
                floor,
                processes=max(processes),
                day_size=args.day_size,
                window=min(args.window, (5 * args.fault_gap + 20) * args.speed / 60),
                speed=args.speed,
                boards=args.boards,
                faults=fault_script(services, args.fault_gap),
                phone_connections=args.phone_connections,
            )
            print_faults(result)
    finally:
        services.close()
    print(f"\ntook {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
