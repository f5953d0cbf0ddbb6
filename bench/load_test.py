"""Load test at the server: 200 light sessions on one preset link plus 50 on other settings, at once.

Each session is a light client of Streamlit's websocket protocol (bench/wsclient.py), not a
browser, so the clients cost little next to the server they measure. Starts
``streamlit run app.py`` on a free port; one visit of the shared link first (the teacher
checking it; its time from server start is the cold figure, and the server's memory after it
the idle figure), then all sessions connect at once and stay connected until every one has
finished. Prints: sessions with errors, p50/p95 time to "script finished", the server's peak
memory (VmHWM of the server and its children) and memory per session, and the trainings run
(ui/cache.py's log lines), each beside its target.

Run from the project root: python bench/load_test.py [--same 200] [--different 50] [--cold] [--replicas 2]
``--cold`` skips the first visit: the whole class opens the link on a sleeping host at once.
``--replicas N`` starts N servers and deals the sessions out in turn, as a balancer with session
affinity would (each session's websocket stays on its server); memory and CPU are summed.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from wsclient import Server, Session, Visit, cache_report, open_once, percentile

ROOT = Path(__file__).resolve().parent.parent
SAME = "layers?preset=spirals"
DIFFERENT = (  # other pages and values no preset has, so they train; 25 links, each opened twice by default
    [f"layers?preset=disc3&seed={s}" for s in range(1, 6)] + [f"layers?preset=aba2&seed={s}" for s in (1, 2)]
    + [f"layers?widths=3,3&seed={s}" for s in (1, 2)]
    + [f"curves?seed={s}" for s in (1, 2, 3)] + ["curves?preset=relu5&seed=1", "curves?preset=deep&seed=2"]
    + ["trajectory?seed=1", "trajectory?preset=slow&seed=2"]
    + ["knn?k=3", "knn?preset=spirals&k=7"]
    + ["vector_fields?preset=disc2&steps=120", "vector_fields?steps=80"]
    + ["low_dimension?preset=tori", "low_dimension?seeds=16"]
    + ["landscape?preset=pca", "landscape?preset=all-examples"]
    + ["", "layers?preset=tori4"])
TARGETS = {"errors": 0, "p95": 10.0, "peak_mb": 2048}


async def crowd(bases: list[str], links: list[str], timeout: float) -> tuple[list[Visit], float]:
    """Every link in its own session, all at once, session i on server ``bases[i % len(bases)]``; every
    session stays connected until all have finished.

    Returns the visits and the server-side wall time until the last one finished.
    """
    all_done, over = asyncio.Event(), []

    async def one(link: str, base_ws: str) -> Visit:
        t0 = time.perf_counter()
        try:
            async with Session(base_ws) as session:
                visit = await session.open(link, timeout)
                visit.seconds = time.perf_counter() - t0  # connecting included, as a browser tab waits for it
                over.append(1)
                await all_done.wait()
        except Exception as exc:  # a refused or dropped connection
            visit = Visit(link, time.perf_counter() - t0, "closed", [f"{type(exc).__name__}: {exc}"])
            over.append(1)
        return visit

    t0 = time.perf_counter()
    tasks = [asyncio.create_task(one(link, bases[i % len(bases)])) for i, link in enumerate(links)]
    while len(over) < len(tasks):
        await asyncio.sleep(0.1)
    wall = time.perf_counter() - t0
    all_done.set()
    return list(await asyncio.gather(*tasks)), wall


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--same", type=int, default=200, help=f"sessions on {SAME}")
    ap.add_argument("--different", type=int, default=50, help="sessions on other pages and settings")
    ap.add_argument("--cold", action="store_true", help="no first visit: all sessions meet a cold server")
    ap.add_argument("--timeout", type=float, default=300, help="seconds a session may take")
    ap.add_argument("--root", type=Path, default=ROOT, help="the project to serve (default: this one)")
    ap.add_argument("--app", default="app.py", help="the entry point under --root")
    ap.add_argument("--replicas", type=int, default=1, help="servers behind a (simulated) sticky balancer")
    args = ap.parse_args()
    links = [SAME] * args.same + (DIFFERENT * (1 + args.different // len(DIFFERENT)))[:args.different]
    with ExitStack() as stack:
        servers = [stack.enter_context(Server(ROOT / "bench" / "out" / f"load_test_server{i}.log",
                                              cwd=args.root.resolve(), app=args.app))
                   for i in range(args.replicas)]
        idle_label = "after start"
        if not args.cold:
            for server in servers:
                first = asyncio.run(open_once(server.ws, SAME, args.timeout))
                print(f"first visit of {SAME}: finished {time.perf_counter() - server.started:.1f} s after the "
                      f"server started ({first.seconds:.1f} s visit: {first.status}, {len(first.errors)} errors)")
            idle_label = "after the first visit"
        idle, cpu0 = sum(s.memory_mb() for s in servers), sum(s.cpu_seconds() for s in servers)
        visits, wall = asyncio.run(crowd([s.ws for s in servers], links, args.timeout))
        cpu = sum(s.cpu_seconds() for s in servers) - cpu0
        peak = sum(s.memory_mb("VmHWM") for s in servers)
        lines = [line for s in servers for line in s.log_lines()]
    server = f"{args.replicas} servers'" if args.replicas > 1 else "server"
    bad = [v for v in visits if not v.ok]
    times = [v.seconds for v in visits]
    same_times = [v.seconds for v in visits[:args.same]]
    caches = cache_report(lines)
    trained = {name: row["computed"] for name, row in caches.items() if row["computed"]}
    shipped = sum(row["shipped"] for row in caches.values())
    per_session = (peak - idle) / max(len(visits), 1)
    print(f"{len(visits)} sessions ({args.same} on {SAME}, {args.different} on {len(set(links[args.same:]))} "
          f"other links), "
          f"all finished after {wall:.1f} s; {server} CPU {cpu:.1f} s, {1000 * cpu / len(visits):.0f} ms per session")
    print(f"sessions with errors: {len(bad)} (target {TARGETS['errors']})")
    print(f"time to script finished: p50 {percentile(times, 50):.1f} s, p95 {percentile(times, 95):.1f} s "
          f"(target p95 <= {TARGETS['p95']:.0f} s), max {max(times):.1f} s; on the shared link p50 "
          f"{percentile(same_times, 50):.1f} s, p95 {percentile(same_times, 95):.1f} s")
    print(f"{server} peak memory (VmHWM, with children): {peak:.0f} MB (target < {TARGETS['peak_mb']} MB); "
          f"idle {idle_label} {idle:.0f} MB; per session {per_session:.2f} MB")
    print(f"computations run: {sum(trained.values())} ({shipped} shipped results loaded instead)")
    for name, n in sorted(trained.items()):
        print(f"  {name}: {n}")
    print(f"payload per session: median {percentile([v.bytes for v in visits], 50) / 1e6:.2f} MB")
    warned = [v for v in visits if v.warnings]
    print(f"sessions with a warning on the page: {len(warned)}")
    for v in warned[:5]:
        print(f"  warned: {v.link} {'; '.join(v.warnings)[:200]}")
    for v in bad[:10]:
        print(f"failed: {v.link or '(home)'} {v.status} {'; '.join(v.errors)[:300]}")
    ok = (not bad and percentile(times, 95) <= TARGETS["p95"] and peak < TARGETS["peak_mb"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
