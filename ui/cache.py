"""A bounded cache shared by every session of the server, computing each key once.

Why not ``st.cache_resource``: its replay machinery forbids updating a progress bar
made outside the cached function, and lessons want a live progress bar while training.
This cache is keyed on the (hashable, frozen) arguments; while one session computes a
key, other sessions asking for the same key wait for that result instead of training
again, so thirty students opening one link cost one training.
"""
from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

_REGISTRY: dict[tuple[str, str], "SharedCache"] = {}  # page scripts re-run, so caches live here
_REGISTRY_LOCK = threading.Lock()


class SharedCache:
    def __init__(self, max_entries: int = 32, ttl: float = 6 * 3600):
        self.max_entries, self.ttl = max_entries, ttl
        self._items: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}
        self.computed = 0

    def _lookup(self, key: Any) -> tuple[bool, Any]:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self.ttl:
                self._items.pop(key, None)
                return False, None
            self._items.move_to_end(key)
            return True, item[1]

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        hit, value = self._lookup(key)
        if hit:
            return value
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            hit, value = self._lookup(key)  # another session may have finished it meanwhile
            if hit:
                return value
            try:
                value = compute()
            except BaseException:  # a failed computation (e.g. a UserError) is not cached
                with self._lock:
                    self._key_locks.pop(key, None)
                raise
            with self._lock:
                self._items[key] = (time.monotonic(), value)
                self._items.move_to_end(key)
                while len(self._items) > self.max_entries:
                    self._items.popitem(last=False)
                self._key_locks.pop(key, None)
                self.computed += 1
            return value

    def get(self, key: Any, default: Any = None) -> Any:
        """The cached value of ``key``, or ``default`` if it is absent or expired (never computes)."""
        hit, value = self._lookup(key)
        return value if hit else default


def shared_cache(max_entries: int = 32, ttl: float = 6 * 3600) -> Callable:
    """Decorator: cache a function on its arguments; keyword arguments starting with "_" are not part of the key.

    The wrapped function gets ``.cache`` (the SharedCache; ``.computed`` counts real computations).
    """
    def decorate(fn: Callable) -> Callable:
        with _REGISTRY_LOCK:
            cache = _REGISTRY.setdefault((fn.__code__.co_filename, fn.__qualname__), SharedCache(max_entries, ttl))

        def key_of(args, kwargs):
            return (args, tuple(sorted((k, v) for k, v in kwargs.items() if not k.startswith("_"))))

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            def compute():
                if os.environ.get("VIZCORE_CACHE_LOG"):  # the load test counts these lines
                    print(f"[cache] computing {fn.__qualname__}", file=sys.stderr, flush=True)
                return fn(*args, **kwargs)
            return cache.get_or_compute(key_of(args, kwargs), compute)

        wrapper.cache = cache
        return wrapper

    return decorate
