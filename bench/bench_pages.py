"""Server-side time of every page's default view: cold (nothing cached) and cached, medians.

Each page is opened the way a visitor opens it, through app.py's navigation, in
Streamlit's ``AppTest`` (the script runs in this process; no browser, so this is the
server's share of a page view). First every page is opened once untimed, so imports,
numba's compiled functions and the like are loaded: "cold" means a process that has
started but has computed nothing for that page. Then, ``--repeats`` times (default 3):
empty every cache, open the page in a new session (cold), and open it in another new
session (cached: a second visitor of the same default view). Targets: cold <= 1.0 s,
cached <= 0.2 s. Wall-clock seconds are printed with the process's CPU seconds beside them:
on a shared box the CPU time is what other jobs cannot inflate (the page script runs in
this process, on AppTest's thread). Run: ``python bench/bench_pages.py [--pages layers low_dimension]``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import vizcore  # noqa: E402,F401  (first: it pins the CPU kernels before numpy and torch load, vizcore/cpu.py)
import numpy as np  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import cache  # noqa: E402  (the registry of shared caches the pages fill)

COLD_TARGET, CACHED_TARGET = 1.0, 0.2


def open_page(path: Path) -> tuple[float, float]:
    """(wall, CPU) seconds to run ``path`` in a new session through app.py; raises if the page shows an exception."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.switch_page(f"pages/{path.name}")
    wall, cpu = time.perf_counter(), time.process_time()
    at.run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if at.exception:
        error = at.exception[0]
        raise RuntimeError((list(error.stack_trace) or [error.message])[-1].strip())
    return wall, cpu


def empty_caches() -> None:
    for shared in list(cache._REGISTRY.values()):
        with shared._lock:
            shared._items.clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pages", nargs="*", help="page names without number and .py, e.g. layers")
    args = parser.parse_args()
    pages = sorted(p for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))
    if args.pages:
        pages = [p for p in pages if p.stem.split("_", 1)[1] in args.pages]
    broken: dict[str, str] = {}  # the tree is shared: report a page that raises, time the others

    def timed(page: Path) -> tuple[float, float] | None:
        try:
            return None if page.name in broken else open_page(page)
        except RuntimeError as error:
            broken[page.name] = str(error)[:80]

    for page in pages:  # imports and compiled code, once per process
        timed(page)
    times = {page.name: ([], []) for page in pages}
    for _ in range(args.repeats):
        for page in pages:
            empty_caches()
            times[page.name][0].append(timed(page))
            times[page.name][1].append(timed(page))
    times = {name: runs for name, runs in times.items() if name not in broken}
    print(f"Default view of each page through app.py in AppTest, median of {args.repeats} "
          f"(targets: cold <= {COLD_TARGET} s, cached <= {CACHED_TARGET} s):")
    for name, (cold, cached) in times.items():
        (cold, cold_cpu), (cached, cached_cpu) = np.median(cold, axis=0), np.median(cached, axis=0)
        verdict = "ok" if cold <= COLD_TARGET and cached <= CACHED_TARGET else "over"
        print(f"  {name:24s} cold {cold:6.2f} s (cpu {cold_cpu:5.2f})   cached {cached:6.3f} s (cpu {cached_cpu:5.3f})"
              f"   {verdict}")
    for name, error in broken.items():
        print(f"  {name:24s} not timed: the page raised {error!r}")


if __name__ == "__main__":
    main()
