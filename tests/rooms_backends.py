"""The vote stores the tests run against: SQLite in a temporary folder, always; a real Redis server when one answers.

Redis is the one named by VIZCORE_TEST_REDIS_URL (.ci/run starts Debian's redis-server and names it). Without that
variable the tests start their own redis-server (Debian's package) on a free loopback port, nothing saved, stopped
when the tests end; where it is not installed the Redis tests are skipped with the reason. With
VIZCORE_REQUIRE_REDIS=1 (set by .ci/run) a missing server is a failure. Each test gets its own key prefix and removes
its keys.
"""
from __future__ import annotations

import atexit
import functools
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

from ui.rooms import RedisBackend, SQLiteBackend

URL_ENV = "VIZCORE_TEST_REDIS_URL"


def _ping(url: str) -> None:
    import redis
    redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping()


@functools.lru_cache(maxsize=1)
def _own_redis() -> str:
    """A redis-server of the tests' own, started once and stopped at exit; its URL, or why there is none."""
    try:
        return _start_redis()
    except RuntimeError as exc:
        return f"error: {exc}"  # kept, so that the next test does not try again


def _start_redis() -> str:
    if shutil.which("redis-server") is None:
        raise RuntimeError("redis-server is not installed (apt-get install -y redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(os.path.join(tempfile.mkdtemp(prefix="vz-redis-"), "redis.log"), "w")
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=log, stderr=subprocess.STDOUT)
    atexit.register(lambda: (proc.terminate(), proc.wait(10)))
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):  # it answers within a tenth of a second on a quiet machine
        try:
            _ping(url)
            return url
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(f"the tests' redis-server did not answer on port {port}")


def redis_or_skip() -> str:
    """The test server's URL, after a PING; skips (or, in CI, fails) when there is none."""
    url = os.environ.get(URL_ENV, "")
    try:
        url = url or _own_redis()
        if url.startswith("error: "):
            raise RuntimeError(url[len("error: "):])
        _ping(url)
    except Exception as exc:  # the client or the server missing, the server not running
        why = f"no Redis server for the tests ({type(exc).__name__}: {exc}); .ci/run starts one"
        if os.environ.get("VIZCORE_REQUIRE_REDIS"):
            pytest.fail(why)
        pytest.skip(why)
    return url


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
