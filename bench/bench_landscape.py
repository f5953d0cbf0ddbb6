"""Loss surface speed: one batched computation versus a loop over grid points.

A 51x51 grid on 1,000 points for a 2-8-8-2 tanh net, with filter-normalised random
directions; prints the median of a few runs of each and the speed-up, then the time of
the landscape page's default surface. Run: ``python bench/bench_landscape.py``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import vizcore as vz  # noqa: E402
from vizcore import landscape  # noqa: E402

torch.set_num_threads(1)  # as in the app: tiny nets gain nothing from intra-op threads


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main() -> None:
    ds = vz.datasets.make("spirals", n=1000, noise=0.05, seed=0)
    model = vz.nets.MLP(2, (8, 8), 2, "tanh", seed=0)
    vz.train.fit(model, ds, steps=300, lr=0.03)
    dirs = landscape.random_directions(model, seed=0)
    fast = median_seconds(lambda: landscape.surface(model, ds, dirs, 1.0, 51), repeats=7)
    slow = median_seconds(lambda: landscape.looped_surface(model, ds, dirs, 1.0, 51), repeats=3)
    a = landscape.surface(model, ds, dirs, 1.0, 51).loss
    b = landscape.looped_surface(model, ds, dirs, 1.0, 51).loss
    print("51x51 loss surface, 1,000 points, 2-8-8-2 tanh net (median seconds)")
    print(f"  looped (load weights into the torch model per grid point): {slow:.3f} s")
    print(f"  batched (vz.landscape.surface):                            {fast:.3f} s")
    print(f"  speed-up: {slow / fast:.1f}x   max relative difference: {np.max(np.abs(a - b) / b):.1e}")

    from vizcore.runs import RunConfig, train_run
    net, cfg = RunConfig(widths="8,8", steps=1000, turns=1.0), landscape.LandscapeConfig()  # the page's defaults
    run = train_run(net)
    train_s = median_seconds(lambda: train_run(net), repeats=3)
    two = median_seconds(lambda: landscape.two_weights(run.model, run.dataset, cfg), repeats=3)
    plane = median_seconds(lambda: landscape.plane_view(run.model, run.dataset, run.history.params,
                                                        landscape.LandscapeConfig(view="plane")), repeats=3)
    print("landscape page defaults (median seconds)")
    print(f"  training the 2-8-8-2 net: {train_s:.3f} s; two-weight view (2 surfaces 41x41 + descent): {two:.3f} s;"
          f" PCA plane view: {plane:.3f} s")
    print(f"  default surface appears after {train_s + two:.3f} s of computation")


if __name__ == "__main__":
    main()
