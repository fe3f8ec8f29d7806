"""Outages: PostgreSQL and Redis stopped under a running console.

Each test starts throwaway servers of its own (a PostgreSQL cluster in a
temporary directory, a redis-server) on free ports of this worktree's range
and stops only those; the machine's services are never touched. The console
runs as in production (callcenter.testing.servers.ProductionServer).

With PostgreSQL down every request answers within 2 s (the urllib timeout:
a slower answer fails the test): 503 with the shared error shape and
Retry-After for the APIs, a 503 page for pages, /healthz "database down";
nothing that was stored is lost, and when PostgreSQL returns the same server
process answers again, the retried phone event is stored once.
With Redis down an open wallboard shows "reconnecting", a new socket's
handshake is refused (not a 500), and when Redis returns the board is live again.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

import psycopg
import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from callcenter.permissions import Role
from callcenter.testing.servers import PrivatePostgres, PrivateRedis, ProductionServer, database_url, insecure_tls
from callcenter.tests.test_production import production_user
from floor.routing import websocket_urlpatterns
from floor.tests import fixtures as conftest

ANSWER_WITHIN = 2.0  # seconds: the bound, as the client's timeout

SETUP_SCRIPT = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from callcenter.demo import roles_seed
roles_seed()
User = get_user_model()
pbx = User.objects.create_user("pbx_outage")
pbx.groups.add(Group.objects.get(name="phone_system"))
boss = User.objects.create_user("super_outage", password="pw-outage-super-1")
boss.groups.add(Group.objects.get(name="supervisor"))
print(Token.objects.create(user=pbx).key)
"""


class Browserless:
    """An HTTPS client with cookies, like a browser without the rendering."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=insecure_tls()), urllib.request.HTTPCookieProcessor(self.jar)
        )

    def request(self, method: str, path: str, *, body=None, headers=None, form=None, timeout: float = 30):
        """(status, headers, body bytes); never raises for an HTTP status. During an
        outage the tests pass timeout=ANSWER_WITHIN: a slower answer fails them."""
        headers = {"Referer": f"{self.base}/", **(headers or {})}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(f"{self.base}{path}", data=data, headers=headers, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == name)

    def sign_in(self, username: str, password: str) -> None:
        self.request("GET", "/accounts/login/")
        form = {"username": username, "password": password, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        status, _, _ = self.request("POST", "/accounts/login/", form=form)
        assert status == 200 and self.cookie("sessionid")


def no_server_error(log: str) -> bool:
    """No request or handshake answered 500 (daphne's access log), none failed in Django."""
    return not re.search(r'" 500 ', log) and "Internal Server Error" not in log


def offered(call_id: str, seconds_ago: float) -> dict:
    return conftest.offered(call_id, timezone.now() - timedelta(seconds=seconds_ago))


@pytest.fixture
def postgres_stack(tmp_path):
    postgres = PrivatePostgres().init().start()
    try:
        postgres.create_database()
        server = ProductionServer(tmp_path, database_url=postgres.url, REDIS_URL="", LOG_LEVEL="ERROR")
        server.manage("migrate", "--noinput", "-v0")
        token = server.manage("shell", "-c", SETUP_SCRIPT).stdout.strip().splitlines()[-1]
        server.start()
        try:
            yield postgres, server, token
        finally:
            server.stop()
    finally:
        postgres.remove()


def stored_call_ids(postgres: PrivatePostgres) -> list[str]:
    with psycopg.connect(postgres.url.replace("postgres://", "postgresql://")) as conn:
        rows = conn.execute("SELECT body->>'call_id' FROM inquiries_phoneevent ORDER BY id").fetchall()
    return [row[0] for row in rows]


def test_with_postgresql_down_requests_fail_fast_with_503_and_recover(postgres_stack):
    postgres, server, token = postgres_stack
    pbx = Browserless(server.url)
    phone = {"Authorization": f"Token {token}"}
    status, _, _ = pbx.request("POST", "/api/cti/events/", body=offered("outage-1", 60), headers=phone)
    assert status == 201
    supervisor = Browserless(server.url)
    supervisor.sign_in("super_outage", "pw-outage-super-1")
    assert supervisor.request("GET", "/wallboard/")[0] == 200

    postgres.stop()

    # the health check says so, at once
    status, _, body = pbx.request("GET", "/healthz", timeout=ANSWER_WITHIN)
    assert status == 503
    assert json.loads(body)["database"] == "down"
    # the phone system's next event: 503 in the shared shape, with Retry-After
    status, headers, body = pbx.request(
        "POST", "/api/cti/events/", body=offered("outage-2", 30), headers=phone, timeout=ANSWER_WITHIN
    )
    assert status == 503
    error = json.loads(body)
    assert error["error"] == "service_unavailable" and error["fields"] == {} and error["message"]
    assert int(headers["Retry-After"]) >= 1
    # a page: the 503 page, in the user's language, with a way back
    status, headers, body = supervisor.request("GET", "/wallboard/", timeout=ANSWER_WITHIN)
    assert status == 503 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert "데이터베이스" in page and 'href="/"' in page
    assert int(headers["Retry-After"]) >= 1
    # the sign-in form itself needs no database; signing in answers 503 the same way
    stranger = Browserless(server.url)
    assert stranger.request("GET", "/accounts/login/", timeout=ANSWER_WITHIN)[0] == 200
    form = {"username": "super_outage", "password": "pw-outage-super-1"}
    form["csrfmiddlewaretoken"] = stranger.cookie("csrftoken")
    assert stranger.request("POST", "/accounts/login/", form=form, timeout=ANSWER_WITHIN)[0] == 503

    postgres.start()

    # the same server process answers again: the phone system's retry is stored, once
    status, _, _ = pbx.request("POST", "/api/cti/events/", body=offered("outage-2", 30), headers=phone)
    assert status == 201
    status, _, body = pbx.request("GET", "/healthz")
    assert status == 200 and json.loads(body)["database"] == "up"
    assert supervisor.request("GET", "/wallboard/")[0] == 200  # the session survived
    assert stored_call_ids(postgres) == ["outage-1", "outage-2"]
    assert no_server_error(server.log())


@pytest.mark.django_db(transaction=True)
async def test_with_redis_down_a_new_socket_is_refused_cleanly_and_accepted_again(make_user):
    supervisor = await database_sync_to_async(make_user)(Role.SUPERVISOR, username="super_refused")
    redis = PrivateRedis().start()
    layer = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": redis.url}], "prefix": "outage"},
        }
    }
    try:
        with override_settings(CHANNEL_LAYERS=layer):
            redis.stop()
            refused = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/wallboard/")
            refused.scope["user"] = supervisor
            connected, _ = await refused.connect(timeout=10)
            assert not connected  # the handshake is refused; the page retries with backoff
            await refused.disconnect()

            redis.start()
            accepted = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/wallboard/")
            accepted.scope["user"] = supervisor
            connected, _ = await accepted.connect(timeout=10)
            assert connected
            assert (await accepted.receive_json_from(timeout=5))["type"] == "wallboard.snapshot"
            await accepted.disconnect()
    finally:
        redis.stop()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_with_redis_down_an_open_wallboard_shows_reconnecting_and_comes_back(tmp_path, browser, make_user):
    production_user(make_user, Role.SUPERVISOR, "super_redis", "pw-redis-super-1")
    pbx = make_user(Role.PHONE_SYSTEM, username="pbx_redis")
    token = Token.objects.create(user=pbx).key
    redis = PrivateRedis().start()
    server = ProductionServer(
        tmp_path,
        database_url=database_url(connection.settings_dict),
        REDIS_URL=redis.url,
        CHANNEL_PREFIX=f"outage{redis.port}",
        REALTIME_LAYER_CHECK_SECONDS="0.5",
    )
    context = browser.new_context(ignore_https_errors=True, locale="ko-KR", timezone_id="Asia/Seoul")
    context.set_default_timeout(20_000)
    try:
        server.start()
        page = context.new_page()
        page.goto(f"{server.url}/accounts/login/")
        page.fill("#id_username", "super_redis")
        page.fill("#id_password", "pw-redis-super-1")
        page.press("#id_password", "Enter")
        page.wait_for_url("**/wallboard/")
        board = page.locator("#wallboard")
        expect(board).to_have_attribute("data-live-state", "open")

        redis.stop()
        expect(board).to_have_attribute("data-live-state", "reconnecting")
        # the page itself is still served; its socket keeps trying
        page.reload()
        expect(board).to_have_attribute("data-live-state", "reconnecting")

        redis.start()
        expect(board).to_have_attribute("data-live-state", "open")
        phone = Browserless(server.url)
        status, _, _ = phone.request(
            "POST", "/api/cti/events/", body=offered("redis-back-1", 20), headers={"Authorization": f"Token {token}"}
        )
        assert status == 201
        expect(page.get_by_test_id("tile-calls_waiting").locator(".wb-value")).to_have_text("1")
        assert no_server_error(server.log())
    finally:
        context.close()
        server.stop()
        redis.stop()
