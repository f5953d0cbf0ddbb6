"""Page times of lessons 4 (k-NN) and 5 (vector fields): cold and from cache, with their defaults.

Cold: a fresh Python process runs the page once with streamlit's AppTest (so torch's first-use
costs are included; the imports of streamlit/torch/sklearn themselves are not). From cache: the
same page run again in that process (the shared cache holds the trained nets and figures).
Each page is measured in ``REPEATS`` fresh processes, one after another in this run; medians
are printed. Run: ``python bench/bench_knn_vectorfield.py``.
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
import json, sys, time
sys.path.insert(0, {root!r})
import torch, sklearn.neighbors, streamlit, plotly.graph_objects, vizcore  # imports are not the page's cost
from streamlit.testing.v1 import AppTest
page = {page!r}
times = []
for _ in range({runs} + 1):
    at = AppTest.from_file({root!r} + "/pages/" + page, default_timeout=300)
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
    assert not at.exception, [e.message for e in at.exception]
print(json.dumps(times))
"""


def measure(page: str) -> tuple[float, float]:
    colds, cached = [], []
    for _ in range(REPEATS):
        code = CHILD.format(root=str(ROOT), page=page, runs=CACHED_RUNS)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
        times = json.loads(out.stdout.strip().splitlines()[-1])
        colds.append(times[0])
        cached += times[1:]
    return float(np.median(colds)), float(np.median(cached))


def main() -> None:
    print(f"{'page':<24} {'cold (s)':>9} {'from cache (s)':>15}   target: cold <= 10 s, cache <= 0.3 s")
    for page in PAGES:
        cold, cached = measure(page)
        print(f"{page:<24} {cold:>9.2f} {cached:>15.3f}")


if __name__ == "__main__":
    main()
