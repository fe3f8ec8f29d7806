"""Browser tests: Playwright driving Debian's headless Chromium against daphne.

`live_server_url` serves the real ASGI application (HTTP and websockets) with
daphne in a child process on the test database; tests that use it must be
transactional so the child sees their rows. Without /usr/bin/chromium the
browser tests are skipped, unless REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
from functools import partial
from pathlib import Path

import pytest

from callcenter.testing import clock as test_clock  # its shared memory must exist before the fork

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config, items):
    # Browser tests run last: sync Playwright keeps an event loop in the main
    # thread for the session, and pytest-asyncio tests after it would fail
    # with "Runner.run() cannot be called from a running event loop".
    items.sort(key=lambda item: "browser" in item.keywords)
    if chromium_available():
        return
    required = os.environ.get("REQUIRE_BROWSER") == "1"
    for item in items:
        if "browser" in item.keywords:
            if required:
                item.add_marker(pytest.mark.usefixtures("_browser_required"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium)"))


@pytest.fixture
def _browser_required():
    pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is not installed at {CHROMIUM}")


def _get_application():
    from callcenter.asgi import application

    return application


def _child_setup(django_db_blocker):
    """In the daphne child: drop the parent's connections, allow database access."""
    from django.db import connections

    django_db_blocker.unblock()  # the child serves requests; pytest's guard is for test code
    for connection in connections.all():
        # Pools copied by the fork share their sockets with the parent's pools, and
        # their worker threads did not survive it: forget them here without
        # closing (closing would end the parent's sessions), so the child opens
        # its own.
        pools = getattr(type(connection), "_connection_pools", None)
        if pools:
            pools.clear()
        connection.close()
    # The fork copies asgiref's one-thread executor but not its thread: after
    # an async test in the parent started that thread, every thread-sensitive
    # sync_to_async outside a request (websocket consumers) waited forever.
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    # The tests rewrite the database under the child from another process (flush,
    # reseed: new pks for the same slugs and roles; a test that sets the floor up
    # straight in the database, with no service to move a generation on), which no
    # signal reaches here: the child keeps no per-process cache (callcenter/caches.py).
    from django.conf import settings

    settings.LOCAL_CACHES = False
    # Words only in the child, as in the rest of the suite (conftest.py): no journey here needs the
    # model, and its vectors would outlive the flushes (the version counter starts again).
    from knowledgebase.search import embedder

    embedder.set_embedder(None)
    # A transactional test's flush deletes the content types and the next use makes them again
    # with new ids; the child's ContentType cache would keep the old ones (admin's log entry:
    # a foreign-key violation, a 500 on PostgreSQL). Forget them at each request.
    from django.contrib.contenttypes.models import ContentType
    from django.core.signals import request_started

    request_started.connect(lambda **kwargs: ContentType.objects.clear_cache(), weak=False)
    # The server's time is the test clock's (callcenter/testing/clock.py): the real
    # time until a test sets it through the `server_clock` fixture.
    test_clock.install()


@pytest.fixture
def local_clock():
    """This process's time, set by the test: `local_clock.set(aware datetime, tick=False)`."""
    test_clock.install()
    handle = test_clock.Clock()
    yield handle
    handle.reset()
    test_clock.uninstall()


@pytest.fixture
def server_clock(live_server_url):
    """The browser tests' server's time (and this process's), set by the test:
    `server_clock.set(aware datetime)` runs on from there; the real time again after the test."""
    test_clock.install()
    handle = test_clock.Clock()
    yield handle
    handle.reset()
    test_clock.uninstall()


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker):
    """Base URL of a daphne child process serving the console on the test DB."""
    from daphne.testing import DaphneProcess
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.close()
            # and no pooled connection open across the fork: the child would share
            # its socket with this process (both reading one server's answers)
            if connection.alias in getattr(connection, "_connection_pools", {}):
                connection.close_pool()
    process = DaphneProcess("127.0.0.1", _get_application, setup=partial(_child_setup, django_db_blocker))
    process.start()
    if not process.ready.wait(30):
        process.terminate()
        raise RuntimeError("daphne did not start for the browser tests")
    try:
        yield f"http://127.0.0.1:{process.port.value}"
    finally:
        process.terminate()
        process.join(10)


@pytest.fixture(scope="session")
def _playwright():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="ko-KR", timezone_id="Asia/Seoul", viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failure.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def login(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the real login page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str) -> Path:
    """Keep a picture of a screen in test-artifacts/ (for people to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
