"""The production topology on one machine: nginx in front of N daphne processes.

    python deploy/prodctl.py run       # `make prod`: start everything, supervise, Ctrl+C stops
    python deploy/prodctl.py reload    # `make reload`: replace the daphne processes one at a time
    python deploy/prodctl.py status    # what runs, on which ports
    python deploy/prodctl.py stop      # a graceful stop of a running `run`

`run` needs DATABASE_URL (PostgreSQL) and REDIS_URL: the processes share every piece of
state there (sessions, calls, the wallboard's figures, the pushes between processes), so
nothing is sticky and any process serves any request or socket. It writes the secret
key once into DASAN_VAR_DIR/secret_key (mode 600; SECRET_KEY in the environment wins),
compiles the translations, migrates, collects the static files, starts PROCESSES daphne
processes (default: the number of cores) on 127.0.0.1 ports above PORT, waits for each
one's /healthz, then nginx on PORT (default 8080) with TLS (TLS_CERT / TLS_KEY, or a
self-signed certificate made once under PROD_DIR; TLS=0: plain HTTP, for benchmarks).
Static files are served by nginx from the collected files.

It supervises: a daphne process that dies is started again (nginx sends its requests to
the others meanwhile). A reload (SIGHUP, which `reload` sends) replaces each process in
turn: start the new one, wait until its /healthz answers 200, point nginx at it (nginx's
graceful reload), let the old one finish what it is doing (DRAIN_SECONDS), then stop it;
its websockets close and the pages reconnect (with backoff) to the others. SIGTERM or
SIGINT: nginx stops taking connections and finishes its requests, then the daphne
processes stop.

Standard library only; state and logs live in PROD_DIR (default DASAN_VAR_DIR/prod).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
DAPHNE = str(VENV_BIN / "daphne") if (VENV_BIN / "daphne").exists() else "daphne"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

PORT = int(os.environ.get("PORT") or 8080)
PROCESSES = int(os.environ.get("PROCESSES") or os.cpu_count() or 1)
VAR_DIR = Path(os.environ.get("DASAN_VAR_DIR") or ROOT / "var")
PROD_DIR = Path(os.environ.get("PROD_DIR") or VAR_DIR / "prod")
TLS = os.environ.get("TLS", "1").strip().lower() not in {"0", "off", "no", "false"}
DRAIN_SECONDS = float(os.environ.get("DRAIN_SECONDS") or 3)
HEALTH_TIMEOUT = float(os.environ.get("HEALTH_TIMEOUT") or 60)

STATE = PROD_DIR / "state.json"
PIDFILE = PROD_DIR / "prodctl.pid"
LOGS = PROD_DIR / "log"
NGINX_DIR = PROD_DIR / "nginx"


def say(message: str) -> None:
    print(f"[prod] {message}", flush=True)


class Refused(SystemExit):
    """A clear message and exit code 2."""

    def __init__(self, message: str) -> None:
        print(f"[prod] {message}", file=sys.stderr, flush=True)
        super().__init__(2)


# --- environment -------------------------------------------------------------------


def secret_key() -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50))
        say(f"a new secret key is kept in {path} (keep it: sessions and signatures depend on it)")
    return path.read_text().strip()


def server_env() -> dict[str, str]:
    database_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    missing = [name for name, value in (("DATABASE_URL", database_url), ("REDIS_URL", redis_url)) if not value]
    if missing:
        raise Refused(
            f"{' and '.join(missing)} not set. The processes share their state in PostgreSQL and Redis; "
            "for example:\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/dasan "
            "REDIS_URL=redis://127.0.0.1:6379/0 make prod"
        )
    if not database_url.startswith(("postgres://", "postgresql://")):
        raise Refused(f"DATABASE_URL must be PostgreSQL (postgres://...), not {database_url.split(':', 1)[0]}")
    if not Path(NGINX).exists():
        raise Refused("nginx not found: apt-get install nginx-light (or nginx)")
    hosts = os.environ.get("ALLOWED_HOSTS") or "127.0.0.1,localhost"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "callcenter.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key(),
        "ALLOWED_HOSTS": hosts,
        "DASAN_VAR_DIR": str(VAR_DIR),
        # nginx is the proxy: its X-Forwarded-Proto says https, its peer address is ours
        "BEHIND_PROXY": "1",
    }
    if not TLS:
        # plain HTTP behind nginx (benchmarks on this machine): no redirect, no HSTS
        env.setdefault("SECURE_SSL_REDIRECT", "0")
        env.setdefault("SECURE_HSTS_SECONDS", "0")
    return env


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise Refused(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def certificate() -> tuple[Path, Path]:
    cert, key = os.environ.get("TLS_CERT"), os.environ.get("TLS_KEY")
    if cert and key:
        return Path(cert), Path(key)
    directory = PROD_DIR / "tls"
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    if not cert_path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", str(key_path), "-out", str(cert_path), "-days", "365", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
            check=True, capture_output=True,
        )  # fmt: skip
        key_path.chmod(0o600)
        say(f"a self-signed certificate for 127.0.0.1 was made in {directory} (TLS_CERT / TLS_KEY: yours)")
    return cert_path, key_path


# --- nginx -------------------------------------------------------------------------


def nginx_conf(ports: list[int]) -> str:
    # as deploy/nginx/dasan-upstream.conf and dasan-upstream-ws.conf (see dasan-locations.conf)
    upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports)
    ws_upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in ports)
    if TLS:
        cert, key = certificate()
        listen = (
            f"        listen 127.0.0.1:{PORT} ssl http2;\n"
            f"        ssl_certificate {cert};\n        ssl_certificate_key {key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;"
        )
    else:
        listen = f"        listen 127.0.0.1:{PORT};"
    user = "user www-data;\n" if os.geteuid() == 0 else ""
    temporary = nginx_temporary(bool(user))
    if user and not readable_by_others(VAR_DIR / "staticfiles"):
        say(f"warning: nginx's workers (www-data) cannot reach {VAR_DIR / 'staticfiles'}: pages will miss their files")
    return f"""# Written by deploy/prodctl.py for `make prod`; rewritten at every reload.
{user}worker_processes auto;
worker_rlimit_nofile 16384;
pid {NGINX_DIR}/nginx.pid;
error_log {LOGS}/nginx-error.log warn;
daemon off;
# old workers keep serving their websockets after a reload until those close; not longer than this
worker_shutdown_timeout 30s;
events {{
    worker_connections 8192;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {LOGS}/nginx-access.log combined buffer=64k flush=1s;
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65s;
    server_tokens off;
    client_body_temp_path {temporary}/client_body;
    proxy_temp_path {temporary}/proxy;
    fastcgi_temp_path {temporary}/fastcgi;
    uwsgi_temp_path {temporary}/uwsgi;
    scgi_temp_path {temporary}/scgi;
    include {NGINX_DIR}/snippets/dasan-http.conf;
    upstream dasan {{
        least_conn;
{upstreams}
        keepalive 64;
    }}
    upstream dasan_ws {{
        least_conn;
{ws_upstreams}
    }}
    server {{
{listen}
        set $dasan_static_root {VAR_DIR / "staticfiles"};
        include {NGINX_DIR}/snippets/dasan-locations.conf;
    }}
}}
"""


def readable_by_others(path: Path) -> bool:
    """nginx's workers run as www-data when started by root: can they reach the static files?"""
    for directory in [path, *path.parents]:
        with contextlib.suppress(OSError):
            if not directory.stat().st_mode & 0o001:
                return False
    return True


def nginx_temporary(as_www_data: bool) -> Path:
    """Where nginx's workers buffer large bodies: a directory they can write."""
    directory = NGINX_DIR / "tmp"
    if as_www_data and not readable_by_others(NGINX_DIR):
        directory = Path(tempfile.gettempdir()) / f"dasan-nginx-{PORT}"
    directory.mkdir(parents=True, exist_ok=True)
    if as_www_data:
        shutil.chown(directory, "www-data")
    return directory


def write_nginx_conf(ports: list[int]) -> Path:
    snippets = NGINX_DIR / "snippets"
    snippets.mkdir(parents=True, exist_ok=True)
    for name in ("dasan-http.conf", "dasan-proxy.conf", "dasan-locations.conf"):
        text = (DEPLOY / "nginx" / name).read_text()
        # the snippets include each other relative to /etc/nginx in a city's install
        text = text.replace("include snippets/", f"include {snippets}/")
        (snippets / name).write_text(text)
    path = NGINX_DIR / "nginx.conf"
    path.write_text(nginx_conf(ports))
    test = subprocess.run(
        [NGINX, "-t", "-q", "-e", str(LOGS / "nginx-error.log"), "-p", str(NGINX_DIR), "-c", str(path)],
        capture_output=True,
        text=True,
    )
    if test.returncode != 0:
        raise RuntimeError(f"nginx refuses the configuration:\n{test.stderr}")
    return path


# --- daphne processes --------------------------------------------------------------


def healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def daphne_command(port: int) -> list[str]:
    """One daphne process on 127.0.0.1:port, as deploy/systemd/dasan-daphne@.service starts it.

    A listen backlog of 1024 (Twisted's default is 50) and 30 s for a websocket's handshake
    (daphne's default is 5): when a process dies or is replaced, its pages all reconnect to
    the others within a second or two, and each handshake waits its turn for the roles and
    the snapshot. With the defaults the process reset the handshakes it could not reach in
    5 s and the kernel dropped the connections past 50 (bench/city_day.py, faults)."""
    return [
        DAPHNE,
        "-e",
        f"tcp:port={port}:interface=127.0.0.1:backlog=1024",
        "--websocket_connect_timeout",
        "30",
        "-v",
        "0",
        "callcenter.asgi:application",
    ]


@dataclass
class Daphne:
    slot: int
    port: int
    process: subprocess.Popen
    started: float = field(default_factory=time.time)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, *, timeout: float = 10.0) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Topology:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.daphnes: list[Daphne] = []
        self.nginx: subprocess.Popen | None = None
        self.nginx_ports: list[int] = []  # the ports nginx's upstreams list
        self.reloads = 0
        self.restarts = 0
        self.reload_requested = False
        self.stopping = False
        self.last_error = ""

    # two ports per slot, used in turn: the new process listens while the old one drains
    def ports_of(self, slot: int) -> tuple[int, int]:
        return PORT + 1 + 2 * slot, PORT + 2 + 2 * slot

    def spawn(self, slot: int, avoid: int | None = None, prefer: int | None = None) -> Daphne:
        candidates = sorted((port for port in self.ports_of(slot) if port != avoid), key=lambda port: port != prefer)
        port = next((port for port in candidates if port_free(port)), None)
        if port is None:
            raise RuntimeError(f"ports {self.ports_of(slot)} of process {slot + 1} are taken")
        log = (LOGS / f"daphne-{slot + 1}.log").open("a")
        process = subprocess.Popen(
            daphne_command(port),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C reaches prodctl, which stops them in order
        )
        log.close()
        daphne = Daphne(slot=slot, port=port, process=process)
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while time.monotonic() < deadline:
            if not daphne.alive():
                raise RuntimeError(f"daphne {slot + 1} (port {port}) ended with {process.returncode}: see {log.name}")
            if healthy(port):
                return daphne
            time.sleep(0.2)
        daphne.stop()
        raise RuntimeError(f"daphne {slot + 1} (port {port}) not healthy after {HEALTH_TIMEOUT:.0f} s: see {log.name}")

    def nginx_points_at(self, daphnes: list[Daphne]) -> None:
        """nginx's upstreams list `daphnes`' ports: nginx started, or reloaded if they changed.

        Not reloaded for the same ports: a reload's old workers keep their websockets until
        worker_shutdown_timeout and then cut them all, with no close frame. After a crashed
        process was started again on its port, that cut every console and board of every
        process 30 s later (bench/city_day.py, faults: it looked like the next fault's)."""
        ports = [daphne.port for daphne in daphnes]
        if self.nginx is not None and ports == self.nginx_ports:
            return
        self.nginx_ports = ports
        path = write_nginx_conf(ports)
        if self.nginx is None:
            self.nginx = subprocess.Popen(
                [NGINX, "-e", str(LOGS / "nginx-error.log"), "-p", str(NGINX_DIR), "-c", str(path)],
                stdout=(LOGS / "nginx.log").open("a"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + 10
            while port_free(PORT):
                if self.nginx.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start on port {PORT}: see {LOGS / 'nginx-error.log'}")
                time.sleep(0.1)
        else:
            self.nginx.send_signal(signal.SIGHUP)  # graceful: new workers, old ones finish their requests
            time.sleep(0.5)

    def write_state(self, phase: str) -> None:
        state = {
            "pid": os.getpid(),
            "phase": phase,
            "port": PORT,
            "tls": TLS,
            "url": f"{'https' if TLS else 'http'}://127.0.0.1:{PORT}/",
            "reloads": self.reloads,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "nginx_pid": self.nginx.pid if self.nginx else None,
            "daphne": [
                {"slot": d.slot + 1, "port": d.port, "pid": d.process.pid, "started": d.started} for d in self.daphnes
            ],
        }
        temporary = STATE.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2))
        temporary.replace(STATE)

    def start(self, processes: int) -> None:
        for slot in range(processes):
            self.daphnes.append(self.spawn(slot))
            say(f"daphne {slot + 1} healthy on 127.0.0.1:{self.daphnes[-1].port}")
        self.nginx_points_at(self.daphnes)
        self.write_state("running")

    def replace(self, slot: int, *, old: Daphne | None, prefer: int | None = None) -> None:
        """Start the slot's new process, wait healthy, point nginx at it, drain and stop the old.
        `prefer`: the port to start on if it is free (a crashed process's: nginx stays as it is)."""
        new = self.spawn(slot, avoid=old.port if old and old.alive() else None, prefer=prefer)
        self.daphnes[slot] = new
        self.nginx_points_at(self.daphnes)
        if old is not None and old.alive():
            time.sleep(DRAIN_SECONDS)
            old.stop()
        self.write_state("reloading" if self.reload_requested else "running")

    def reload(self) -> None:
        self.write_state("reloading")
        for slot in range(len(self.daphnes)):
            old = self.daphnes[slot]
            self.replace(slot, old=old)
            say(f"daphne {slot + 1}: port {old.port} -> {self.daphnes[slot].port}")
        self.reloads += 1

    def supervise(self) -> None:
        while not self.stopping:
            if self.reload_requested:
                try:
                    self.reload()
                    self.last_error = ""
                    say(f"reload {self.reloads} done")
                except RuntimeError as error:
                    self.last_error = str(error)
                    say(f"reload failed, the running processes stay: {error}")
                self.reload_requested = False
                self.write_state("running")
            for slot, daphne in enumerate(self.daphnes):
                if not daphne.alive() and not self.stopping:
                    code = daphne.process.returncode
                    say(f"daphne {slot + 1} (port {daphne.port}) ended with {code}: starting it again")
                    try:
                        self.replace(slot, old=None, prefer=daphne.port)
                        self.restarts += 1
                    except RuntimeError as error:
                        self.last_error = str(error)
                        say(str(error))
            if self.nginx is not None and self.nginx.poll() is not None and not self.stopping:
                say(f"nginx ended with {self.nginx.returncode}: starting it again")
                self.nginx = None
                self.nginx_ports = []
                with contextlib.suppress(RuntimeError):
                    self.nginx_points_at(self.daphnes)
            self.write_state("running")
            time.sleep(0.5)

    def stop(self) -> None:
        self.stopping = True
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: stop listening, finish the requests
            try:
                self.nginx.wait(35)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        for daphne in self.daphnes:
            daphne.stop()
        with contextlib.suppress(OSError):
            self.write_state("stopped")
        with contextlib.suppress(OSError):
            PIDFILE.unlink()


def running_pid() -> int | None:
    try:
        pid = int(PIDFILE.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def read_state() -> dict:
    try:
        return json.loads(STATE.read_text())
    except (OSError, ValueError):
        return {}


# --- commands ----------------------------------------------------------------------


def command_run() -> int:
    if running_pid():
        raise Refused(f"already running (pid {running_pid()}); `make reload` replaces its processes")
    if not port_free(PORT):
        raise Refused(f"port {PORT} is taken: PORT=<another> make prod")
    env = server_env()
    LOGS.mkdir(parents=True, exist_ok=True)
    NGINX_DIR.mkdir(parents=True, exist_ok=True)
    say("compiling translations, migrating, collecting static files")
    manage(env, "compilemessages", "--ignore=.venv", "-v0")
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    if os.environ.get("SEED_DEMO") == "1":
        manage(env, "seed_demo", "--quiet-logins")
    topology = Topology(env)
    PIDFILE.write_text(str(os.getpid()))

    def on_signal(number, _frame) -> None:
        if number == signal.SIGHUP:
            topology.reload_requested = True
        else:
            topology.stopping = True

    signal.signal(signal.SIGHUP, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        topology.start(PROCESSES)
        scheme = "https" if TLS else "http"
        say(f"Dasan Console: {scheme}://127.0.0.1:{PORT}/  ({PROCESSES} daphne processes behind nginx)")
        say(f"logs in {LOGS}; `make reload` replaces the processes one at a time; Ctrl+C stops")
        topology.supervise()
    except RuntimeError as error:
        print(f"[prod] {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        say("stopping: nginx finishes its requests, then the daphne processes stop")
        topology.stop()
    return 0


def command_reload(timeout: float) -> int:
    pid = running_pid()
    if pid is None:
        raise Refused("nothing to reload: `make prod` is not running (no live pid in " + str(PIDFILE) + ")")
    before = read_state()
    os.kill(pid, signal.SIGHUP)
    say(f"reload asked of pid {pid}: each daphne process is replaced in turn")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = read_state()
        if state.get("reloads", 0) > before.get("reloads", 0):
            for daphne in state["daphne"]:
                say(f"daphne {daphne['slot']}: port {daphne['port']}, pid {daphne['pid']}")
            return 0
        if (
            state.get("phase") == "running"
            and state.get("last_error")
            and state["last_error"] != before.get("last_error")
        ):
            print(f"[prod] reload failed: {state['last_error']}", file=sys.stderr)
            return 1
        time.sleep(0.2)
    print(f"[prod] the reload did not finish within {timeout:.0f} s", file=sys.stderr)
    return 1


def command_stop(timeout: float) -> int:
    pid = running_pid()
    if pid is None:
        say("not running")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running_pid():
        time.sleep(0.2)
    return 0 if running_pid() is None else 1


def command_status() -> int:
    state = read_state()
    if not state or running_pid() is None:
        say("not running")
        return 1
    print(json.dumps(state, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["run", "reload", "stop", "status"])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds reload/stop wait (default 300)")
    args = parser.parse_args(argv)
    if args.command == "run":
        return command_run()
    if args.command == "reload":
        return command_reload(args.timeout)
    if args.command == "stop":
        return command_stop(args.timeout)
    return command_status()


if __name__ == "__main__":
    sys.exit(main())
