"""A class votes: 200 phones on one room, then the same behind nginx with two replicas, one of which stops.

Every phone and the projector are light clients of Streamlit's websocket protocol (bench/classclient.py); all
traffic stays on 127.0.0.1, and every wait is bounded.

1. One server, the default store (SQLite in a fresh data folder): the projector opens lesson 1's disc2 preset
   in presentation mode and presses "Ask the class"; 200 phones open /join?room=CODE at once and vote over
   ``--spread`` seconds; one in five changes its vote, one in ten sends it twice. Printed: votes cast (one per
   phone, its last choice) against the projector's tally and the store's count per choice, and the time from a
   vote to the projector: for the k-th vote sent, until the tally first showed k (p50, p95, max; target p95 ≤ 2 s).
2. ``--failover``: Redis (Debian's redis-server, own port), two replicas with VIZCORE_REDIS_URL, and nginx with
   deploy/nginx.conf (ports rewritten, plus an X-Upstream header so the bench knows who served whom). The phones
   vote through nginx; then the replica without the projector (``--stop teacher``: the projector's) is killed
   mid-question; its phones reconnect through nginx with their cookie and vote again. Printed: who was on which
   replica, reconnection times, votes cast against counted. Then Chromium uploads a CSV to lesson 1 and
   downloads its metrics through nginx.

Run from the project root: python bench/class_load.py [--voters 200] [--failover] [--stop other|teacher]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

from classclient import Client
from wsclient import Server, free_port, percentile

ROOT = Path(__file__).resolve().parent.parent
LESSON = "layers?preset=disc2&present=1"
CHOICES = 3  # disc2's question
TARGET_P95 = 2.0


# --- the services ---------------------------------------------------------------------------------------------

@contextmanager
def redis_server(workdir: Path):
    """Debian's redis-server on a free loopback port, no persistence; yields its URL."""
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=open(workdir / "redis.log", "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() \
                    == "PONG":
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("redis-server did not answer")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def nginx(workdir: Path, replicas: list[int]):
    """nginx with deploy/nginx.conf, its ports moved to free ones and an X-Upstream header added; yields its URL."""
    port = free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("127.0.0.1:8501", f"127.0.0.1:{replicas[0]}").replace("127.0.0.1:8502",
                                                                              f"127.0.0.1:{replicas[1]}")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    conf = conf.replace("      add_header Set-Cookie", "      add_header X-Upstream $upstream_addr always;\n"
                                                        "      add_header Set-Cookie")
    # Its own folder straight under /tmp, open to all: started as root, nginx's workers run as nobody and buffer
    # large responses and uploads to files there (in a 0700 temporary folder Chromium got no PlotlyChart.js).
    prefix = Path(tempfile.mkdtemp(prefix="vz-nginx-"))
    prefix.chmod(0o755)
    (prefix / "nginx.conf").write_text(conf)
    base = ["nginx", "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(prefix / "nginx.conf")]
    subprocess.run(base, check=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run(base + ["-s", "quit"])
        for _ in range(50):  # until the master has gone
            if not (prefix / "nginx.pid").exists():
                break
            time.sleep(0.1)
        shutil.copy(prefix / "error.log", workdir / "nginx-error.log")
        shutil.rmtree(prefix, ignore_errors=True)


def replicas(stack: ExitStack, workdir: Path, env: dict[str, str], names=("A", "B")) -> dict[str, Server]:
    """The app's servers, started side by side (each takes seconds to import its libraries), stopped with ``stack``."""
    servers = {name: Server(workdir / f"{name}.log", env=env) for name in names}
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda s: s.__enter__(), servers.values()))
    for server in servers.values():
        stack.push(server.__exit__)
    return servers


# --- the class --------------------------------------------------------------------------------------------------

class Phone:
    """One student: a light client, the choice it means, and when it sent each vote."""

    def __init__(self, base: str, rng: random.Random):
        self.client = Client(base)
        self.choice = rng.randrange(CHOICES)
        self.change = rng.random() < 0.2   # changes its mind once
        self.replay = rng.random() < 0.1   # sends its vote twice
        self.delay = 0.0
        self.sent: list[float] = []
        self.errors: list[str] = []

    def vote_key(self) -> str:
        keys = [k for k in self.client.seen.buttons if k.startswith("vote_")]
        q = max(int(k.split("_")[1]) for k in keys)
        return f"vote_{q}_{self.choice}"

    async def join(self, code: str) -> bool:
        await self.client.connect()
        return await self.client.open(f"join?room={code}") and any(
            k.startswith("vote_") for k in self.client.seen.buttons)

    async def vote(self, rng: random.Random) -> None:
        await asyncio.sleep(self.delay)
        for again in range(1 + self.change + self.replay):
            if again and self.change and again == 1:
                self.choice = (self.choice + 1) % CHOICES
            self.sent.append(time.perf_counter())
            if not await self.client.click(self.vote_key(), timeout=60):
                self.errors.append("vote not acknowledged")
            await asyncio.sleep(rng.uniform(0.2, 1.0))


async def teacher(base: str) -> Client:
    projector = Client(base)
    await projector.connect()
    assert await projector.open(LESSON, timeout=120), "the lesson page did not finish"
    assert await projector.click("classroom_ask", timeout=60) and projector.seen.code, projector.seen.errors
    return projector


async def settle(projector: Client, expected: int, timeout: float) -> None:
    """Until the projector's tally shows ``expected`` (or ``timeout`` seconds)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        tally = projector.tally()
        if tally and tally[-1][1] == expected:
            return
        await asyncio.sleep(0.1)


def latencies(phones: list[Phone], tally: list[tuple[float, int]], first: int = 0) -> list[float]:
    """For the k-th vote that added a voter (sorted by send time), until the projector first showed k votes."""
    sends = sorted(p.sent[0] for p in phones if p.sent)
    out = []
    for k, sent in enumerate(sends, start=first + 1):
        shown = next((t for t, n in tally if n >= k and t >= sent), None)
        out.append(float("inf") if shown is None else shown - sent)
    return out


def store_counts(url_or_path: str, code: str) -> list[int]:
    sys.path.insert(0, str(ROOT))
    from ui.rooms import RedisBackend, Rooms, SQLiteBackend

    backend = RedisBackend(url_or_path) if url_or_path.startswith("redis://") else SQLiteBackend(url_or_path)
    rooms = Rooms(backend)
    return rooms.tally(rooms.room(code))


def expected_counts(phones: list[Phone]) -> list[int]:
    counts = [0] * CHOICES
    for p in phones:
        if p.sent:
            counts[p.choice] += 1
    return counts


def report(title: str, rows: list[tuple[str, str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows)
    for what, value, target in rows:
        print(f"  {what:<{width}}  {value}{'   (' + target + ')' if target else ''}")


async def one_room(args, base: str, store: str, server: Server | None) -> bool:
    rng = random.Random(args.seed)
    projector = await teacher(base)
    code = projector.seen.code
    phones = [Phone(base, rng) for _ in range(args.voters)]
    t0 = time.perf_counter()
    joined = await asyncio.gather(*(p.join(code) for p in phones))
    join_s = time.perf_counter() - t0
    cpu0 = server.cpu_seconds() if server else 0.0
    for p in phones:
        p.delay = rng.uniform(0, args.spread)
    await asyncio.gather(*(p.vote(rng) for p in phones))
    await settle(projector, args.voters, 30)
    cpu = (server.cpu_seconds() - cpu0) if server else float("nan")
    tally = projector.tally()
    lat = latencies(phones, tally)
    counted = store_counts(store, code)
    cast = expected_counts(phones)
    errors = [e for p in phones for e in p.errors + p.client.seen.errors] + projector.seen.errors
    kind = "Redis" if store.startswith("redis") else "SQLite"
    report(f"{args.voters} phones on room {code}, one server, store: {kind}",
           [("phones joined", f"{sum(joined)} of {args.voters} in {join_s:.1f} s", ""),
            ("votes sent (changes, replays included)", f"{sum(len(p.sent) for p in phones)}", ""),
            ("votes cast (one per phone, its last choice)", f"{sum(cast)}: {cast}", ""),
            ("the projector's tally", f"{tally[-1][1] if tally else 'none'}", f"= {sum(cast)}"),
            ("the store's count per choice", f"{counted}", f"= {cast}"),
            ("votes lost or counted twice", f"{sum(abs(a - b) for a, b in zip(counted, cast))}", "0"),
            ("vote -> projector tally, p50 / p95 / max",
             f"{percentile(lat, 50):.2f} / {percentile(lat, 95):.2f} / {max(lat):.2f} s", f"p95 <= {TARGET_P95} s"),
            ("server CPU while voting", f"{cpu:.1f} s over {args.spread:.0f} s of voting", ""),
            ("errors shown", f"{len(errors)}" + (f": {errors[:3]}" if errors else ""), "0")])
    for p in phones:
        await p.client.close()
    await projector.close()
    return counted == cast and tally[-1][1] == sum(cast) and percentile(lat, 95) <= TARGET_P95 and not errors


async def failover(args, base: str, redis_url: str, servers: dict[str, Server]) -> bool:
    rng = random.Random(args.seed + 1)
    projector = await teacher(base)
    code = projector.seen.code
    phones = [Phone(base, rng) for _ in range(args.voters)]
    joined = await asyncio.gather(*(p.join(code) for p in phones))
    where = {name: sum(p.client.seen.served_by.endswith(f":{s.port}") for p in phones) for name, s in servers.items()}
    teachers = next(name for name, s in servers.items() if projector.seen.served_by.endswith(f":{s.port}"))
    for p in phones:
        p.delay = rng.uniform(0, args.spread)
    await asyncio.gather(*(p.vote(rng) for p in phones))
    await settle(projector, args.voters, 30)
    before = store_counts(redis_url, code)

    stopped = teachers if args.stop == "teacher" else next(n for n in servers if n != teachers)
    hit = [p for p in phones if p.client.seen.served_by.endswith(f":{servers[stopped].port}")]
    t_stop = time.perf_counter()
    os.kill(servers[stopped].proc.pid, signal.SIGKILL)  # the replica dies mid-question
    await asyncio.gather(*(asyncio.wait_for(p.client.closed.wait(), 30) for p in hit))
    if stopped == teachers:
        await asyncio.wait_for(projector.closed.wait(), 30)

    async def back(p: Phone) -> float:  # the phone reconnects through nginx, as its page does, and votes again
        p.client.stop_reruns()
        for _ in range(20):
            try:
                if await p.join(code):
                    break
            except OSError:
                await asyncio.sleep(0.5)
        if rng.random() < 0.5:
            p.choice = (p.choice + 1) % CHOICES
        p.sent.append(time.perf_counter())
        if not await p.client.click(p.vote_key(), timeout=60):
            p.errors.append("vote after reconnecting not acknowledged")
        return time.perf_counter() - t_stop

    if stopped == teachers:
        projector.stop_reruns()
        await projector.connect()
        await projector.open(LESSON, timeout=120)  # the browser's cookie vz_room brings the room back
    again = await asyncio.gather(*(back(p) for p in hit))
    await settle(projector, args.voters, 30)
    tally = projector.tally()
    counted = store_counts(redis_url, code)
    cast = expected_counts(phones)
    moved = sum(not p.client.seen.served_by.endswith(f":{servers[stopped].port}") for p in hit)
    errors = [e for p in phones for e in p.errors + p.client.seen.errors] + projector.seen.errors
    report(f"Failover: {args.voters} phones through nginx on two replicas sharing Redis; replica {stopped} killed",
           [("phones joined", f"{sum(joined)} of {args.voters}: " + ", ".join(f"{n} on {k}" for k, n in where.items()),
             ""),
            ("the projector", f"on replica {teachers}", ""),
            ("votes in Redis before the stop", f"{before} = {sum(before)}", ""),
            (f"phones on replica {stopped}", f"{len(hit)}, back on the other one: {moved}", f"{len(hit)}"),
            ("reconnected and voted again within", f"p50 {percentile(again, 50):.1f} s, max "
                                                   f"{max(again, default=0):.1f} s after the stop", ""),
            ("votes cast (one per phone, its last choice)", f"{sum(cast)}: {cast}", ""),
            ("the projector's tally after", f"{tally[-1][1] if tally else 'none'}", f"= {sum(cast)}"),
            ("Redis's count per choice", f"{counted}", f"= {cast}"),
            ("votes lost or counted twice", f"{sum(abs(a - b) for a, b in zip(counted, cast))}", "0"),
            ("errors shown", f"{len(errors)}" + (f": {errors[:3]}" if errors else ""), "0")])
    for p in phones:
        await p.client.close()
    await projector.close()
    return counted == cast and moved == len(hit) and not errors


def files_through(base: str) -> bool:
    """Chromium, through nginx: upload a CSV to lesson 1, see it trained on, download the metrics."""
    sys.path.insert(0, str(ROOT))
    from tests.test_browser import find_chromium

    chromium = find_chromium()
    if chromium is None:
        print("\nUploads and downloads through nginx: skipped (no Chromium)")
        return True
    from playwright.sync_api import sync_playwright

    rows = "\n".join(f"{x / 10:.2f},{(x % 7) / 10:.2f},{int(x % 2)}" for x in range(60))
    csv = Path(tempfile.mkdtemp()) / "points.csv"
    csv.write_text("x,y,label\n" + rows + "\n")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        tab = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        t0 = time.perf_counter()
        tab.goto(f"{base}/layers")
        tab.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=120_000)
        tab.get_by_text("Your own data and saved weights").click()
        tab.locator("input[type=file]").first.set_input_files(str(csv))
        tab.wait_for_selector("text=points.csv", timeout=60_000)
        tab.wait_for_timeout(1500)
        tab.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
        errors = [e.inner_text() for e in tab.query_selector_all("[data-testid=stAlertContentError]")]
        trained_on_it = "data_id=" in tab.url  # the page's link names the uploaded file's fingerprint
        with tab.expect_download(timeout=60_000) as download:
            tab.get_by_role("button", name="⬇ Metrics (CSV)").click()
        data = Path(download.value.path()).read_text()
        cookie = [c["name"] for c in tab.context.cookies()]
        browser.close()
    ok = not errors and trained_on_it and data.startswith("snapshot,step") and "vz_id" in cookie
    report("Uploads and downloads through nginx (Chromium)",
           [("CSV uploaded, lesson 1 trained on it", "yes" if trained_on_it and not errors else f"no {errors}", "yes"),
            ("metrics downloaded", f"{len(data.splitlines())} lines, {len(data)} bytes", "a CSV"),
            ("edge cookie vz_id set by nginx", "yes" if "vz_id" in cookie else "no", "yes"),
            ("time", f"{time.perf_counter() - t0:.1f} s", "")])
    return ok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--voters", type=int, default=200)
    ap.add_argument("--spread", type=float, default=10.0, help="seconds over which the phones vote")
    ap.add_argument("--failover", action="store_true", help="nginx, two replicas, Redis; one replica is killed")
    ap.add_argument("--stop", choices=("other", "teacher"), default="other",
                    help="which replica dies: one without the projector (default) or the projector's")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vz-class-"))
    env = {"STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}
    try:
        with ExitStack() as stack:
            if not args.failover:
                data = work / "data"
                server = stack.enter_context(Server(work / "server.log", env={**env, "VIZCORE_DATA": str(data)}))
                ok = asyncio.run(one_room(args, server.http, str(data / "rooms.sqlite3"), server))
            else:
                for tool in ("redis-server", "nginx"):
                    if shutil.which(tool) is None:
                        print(f"{tool} is not installed: apt-get install -y redis-server nginx")
                        return 2
                url = stack.enter_context(redis_server(work))
                servers = replicas(stack, work, {**env, "VIZCORE_REDIS_URL": url})
                base = stack.enter_context(nginx(work, [s.port for s in servers.values()]))
                ok = files_through(base)
                ok = asyncio.run(failover(args, base, url, servers)) and ok
                for name, s in servers.items():
                    tracebacks = [line for line in s.log_lines() if "Traceback" in line]
                    print(f"  replica {name} log: {len(tracebacks)} tracebacks")
                    ok = ok and not tracebacks
    finally:
        shutil.rmtree(work, ignore_errors=True) if not os.environ.get("VZ_KEEP") else print("kept", work)
    print("\nall within their targets" if ok else "\nSOME FIGURES MISSED THEIR TARGETS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
