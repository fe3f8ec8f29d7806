"""The console as a city runs it: DEBUG=0, static files collected, daphne over TLS.

`make check-deploy` reads the settings; this starts the real thing. A child
process collects the static files into a temporary directory (a missing file a
stylesheet or script names fails it) and daphne serves HTTPS on the test
database with production settings. Headless Chromium then signs in, opens the
pages that load every vendored asset and a websocket, and the test checks what
a browser and an auditor would see: every asset 200, the socket live, no
Content-Security-Policy violation, HSTS, CSP and the cookies' flags.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import screenshot
from referrals.tests.factories import ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
VENDOR_DIR = BASE_DIR / "static" / "vendor"
PORTS = range(9100, 9200)  # this worktree's range; CI has the machine to itself


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 9100-9199")


def database_url() -> str:
    """The test database, as a URL for the child process."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


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
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / "key.pem", directory / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture(scope="module")
def production_server(tmp_path_factory, django_db_setup):
    """daphne with DEBUG=0 over TLS on the test database; yields its base URL."""
    tmp_path = tmp_path_factory.mktemp("production")
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_")) and key not in {"DEBUG", "SECURE_SSL_REDIRECT", "BEHIND_PROXY"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="production-smoke-test-" + os.urandom(24).hex(),
        ALLOWED_HOSTS="127.0.0.1",
        DASAN_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="callcenter.settings",
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    key, cert = self_signed_certificate(tmp_path)
    port = free_port()
    log = (tmp_path / "daphne.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("daphne")),
            "-e",
            f"ssl:port={port}:interface=127.0.0.1:privateKey={key}:certKey={cert}",
            "callcenter.asgi:application",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            if server.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        assert server.poll() is None, (tmp_path / "daphne.log").read_text()
        yield {
            "url": f"https://127.0.0.1:{port}",
            "static_root": var_dir / "staticfiles",
            "log": tmp_path / "daphne.log",
        }
    finally:
        server.terminate()
        server.wait(10)
        log.close()


def production_user(make_user, role: Role, username: str, password: str):
    """A user whose password the child process can check (the suite hashes with MD5, production does not)."""
    user = make_user(role, username=username)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def test_the_console_runs_in_production_mode(production_server, browser, make_user):
    base = production_server["url"]
    production_user(make_user, Role.SUPERVISOR, "prod_super", "pw-prod-super-1")
    production_user(make_user, Role.AGENT, "prod_agent", "pw-prod-agent-1")
    context = browser.new_context(ignore_https_errors=True, locale="ko-KR", timezone_id="Asia/Seoul")
    context.set_default_timeout(15_000)
    page = context.new_page()
    responses, violations = [], []
    page.on("response", lambda response: responses.append(response))
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    try:
        # the login page, with the production headers
        answer = page.goto(f"{base}/accounts/login/")
        assert answer.status == 200
        headers = answer.headers
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert "includesubdomains" in headers["strict-transport-security"].lower()
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        csrf = {cookie["name"]: cookie for cookie in context.cookies()}["csrftoken"]
        assert csrf["secure"] is True

        # a supervisor signs in: the wallboard (Chart.js, the font) goes live over wss
        page.fill("#id_username", "prod_super")
        page.fill("#id_password", "pw-prod-super-1")
        page.press("#id_password", "Enter")
        page.wait_for_url("**/wallboard/")
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        session = cookies["sessionid"]
        assert session["secure"] is True and session["httpOnly"] is True and session["sameSite"] == "Lax"
        expect(page.locator("#wallboard")).to_have_attribute("data-live-state", "open")
        expect(page.get_by_test_id("tile-calls_waiting").locator(".wb-value")).to_have_text("0")
        assert sockets and sockets[0].url.startswith("wss://")
        assert page.evaluate("typeof window.Chart") == "function"
        assert page.evaluate("document.fonts.check('16px Pretendard Variable', '상황판')")
        screenshot(page, "production-wallboard")

        # the referrals overview: its service filter applies as it changes (a listener, not an inline handler)
        ServiceFactory(slug="prod-legal", name_ko="무료법률상담", name_en="Free legal counsel")
        page.goto(f"{base}/referrals/")
        page.select_option("#o-service", "prod-legal")
        page.wait_for_url("**/referrals/?service=prod-legal")

        # an agent's console (the search's Chart.js, deferred) loads as cleanly
        page.get_by_role("button", name="로그아웃").click()
        page.wait_for_url("**/accounts/login/**")
        page.fill("#id_username", "prod_agent")
        page.fill("#id_password", "pw-prod-agent-1")
        page.press("#id_password", "Enter")
        page.wait_for_url("**/console/")
        expect(page.locator("#f-caller-number")).to_be_focused()
        page.wait_for_load_state("networkidle")
    finally:
        context.close()

    failed = [(r.status, r.url) for r in responses if r.status >= 400]
    assert failed == []
    loaded = {r.url.split("/static/", 1)[1] for r in responses if "/static/" in r.url}
    assert any(name.startswith("vendor/chartjs/chart.umd.min.") for name in loaded)
    assert any(name.startswith("vendor/pretendard/pretendardvariable-dynamic-subset.") for name in loaded)
    assert any(name.startswith("vendor/pretendard/woff2-dynamic-subset/") for name in loaded)
    assert violations == []
    assert "Traceback" not in production_server["log"].read_text()


def test_every_vendored_file_is_served_from_the_manifest(production_server):
    base = production_server["url"]
    manifest = json.loads((production_server["static_root"] / "staticfiles.json").read_text())["paths"]
    vendored = sorted(
        path.relative_to(BASE_DIR / "static").as_posix()
        for path in VENDOR_DIR.rglob("*")
        if path.is_file() and path.name != "README.md"
    )
    assert vendored and set(vendored) <= set(manifest)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    statuses = {}
    for name in vendored:
        with urllib.request.urlopen(f"{base}/static/{manifest[name]}", context=context, timeout=10) as answer:  # noqa: S310
            statuses[name] = (answer.status, answer.headers["Cache-Control"])
    assert {name: status for name, (status, _) in statuses.items() if status != 200} == {}
    # hashed names are cached for good
    assert all("immutable" in (cache or "") for _, cache in statuses.values())
