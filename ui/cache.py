"""A bounded cache shared by every session of the server, computing each key once.

Why not ``st.cache_resource``: its replay machinery forbids updating a progress bar
made outside the cached function, and lessons want a live progress bar while training.
This cache is keyed on the (hashable, frozen) arguments; while one session computes a
key, other sessions asking for the same key wait for that result instead of training
again, so thirty students opening one link cost one training.

A lesson's results and what a page derives from them live in named caches (:func:`named_cache`,
used by ui/lesson_page.py). With ``VIZCORE_CACHE_LOG`` set, every computation, shipped load and store prints one line
(``[cache] computing|shipped <name>``, ``[cache] stored <name> size <n>/<bound> after <s> s``): the load
and soak tests (bench/) count trainings and check the bounds from the server's log.
"""
from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

_REGISTRY: dict[Any, "SharedCache"] = {}  # page scripts re-run, so caches live here
_REGISTRY_LOCK = threading.Lock()


def log(line: str) -> None:
    if os.environ.get("VIZCORE_CACHE_LOG"):
        os.write(2, f"[cache] {line}\n".encode())  # one write per line: sessions' threads do not interleave


class SharedCache:
    def __init__(self, max_entries: int = 32, ttl: float = 6 * 3600, name: str = ""):
        self.max_entries, self.ttl, self.name = max_entries, ttl, name
        self._items: OrderedDict[Any, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}
        self.computed = 0  # values produced by compute(), shipped loads included (those also count in .shipped)
        self.shipped = 0

    def lookup(self, key: Any) -> tuple[bool, Any]:
        with self._lock:
            item = self._items.get(key)
            if item is None or time.monotonic() - item[0] > self.ttl:
                self._items.pop(key, None)
                return False, None
            self._items.move_to_end(key)
            return True, item[1]

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        hit, value = self.lookup(key)
        if hit:
            return value
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            hit, value = self.lookup(key)  # another session may have finished it meanwhile
            if hit:
                return value
            t0 = time.perf_counter()
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
                size = len(self._items)
            log(f"stored {self.name} size {size}/{self.max_entries} after {time.perf_counter() - t0:.2f} s")
            return value

    def get(self, key: Any, default: Any = None) -> Any:
        """The cached value of ``key``, or ``default`` if it is absent or expired (never computes)."""
        hit, value = self.lookup(key)
        return value if hit else default


def named_cache(name: str, max_entries: int = 32, ttl: float = 6 * 3600) -> SharedCache:
    """The server's cache called ``name`` (made on first use, with these bounds; a page's scripts re-run, the
    caches stay)."""
    with _REGISTRY_LOCK:
        return _REGISTRY.setdefault(name, SharedCache(max_entries, ttl, name))
