"""Load test: 30 browser sessions on one preset link plus 10 on other settings, at once.

Starts `streamlit run app.py` on a local port, opens 40 Chromium pages concurrently
(Playwright, Debian's /usr/bin/chromium), waits until each page's script has finished,
and prints: sessions finished without an exception, time until the last one finished,
the server's peak memory (VmHWM of the server process), and how many trainings ran.

Run from the project root: python bench/load_test.py [--same 30] [--different 10]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAME = "layers?preset=spirals"
DIFFERENT = [f"layers?preset=disc3&seed={s}" for s in range(1, 6)] + [f"layers?preset=aba2&seed={s}" for s in range(1, 6)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) / 1024


async def open_session(browser, url: str, timeout_ms: int) -> tuple[bool, float, str]:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    t0 = time.perf_counter()
    try:
        await page.goto(url, timeout=timeout_ms, wait_until="commit")
        await page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout_ms)
        await page.wait_for_timeout(300)
        await page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_ms)
        await page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=timeout_ms)
        problems = await page.query_selector_all("[data-testid=stException], [data-testid=stAlertContentError]")
        ok, note = not problems, f"{len(problems)} exception/error elements" if problems else ""
    except Exception as exc:  # a timeout counts as a failed session
        ok, note = False, type(exc).__name__
    finally:
        elapsed = time.perf_counter() - t0
        await context.close()
    return ok, elapsed, note


async def run(base: str, same: int, different: int, timeout_ms: int):
    from playwright.async_api import async_playwright

    urls = [f"{base}/{SAME}"] * same + [f"{base}/{q}" for q in (DIFFERENT * 10)[:different]]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
        t0 = time.perf_counter()
        results = await asyncio.gather(*(open_session(browser, u, timeout_ms) for u in urls))
        total = time.perf_counter() - t0
        await browser.close()
    return results, total


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--same", type=int, default=30)
    ap.add_argument("--different", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=300, help="seconds a session may take")
    args = ap.parse_args()
    port = free_port()
    log = ROOT / "bench" / "out" / "load_test_server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, VIZCORE_CACHE_LOG="1")
    with open(log, "w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                                   "--server.headless", "true"], cwd=ROOT, env=env, stdout=sink, stderr=sink)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    urllib.request.urlopen(base + "/_stcore/health", timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            results, total = asyncio.run(run(base, args.same, args.different, int(args.timeout * 1000)))
            peak = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(10)
    lines = log.read_text().splitlines()
    trainings = sum("[cache] computing trained" in line for line in lines)
    ok = sum(r[0] for r in results)
    times = sorted(r[1] for r in results)
    print(f"sessions finished without exception: {ok}/{len(results)}")
    print(f"time until the last session finished: {total:.1f} s (median session {times[len(times) // 2]:.1f} s)")
    print(f"server peak memory (VmHWM): {peak:.0f} MB")
    print(f"trainings that actually ran: {trainings} "
          f"(expected {1 + len(set(DIFFERENT[:args.different]))}: one for the {args.same} identical sessions, "
          f"one per distinct other link)")
    for ok_, _, note in results:
        if not ok_:
            print("failed session:", note)
    return 0 if ok == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
