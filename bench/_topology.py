"""The production topology for the city-scale benches: private PostgreSQL and Redis, `make prod`'s
nginx + daphne processes (deploy/prodctl.py), a floor of agents, and the day's load.

Never the machine's PostgreSQL (5432) or Redis (6379): the benches restart and fill what they
start (callcenter.testing.servers.PrivatePostgres / PrivateRedis, on ports of 9100-9199).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import PYTHON, ROOT, bench_env, django_setup, manage, percentile

sys.path.insert(0, str(ROOT))
from callcenter.testing.servers import PrivatePostgres, PrivateRedis, free_port_block

BENCH_DIR = ROOT / "bench"


# --- services ------------------------------------------------------------------------
class BenchPostgres(PrivatePostgres):
    """A private cluster with room for several processes' pools, fsync on (a real disk's cost)."""

    def start(self) -> BenchPostgres:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c max_connections=300"
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "log"),
            "-w",
            "start",
        )
        return self

    def restart(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        self.start()

    def pids(self) -> list[int]:
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        return [postmaster, *children(postmaster)]

    def connections(self) -> int:
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = 'dasan'").fetchone()[0] - 1


class BenchRedis(PrivateRedis):
    """A private redis-server with a memory limit (the fill-it fault)."""

    def __init__(self, maxmemory: str = "256mb") -> None:
        super().__init__()
        self.maxmemory = maxmemory

    def start(self) -> BenchRedis:
        from callcenter.testing.servers import REDIS_SERVER, wait_for_port

        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                self.maxmemory,
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)
        return self

    def cli(self, *args: str) -> str:
        done = subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=60)
        return done.stdout.strip()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- the topology --------------------------------------------------------------------
class Topology:
    """`deploy/prodctl.py run` (what `make prod` runs) with TLS off, on the private services."""

    def __init__(self, *, processes: int, postgres: BenchPostgres, redis: BenchRedis, var_dir: Path) -> None:
        self.processes = processes
        self.port = free_port_block(1 + 2 * processes)
        self.prod_dir = Path(tempfile.mkdtemp(prefix="dasan-bench-prod-"))
        self.env = bench_env(
            database_url=postgres.url,
            redis_url=redis.url,
            channel_prefix=f"city_{uuid.uuid4().hex[:6]}",
            PORT=str(self.port),
            PROCESSES=str(processes),
            PROD_DIR=str(self.prod_dir),
            DASAN_VAR_DIR=str(var_dir),
            TLS="0",
            DRAIN_SECONDS="1",
            KB_EMBEDDER="none",
        )
        # the secret the sessions of the floor were signed with (prodctl would make its own otherwise)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def state(self) -> dict:
        try:
            return json.loads((self.prod_dir / "state.json").read_text())
        except (OSError, ValueError):
            return {}

    def start(self) -> Topology:
        log = (self.prod_dir / "prodctl.log").open("a")
        self.process = subprocess.Popen(
            [PYTHON, str(ROOT / "deploy" / "prodctl.py"), "run"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 600
        while self.state().get("phase") != "running":
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("make prod did not start:\n" + (self.prod_dir / "prodctl.log").read_text())
            time.sleep(0.3)
        return self

    def daphne_pids(self) -> list[int]:
        return [d["pid"] for d in self.state().get("daphne", [])]

    def daphne_ports(self) -> list[int]:
        return [d["port"] for d in self.state().get("daphne", [])]

    def nginx_pids(self) -> list[int]:
        master = self.state().get("nginx_pid")
        return [master, *children(master)] if master else []

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        for pid in self.daphne_pids():  # a process the supervisor could not stop
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# --- the floor -----------------------------------------------------------------------
def floor_setup(env: dict[str, str], *, agents: int, today_calls: int) -> dict:
    """Migrate, the demo data, `agents` agents signed in with a token and a session each, the
    supervisor's session, and `today_calls` calls already in today's queue (the day so far)."""
    manage("migrate", "--noinput", env=env)
    manage("seed_demo", "--quiet-logins", env=env)
    django_setup(env)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection, connections
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    group = Group.objects.get(name="agent")
    names = [f"city{n:04d}" for n in range(1, agents + 1)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    new = [User(username=name, first_name=f"상담 {name[4:]}", password="!") for name in names if name not in existing]
    User.objects.bulk_create(new, batch_size=1000)
    users = list(User.objects.filter(username__in=names).order_by("username"))
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in users], ignore_conflicts=True
    )
    Token.objects.bulk_create([Token(user=user, key=Token.generate_key()) for user in users], ignore_conflicts=True)
    tokens = dict(Token.objects.filter(user__in=users).values_list("user__username", "key"))
    # one session per agent, written at once (the consoles' sockets sign in with them); the
    # simulation's first events make every agent available, as the phone system reports it
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expires = timezone.now() + timedelta(hours=12)
    sessions = [
        Session(
            session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=store.encode(
                {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for user in users
    ]
    Session.objects.bulk_create(sessions, batch_size=1000)
    cookies = [f"sessionid={session.session_key}" for session in sessions]
    boss = User.objects.get(username="supervisor1")
    session = SessionStore()
    session["_auth_user_id"] = str(boss.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = boss.get_session_auth_hash()
    session.create()
    pbx = Token.objects.get(user__username="pbx").key
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM inquiries_queuecall WHERE offered_at >= date_trunc('day', now())")
        have = cursor.fetchone()[0]
        if today_calls > have:
            # the day so far, ended calls spread over the hours before now (the wallboard's figures read them)
            cursor.execute(
                """
                INSERT INTO inquiries_queuecall (call_id, caller_number, language, queue, status, offered_at,
                    answered_at, ended_at, wait_seconds, talk_seconds, handle_seconds, transfers, category_id)
                SELECT 'prefill-' || md5(random()::text) || g, '01012345678', 'ko', 'general',
                       CASE WHEN g %% 20 = 0 THEN 'abandoned' ELSE 'ended' END, t,
                       CASE WHEN g %% 20 = 0 THEN NULL ELSE t + interval '15 s' END, t + interval '200 s',
                       15 + g %% 30, 180, 210, 0, (SELECT min(id) FROM knowledgebase_category)
                FROM (SELECT g, greatest(date_trunc('day', now()), now() - interval '10 minutes'
                             - (g %% 360) * interval '1 minute') AS t
                      FROM generate_series(1, %s::int) g) s
                """,
                [today_calls - have],
            )
        cursor.execute("ANALYZE")
    connections.close_all()
    return {
        "tokens": tokens,
        "agents": names,
        "cookies": cookies,
        "supervisor": f"sessionid={session.session_key}",
        "pbx": pbx,
    }


# --- the day's load ------------------------------------------------------------------
SEARCHES = [
    "수돗물 녹물",
    "버스 분실물",
    "전세 사기 상담",
    "대형폐기물 버리는 방법",
    "배추 가격",
    "주차 위반",
    "무료 법률 상담",
    "여권 발급",
    "I lost my wallet on the bus",
    "쓰레기 수거 요일",
]


@dataclass
class Item:
    """One request the floor makes: sent at `due` (monotonic), retried until accepted."""

    kind: str
    due: float
    method: str
    path: str
    body: object | None
    token: str
    key: str = ""
    first_sent: float = 0.0
    accepted: float = 0.0
    latency: float = 0.0  # of the attempt that was accepted
    failures: list[str] = field(default_factory=list)


class Load:
    """The phone system (`phone_connections` connections, each call's events on one of them in
    order, batched per 0.1 s as `simulate_calls` does) and the agents (a pool of connections:
    logged calls, FAQ searches), open loop on a schedule. Every request is retried with the same
    ids until accepted (the phone system and the console both do); errors are the failed
    attempts, lost what is never accepted.

    One phone connection posts one batch at a time: at the x20 peak it needs ~9 batches a second,
    more than one connection's round trips allow (each batch's events are committed one by one),
    and the schedule slipped by minutes (2 Dec 2026). A PBX with several trunks posts on several
    connections; an agent's events and the calls the agent answers stay on one, so their order holds."""

    def __init__(
        self, url: str, floor: dict, *, workers: int = 32, retry_for: float = 60.0, phone_connections: int = 4
    ) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.floor = floor
        self.workers = workers
        self.phone_connections = max(1, phone_connections)
        self.retry_for = retry_for
        self.items: list[Item] = []
        self.offered_acks: list[float] = []  # when each call.offered was accepted (committed)
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.streams: dict[int, int] = {}  # id(a batch's list) -> its phone connection
        self.rule_refused = 0  # events the rules refused (409/400, kept for inspection): not an outage

    def build(
        self, *, calls_per_day: int, start_seconds: float, simulated_seconds: float, speed: float, seed: int = 14
    ) -> dict:
        """The schedule: the simulator's events for the window, a logged call after each ended
        call (after-call work), a FAQ search during each answered call."""
        from floor.simulator import DaySimulation

        rng = random.Random(seed)
        simulation = DaySimulation(
            agents=self.floor["agents"],
            start_seconds=start_seconds,
            duration_seconds=simulated_seconds,
            calls_per_day=calls_per_day,
            seed=seed,
            call_prefix=f"city{uuid.uuid4().hex[:6]}",
        )
        t0 = time.monotonic() + 3.0
        batches: list[list[dict]] = [[] for _ in range(self.phone_connections)]
        batch_dues = [0.0] * self.phone_connections
        counts: Counter = Counter()
        answered_by: dict[str, str] = {}
        events = list(simulation.events())
        # Each agent's events on one connection, with the whole of every call the agent answers
        # (its offer too: the schedule is known in advance, as a PBX knows which trunk a call is
        # on), so both a call's and an agent's events keep their order; unanswered calls by id.
        answerer = {body["call_id"]: body["agent"] for _, body in events if body["event"] == "call.answered"}

        def stream_of(body: dict) -> int:
            owner = body.get("agent") or answerer.get(body.get("call_id", "")) or body.get("call_id", "")
            return zlib.crc32(owner.encode()) % self.phone_connections

        for sim_t, body in events:
            due = t0 + (sim_t - start_seconds) / speed
            stream = stream_of(body)
            batch = batches[stream]
            if batch and (due > batch_dues[stream] + 0.1 or len(batch) >= 500):
                self.items.append(
                    Item("phone events", batch_dues[stream], "POST", "/api/cti/events/", batch, self.floor["pbx"])
                )
                batch = batches[stream] = []
            if not batch:
                batch_dues[stream] = due
            batch.append(body)
            self.streams[id(batch)] = stream
            counts[body["event"]] += 1
            if body["event"] == "call.answered":
                answered_by[body["call_id"]] = body["agent"]
                search_due = due + rng.uniform(0.5, 3.0)
                q = rng.choice(SEARCHES)
                self.items.append(
                    Item(
                        "FAQ search",
                        search_due,
                        "GET",
                        f"/api/kb/search?q={quote(q)}&lang=ko",
                        None,
                        self.floor["tokens"][body["agent"]],
                    )
                )
            elif body["event"] == "call.ended" and body["call_id"] in answered_by:
                agent = answered_by[body["call_id"]]
                key = f"{body['call_id']}-log"
                log = {
                    "number_status": "known",
                    "caller_number": "010-2345-6789",
                    "category": "water",
                    "summary": "수돗물 녹물 문의, 수질검사 안내",
                    "resolution": "answered",
                    "language": "ko",
                    "channel": "phone",
                    "client_request_id": key,
                }
                self.items.append(
                    Item(
                        "log call",
                        due + rng.uniform(0.5, 2.0),
                        "POST",
                        "/api/calls/",
                        log,
                        self.floor["tokens"][agent],
                        key=key,
                    )
                )
        for stream, batch in enumerate(batches):
            if batch:
                self.items.append(
                    Item("phone events", batch_dues[stream], "POST", "/api/cti/events/", batch, self.floor["pbx"])
                )
        self.items.sort(key=lambda item: item.due)
        self.t0 = t0
        self.t_end = max(item.due for item in self.items)
        return dict(counts)

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def _send(self, connection: http.client.HTTPConnection, item: Item, body_object) -> tuple[int, bytes, object]:
        headers = {"Authorization": f"Token {item.token}", "Accept": "application/json"}
        body = None
        if body_object is not None:
            body = json.dumps(body_object)
            headers["Content-Type"] = "application/json"
        try:
            connection.request(item.method, item.path, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            if answer.will_close:
                connection.close()
                connection = self._connection()
            return answer.status, data, connection
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            return 0, repr(error).encode(), self._connection()

    def _deliver(self, connection, item: Item):
        wait = item.due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        item.first_sent = time.monotonic()
        pending = item.body
        if item.kind == "phone events":
            at = (datetime.now(UTC) - timedelta(milliseconds=200)).isoformat()
            for event in pending:
                event.setdefault("at", at)  # kept on a retry: the same event, stored once
        while True:
            sent = time.monotonic()
            status, data, connection = self._send(connection, item, pending)
            with self.lock:
                self.statuses[(item.kind, status)] += 1
            if item.kind == "phone events" and status in (200, 207):
                results = json.loads(data)["results"]
                done = [e for e, r in zip(pending, results, strict=True) if r.get("http_status", 200) < 500]
                self.rule_refused += sum(1 for r in results if 400 <= r.get("http_status", 200) < 500)
                offered = sum(
                    1
                    for e, r in zip(pending, results, strict=True)
                    if e["event"] == "call.offered" and r["status"] in ("applied", "duplicate")
                )
                with self.lock:
                    self.offered_acks.extend([time.monotonic()] * offered)
                retry = [e for e, r in zip(pending, results, strict=True) if r.get("http_status", 200) >= 500]
                del done
                if not retry:
                    item.latency = time.monotonic() - sent
                    item.accepted = time.monotonic()
                    return connection
                pending = retry
                item.failures.append(f"207: {len(retry)} events 5xx")
            elif item.kind != "phone events" and status in (200, 201):
                item.latency = time.monotonic() - sent
                item.accepted = time.monotonic()
                return connection
            else:
                item.failures.append(f"{status} {data[:100]!r}")
            if time.monotonic() - item.first_sent > self.retry_for:
                return connection
            time.sleep(0.2)

    def run(self, stop: threading.Event | None = None) -> None:
        phone_streams: list[list[Item]] = [[] for _ in range(self.phone_connections)]
        for item in self.items:
            if item.kind == "phone events":
                phone_streams[self.streams[id(item.body)]].append(item)
        agents = [item for item in self.items if item.kind != "phone events"]
        queues: list[list[Item]] = [[] for _ in range(self.workers)]
        for n, item in enumerate(agents):
            queues[n % self.workers].append(item)

        def work(items: list[Item]) -> None:
            connection = self._connection()
            for item in items:
                if stop is not None and stop.is_set():
                    return
                connection = self._deliver(connection, item)
            connection.close()

        threads = [threading.Thread(target=work, args=(phone,), daemon=True) for phone in phone_streams]
        threads += [threading.Thread(target=work, args=(queue,), daemon=True) for queue in queues]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # --- results -----------------------------------------------------------------
    def by_kind(self) -> dict[str, list[Item]]:
        kinds: dict[str, list[Item]] = defaultdict(list)
        for item in self.items:
            kinds[item.kind].append(item)
        return kinds

    def lateness(self, kind: str | None = None) -> float:
        """p99 of how late requests (of one kind) went out: the load generator's lag, as the
        server's answers to the requests before them on their connection held it back."""
        return percentile(
            [item.first_sent - item.due for item in self.items if item.first_sent and kind in (None, item.kind)], 99
        )


def quote(text: str) -> str:
    from urllib.parse import quote as url_quote

    return url_quote(text)


def staleness(boards: list[list[tuple[float, int]]], acks: list[float]) -> tuple[list[float], int]:
    """Per board and offered call: from the call's acceptance until the board first shows a
    count that includes it. Returns (delays in seconds, board-calls never shown)."""
    acks = sorted(acks)
    delays: list[float] = []
    missing = 0
    for seen in boards:
        if not seen:
            missing += len(acks)
            continue
        base = seen[0][1]
        reached = 0  # calls of the load the board has shown
        for at, offered in seen[1:]:
            shown = min(offered - base, len(acks))
            while reached < shown:
                delays.append(max(0.0, at - acks[reached]))
                reached += 1
        missing += len(acks) - reached
    return delays, missing


class Swarm:
    """bench/_swarm.py in its own process: the floor's consoles and wallboards."""

    def __init__(self, port: int, floor: dict, boards: int) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="dasan-bench-swarm-"))
        (self.directory / "cookies.json").write_text(
            json.dumps({"agents": floor["cookies"], "supervisor": floor["supervisor"]})
        )
        self.files = {name: self.directory / name for name in ("out.json", "ready", "stop", "log")}
        self.process = subprocess.Popen(
            [
                PYTHON,
                str(BENCH_DIR / "_swarm.py"),
                "--port",
                str(port),
                "--cookies",
                str(self.directory / "cookies.json"),
                "--boards",
                str(boards),
                "--out",
                str(self.files["out.json"]),
                "--ready",
                str(self.files["ready"]),
                "--stop",
                str(self.files["stop"]),
            ],
            cwd=ROOT,
            stdout=self.files["log"].open("w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180) -> int:
        deadline = time.monotonic() + timeout
        while not self.files["ready"].exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the sockets did not connect:\n" + self.files["log"].read_text()[-2000:])
            time.sleep(0.2)
        return int(self.files["ready"].read_text())

    def finish(self) -> dict:
        self.files["stop"].write_text("stop")
        self.process.wait(60)
        return json.loads(self.files["out.json"].read_text())
