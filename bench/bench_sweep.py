"""Multi-seed training: one batched ``fit_many`` versus a loop of single-seed ``fit`` calls.

64 seeds of a tanh net with hidden widths 2-2-2 (input 2, output 2 logits), 2,000
full-batch Adam steps on 1,000 points of ``disc_annulus``. The two are measured side by
side in one run, alternating, ``--repeats`` times each (default 3); prints the medians
(wall clock and CPU time: this box is shared, and CPU time is what other jobs cannot
steal) and the speed-up beside the floors issue 25 set (30x a loop of ``fit``, 1.5x the arithmetic
floor), then lesson 2's four claims at 64 seeds each (``low_dimension.train``, fit_many's largest
caller) beside their goal of 1.5 s each. Run: ``python bench/bench_sweep.py``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import vizcore  # noqa: E402,F401  (first: it pins the CPU kernels before numpy and torch load, vizcore/cpu.py)
import numpy as np  # noqa: E402
from vizcore import datasets, nets, train  # noqa: E402
from vizcore.lessons import low_dimension  # noqa: E402
from vizcore.sweeps import fit_many  # noqa: E402
from vizcore.threads import one_thread, use_one_thread  # noqa: E402

use_one_thread()
SEEDS, WIDTHS, STEPS, N, LR = range(64), (2, 2, 2), 2000, 1000, 0.03
SPEED_UP_FLOOR, OVER_FLOOR_CEILING, CLAIM_SECONDS = 30.0, 1.5, 1.5  # issue 25's goals


def timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def loop(ds) -> None:
    for s in SEEDS:
        train.fit(nets.MLP(ds.dim, WIDTHS, ds.out_dim, seed=s), ds, steps=STEPS, lr=LR)


def floor_seconds() -> tuple[float, float]:
    """(tanh, matrix products): numpy's time for this sweep's float32 arithmetic, on one thread."""
    sizes = (2, *WIDTHS, 2)
    count = len(SEEDS) * STEPS * N
    tanh_count = count * (sum(WIDTHS) + 1)
    macs = count * (2 * sum(a * b for a, b in zip(sizes, sizes[1:])) + sum(a * b for a, b in zip(sizes[1:], sizes[2:])))
    rng = np.random.default_rng(0)
    z = 2 * rng.standard_normal(1 << 22, dtype=np.float32)
    out = np.empty_like(z)
    a, b = rng.standard_normal((2, 512, 512), dtype=np.float32)
    with one_thread():
        tanh_time = min(timed(lambda: [np.tanh(z, out=out) for _ in range(8)])[0] for _ in range(3)) / (8 * z.size)
        mm_time = min(timed(lambda: [a @ b for _ in range(8)])[0] for _ in range(3)) / (8 * 512 ** 3)
    return tanh_count * tanh_time, macs * mm_time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ds = datasets.make("disc_annulus", n=N, seed=0)
    fit_many(ds, WIDTHS, range(2), steps=10, lr=LR)  # warm up
    runs = {"fit_many (2 threads)": [], "fit_many (1 thread)": [], "loop of fit": []}
    for _ in range(args.repeats):
        runs["fit_many (2 threads)"].append(timed(lambda: fit_many(ds, WIDTHS, SEEDS, steps=STEPS, lr=LR)))
        runs["fit_many (1 thread)"].append(timed(lambda: fit_many(ds, WIDTHS, SEEDS, steps=STEPS, lr=LR, threads=1)))
        runs["loop of fit"].append(timed(lambda: loop(ds)))
    print(f"{len(SEEDS)} seeds, hidden widths {WIDTHS}, {STEPS} full-batch steps on {N} points, "
          f"median of {args.repeats}:")
    medians = {name: np.median(np.array(times), axis=0) for name, times in runs.items()}
    base_wall, base_cpu = medians["loop of fit"]
    tanh_floor, mm_floor = floor_seconds()
    floor = tanh_floor + mm_floor
    for name, (wall, cpu) in medians.items():
        print(f"  {name:22s} wall {wall:7.2f} s  cpu {cpu:7.2f} s   "
              f"speed-up: wall {base_wall / wall:5.1f}x  cpu {base_cpu / cpu:5.1f}x   "
              f"over the floor: wall {wall / floor:5.1f}x  cpu {cpu / floor:5.1f}x")
    print(f"  floor (numpy, 1 thread) {floor:7.2f} s = float32 tanh {tanh_floor:.2f} s + matrix products "
          f"{mm_floor:.2f} s;  goals: speed-up >= {SPEED_UP_FLOOR:.0f}x, over the floor <= {OVER_FLOOR_CEILING}x")
    claims = {key: [] for key in low_dimension.CLAIMS}
    for _ in range(args.repeats):
        for key in claims:
            cfg = low_dimension.LowDimConfig(claim=key, seeds=64)
            claims[key].append(timed(lambda cfg=cfg: low_dimension.train(cfg)))
    print(f"lesson 2, 64 seeds per architecture, median of {args.repeats} (goal: {CLAIM_SECONDS} s per claim):")
    for key, times in claims.items():
        wall, cpu = np.median(np.array(times), axis=0)
        variants = low_dimension.CLAIMS[key].variants
        print(f"  {key:8s} wall {wall:5.2f} s  cpu {cpu:5.2f} s   ({len(variants)} architectures)")


if __name__ == "__main__":
    main()
