"""Shared helpers for the benchmarks in bench/ (standard library only, plus psycopg for setup).

What a bench script usually does, with these helpers:

    from _common import ROOT, bench_env, daphne, ensure_database, manage, http_load, print_table

    env = bench_env(database_url=..., redis_url=..., channel_prefix="bench_mine")
    ensure_database(env["DATABASE_URL"])          # CREATE DATABASE if missing
    manage("migrate", "--noinput", env=env)        # run manage.py in a subprocess
    with daphne(env) as server:                    # free port, waits for /healthz
        result = http_load(server.url, make_request, clients=16, requests=400, warmup=50)
    print_table(["case", "req/s", "p95 ms"], [["x", result.rps, result.p95_ms]])

Everything is bounded: loads run a fixed number of requests, servers are stopped
on exit (also on errors), waits have timeouts. Compare figures only within one
run (ratios), never across machines or runs: the bench machines have 2 noisy
cores and the load generator shares them with the server.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
DAPHNE = str(VENV_BIN / "daphne") if (VENV_BIN / "daphne").exists() else "daphne"

DEFAULT_DATABASE_HOST = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS_HOST = "redis://127.0.0.1:6379"


# --- environment ----------------------------------------------------------------


def bench_env(
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    channel_prefix: str = "bench",
    debug: bool = False,
    **extra: str,
) -> dict[str, str]:
    """Environment for manage.py and daphne subprocesses.

    Production-like by default: DEBUG off (with DEBUG on, Django records every
    query in memory, which distorts timings), no HTTPS redirect (plain HTTP on
    127.0.0.1), quiet logs. `database_url=None` keeps the embedded SQLite
    default; `redis_url=None` the in-memory channel layer. Note that with DEBUG
    off, pages using {% static %} need `manage("collectstatic", "--noinput")` first.
    """
    env = dict(os.environ)
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "callcenter.settings",
            "DEBUG": "1" if debug else "0",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "CHANNEL_PREFIX": channel_prefix,
            # benchmarks measure the server, not the request-rate limits
            "API_TOKEN_RATE": "off",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def ensure_database(database_url: str, *, recreate: bool = False) -> None:
    """Create the PostgreSQL database named in `database_url` when missing."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    maintenance = parts._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and recreate:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def manage(*args: str, env: dict[str, str], check: bool = True, quiet: bool = True) -> str:
    """Run `manage.py <args>` in a subprocess with `env`; returns its stdout."""
    proc = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    if not quiet:
        print(proc.stdout, end="")
    return proc.stdout


def django_setup(env: dict[str, str]) -> None:
    """Configure Django in this process with `env` (for direct ORM use in a bench)."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- servers -----------------------------------------------------------------------


def free_port() -> int:
    """A free local port: the first free one of BENCH_PORTS ("8120-8129") when set
    (a shared machine: each bench user keeps to their own ports), else any."""
    wanted = os.environ.get("BENCH_PORTS", "")
    if wanted:
        first, _, last = wanted.partition("-")
        for port in range(int(first), int(last or first) + 1):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"no free port in BENCH_PORTS={wanted}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(
    url: str, *, timeout: float = 30.0, ok: Sequence[int] = (200,), proc: subprocess.Popen | None = None
) -> None:
    """Poll `url` until it answers with a status in `ok`; raise after `timeout` s."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
                if response.status in ok:
                    return
                last = response.status
        except urllib.error.HTTPError as exc:
            if exc.code in ok:
                return
            last = f"HTTP {exc.code}"
        except OSError as exc:
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"{url} not ready after {timeout:.0f} s (last: {last})")


@dataclass
class Server:
    url: str
    port: int
    proc: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


@contextlib.contextmanager
def daphne(
    env: dict[str, str],
    *,
    app: str = "callcenter.asgi:application",
    port: int | None = None,
    ready_path: str = "/healthz",
    ready_timeout: float = 40.0,
    extra_args: Sequence[str] = (),
) -> Iterator[Server]:
    """Start daphne serving `app` on 127.0.0.1 with `env`; stop it on exit.

    Waits until `ready_path` answers 200 (/healthz checks the database and the
    channel layer). Output goes to a temp log file, shown if start-up fails.
    """
    port = port or free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-daphne-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(
        [DAPHNE, "-b", "127.0.0.1", "-p", str(port), *extra_args, app],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stopping it stops only it
    )
    server = Server(url=f"http://127.0.0.1:{port}", port=port, proc=proc, log_path=Path(log.name))
    try:
        try:
            wait_http(server.url + ready_path, timeout=ready_timeout, proc=proc)
        except Exception:
            print(server.log_tail(), file=sys.stderr)
            raise
        yield server
    finally:
        stop_process(proc)
        log.close()
        with contextlib.suppress(OSError):
            os.unlink(log.name)


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after `timeout` s; only this process (and its own group)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=timeout)


# --- statistics --------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation; nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * p / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class LoadResult:
    """Latencies (seconds) of the measured requests and the wall time they took."""

    clients: int
    latencies: list[float]
    elapsed: float
    errors: int = 0
    statuses: Counter = field(default_factory=Counter)
    first_error: str = ""

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.elapsed if self.elapsed > 0 else math.nan

    def ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000.0

    @property
    def p50_ms(self) -> float:
        return self.ms(50)

    @property
    def p95_ms(self) -> float:
        return self.ms(95)

    @property
    def p99_ms(self) -> float:
        return self.ms(99)

    def row(self, name: str) -> list[Any]:
        """[name, clients, requests, req/s, p50, p95, p99, errors] for print_table."""
        return [name, self.clients, self.count, self.rps, self.p50_ms, self.p95_ms, self.p99_ms, self.errors]


LOAD_HEADERS = ["case", "clients", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str = "", floatfmt: str = ".1f"
) -> None:
    """A plain, aligned text table (also valid Markdown)."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return "n/a" if math.isnan(value) else format(value, floatfmt)
        return str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in text)) if text else len(h) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        out = []
        for i, value in enumerate(values):
            numeric = i > 0 and value.replace(".", "", 1).replace("-", "", 1).replace("x", "").isdigit()
            out.append(value.rjust(widths[i]) if numeric else value.ljust(widths[i]))
        return "| " + " | ".join(out) + " |"

    if title:
        print(f"\n{title}")
    print(line(list(headers)))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in text:
        print(line(row))
    sys.stdout.flush()


# --- load generation -------------------------------------------------------------


def run_workers(
    make_worker: Callable[[], Callable[[int], Any]],
    *,
    clients: int,
    requests: int,
    warmup: int = 0,
    close_worker: Callable[[Callable[[int], Any]], None] | None = None,
) -> LoadResult:
    """Run `requests` calls of a worker function over `clients` threads; time each.

    `make_worker()` runs once per thread (open a connection there) and returns
    `work(i)`; `i` is a global, unique request index (warm-up indices come
    first). `work` raises on failure; a failure is counted, not timed. The
    warm-up runs with the same threads and is not measured.
    """
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    first_error = ""
    start_gate = threading.Barrier(clients + 1)
    measure_gate = threading.Barrier(clients + 1)
    # Separate counters: a thread leaving the warm-up consumes one index past its
    # end, which must not eat into the measured requests.
    warmup_indices = itertools.count()
    measured_indices = itertools.count(warmup)
    total = warmup + requests

    def loop(work: Callable[[int], Any], indices: Iterator[int], limit: int, record: bool) -> None:
        nonlocal errors, first_error
        mine: list[float] = []
        while True:
            i = next(indices)
            if i >= limit:
                break
            t0 = time.perf_counter()
            try:
                work(i)
            except Exception as exc:  # counted and reported, the load goes on
                with lock:
                    errors += record
                    first_error = first_error or f"{type(exc).__name__}: {exc}"
                continue
            if record:
                mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    def thread_main() -> None:
        work = make_worker()
        try:
            start_gate.wait()
            loop(work, warmup_indices, warmup, record=False)
            measure_gate.wait()
            loop(work, measured_indices, total, record=True)
        finally:
            if close_worker is not None:
                close_worker(work)

    threads = [threading.Thread(target=thread_main, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    measure_gate.wait()  # every thread is through the warm-up: the clock starts
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    return LoadResult(clients=clients, latencies=latencies, elapsed=elapsed, errors=errors, first_error=first_error)


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_request(method: str, path: str, data: Any = None, *, token: str | None = None, **headers: str) -> Request:
    """A Request with a JSON body and, with `token`, DRF token auth."""
    all_headers = {"Accept": "application/json", **headers}
    body = None
    if data is not None:
        body = json.dumps(data, ensure_ascii=False).encode()
        all_headers["Content-Type"] = "application/json"
    if token:
        all_headers["Authorization"] = f"Token {token}"
    return Request(method, path, body, all_headers)


class HTTPError(Exception):
    pass


def http_load(
    base_url: str,
    make_request: Callable[[int], Request],
    *,
    clients: int,
    requests: int,
    warmup: int = 0,
    expect: Sequence[int] = (200, 201),
) -> LoadResult:
    """Closed-loop HTTP load: `clients` threads, each with one keep-alive
    connection, send `requests` requests in total (after `warmup` unmeasured
    ones). `make_request(i)` builds request number i (unique per run, so it can
    carry a unique id). A status outside `expect` counts as an error."""
    parts = urlsplit(base_url)
    statuses: Counter = Counter()
    status_lock = threading.Lock()

    class Worker:
        def __init__(self) -> None:
            self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

        def __call__(self, i: int) -> None:
            req = make_request(i)
            try:
                self.conn.request(req.method, req.path, body=req.body, headers=req.headers)
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()  # reconnect on the next request
                self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                raise
            with status_lock:
                statuses[response.status] += 1
            if response.will_close:
                self.conn.close()
                self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            if response.status not in expect:
                raise HTTPError(f"{req.method} {req.path}: {response.status} {body[:200]!r}")

    result = run_workers(
        Worker, clients=clients, requests=requests, warmup=warmup, close_worker=lambda w: w.conn.close()
    )
    result.statuses = statuses
    return result


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def merge(results: Sequence[LoadResult]) -> LoadResult:
    """Pool several runs of the same case (e.g. rounds): all latencies, summed wall time."""
    merged = LoadResult(clients=results[0].clients, latencies=[], elapsed=0.0)
    for result in results:
        merged.latencies.extend(result.latencies)
        merged.elapsed += result.elapsed
        merged.errors += result.errors
        merged.statuses.update(result.statuses)
        merged.first_error = merged.first_error or result.first_error
    return merged
