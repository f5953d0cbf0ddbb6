"""Cold links: time from server start to a lesson's home link finished, with and without shipped results.

A shared link usually meets a host that has been asleep: a fresh process with empty caches. For
each lesson's home link (ui/syllabus.py), starts ``streamlit run app.py``, opens the link with one
light client (bench/wsclient.py) and prints the seconds from starting the server to "script
finished", once with the shipped preset results (ui/shipped.py) and once without
(VIZCORE_SHIP_OFF=1), medians of --repeat runs, and the computations each run needed.

Run from the project root: python bench/cold_start.py [--repeat 3] [--only layers curves]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from wsclient import Server, cache_report, open_once

ROOT = Path(__file__).resolve().parent.parent


def cold_visit(link: str, ship: bool, log: Path) -> tuple[float, int, bool]:
    """(seconds from server start to the link's script finished, computations run, ok) on a fresh server."""
    with Server(log, env={} if ship else {"VIZCORE_SHIP_OFF": "1"}) as server:
        visit = asyncio.run(open_once(server.ws, link, timeout=120))
        seconds = time.perf_counter() - server.started
        computed = sum(c.get("computed", 0) for c in cache_report(server.log_lines()).values())
    return seconds, computed, visit.ok


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="url paths of the lessons to measure (default: all)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from ui.syllabus import LESSONS

    log = Path("/tmp/cold_start_server.log")
    print(f"{'link':32s} {'without shipped':>16s} {'with shipped':>13s}   computations without / with")
    for lesson in LESSONS:
        link = f"{lesson.name}?preset={lesson.preset}"
        if args.only and lesson.name not in args.only:
            continue
        runs = {ship: [cold_visit(link, ship, log) for _ in range(args.repeat)] for ship in (False, True)}
        if not all(ok for results in runs.values() for _, _, ok in results):
            print(f"{link}: a visit failed; see {log}")
            return 1
        median = {ship: statistics.median(s for s, _, _ in results) for ship, results in runs.items()}
        counts = {ship: results[-1][1] for ship, results in runs.items()}
        print(f"{link:32s} {median[False]:14.2f} s {median[True]:11.2f} s   {counts[False]} / {counts[True]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
