"""Soak test: 30 light sessions cycle through every page for 10 minutes; memory must stay flat.

Each session (bench/wsclient.py) opens the lessons' links (bench/lessonlinks.py: every page
bare and from each preset) in its own random order, with a think time between views
(--think, default 5-15 s), and now and then a link with a random seed, so that the shared
caches fill to their bounds and keep evicting. Every few views a session closes and a new one takes its place (a student
opening a new tab), so disconnected sessions must be freed too. Prints the server's memory
after warm-up and at the end (target: growth <= 10%), each shared cache's largest size
beside its bound, and the sessions stuck (no script_finished within 60 s).

Run from the project root: python bench/soak.py [--minutes 10] [--sessions 30] [--warmup 3]
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

from lessonlinks import lesson_links
from wsclient import Server, Session, Visit, cache_report, percentile

ROOT = Path(__file__).resolve().parent.parent
RANDOM_SEED_LINKS = ("layers?preset=aba1&seed={r}", "curves?seed={r}", "landscape?seed={r}", "layers?seed={r}")
STUCK_SECONDS = 60.0
LATE_SECONDS = 240.0  # a stuck view still read this long: "late" if it finishes, else lost
GROWTH_TARGET = 0.10


async def student(base_ws: str, links: list[str], until: float, rng: random.Random, visits: list[Visit],
                  think: tuple[float, float], views_per_tab: int = 8) -> None:
    """Views links until ``until`` (time.perf_counter()), a new session every ``views_per_tab`` views."""
    while time.perf_counter() < until:
        try:
            async with Session(base_ws) as session:
                for _ in range(views_per_tab):
                    if time.perf_counter() >= until:
                        return
                    link = (rng.choice(RANDOM_SEED_LINKS).format(r=rng.randrange(1, 10**6)) if rng.random() < 0.15
                            else rng.choice(links))
                    visit = await session.open(link, STUCK_SECONDS)
                    visits.append(visit)
                    if visit.status == "timeout":  # stuck: does it ever finish, or is it lost?
                        await session.finish(visit, LATE_SECONDS)
                    if visit.status in ("timeout", "closed"):
                        break  # a lost or dropped tab is closed; the student opens a new one
                    await asyncio.sleep(rng.uniform(*think))  # reading the page
        except Exception as exc:  # refused connection
            visits.append(Visit("(connect)", float("nan"), "closed", [f"{type(exc).__name__}: {exc}"]))
            await asyncio.sleep(1.0)


async def soak(server: Server, links: list[str], sessions: int, minutes: float, warmup: float,
               think: tuple[float, float]) -> dict:
    visits: list[Visit] = []
    start = time.perf_counter()
    until = start + 60 * minutes
    tasks = [asyncio.create_task(student(server.ws, links, until, random.Random(i), visits, think))
             for i in range(sessions)]
    samples: list[tuple[float, float]] = []  # (minutes since start, RSS MB)
    while not all(t.done() for t in tasks):
        await asyncio.sleep(5)
        samples.append(((time.perf_counter() - start) / 60, server.memory_mb()))
    await asyncio.gather(*tasks)
    after_warmup = [mb for t, mb in samples if t >= warmup]
    return {"visits": visits, "samples": samples,
            "warm": after_warmup[0] if after_warmup else float("nan"), "end": samples[-1][1] if samples else 0.0,
            "max_after_warmup": max(after_warmup, default=float("nan"))}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--warmup", type=float, default=3.0, help="minutes before memory counts as warmed up")
    ap.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                    help="seconds a student reads a page before the next (uniform)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the project to serve (default: this one)")
    args = ap.parse_args()
    root = args.root.resolve()
    links = [link for page in lesson_links(root).values() for link in page] + [""]
    print(f"{len(links)} links: {' '.join(links)}")
    with Server(ROOT / "bench" / "out" / "soak_server.log", cwd=root) as server:
        out = asyncio.run(soak(server, links, args.sessions, args.minutes, min(args.warmup, args.minutes / 2),
                               tuple(args.think)))
        lines = server.log_lines()
    visits = out["visits"]
    stuck = [v for v in visits if v.status in ("timeout", "late")]
    lost = [v for v in stuck if v.status == "timeout"]
    bad = [v for v in visits if not v.ok and v.status not in ("timeout", "late")]
    growth = out["end"] / out["warm"] - 1
    print(f"{len(visits)} page views by {args.sessions} sessions in {args.minutes:g} min; "
          f"time to script finished p50 {percentile([v.seconds for v in visits], 50):.1f} s, "
          f"p95 {percentile([v.seconds for v in visits], 95):.1f} s")
    print(f"memory (RSS, server and children): {out['warm']:.0f} MB after {min(args.warmup, args.minutes / 2):g} min "
          f"warm-up, {out['end']:.0f} MB at the end: growth {growth:+.1%} (target <= {GROWTH_TARGET:.0%}); "
          f"highest after warm-up {out['max_after_warmup']:.0f} MB")
    print("memory over time (min: MB): " + ", ".join(f"{t:.1f}: {mb:.0f}" for t, mb in out["samples"][::6]))
    print(f"page views stuck (no script_finished within {STUCK_SECONDS:.0f} s): {len(stuck)} (target 0); "
          f"of these {len(stuck) - len(lost)} finished later, {len(lost)} not within {LATE_SECONDS:.0f} s more")
    print(f"page views with errors: {len(bad)} (target 0)")
    for v in (lost + bad + stuck)[:10]:
        print(f"  {v.link or '(home)'}: {v.status} {'; '.join(v.errors)[:200]}")
    over = 0
    print("shared caches (largest size seen / bound; computed, shipped):")
    for name, row in sorted(cache_report(lines).items()):
        over += row["size"] > row["bound"]
        print(f"  {name:40s} {row['size']:3d}/{row['bound']:<3d} computed {row['computed']:4d}, "
              f"shipped {row['shipped']}")
    print(f"think time {args.think[0]:g}-{args.think[1]:g} s; "
          f"server throughput {len(visits) / (60 * args.minutes):.2f} views/s")
    ok = not stuck and not bad and not over and growth <= GROWTH_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
