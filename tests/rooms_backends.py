"""The vote stores the tests run against: SQLite in a temporary folder, always; a real Redis server when one answers.

Redis is the one named by VIZCORE_TEST_REDIS_URL (default redis://127.0.0.1:6379/0). Where none answers the Redis
tests are skipped with the reason; with VIZCORE_REQUIRE_REDIS=1 (set by .ci/run, which starts Debian's
redis-server) a missing server is a failure. Each test gets its own key prefix and removes its keys.
"""
from __future__ import annotations

import os
import uuid

import pytest

from ui.rooms import RedisBackend, SQLiteBackend

REDIS_URL = os.environ.get("VIZCORE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_or_skip() -> str:
    """The test server's URL, after a PING; skips (or, in CI, fails) when it does not answer."""
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2).ping()
    except Exception as exc:  # the client missing, the server not running
        why = f"no Redis server answers at {REDIS_URL} ({type(exc).__name__}); .ci/run starts one"
        if os.environ.get("VIZCORE_REQUIRE_REDIS"):
            pytest.fail(why)
        pytest.skip(why)
    return REDIS_URL


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, tmp_path):
    """Each backend in turn, empty."""
    if request.param == "sqlite":
        yield SQLiteBackend(tmp_path / "rooms.sqlite3")
        return
    store = RedisBackend(redis_or_skip(), prefix=f"vztest:{uuid.uuid4().hex}:")
    yield store
    keys = list(store.client.scan_iter(store.prefix + "*"))
    if keys:
        store.client.delete(*keys)
