"""Page times of lessons 4 (k-NN) and 5 (vector fields): cold and from cache, with their defaults.

Each measurement runs in a fresh Python process, as a server would: imports first, then Streamlit's
AppTest opens the home page (the floor: what any page costs, and Streamlit's one-off start-up work),
then the lesson page through app.py's navigation, cold (training included), then the same page again
(from cache). Each page is measured in ``REPEATS`` fresh processes one after another; medians are
printed, with the CPU seconds of the cold run beside the wall-clock ones (on a shared machine the
CPU figure is the steadier of the two). Run: ``python bench/bench_knn_vectorfield.py``.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["40_knn.py", "45_vector_fields.py"]
REPEATS = 3
CACHED_RUNS = 5

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
# imports are not the page's cost (vizcore first: vizcore/cpu.py)
import vizcore, torch, sklearn.neighbors, streamlit, plotly.graph_objects
from tests.pagetools import assert_clean, open_page

def cpu():
    return resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime

def timed(run):
    wall, used = time.perf_counter(), cpu()
    at = run()
    assert_clean(at)
    return at, time.perf_counter() - wall, cpu() - used

timed(lambda: open_page("00_home.py"))  # Streamlit's start-up work, once per process
_, floor, floor_cpu = timed(lambda: open_page("00_home.py"))
at, cold, cold_cpu = timed(lambda: open_page({page!r}))
cached = [timed(at.run)[1] for _ in range({runs})]
print(json.dumps(dict(floor=floor, floor_cpu=floor_cpu, cold=cold, cold_cpu=cold_cpu, cached=cached)))
"""


def measure(page: str) -> dict[str, float]:
    runs = []
    for _ in range(REPEATS):
        code = CHILD.format(root=str(ROOT), page=page, runs=CACHED_RUNS)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    keys = ("floor", "floor_cpu", "cold", "cold_cpu", "cached")
    return {key: float(np.median([np.median(r[key]) for r in runs])) for key in keys}


def main() -> None:
    print(f"{'page':<22} {'floor (s)':>9} {'floor CPU':>9} {'cold (s)':>9} {'cold CPU':>9} {'from cache (s)':>15}"
          "   target: cold <= 1.0 s, from cache <= 0.2 s")
    for page in PAGES:
        t = measure(page)
        print(f"{page:<22} {t['floor']:>9.3f} {t['floor_cpu']:>9.3f} {t['cold']:>9.2f} {t['cold_cpu']:>9.2f} "
              f"{t['cached']:>15.3f}")


if __name__ == "__main__":
    main()
