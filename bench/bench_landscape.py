"""Loss surface speed: the batched computation against its floor and against a loop over grid points.

A 51x51 grid on 1,000 points for a 2-8-8-2 tanh net, with filter-normalised random
directions. The floor is what numpy alone needs for the same float32 work: the same
matrix products (same shapes, same chunks) and the same number of tanh evaluations,
with nothing else (no bias, no loss, no Python around them). Then the landscape page's
opening view, computed, and opened through Streamlit's AppTest cold and cached.
Medians of a few runs. Run: ``python bench/bench_landscape.py`` (``--no-page`` skips AppTest).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import vizcore  # noqa: E402,F401  (first: it pins the CPU kernels before numpy and torch load, vizcore/cpu.py)
import numpy as np  # noqa: E402
from vizcore import datasets, landscape, nets, train  # noqa: E402
from vizcore.engine import Architecture  # noqa: E402
from vizcore.lessons import landscape as lesson  # noqa: E402
from vizcore.threads import one_thread, use_one_thread  # noqa: E402

use_one_thread()  # as in the app: tiny nets gain nothing from intra-op threads


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def floor_run(arch: Architecture, grid_points: int, n: int, chunk: int = landscape.CHUNK):
    """A callable doing numpy's float32 matrix products and tanh of the surface alone, on one thread."""
    rng = np.random.default_rng(0)
    sizes = arch.sizes
    weights = [rng.normal(size=(chunk, o, i)).astype(np.float32) for i, o in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(1, sizes[0], n)).astype(np.float32)
    outs = [np.empty((chunk, o, n), np.float32) for o in sizes[1:]]

    def run() -> None:
        with one_thread():
            for _ in range(0, grid_points, chunk):
                h = x
                for k, (W, out) in enumerate(zip(weights, outs)):
                    np.matmul(W, h, out=out)
                    if k < len(weights) - 1:
                        np.tanh(out, out=out)
                    h = out
    return run


def interleaved(fns: dict, repeats: int = 7) -> dict:
    """Median seconds of each callable, run in turn so that a busy machine slows them alike."""
    times = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm up
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def page_seconds() -> tuple[float, float]:
    """AppTest: the landscape page re-run with its caches emptied (cold) and as they are (cached).

    One AppTest session throughout: its first run pays for imports and for Streamlit scanning
    the installed packages (0.2-0.6 s even for an empty script), which no visitor's rerun pays.
    """
    from streamlit.testing.v1 import AppTest

    from ui import cache

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.switch_page("pages/60_landscape.py")
    at.run()

    def rerun(cold: bool) -> float:
        if cold:
            for shared in cache._REGISTRY.values():  # forget every cached result
                shared._items.clear()
        start = time.perf_counter()
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return time.perf_counter() - start

    times = [(rerun(True), rerun(False)) for _ in range(3)]
    return float(np.median([c for c, _ in times])), float(np.median([w for _, w in times]))


def main() -> None:
    ds = datasets.make("spirals", n=1000, noise=0.05, seed=0)
    model = nets.MLP(2, (8, 8), 2, "tanh", seed=0)
    train.fit(model, ds, steps=300, lr=0.03)
    dirs = landscape.random_directions(model, seed=0)
    arch, grid = Architecture.of(model), 51 * 51
    params = landscape.plane_params(nets.flat_params(model), dirs, np.linspace(-1, 1, 51), np.linspace(-1, 1, 51))
    t = interleaved({
        "floor": floor_run(arch, grid, ds.n),
        "one": lambda: landscape.batched_loss(arch, params, ds.X, ds.y, ds.task, workers=1),
        "two": lambda: landscape.batched_loss(arch, params, ds.X, ds.y, ds.task, workers=2)})
    floor, one, two = t["floor"], t["one"], t["two"]
    slow = median_seconds(lambda: landscape.looped_surface(model, ds, dirs, 1.0, 51), repeats=3)
    a = landscape.surface(model, ds, dirs, 1.0, 51).loss
    b = landscape.looped_surface(model, ds, dirs, 1.0, 51).loss
    tanh_count = grid * ds.n * sum(arch.sizes[1:-1])
    print("51x51 loss surface, 1,000 points, 2-8-8-2 tanh net (median seconds)")
    print(f"  floor, one thread (numpy: the same float32 matmuls + {tanh_count / 1e6:.1f}M tanh): {floor:.3f} s")
    print(f"  batched, one thread (vz.landscape.batched_loss):   {one:.3f} s = {one / floor:.2f}x the floor")
    print(f"  batched, two threads (what the page uses):          {two:.3f} s = {two / floor:.2f}x the floor")
    print(f"  looped (load weights into the torch model per point): {slow:.3f} s = {slow / one:.1f}x batched")
    print(f"  max relative difference batched vs looped: {np.max(np.abs(a - b) / b):.1e}")

    from vizcore.runs import train_run
    net = lesson.EARLY  # the page's opening view
    pool = lesson.evaluation_pool(net)
    train_s = median_seconds(lambda: train_run(net), repeats=3)
    run = train_run(net)
    view_s = median_seconds(lambda: lesson.two_weights(run.model, pool, lesson.LandscapeConfig()), repeats=3)
    print("landscape page's opening view (median seconds)")
    print(f"  training the 2-3-2 net 20 steps: {train_s:.3f} s; two maps 41x41 (N = 100 and 10,000) and six "
          f"descents of 400 epochs: {view_s:.3f} s")
    if "--no-page" not in sys.argv:
        cold, cached = page_seconds()
        print(f"  AppTest run of the page: cold {cold:.2f} s, cached {cached:.2f} s")


if __name__ == "__main__":
    main()
