"""`make reload` under a working floor: the production topology (nginx in front of two
daphne processes, deploy/prodctl.py) replaces its processes one at a time while a
supervisor watches the wallboard in Chromium, the phone system posts its events and an
agent logs calls.

What a user would notice, checked: the board keeps updating across the reload (its
socket is handed over: it reconnects to a new process, with the page's backoff) and ends
showing what the database holds; no phone event and no logged call is lost or stored
twice; nothing was refused for longer than a reconnect takes (the clients retry as the
phone system does, with the same call_id or client_request_id).

The topology runs on this test's own ports (consecutive free ports of 9100-9199), the
test database and a redis-server of its own, so it runs beside other tests.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from callcenter.permissions import Role
from callcenter.testing.browser import screenshot
from callcenter.testing.servers import BASE_DIR, PrivateRedis, database_url, free_port_block, insecure_tls
from callcenter.tests.test_production import production_user
from floor.models import PhoneEvent
from inquiries.models import Call

pytestmark = [pytest.mark.browser, pytest.mark.realservices, pytest.mark.django_db(transaction=True)]

PROCESSES = 2
# The longest a request may go unanswered-with-success while the processes are replaced:
# the page's first reconnect waits 0.5 s (± 25%) and a new process answers its /healthz before
# nginx sends it anything, so a client that retries every 0.2 s is through well within this.
REFUSED_AT_MOST_SECONDS = 5.0


@dataclass
class Sent:
    """One event or call: when it was first tried, when it was accepted, the answers before."""

    first_try: float
    accepted: float | None = None
    failures: list[str] = field(default_factory=list)


class Client(threading.Thread):
    """The phone system and an agent over HTTPS through nginx: an event every 0.2 s, a logged
    call every second; a refused or failed request is retried with the same ids every 0.2 s."""

    def __init__(self, port: int, pbx_token: str, agent_token: str) -> None:
        super().__init__(daemon=True)
        self.port, self.pbx_token, self.agent_token = port, pbx_token, agent_token
        self.stop = threading.Event()
        self.events: dict[str, Sent] = {}
        self.calls: dict[str, Sent] = {}
        self.connection = self._connect()
        self.error = ""

    def _connect(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=10, context=insecure_tls())

    def post(self, path: str, body: dict, token: str) -> tuple[int, bytes]:
        try:
            self.connection.request(
                "POST",
                path,
                body=json.dumps(body),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            answer = self.connection.getresponse()
            return answer.status, answer.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self.connection = self._connect()
            return 0, repr(error).encode()

    def deliver(self, kind: dict[str, Sent], key: str, path: str, body: dict, token: str, ok: set[int]) -> None:
        sent = kind.setdefault(key, Sent(first_try=time.monotonic()))
        while True:
            status, answer = self.post(path, body, token)
            if status in ok:
                sent.accepted = time.monotonic()
                return
            sent.failures.append(f"{status} {answer[:120]!r}")
            if time.monotonic() - sent.first_try > 60:
                return  # lost: the assertions say so
            time.sleep(0.2)

    def run(self) -> None:
        tick = 0
        try:
            while not self.stop.is_set():
                call_id = f"reload-{tick}"
                at = (timezone.now() - timedelta(seconds=1)).isoformat()
                offered = {"event": "call.offered", "call_id": call_id, "at": at, "queue": "general",
                           "caller_number": "010-2345-6789"}  # fmt: skip
                self.deliver(self.events, call_id, "/api/cti/events/", offered, self.pbx_token, {200, 201})
                if tick % 5 == 0:
                    key = f"reload-call-{tick}-{uuid.uuid4().hex[:6]}"
                    call = {"number_status": "none", "channel": "visit", "category": "water",
                            "summary": "재시작 중 기록한 통화", "client_request_id": key}  # fmt: skip
                    self.deliver(self.calls, key, "/api/calls/", call, self.agent_token, {200, 201})
                tick += 1
                time.sleep(0.2)
        except Exception as error:  # the test reports it
            self.error = repr(error)


def longest_refusal(sent: dict[str, Sent]) -> float:
    return max(((item.accepted or time.monotonic()) - item.first_try for item in sent.values()), default=0.0)


@pytest.fixture
def floor(make_user) -> dict[str, str]:
    """The supervisor, an agent and the phone system, made before the processes start (each
    process keeps the roles it has read for a while)."""
    production_user(make_user, Role.SUPERVISOR, "reload_super", "pw-reload-super-1")
    agent = make_user(Role.AGENT, username="reload_agent")
    pbx = make_user(Role.PHONE_SYSTEM, username="reload_pbx")
    return {"agent": Token.objects.create(user=agent).key, "pbx": Token.objects.create(user=pbx).key}


@pytest.fixture
def topology(tmp_path, floor):
    """`make prod` on the test database: nginx on a free port, two daphne processes."""
    # not under pytest's (root-only) temporary directory: nginx's workers (www-data) serve the static files
    var_dir = Path(tempfile.mkdtemp(prefix="dasan-test-reload-"))
    var_dir.chmod(0o755)
    redis = PrivateRedis().start()
    port = free_port_block(1 + 2 * PROCESSES)
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST_"))
        and key not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "BEHIND_PROXY", "PORT"}
    }
    env = {
        **inherited,
        "PORT": str(port),
        "PROCESSES": str(PROCESSES),
        "PROD_DIR": str(tmp_path / "prod"),
        "DASAN_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis.url,
        "CHANNEL_PREFIX": f"reload_{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": "reload-test-" + os.urandom(24).hex(),
        "DRAIN_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "prod.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "deploy/prodctl.py", "run"], cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    state_path = Path(env["PROD_DIR"]) / "state.json"
    try:
        deadline = time.monotonic() + 300
        while not (state_path.exists() and json.loads(state_path.read_text()).get("phase") == "running"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"make prod did not start:\n{(tmp_path / 'prod.log').read_text()}")
            time.sleep(0.3)
        yield {"port": port, "env": env, "state": state_path, "log": tmp_path / "prod.log"}
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        redis.stop()
        shutil.rmtree(var_dir, ignore_errors=True)


def test_the_wallboard_keeps_updating_across_make_reload_and_nothing_is_lost(floor, topology, browser):
    agent_token, pbx_token = floor["agent"], floor["pbx"]
    base = f"https://127.0.0.1:{topology['port']}"
    before = json.loads(topology["state"].read_text())["daphne"]

    context = browser.new_context(ignore_https_errors=True, locale="ko-KR", timezone_id="Asia/Seoul")
    context.set_default_timeout(20_000)
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket))
    try:
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "reload_super")
        page.fill("#id_password", "pw-reload-super-1")
        page.press("#id_password", "Enter")
        page.wait_for_url("**/wallboard/")
        board = page.locator("#wallboard")
        offered = page.get_by_test_id("tile-offered_today").locator(".wb-value")
        expect(board).to_have_attribute("data-live-state", "open")

        client = Client(topology["port"], pbx_token, agent_token)
        client.start()
        expect(offered).not_to_have_text("–")
        expect(offered).not_to_have_text("0")

        # when: make reload, while the floor works
        reload = subprocess.run(  # noqa: S603
            [shutil.which("make") or "/usr/bin/make", "-s", "reload"],
            cwd=BASE_DIR,
            env=topology["env"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert reload.returncode == 0, reload.stdout + reload.stderr + topology["log"].read_text()
        after_reload = int(offered.inner_text())
        # the board goes on moving on the new processes
        expect(offered).not_to_have_text(str(after_reload))
        time.sleep(1.0)
        client.stop.set()
        client.join(90)
        assert not client.is_alive() and not client.error, client.error

        # then: every process was replaced, the board's socket with them, and it shows the database's figure
        after = json.loads(topology["state"].read_text())["daphne"]
        assert {d["pid"] for d in after}.isdisjoint({d["pid"] for d in before})
        assert len(sockets) >= 2  # the first socket closed with its process; the page opened another
        stored_events = PhoneEvent.objects.filter(body__call_id__startswith="reload-").count()
        expect(offered).to_have_text(str(stored_events), timeout=30_000)
        expect(board).to_have_attribute("data-live-state", "open")
        screenshot(page, "wallboard-after-reload")
    finally:
        context.close()

    # nothing lost, nothing doubled
    events = sorted(
        PhoneEvent.objects.filter(body__call_id__startswith="reload-").values_list("body__call_id", flat=True)
    )
    assert events == sorted(client.events) and len(set(events)) == len(events)
    assert all(sent.accepted for sent in client.events.values())
    keys = sorted(
        Call.objects.filter(client_request_id__startswith="reload-call-").values_list("client_request_id", flat=True)
    )
    assert keys == sorted(client.calls)
    assert all(sent.accepted for sent in client.calls.values())
    # and nothing was refused for longer than a reconnect
    failures = [f for sent in [*client.events.values(), *client.calls.values()] for f in sent.failures]
    assert longest_refusal(client.events) < REFUSED_AT_MOST_SECONDS, failures
    assert longest_refusal(client.calls) < REFUSED_AT_MOST_SECONDS, failures
    assert len(client.events) > 20 and len(client.calls) > 4
