"""The console as a city runs it: DEBUG=0, static files collected, daphne over TLS.

`make check-deploy` reads the settings; this starts the real thing. A child
process collects the static files into a temporary directory (a missing file a
stylesheet or script names fails it) and daphne serves HTTPS on the test
database with production settings (callcenter.testing.servers.ProductionServer).
Headless Chromium then signs in, opens the
pages that load every vendored asset and a websocket, and the test checks what
a browser and an auditor would see: every asset 200, the socket live, no
Content-Security-Policy violation, HSTS, CSP and the cookies' flags.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from playwright.sync_api import expect

from callcenter.permissions import Role
from callcenter.testing.browser import screenshot
from callcenter.testing.servers import ProductionServer, database_url, insecure_tls
from referrals.tests.factories import ServiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
VENDOR_DIR = BASE_DIR / "static" / "vendor"


@pytest.fixture(scope="module")
def production_server(tmp_path_factory, django_db_setup):
    """daphne with DEBUG=0 over TLS on the test database (callcenter.testing.servers)."""
    server = ProductionServer(
        tmp_path_factory.mktemp("production"), database_url=database_url(connection.settings_dict)
    )
    server.start()
    yield server
    server.stop()


def production_user(make_user, role: Role, username: str, password: str):
    """A user whose password the child process can check (the suite hashes with MD5, production does not)."""
    user = make_user(role, username=username)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def test_the_console_runs_in_production_mode(production_server, browser, make_user):
    base = production_server.url
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

        # Swagger UI, served from here (no CDN) under the same policy
        page.goto(f"{base}/api/docs/")
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
        expect(page.get_by_text("/api/calls/", exact=True).first).to_be_visible()
        page.wait_for_load_state("networkidle")
    finally:
        context.close()

    failed = [(r.status, r.url) for r in responses if r.status >= 400]
    assert failed == []
    loaded = {r.url.split("/static/", 1)[1] for r in responses if "/static/" in r.url}
    assert any(name.startswith("vendor/chartjs/chart.umd.min.") for name in loaded)
    assert any(name.startswith("vendor/pretendard/pretendardvariable-dynamic-subset.") for name in loaded)
    assert any(name.startswith("vendor/pretendard/woff2-dynamic-subset/") for name in loaded)
    assert any(name.startswith("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.") for name in loaded)
    assert all(response.url.startswith(base) for response in responses)  # nothing from elsewhere
    assert violations == []
    assert "Traceback" not in production_server.log()


def test_every_vendored_file_is_served_from_the_manifest(production_server):
    base = production_server.url
    manifest = json.loads((production_server.static_root / "staticfiles.json").read_text())["paths"]
    vendored = sorted(
        path.relative_to(BASE_DIR / "static").as_posix()
        for path in VENDOR_DIR.rglob("*")
        if path.is_file() and path.name != "README.md"
    )
    assert vendored and set(vendored) <= set(manifest)
    context = insecure_tls()
    statuses = {}
    for name in vendored:
        with urllib.request.urlopen(f"{base}/static/{manifest[name]}", context=context, timeout=10) as answer:  # noqa: S310
            statuses[name] = (answer.status, answer.headers["Cache-Control"])
    assert {name: status for name, (status, _) in statuses.items() if status != 200} == {}
    # hashed names are cached for good
    assert {name: cache for name, (_, cache) in statuses.items() if "immutable" not in (cache or "")} == {}
