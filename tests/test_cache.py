"""The shared cache: computes each key once, even when sessions ask at the same time; stays bounded."""
from __future__ import annotations

import threading
import time

import pytest

from ui.cache import SharedCache


def test_concurrent_requests_for_one_key_compute_it_once():
    cache, calls = SharedCache(), []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "trained"

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("link", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["trained"] * 8 and len(calls) == 1 and cache.computed == 1


def test_oldest_entries_are_dropped_beyond_max_entries_and_expired_ones_recomputed():
    cache = SharedCache(max_entries=2, ttl=0.05)
    for key in "abc":
        cache.get_or_compute(key, lambda key=key: key.upper())
    assert cache.get("a") is None and cache.get("c") == "C"
    time.sleep(0.06)
    assert cache.get("c") is None


def test_a_failed_computation_is_not_cached_and_leaves_no_lock_behind():
    cache = SharedCache()
    with pytest.raises(ValueError):
        cache.get_or_compute("bad", lambda: (_ for _ in ()).throw(ValueError("no")))
    assert cache.get("bad") is None and cache._key_locks == {}
    assert cache.get_or_compute("bad", lambda: 42) == 42
