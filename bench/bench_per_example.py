"""Per-example SGD on the article's 510-weight net: plain PyTorch loop vs vizcore.train.fit, same run.

    python bench/bench_per_example.py            # throughput, medians of 3 repeats
    python bench/bench_per_example.py --article  # also the article's full run and its fresh-point scores

Prints examples per second for both, their ratio, the time for 200,000 examples, and the
default trajectory figure's JSON size.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vizcore import datasets  # noqa: E402
from vizcore.figures.trajectory import training_view  # noqa: E402
from vizcore.nets import MLP  # noqa: E402
from vizcore.train import fit  # noqa: E402
from vizcore.trajectory_runs import TrajectoryConfig, fresh_scores, lesson_view, train_trajectory  # noqa: E402


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


def ours(ds, model, n: int, lr: float = 0.05) -> float:
    start = time.perf_counter()
    fit(model, ds, steps=n, lr=lr, optimizer="sgd", batch_size=1, record_every=1000, eval_points=1000)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--article", action="store_true", help="also train the article's full 500,000-example run")
    args = parser.parse_args()
    ds, _ = article_setup()
    plain, fast = [], []
    for _ in range(3):  # interleaved, so both see the same machine load
        plain.append(torch_loop(ds, article_setup()[1], 3_000))
        fast.append(ours(ds, article_setup()[1], 30_000))
    p, f = statistics.median(plain), statistics.median(fast)
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"plain PyTorch loop : {p:>9,.0f} examples/s  (median of 3 x 3,000)")
    print(f"vizcore fit        : {f:>9,.0f} examples/s  (median of 3 x 30,000, recording every 1,000)")
    print(f"ratio              : {f / p:.1f}x;  200,000 examples take {200_000 / f:.1f} s (PyTorch: {200_000 / p:.0f} s)")

    start = time.perf_counter()
    cfg = TrajectoryConfig()
    run = train_trajectory(cfg)
    fig = training_view(*lesson_view(run))
    size = len(fig.to_json())
    print(f"default page figure: {size / 1e6:.2f} MB JSON, {len(fig.frames)} frames, "
          f"built in {time.perf_counter() - start:.1f} s (training {cfg.steps:,} + {cfg.steps:,} slow-learning examples)")

    if args.article:
        cfg = TrajectoryConfig(steps=500_000, schedule="150000: 0.015, 300000: 0.005", halving=0, compare=0)
        start = time.perf_counter()
        run = train_trajectory(cfg)
        seconds = time.perf_counter() - start
        for t in (-1,):
            rms, sign = fresh_scores(run, t, n=20_000)
            print(f"article run: {int(run.history.step[t]):,} examples in {seconds:.1f} s -> RMS error {rms:.3f}, "
                  f"sign right {sign:.2%} on 20,000 fresh points")


if __name__ == "__main__":
    main()
