"""A short version of bench/class_load.py --failover: two replicas behind a real nginx (deploy/nginx.conf) on a real
Redis; one replica dies mid-question, its phones reconnect through nginx with their cookie and vote again, and no
vote is lost or counted twice. Needs Debian's nginx and a Redis server (.ci/run has both; skipped elsewhere)."""
from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.rooms_backends import redis_or_skip

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import class_load  # noqa: E402
from wsclient import Server  # noqa: E402

PHONES = 12
pytestmark = pytest.mark.servers


def nginx_or_skip() -> None:
    if shutil.which("nginx") is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (.ci/run installs Debian's)")
        pytest.skip("nginx is not installed: apt-get install -y nginx")


async def _class(base: str, redis_url: str, servers: dict[str, Server]):
    rng = random.Random(3)
    projector = await class_load.teacher(base)
    code = projector.seen.code
    phones = [class_load.Phone(base, rng) for _ in range(PHONES)]
    assert all(await asyncio.gather(*(p.join(code) for p in phones)))
    port = {name: f":{s.port}" for name, s in servers.items()}
    on = {name: [p for p in phones if p.client.seen.served_by.endswith(port[name])] for name in servers}
    for p in phones:
        await p.client.click(p.vote_key())
    teachers = next(n for n in servers if projector.seen.served_by.endswith(port[n]))
    other = next(n for n in servers if n != teachers)
    assert on[other], f"no phone on replica {other}: {[p.client.seen.served_by for p in phones]}"
    before = class_load.store_counts(redis_url, code)
    os.kill(servers[other].proc.pid, signal.SIGKILL)
    await asyncio.gather(*(asyncio.wait_for(p.client.closed.wait(), 20) for p in on[other]))
    for p in on[other]:  # back through nginx, on the living replica, the same voter: vote again, changed
        p.client.stop_reruns()
        assert await p.join(code)
        p.choice = (p.choice + 1) % class_load.CHOICES
        assert await p.client.click(p.vote_key())
        assert p.client.seen.served_by.endswith(port[teachers])
    await class_load.settle(projector, PHONES, 15)
    after = class_load.store_counts(redis_url, code)
    for p in phones:
        await p.client.close()
    await projector.close()
    cast = [sum(p.choice == c for p in phones) for c in range(class_load.CHOICES)]
    return before, after, cast, projector.tally()[-1][1], len(on[other])


def test_a_replica_dies_mid_question_and_its_phones_vote_again_through_nginx_with_nothing_lost(tmp_path):
    nginx_or_skip()
    redis_url = redis_or_skip()
    env = {"STREAMLIT_SERVER_ADDRESS": "127.0.0.1", "VIZCORE_REDIS_URL": redis_url}
    with ExitStack() as stack:
        servers = class_load.replicas(stack, tmp_path, env)
        base = stack.enter_context(class_load.nginx(tmp_path, [s.port for s in servers.values()]))
        before, after, cast, shown, moved = asyncio.run(_class(base, redis_url, servers))
    assert sum(before) == PHONES and moved > 0
    assert after == cast and shown == PHONES  # every phone counted once, with its last choice
