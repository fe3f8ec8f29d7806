"""Roles are cached per process (bench/calls.py); a change of a user's groups must
still show at once."""

import time

import pytest
from django.contrib.auth.models import Group

from callcenter import caches, permissions
from callcenter.permissions import Role, roles_of

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads it (no per-request attribute)."""
    return type(user).objects.get(pk=user.pk)


def test_roles_are_read_once_per_process(agent, django_assert_num_queries):
    roles_of(fresh(agent))
    next_request = fresh(agent)

    with django_assert_num_queries(0):
        assert roles_of(next_request) == {Role.AGENT}


def test_adding_and_removing_a_group_shows_at_once(agent):
    assert roles_of(fresh(agent)) == {Role.AGENT}

    agent.groups.add(Group.objects.get(name=Role.SUPERVISOR))
    assert roles_of(fresh(agent)) == {Role.AGENT, Role.SUPERVISOR}

    agent.groups.clear()
    assert roles_of(fresh(agent)) == frozenset()


def test_a_change_from_the_group_side_shows_at_once(agent):
    assert roles_of(fresh(agent)) == {Role.AGENT}

    Group.objects.get(name=Role.AGENT).user_set.remove(agent)

    assert roles_of(fresh(agent)) == frozenset()


def test_deleting_a_group_shows_at_once(agent):
    assert roles_of(fresh(agent)) == {Role.AGENT}

    Group.objects.get(name=Role.AGENT).delete()

    assert roles_of(fresh(agent)) == frozenset()


def test_becoming_superuser_shows_at_once(make_user):
    user = make_user(None, username="plain")
    assert roles_of(fresh(user)) == frozenset()

    user.is_superuser = True
    user.save()

    assert roles_of(fresh(user)) == {Role.ADMIN}


def test_deactivation_needs_no_invalidation(agent):
    assert roles_of(fresh(agent)) == {Role.AGENT}

    type(agent).objects.filter(pk=agent.pk).update(is_active=False)  # no signal

    assert roles_of(fresh(agent)) == frozenset()


def test_cached_roles_expire(agent):
    assert roles_of(fresh(agent)) == {Role.AGENT}
    agent.groups.through.objects.filter(user=agent).delete()  # no m2m signal: as from another process
    assert roles_of(fresh(agent)) == {Role.AGENT}  # still cached

    cache = caches.declared()["roles"]
    now = cache.clock()
    cache.clock = lambda: now + permissions.ROLES_CACHE_SECONDS + 1  # time passes
    try:
        assert roles_of(fresh(agent)) == frozenset()
    finally:
        cache.clock = time.monotonic

    assert roles_of(fresh(agent)) == frozenset()
