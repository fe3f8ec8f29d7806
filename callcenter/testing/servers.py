"""The console in a process of its own, as a city runs it, and throwaway services.

`ProductionServer` collects the static files into a temporary directory and
serves the console with daphne over TLS (a self-signed certificate) with
`DEBUG=0`, on the database and channel layer it is given: the test database by
default. `PrivatePostgres` and `PrivateRedis` are servers of a test's own, on a
free port of this worktree's range (9100-9199), to stop and start under a
running console; the machine's PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import random
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
PORTS = range(9100, 9200)
POSTGRES_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
REDIS_SERVER = shutil.which("redis-server")


def free_port() -> int:
    """A port of the range nobody listens on, tried in random order: several test runs of this
    worktree may look for one at the same time."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 9100-9199")


def free_port_block(count: int) -> int:
    """The first of `count` consecutive ports of the range nobody listens on (a topology of
    nginx and its daphne processes on PORT, PORT+1, ...)."""
    for base in random.sample(range(PORTS.start, PORTS.stop - count + 1), PORTS.stop - count + 1 - PORTS.start):
        probes = []
        try:
            for port in range(base, base + count):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
        return base
    raise RuntimeError(f"no {count} free consecutive ports in 9100-9199")


def wait_for_port(port: int, *, process: subprocess.Popen | None = None, seconds: float = 30) -> None:
    """Until something listens on `port` (or `process` ends)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server ended with {process.returncode} before it listened")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


def database_url(settings_dict: dict) -> str:
    """A Django database's settings as a DATABASE_URL for a child process."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{settings_dict['NAME']}"


def insecure_tls() -> ssl.SSLContext:
    """For the test's own self-signed server."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / "key.pem", directory / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class ProductionServer:
    """daphne over TLS with DEBUG=0 and collected static files, in a child process."""

    def __init__(self, directory: Path, *, database_url: str, **env: str) -> None:
        self.directory = directory
        self.var_dir = directory / "var"
        self.var_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = directory / "daphne.log"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST_"))
            and key not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "BEHIND_PROXY"}
        }
        self.env = {
            **inherited,
            "DEBUG": "0",
            "SECRET_KEY": "production-smoke-test-" + os.urandom(24).hex(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DASAN_VAR_DIR": str(self.var_dir),
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "callcenter.settings",
            **env,
        }

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def static_root(self) -> Path:
        return self.var_dir / "staticfiles"

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def start(self) -> ProductionServer:
        self.manage("collectstatic", "--noinput", "-v0")
        key, cert = self_signed_certificate(self.directory)
        log = self.log_path.open("a")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).with_name("daphne")),
                "-e",
                f"ssl:port={self.port}:interface=127.0.0.1:privateKey={key}:certKey={cert}",
                "callcenter.asgi:application",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        try:
            wait_for_port(self.port, process=self.process)
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{self.log()}") from None
        return self

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class PrivateRedis:
    """A redis-server of the test's own, to stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(  # noqa: S603
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory),
    run as the `postgres` system user when the test runs as root (initdb refuses root)."""

    def __init__(self, *, port: int | None = None) -> None:
        # not under pytest's (root-only) temporary directory: the postgres user must reach it
        self.directory = Path(tempfile.mkdtemp(prefix="dasan-test-pg-"))
        self.data = self.directory / "data"
        self.port = port or free_port()
        self.bin = POSTGRES_BIN[-1] if POSTGRES_BIN else None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/dasan"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)  # noqa: S603
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def init(self) -> PrivatePostgres:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        return self

    def start(self) -> PrivatePostgres:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"),
                  "-w", "start")  # fmt: skip
        return self

    def create_database(self) -> None:
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "dasan")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
