"""Per-example SGD on the article's 510-weight net: plain PyTorch loop vs vizcore.train.fit, same run.

    python bench/bench_per_example.py         # throughput (medians of 3), the lesson's default views
    python bench/bench_per_example.py --long  # also 500,000 updates, on fixed points and on fresh ones

Prints examples per second for both (fit with its defaults, and with lesson 3's ``eval_points=250``),
their ratio beside the floor the project asks for (100x, i.e. 300,000 examples/s on the 2-core
development machine), and the cold time,
fresh-point scores and figure size of lesson 3's default view and home link.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import vizcore  # noqa: E402,F401  (first: it pins the CPU kernels before numpy and torch load, vizcore/cpu.py)
import numpy as np  # noqa: E402
import torch  # noqa: E402

from vizcore import datasets, online  # noqa: E402
from vizcore.figures.trajectory import training_view  # noqa: E402
from vizcore.nets import MLP  # noqa: E402
from vizcore.lessons.trajectory import (PRESETS, TrajectoryConfig, fresh_scores, lesson_view,  # noqa: E402
                                        train_trajectory)
from vizcore.threads import use_one_thread  # noqa: E402
from vizcore.train import fit  # noqa: E402

RATIO_FLOOR, RATE_FLOOR, COLD_FLOOR = 100.0, 300_000, 2.0


def article_setup():
    ds = datasets.make("above_graph", n=20_000, seed=0, signed=True, bias_input=True)
    return ds, MLP(3, (15, 15, 15), 1, bias=False, seed=0)


def torch_loop(ds, model, n: int, lr: float = 0.05) -> float:
    """Examples per second of the textbook loop: zero_grad, forward one example, backward, step."""
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    X, y = torch.from_numpy(ds.X), torch.from_numpy(ds.y)
    order = np.random.default_rng(0).permutation(ds.n)
    start = time.perf_counter()
    for i in order[:n]:
        opt.zero_grad()
        loss = ((model(X[i:i + 1])[:, 0] - y[i:i + 1]) ** 2).mean()
        loss.backward()
        opt.step()
    return n / (time.perf_counter() - start)


def ours(ds, model, n: int, lr: float = 0.05, **eval_points) -> tuple[float, float]:
    """Examples per second of fit, by the wall clock and by this process's CPU time (less load-dependent)."""
    start, cpu = time.perf_counter(), time.process_time()
    fit(model, ds, steps=n, lr=lr, optimizer="sgd", batch_size=1, record_every=1000, **eval_points)
    return n / (time.perf_counter() - start), n / (time.process_time() - cpu)


def trained(cfg: TrajectoryConfig, name: str) -> None:
    """Cold time of one lesson-3 view (training, maps, figure) and the trained net's fresh-point scores."""
    start, cpu = time.perf_counter(), time.process_time()
    run = train_trajectory(cfg)
    trained_at = time.perf_counter()
    fig = training_view(*lesson_view(run))
    size = len(fig.to_json())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rms, sign = fresh_scores(run)
    print(f"{name:<19}: cold {seconds:.2f} s, CPU {cpu:.2f} s (floor {COLD_FLOOR:.0f} s; training "
          f"{trained_at - start:.2f} s), "
          f"{int(run.history.step[-1]):,} examples -> RMS {rms:.3f}, sign right {sign:.2%} on 20,000 fresh points "
          f"(article: 0.22, over 99%); figure {size / 1e6:.2f} MB, {len(fig.frames)} frames")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--long", action="store_true", help="also train 500,000 updates, fixed and fresh examples")
    args = parser.parse_args()
    use_one_thread()  # as app.py runs every session
    start = time.perf_counter()
    online.warm_up()
    print(f"kernels ready in {time.perf_counter() - start:.2f} s (compiled, or loaded from the disk cache)")
    ds, _ = article_setup()
    plain, fast, lesson = [], [], []
    for _ in range(3):  # interleaved, so all see the same machine load
        plain.append(torch_loop(ds, article_setup()[1], 3_000))
        fast.append(ours(ds, article_setup()[1], 200_000))  # fit's default: snapshots scored on EVAL_POINTS points
        lesson.append(ours(ds, article_setup()[1], 200_000, eval_points=250))  # what lesson 3 asks for
    p = statistics.median(plain)
    print(f"torch threads: {torch.get_num_threads()}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"plain PyTorch loop : {p:>9,.0f} examples/s  (median of 3 x 3,000)")
    for name, runs in (("vizcore fit", fast), ("  eval_points=250", lesson)):
        f = statistics.median(rate for rate, _ in runs)
        print(f"{name:<19}: {f:>9,.0f} examples/s  (median of 3 x 200,000, recording every 1,000; floor "
              f"{RATE_FLOOR:,}); {statistics.median(c for _, c in runs):,.0f} per CPU second; {f / p:.1f}x PyTorch "
              f"(floor {RATIO_FLOOR:.0f}x)")
    f = statistics.median(rate for rate, _ in fast)
    print(f"200,000 examples take {200_000 / f:.2f} s with fit's defaults (PyTorch: {200_000 / p:.0f} s)")
    trained(TrajectoryConfig(), "default view")
    trained(PRESETS["gas"].configs()[0], "home link (gas)")
    if args.long:
        long = TrajectoryConfig(steps=500_000, schedule="150000: 0.015, 300000: 0.005")
        trained(replace(long, fresh=False), "500k, fixed 20,000")
        trained(long, "500k, fresh")


if __name__ == "__main__":
    main()
