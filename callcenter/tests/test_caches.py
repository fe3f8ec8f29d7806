"""The one mechanism for per-process caches (callcenter/caches.py; issue 12, item 4)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db.models.signals import post_save
from django.test import override_settings

from callcenter import caches
from callcenter.caches import LocalCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def counting():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return compute, calls


def test_a_value_serves_until_its_seconds_pass():
    clock = Clock()
    cache = LocalCache("t", seconds=10, clock=clock)
    compute, calls = counting()
    assert cache.get("k", compute) == 1
    clock.now += 9.9
    assert cache.get("k", compute) == 1
    clock.now += 0.2
    assert cache.get("k", compute) == 2 and len(calls) == 2


def test_another_version_computes_again():
    cache = LocalCache("t")
    compute, _calls = counting()
    assert cache.get("k", compute, version=1) == 1
    assert cache.get("k", compute, version=1) == 1
    assert cache.get("k", compute, version=2) == 2


def test_peek_with_a_max_age_and_zero_seconds_keeps_nothing():
    clock = Clock()
    cache = LocalCache("t", seconds=1.0, clock=clock)
    cache.put("k", "v")
    clock.now += 0.3
    assert cache.peek("k") == "v"
    assert cache.peek("k", max_age=0.2) is caches.MISSING
    off = LocalCache("off", seconds=lambda: 0.0)
    off.put("k", "v")
    assert off.peek("k") is caches.MISSING


def test_a_full_cache_starts_again():
    cache = LocalCache("t", max_entries=2)
    for key in "abc":
        cache.put(key, key)
    assert len(cache) == 1 and cache.peek("c") == "c"


def test_settings_turn_every_cache_off():
    cache = LocalCache("t")
    compute, calls = counting()
    with override_settings(LOCAL_CACHES=False):
        cache.get("k", compute)
        cache.get("k", compute)
    assert len(calls) == 2


@pytest.mark.django_db
def test_a_declared_signal_clears_it():
    cache = caches.declare("test-groups", clear_on=[(post_save, Group)])
    try:
        cache.put("k", "v")
        Group.objects.create(name="x")
        assert cache.peek("k") is caches.MISSING
    finally:
        caches._declared.pop("test-groups")
        post_save.disconnect(cache.clear, sender=Group)


def test_a_name_is_declared_once():
    with pytest.raises(ValueError):
        caches.declare("roles")


def test_every_per_process_cache_of_the_house_is_declared_here():
    """The caches issue 12 found hand-built, one each: now declared in one mechanism."""
    import callcenter.authentication  # noqa: F401 (declares its cache on import)
    import floor.stats  # noqa: F401
    import knowledgebase.search  # noqa: F401

    assert {"roles", "tokens", "categories", "synonyms", "daily_figures", "wallboard_figures"} <= set(caches.declared())
