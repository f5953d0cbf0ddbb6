"""Lesson 1 presets: cold time to train and build the animation, warm (cached) time, a change of
training step (a new snapshot's animation built and sent), JSON size.

Run from the project root: python bench/bench_layers.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import plotly.io as pio  # noqa: E402
import plotly.tools  # noqa: E402

from ui.cache import SharedCache  # noqa: E402
from vizcore.figures.layers import layer_animation  # noqa: E402
from vizcore.lessons.layers import PRESETS, animation  # noqa: E402
from vizcore.runs import train_run  # noqa: E402
from vizcore.threads import use_one_thread  # noqa: E402

use_one_thread()


def build(cfg):
    run = train_run(cfg)
    anim, labels = animation(run)
    return run, anim, layer_animation(anim, labels)


def step_change(run) -> float:
    """Seconds to show another training step: its animation built and sent, as the page does."""
    t0 = time.perf_counter()
    anim, labels = animation(run, len(run.history) // 2)
    send(layer_animation(anim, labels))
    return time.perf_counter() - t0


def send(fig) -> str:
    """What st.plotly_chart does with a figure on every rerun."""
    return pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)


def main(repeats: int = 3) -> None:
    print(f"{'preset':<8} {'cold s (median)':>16} {'warm s':>8} {'step s':>7} {'JSON MB':>8} {'frames':>7} {'acc':>6}")
    for key, cfg in ((k, p.config) for k, p in PRESETS.items()):
        colds = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            run, anim, fig = build(cfg)
            send(fig)
            colds.append(time.perf_counter() - t0)
        cache = SharedCache()
        cache.get_or_compute(cfg, lambda fig=fig: fig)
        warms = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            send(cache.get_or_compute(cfg, lambda: None))
            warms.append(time.perf_counter() - t0)
        size = len(send(fig)) / 1e6
        step = statistics.median(step_change(run) for _ in range(repeats))
        print(f"{key:<8} {statistics.median(colds):>16.2f} {statistics.median(warms):>8.3f} {step:>7.2f} {size:>8.2f} "
              f"{len(anim.labels):>7} {run.history.accuracy[-1]:>6.1%}")


if __name__ == "__main__":
    main()
