"""The sweep kernel's float32 tanh (vizcore.engine.tanh) against libm's, on every float32 where it computes.

    python bench/bench_tanh.py           # every float32 in [2^-12, 10.5] and its negative: about 20 s
    python bench/bench_tanh.py --step 97 # every 97th one

Below 2^-12 the kernel returns x, which is tanh(x) rounded to float32, and from 10.5 on it returns
+-1 (tanh(9.02) already rounds to 1); both are checked on a sample. The reference is float64 tanh
(glibc, within 1 ulp of float64) rounded to float32: correctly rounded except within 2^-29 of a
midpoint. Prints the largest distance in ulps and the share that is not the correctly rounded
value, for the kernel and for numpy's float32 tanh, and the time per value of both (one thread).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vizcore.engine import lane_tanh  # noqa: E402

CHUNK = 1 << 24


def ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in float32 ulps (a and b of the same sign or zero)."""
    return np.abs(a.view(np.int32).astype(np.int64) - b.view(np.int32).astype(np.int64))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", type=int, default=1, help="check every step-th float32")
    args = parser.parse_args()
    lo, hi = (int(np.float32(v).view(np.int32)) for v in (2.0 ** -12, 10.5))
    worst = {"kernel": 0, "numpy": 0}
    inexact = {"kernel": 0, "numpy": 0}
    count, start = 0, time.perf_counter()
    for first in range(lo, hi, CHUNK * args.step):
        x = np.arange(first, min(first + CHUNK * args.step, hi), args.step, dtype=np.int32).view(np.float32)
        x = np.concatenate([x, -x])
        ref = np.tanh(x.astype(np.float64)).astype(np.float32)
        for name, values in (("kernel", lane_tanh(x)), ("numpy", np.tanh(x))):
            d = ulps(values, ref)
            worst[name] = max(worst[name], int(d.max()))
            inexact[name] += int((d > 0).sum())
        count += x.size
    rng = np.random.default_rng(0)
    tiny = np.r_[rng.uniform(-2.0 ** -12, 2.0 ** -12, 10 ** 6), 1e-45, -1e-45, 1e-38].astype(np.float32)
    big = np.r_[rng.uniform(10.5, 1e6, 10 ** 5), 1e38, np.inf].astype(np.float32)
    edges_right = (np.array_equal(lane_tanh(tiny), np.tanh(tiny.astype(np.float64)).astype(np.float32))
                   and (lane_tanh(big) == 1).all() and (lane_tanh(-big) == -1).all())
    print(f"{count:,} float32 values in +-[2^-12, 10.5] ({time.perf_counter() - start:.0f} s):")
    for name in worst:
        print(f"  {name:6s}: at most {worst[name]} ulp from float64 tanh; {inexact[name] / count:.2%} "
              "not the correctly rounded value")
    print(f"  below 2^-12 and from 10.5 on: {'exact' if edges_right else 'NOT EXACT'}")
    z = rng.normal(0, 2, 1 << 22).astype(np.float32)
    for name, fn in (("kernel", lane_tanh), ("numpy", np.tanh)):
        fn(z)
        seconds = min(_timed(fn, z) for _ in range(5))
        print(f"  {name:6s}: {seconds / z.size * 1e9:.2f} ns per value (4M values, best of 5)")


def _timed(fn, z) -> float:
    start = time.perf_counter()
    fn(z)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
